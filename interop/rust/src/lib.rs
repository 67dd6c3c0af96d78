//! Shared pieces of the Rust interop peers (`interop-rust-client`, `interop-rust-server`).
//!
//! Debian ships capnp-rpc 0.14 but no `capnpc-rust` code generator, so nothing here is
//! generated: structs are read and written by field offset through capnp's low-level layout API
//! (`capnp::private::layout`), calls are made with `capability::Client::new_call` on
//! `any_pointer` params/results, and servers implement `capability::Server::dispatch_call`
//! directly. The offsets, struct sizes and ids below are those of `../interop.capnp`
//! (checked against the C++ code generator's output; see `interop/README.md`).

use capnp::any_pointer;
use capnp::capability::{self, FromClientHook, FromServer, Params, Promise, Results, Server};
use capnp::private::capability::ClientHook;
use capnp::private::layout::{PointerBuilder, PointerReader, StructBuilder, StructReader, StructSize};
use capnp::traits::{FromPointerBuilder, FromPointerReader};
use capnp::{Error, ErrorKind, Word};

/// Interface ids of interop.capnp.
pub const CALLBACK: u64 = 0xeba788815cf51a1a;
pub const CALLEE: u64 = 0x8745b32fe7febf59;
pub const COUNTER: u64 = 0xd81995849048f1ba;
pub const BYTE_SINK: u64 = 0xfe6937449a772e2d;
pub const TEST_SERVICE: u64 = 0xb24da26fe3576aad;

/// Method ordinals of TestService.
pub mod ts {
    pub const ECHO: u16 = 0;
    pub const ADD: u16 = 1;
    pub const GET_CALLEE: u16 = 2;
    pub const GET_HOLDER: u16 = 3;
    pub const GET_COUNTER: u16 = 4;
    pub const CALL_BACK: u16 = 5;
    pub const HOLD: u16 = 6;
    pub const CALL_HELD: u16 = 7;
    pub const RELEASE_HELD: u16 = 8;
    pub const REFLECT: u16 = 9;
    pub const PROMISE_CALLBACK: u16 = 10;
    pub const RESOLVE_PROMISE: u16 = 11;
    pub const FORWARD: u16 = 12;
    pub const FORWARD_LOCAL: u16 = 13;
    pub const SLOW: u16 = 14;
    pub const WAS_CANCELED: u16 = 15;
    pub const FAIL: u16 = 16;
    pub const UNIMPLEMENTED: u16 = 17;
    pub const BIG_ECHO: u16 = 18;
    pub const NEW_SINK: u16 = 19;
    pub const RELEASE_SINK: u16 = 20;
    pub const USE_CALLEE: u16 = 21;
}

/// `StructSize { data words, pointers }`.
pub const fn size(data: u16, pointers: u16) -> StructSize {
    StructSize { data, pointers }
}

/// A raw pointer reader: lets `any_pointer::Reader::get_as` hand out the pointer itself, from
/// which a struct of any size is read (what generated code does with a fixed type).
pub struct RawReader<'a>(pub PointerReader<'a>);

impl<'a> FromPointerReader<'a> for RawReader<'a> {
    fn get_from_pointer(reader: &PointerReader<'a>, _default: Option<&'a [Word]>) -> capnp::Result<Self> {
        Ok(RawReader(*reader))
    }
}

/// A raw pointer builder, the building twin of [`RawReader`].
pub struct RawBuilder<'a>(pub PointerBuilder<'a>);

impl<'a> FromPointerBuilder<'a> for RawBuilder<'a> {
    fn init_pointer(builder: PointerBuilder<'a>, _length: u32) -> Self {
        RawBuilder(builder)
    }
    fn get_from_pointer(builder: PointerBuilder<'a>, _default: Option<&'a [Word]>) -> capnp::Result<Self> {
        Ok(RawBuilder(builder))
    }
}

/// The struct an `any_pointer` points at (params or results being read).
pub fn read_struct<'a>(p: any_pointer::Reader<'a>) -> capnp::Result<StructReader<'a>> {
    let raw: RawReader<'a> = p.get_as()?;
    raw.0.get_struct(None)
}

/// Initialises the `any_pointer` as a struct of the given size (params or results being built).
pub fn init_struct<'a>(p: any_pointer::Builder<'a>, s: StructSize) -> StructBuilder<'a> {
    let raw: RawBuilder<'a> = p.init_as();
    raw.0.init_struct(s)
}

/// Reads the params of a call a server received.
pub fn params(p: &Params<any_pointer::Owned>) -> capnp::Result<StructReader<'_>> {
    read_struct(p.get()?)
}

/// Initialises the results of a call a server answers.
pub fn results(r: &mut Results<any_pointer::Owned>, s: StructSize) -> StructBuilder<'_> {
    init_struct(r.get(), s)
}

/// Text pointer field `i` ("" when null).
pub fn text<'a>(s: &StructReader<'a>, i: usize) -> capnp::Result<&'a str> {
    s.get_pointer_field(i).get_text(None)
}

/// Data pointer field `i` (empty when null).
pub fn data<'a>(s: &StructReader<'a>, i: usize) -> capnp::Result<&'a [u8]> {
    s.get_pointer_field(i).get_data(None)
}

/// Capability pointer field `i`.
pub fn cap(s: &StructReader<'_>, i: usize) -> capnp::Result<capability::Client> {
    Ok(capability::Client::new(s.get_pointer_field(i).get_capability()?))
}

pub fn set_text(s: &StructBuilder<'_>, i: usize, value: &str) {
    s.get_pointer_field(i).set_text(value)
}

pub fn set_cap(s: &StructBuilder<'_>, i: usize, value: &capability::Client) {
    s.get_pointer_field(i).set_capability(value.hook.add_ref())
}

/// A new call on `client`, with `any_pointer` params and results.
pub fn call(client: &capability::Client, interface: u64, method: u16)
            -> capability::Request<any_pointer::Owned, any_pointer::Owned> {
    client.new_call(interface, method, None)
}

/// An `Error` of the given kind.
pub fn error(kind: ErrorKind, description: impl Into<String>) -> Error {
    Error { kind, description: description.into() }
}

/// 64-bit FNV-1a, continuing from `h` (start with [`FNV_OFFSET`]).
pub const FNV_OFFSET: u64 = 0xcbf29ce484222325;
pub fn fnv1a64(data: &[u8], mut h: u64) -> u64 {
    for &b in data {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// Byte i of the data bigEcho returns.
pub fn reply_byte(i: usize) -> u8 {
    ((i * 7 + 3) & 0xFF) as u8
}

/// Byte i of write number `seq` in the streaming scenario.
pub fn stream_byte(seq: u32, i: usize) -> u8 {
    ((seq as usize * 31 + i) & 0xFF) as u8
}

/// A capability as a plain `capability::Client` (what `capnp_rpc::new_client` and
/// `RpcSystem::bootstrap` produce here, as generated code's typed clients would).
pub struct Cap {
    pub client: capability::Client,
}

impl FromClientHook for Cap {
    fn new(hook: Box<dyn ClientHook>) -> Cap {
        Cap { client: capability::Client::new(hook) }
    }
}

/// Wraps a server for `capnp_rpc::new_client` (generated code has one such type per interface).
pub struct Dispatch<S>(pub S);

impl<S: Server> Server for Dispatch<S> {
    fn dispatch_call(&mut self, interface_id: u64, method_id: u16,
                     params: Params<any_pointer::Owned>, results: Results<any_pointer::Owned>)
                     -> Promise<(), Error> {
        self.0.dispatch_call(interface_id, method_id, params, results)
    }
}

impl<S> std::ops::Deref for Dispatch<S> {
    type Target = S;
    fn deref(&self) -> &S {
        &self.0
    }
}

impl<S> std::ops::DerefMut for Dispatch<S> {
    fn deref_mut(&mut self) -> &mut S {
        &mut self.0
    }
}

impl<S: Server + 'static> FromServer<S> for Cap {
    type Dispatch = Dispatch<S>;
    fn from_server(s: S) -> Dispatch<S> {
        Dispatch(s)
    }
}

/// A local capability served by `server`.
pub fn local<S: Server + 'static>(server: S) -> capability::Client {
    let cap: Cap = capnp_rpc::new_client(server);
    cap.client
}

/// The error for a method the server does not implement (as generated code answers).
pub fn unimplemented(interface_id: u64, method_id: u16) -> Promise<(), Error> {
    Promise::err(error(ErrorKind::Unimplemented,
                       format!("method not implemented: interface {:#x} method {}", interface_id, method_id)))
}
