//! interop-rust-server: serves interop.capnp's TestService with Rust capnp-rpc 0.14, one fresh
//! TestService per accepted connection (the twin of ../../src/interop-server.c++).
//!
//! Usage: interop-rust-server [HOST:PORT]     (default 127.0.0.1:0)
//! Prints "PORT <n>" once listening, then serves until stdin reaches end-of-file.

use std::cell::RefCell;
use std::collections::HashSet;
use std::io::{Read, Write};
use std::rc::Rc;
use std::time::Duration;

use capnp::any_pointer;
use capnp::capability::{self, Params, Promise, Results, Server};
use capnp::traits::FromPointerBuilder;
use capnp::{Error, ErrorKind};
use capnp_java_interop_rust::*;
use capnp_rpc::{rpc_twoparty_capnp, twoparty, RpcSystem};
use futures::channel::oneshot;
use futures::{AsyncReadExt, FutureExt};

/// Callee: echo, child, name.
struct CalleeImpl {
    name: String,
}

impl Server for CalleeImpl {
    fn dispatch_call(&mut self, interface_id: u64, method_id: u16,
                     params: Params<any_pointer::Owned>, mut results: Results<any_pointer::Owned>)
                     -> Promise<(), Error> {
        if interface_id != CALLEE {
            return unimplemented(interface_id, method_id);
        }
        let p = capnp_rpc::pry!(self::params(&params));
        match method_id {
            0 => {
                let t = format!("{}:{}", self.name, capnp_rpc::pry!(text(&p, 0)));
                set_text(&self::results(&mut results, size(0, 1)), 0, &t);
            }
            1 => {
                let child = local(CalleeImpl { name: format!("{}/{}", self.name, capnp_rpc::pry!(text(&p, 0))) });
                set_cap(&self::results(&mut results, size(0, 1)), 0, &child);
            }
            2 => set_text(&self::results(&mut results, size(0, 1)), 0, &self.name),
            _ => return unimplemented(interface_id, method_id),
        }
        Promise::ok(())
    }
}

/// Counter: returns its count, then increments it.
struct CounterImpl {
    count: u32,
}

impl Server for CounterImpl {
    fn dispatch_call(&mut self, interface_id: u64, method_id: u16,
                     _params: Params<any_pointer::Owned>, mut results: Results<any_pointer::Owned>)
                     -> Promise<(), Error> {
        if interface_id != COUNTER || method_id != 0 {
            return unimplemented(interface_id, method_id);
        }
        self::results(&mut results, size(1, 0)).set_data_field::<u32>(0, self.count);
        self.count += 1;
        Promise::ok(())
    }
}

/// The state of one ByteSink, shared with the TestService that made it (for releaseSink).
struct SinkState {
    delay_ms: u32,
    hold_first: bool,
    writes: u32,
    bytes: u64,
    checksum: u64,
    in_order: bool,
    overlapped: bool,
    in_progress: bool,
    held: Option<oneshot::Sender<()>>,
    /// Set by the first failed streaming call: every later call fails with it.
    broken: Option<Error>,
    /// Completes when the previous call to the sink has completed. capnp-rpc 0.14 has no
    /// streaming support, so the sink itself runs its calls one at a time, in arrival order
    /// (what the C++ and Java RPC systems do for `-> stream` methods).
    previous: Option<oneshot::Receiver<()>>,
}

struct ByteSinkImpl {
    state: Rc<RefCell<SinkState>>,
}

impl Server for ByteSinkImpl {
    fn dispatch_call(&mut self, interface_id: u64, method_id: u16,
                     params: Params<any_pointer::Owned>, mut results: Results<any_pointer::Owned>)
                     -> Promise<(), Error> {
        if interface_id != BYTE_SINK || method_id > 2 {
            return unimplemented(interface_id, method_id);
        }
        let state = self.state.clone();
        let (done_tx, done_rx) = oneshot::channel::<()>();
        let previous = state.borrow_mut().previous.replace(done_rx);
        Promise::from_future(async move {
            if let Some(previous) = previous {
                let _ = previous.await;
            }
            let outcome = run_sink_call(&state, method_id, &params, &mut results).await;
            if let Err(e) = &outcome {
                let mut s = state.borrow_mut();
                if s.broken.is_none() && method_id != 2 {
                    s.broken = Some(e.clone());
                }
            }
            let _ = done_tx.send(());
            outcome
        })
    }
}

async fn run_sink_call(state: &Rc<RefCell<SinkState>>, method_id: u16,
                       params: &Params<any_pointer::Owned>, results: &mut Results<any_pointer::Owned>)
                       -> Result<(), Error> {
    if let Some(e) = &state.borrow().broken {
        return Err(e.clone());
    }
    match method_id {
        0 => {
            let wait: futures::future::LocalBoxFuture<'static, ()> = {
                let p = self::params(params)?;
                let mut s = state.borrow_mut();
                if s.in_progress {
                    s.overlapped = true;
                }
                s.in_progress = true;
                if p.get_data_field::<u32>(0) != s.writes {
                    s.in_order = false;
                }
                s.writes += 1;
                let d = data(&p, 0)?;
                s.bytes += d.len() as u64;
                s.checksum = fnv1a64(d, s.checksum);
                if s.hold_first && s.writes == 1 {
                    let (tx, rx) = oneshot::channel();
                    s.held = Some(tx);
                    rx.map(|_| ()).boxed_local()
                } else {
                    tokio::time::sleep(Duration::from_millis(s.delay_ms as u64)).boxed_local()
                }
            };
            wait.await;
            state.borrow_mut().in_progress = false;
            Ok(())
        }
        1 => {
            let p = self::params(params)?;
            Err(error(ErrorKind::Failed, text(&p, 0)?))
        }
        _ => {
            let s = state.borrow();
            let r = self::results(results, size(3, 0));
            r.set_data_field::<u32>(0, s.writes);
            r.set_data_field::<u64>(1, s.bytes);
            r.set_data_field::<u64>(2, s.checksum);
            r.set_bool_field(32, s.in_order);
            r.set_bool_field(33, s.overlapped);
            Ok(())
        }
    }
}

/// Records the id of a `slow` call when its (never-ending) promise is dropped: canceled.
struct CancelGuard {
    canceled: Rc<RefCell<HashSet<u32>>>,
    id: u32,
}

impl Drop for CancelGuard {
    fn drop(&mut self) {
        self.canceled.borrow_mut().insert(self.id);
    }
}

struct TestServiceImpl {
    held: Option<capability::Client>,
    pending: Option<(oneshot::Sender<capability::Client>, capability::Client)>,
    canceled: Rc<RefCell<HashSet<u32>>>,
    sink: Option<Rc<RefCell<SinkState>>>,
}

fn error_kind(t: u16) -> ErrorKind {
    match t {
        1 => ErrorKind::Overloaded,
        2 => ErrorKind::Disconnected,
        3 => ErrorKind::Unimplemented,
        _ => ErrorKind::Failed,
    }
}

/// Sends cb.call(seq, text) and returns the reply's text.
async fn call_callback(cb: &capability::Client, seq: u32, t: &str) -> Result<String, Error> {
    let mut request = call(cb, CALLBACK, 0);
    {
        let p = init_struct(request.get(), size(1, 1));
        p.set_data_field::<u32>(0, seq);
        set_text(&p, 0, t);
    }
    let response = request.send().promise.await?;
    let r = read_struct(response.get()?)?;
    Ok(text(&r, 0)?.to_string())
}

fn sleep_ms(ms: u32) -> tokio::time::Sleep {
    tokio::time::sleep(Duration::from_millis(ms as u64))
}

impl Server for TestServiceImpl {
    fn dispatch_call(&mut self, interface_id: u64, method_id: u16,
                     params: Params<any_pointer::Owned>, mut results: Results<any_pointer::Owned>)
                     -> Promise<(), Error> {
        if interface_id != TEST_SERVICE {
            return unimplemented(interface_id, method_id);
        }
        let p = capnp_rpc::pry!(self::params(&params));
        match method_id {
            ts::ECHO => {
                let t = capnp_rpc::pry!(text(&p, 0));
                set_text(&self::results(&mut results, size(0, 1)), 0, t);
            }
            ts::ADD => {
                let sum = p.get_data_field::<i64>(0).wrapping_add(p.get_data_field::<i64>(1));
                self::results(&mut results, size(1, 0)).set_data_field::<i64>(0, sum);
            }
            ts::GET_CALLEE => {
                let name = capnp_rpc::pry!(text(&p, 0)).to_string();
                let delay = p.get_data_field::<u32>(0);
                return Promise::from_future(async move {
                    sleep_ms(delay).await;
                    set_cap(&self::results(&mut results, size(0, 1)), 0, &local(CalleeImpl { name }));
                    Ok(())
                });
            }
            ts::GET_HOLDER => {
                let name = capnp_rpc::pry!(text(&p, 0)).to_string();
                let delay = p.get_data_field::<u32>(0);
                return Promise::from_future(async move {
                    sleep_ms(delay).await;
                    let r = self::results(&mut results, size(0, 1));
                    let holder = r.get_pointer_field(0).init_struct(size(0, 2));
                    set_text(&holder, 0, &name);
                    set_cap(&holder, 1, &local(CalleeImpl { name: name.clone() }));
                    Ok(())
                });
            }
            ts::GET_COUNTER => {
                set_cap(&self::results(&mut results, size(0, 1)), 0, &local(CounterImpl { count: 0 }));
            }
            ts::CALL_BACK => {
                let cb = capnp_rpc::pry!(cap(&p, 0));
                let t = capnp_rpc::pry!(text(&p, 1)).to_string();
                let times = p.get_data_field::<u32>(0);
                return Promise::from_future(async move {
                    let mut replies = Vec::new();
                    for i in 0..times {
                        replies.push(call_callback(&cb, i, &format!("{}#{}", t, i)).await?);
                    }
                    let r = self::results(&mut results, size(0, 1));
                    let mut list = capnp::text_list::Builder::init_pointer(r.get_pointer_field(0), replies.len() as u32);
                    for (i, reply) in replies.iter().enumerate() {
                        list.set(i as u32, reply);
                    }
                    Ok(())
                });
            }
            ts::HOLD => self.held = Some(capnp_rpc::pry!(cap(&p, 0))),
            ts::CALL_HELD => {
                let cb = match &self.held {
                    Some(cb) => capability::Client::new(cb.hook.add_ref()),
                    None => return Promise::err(error(ErrorKind::Failed, "callHeld: no callback is held")),
                };
                let seq = p.get_data_field::<u32>(0);
                let t = capnp_rpc::pry!(text(&p, 0)).to_string();
                return Promise::from_future(async move {
                    let reply = call_callback(&cb, seq, &t).await?;
                    set_text(&self::results(&mut results, size(0, 1)), 0, &reply);
                    Ok(())
                });
            }
            ts::RELEASE_HELD => self.held = None,
            ts::REFLECT => {
                let cb = capnp_rpc::pry!(cap(&p, 0));
                set_cap(&self::results(&mut results, size(0, 1)), 0, &cb);
            }
            ts::PROMISE_CALLBACK => {
                let cb = capnp_rpc::pry!(cap(&p, 0));
                let (tx, rx) = oneshot::channel::<capability::Client>();
                let promise: Cap = capnp_rpc::new_promise_client(rx.map(|r| {
                    r.map_err(|_| error(ErrorKind::Failed, "promiseCallback: the promise was dropped"))
                }));
                self.pending = Some((tx, cb));
                set_cap(&self::results(&mut results, size(0, 1)), 0, &promise.client);
            }
            ts::RESOLVE_PROMISE => match self.pending.take() {
                Some((tx, cb)) => {
                    let _ = tx.send(cb);
                }
                None => return Promise::err(error(ErrorKind::Failed,
                                                  "resolvePromise: no promiseCallback is pending")),
            },
            ts::FORWARD => {
                let cb = capnp_rpc::pry!(cap(&p, 0));
                let mut request = call(&cb, CALLBACK, 0);
                {
                    let q = init_struct(request.get(), size(1, 1));
                    q.set_data_field::<u32>(0, p.get_data_field::<u32>(0));
                    set_text(&q, 0, capnp_rpc::pry!(text(&p, 1)));
                }
                // Not a tail call: capnp-rpc 0.14's only tail call (ResultsHook::direct_tail_call,
                // toward the caller's connection) sends the Call with sendResultsTo.yourself, and
                // when the peer then answers it, as rpc.capnp says, with Return.resultsSentElsewhere,
                // 0.14 panics (unimplemented!() in rpc.rs) and the connection dies. So the call
                // is forwarded and its reply copied; the results are the same.
                return Promise::from_future(async move {
                    let response = request.send().promise.await?;
                    let reply = read_struct(response.get()?)?;
                    let r = self::results(&mut results, size(1, 1));
                    r.set_data_field::<u32>(0, reply.get_data_field::<u32>(0));
                    set_text(&r, 0, text(&reply, 0)?);
                    Ok(())
                });
            }
            ts::FORWARD_LOCAL => {
                // Not a tail call either: capnp-rpc 0.14 cannot tail-call a local capability
                // (unimplemented!() in direct_tail_call); a plain call, reply copied.
                let callee = local(CalleeImpl { name: "local".to_string() });
                let mut request = call(&callee, CALLEE, 0);
                set_text(&init_struct(request.get(), size(0, 1)), 0, capnp_rpc::pry!(text(&p, 0)));
                return Promise::from_future(async move {
                    let response = request.send().promise.await?;
                    let t = text(&read_struct(response.get()?)?, 0)?.to_string();
                    set_text(&self::results(&mut results, size(0, 1)), 0, &t);
                    Ok(())
                });
            }
            ts::SLOW => {
                let guard = CancelGuard { canceled: self.canceled.clone(), id: p.get_data_field::<u32>(0) };
                return Promise::from_future(async move {
                    let _guard = guard;
                    futures::future::pending::<()>().await;
                    Ok(())
                });
            }
            ts::WAS_CANCELED => {
                let canceled = self.canceled.borrow().contains(&p.get_data_field::<u32>(0));
                self::results(&mut results, size(1, 0)).set_bool_field(0, canceled);
            }
            ts::FAIL => {
                let kind = error_kind(p.get_data_field::<u16>(0));
                return Promise::err(error(kind, capnp_rpc::pry!(text(&p, 0))));
            }
            ts::BIG_ECHO => {
                let d = capnp_rpc::pry!(data(&p, 0));
                let checksum = fnv1a64(d, FNV_OFFSET);
                let reversed: String = capnp_rpc::pry!(text(&p, 1)).chars().rev().collect();
                let reply = p.get_data_field::<u32>(0) as usize;
                let r = self::results(&mut results, size(1, 2));
                r.set_data_field::<u64>(0, checksum);
                set_text(&r, 1, &reversed);
                let out = r.get_pointer_field(0).init_data(reply as u32);
                for (i, b) in out.iter_mut().enumerate() {
                    *b = reply_byte(i);
                }
            }
            ts::NEW_SINK => {
                let state = Rc::new(RefCell::new(SinkState {
                    delay_ms: p.get_data_field::<u32>(0),
                    hold_first: p.get_bool_field(32),
                    writes: 0,
                    bytes: 0,
                    checksum: FNV_OFFSET,
                    in_order: true,
                    overlapped: false,
                    in_progress: false,
                    held: None,
                    broken: None,
                    previous: None,
                }));
                self.sink = Some(state.clone());
                set_cap(&self::results(&mut results, size(0, 1)), 0, &local(ByteSinkImpl { state }));
            }
            ts::RELEASE_SINK => {
                let held = self.sink.as_ref().and_then(|s| s.borrow_mut().held.take());
                match held {
                    Some(tx) => {
                        let _ = tx.send(());
                    }
                    None => return Promise::err(error(ErrorKind::Failed, "releaseSink: no write is being held")),
                }
            }
            ts::USE_CALLEE => {
                let callee = capnp_rpc::pry!(cap(&p, 0));
                let mut request = call(&callee, CALLEE, 0);
                set_text(&init_struct(request.get(), size(0, 1)), 0, capnp_rpc::pry!(text(&p, 1)));
                return Promise::from_future(async move {
                    let response = request.send().promise.await?;
                    let t = text(&read_struct(response.get()?)?, 0)?.to_string();
                    set_text(&self::results(&mut results, size(0, 1)), 0, &t);
                    Ok(())
                });
            }
            _ => return unimplemented(interface_id, method_id),
        }
        Promise::ok(())
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() > 2 {
        eprintln!("usage: {} [HOST:PORT]", args[0]);
        std::process::exit(2);
    }
    let address = args.get(1).cloned().unwrap_or_else(|| "127.0.0.1:0".to_string());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
    let local_set = tokio::task::LocalSet::new();
    local_set.block_on(&runtime, async move {
        let listener = tokio::net::TcpListener::bind(&address).await.expect("listen");
        println!("PORT {}", listener.local_addr().expect("local address").port());
        std::io::stdout().flush().ok();
        // End when whoever started us closes our stdin.
        std::thread::spawn(|| {
            let mut buffer = [0u8; 256];
            while matches!(std::io::stdin().read(&mut buffer), Ok(n) if n > 0) {}
            std::process::exit(0);
        });
        loop {
            let (stream, _) = match listener.accept().await {
                Ok(accepted) => accepted,
                Err(e) => {
                    eprintln!("accept failed: {}", e);
                    continue;
                }
            };
            stream.set_nodelay(true).ok();
            let (reader, writer) = tokio_util::compat::TokioAsyncReadCompatExt::compat(stream).split();
            let network = twoparty::VatNetwork::new(reader, writer, rpc_twoparty_capnp::Side::Server,
                                                    Default::default());
            let service = local(TestServiceImpl { held: None, pending: None,
                                                  canceled: Rc::new(RefCell::new(HashSet::new())), sink: None });
            let rpc_system = RpcSystem::new(Box::new(network), Some(service));
            tokio::task::spawn_local(async move {
                if let Err(e) = rpc_system.await {
                    eprintln!("connection ended with an error: {}", e);
                }
            });
        }
    });
}
