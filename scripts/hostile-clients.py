#!/usr/bin/env python3
"""Attacks a real capnp-java server process from outside, the way a stranger on the network would.

Starts examples' EchoServerMain itself (as demo.sh does; plain TCP, and TLS for the TLS attacks;
with --unix both listen on Unix-domain sockets instead),
then runs each attack while a well-behaved client keeps calling Echo.ping, and prints per attack:
whether the good client kept being served (its calls and latency during the attack), whether the
bad connections were closed and how fast, the server's RSS, heap used (jcmd GC.heap_info), fds and
threads before/after, the new exception lines of the server's log, and whether the server survived.

Python 3 standard library only; Cap'n Proto frames are built by hand (see Msg below).
Not part of `mvn verify`. Usage (build first: mvn -pl examples -am package -DskipTests):

  scripts/hostile-clients.py                  # every attack, server at its default settings
  scripts/hostile-clients.py --quick          # server with 5 s frame/first-message timeouts
  scripts/hostile-clients.py --unix           # the same attacks over Unix-domain sockets
  scripts/hostile-clients.py slowloris garbage  # only these attacks
  scripts/hostile-clients.py --list

Exit status: 0 if the server survived every attack and the good client was served throughout
(every call answered), 1 otherwise.
"""
import argparse
import base64
import multiprocessing
import os
import re
import select
import shutil
import socket
import ssl
import struct
import subprocess
import threading
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JAR = os.path.join(ROOT, "examples", "target", "examples.jar")
ECHO_IFACE = 0xF57749952870D75D

# Message union tags (rpc.capnp)
UNIMPLEMENTED, ABORT, CALL, RETURN, FINISH, RESOLVE, RELEASE = 0, 1, 2, 3, 4, 5, 6
BOOTSTRAP, DISEMBARGO = 8, 13


# ---------------------------------------------------------------------------------------------
# A minimal single-segment Cap'n Proto message builder and reader.

class Msg:
    """One segment of 64-bit words; pointers are written by hand."""

    def __init__(self):
        self.words = bytearray(8)  # the root pointer

    def alloc(self, n):
        off = len(self.words) // 8
        self.words += bytes(8 * n)
        return off

    def set_struct_ptr(self, at, target, data_words, ptr_words):
        off = target - at - 1
        self.words[at * 8:at * 8 + 8] = struct.pack(
            "<iHH", (off << 2) | 0, data_words, ptr_words)

    def struct(self, at, data_words, ptr_words):
        """Allocates a struct and points word `at` at it; returns its word offset."""
        s = self.alloc(data_words + ptr_words)
        self.set_struct_ptr(at, s, data_words, ptr_words)
        return s

    def set_list_ptr(self, at, target, elem_size, count):
        off = target - at - 1
        self.words[at * 8:at * 8 + 8] = struct.pack(
            "<iI", (off << 2) | 1, (count << 3) | elem_size)

    def text(self, at, s):
        b = s.encode() + b"\0"
        t = self.alloc((len(b) + 7) // 8)
        self.words[t * 8:t * 8 + len(b)] = b
        self.set_list_ptr(at, t, 2, len(b))

    def data(self, at, b):
        t = self.alloc((len(b) + 7) // 8)
        self.words[t * 8:t * 8 + len(b)] = b
        self.set_list_ptr(at, t, 2, len(b))

    def put(self, word, byte_off, fmt, value):
        struct.pack_into("<" + fmt, self.words, word * 8 + byte_off, value)

    def frame(self):
        return struct.pack("<II", 0, len(self.words) // 8) + bytes(self.words)


def message(tag, data_words, ptr_words):
    """A Message with union `tag` whose body is a fresh struct; returns (msg, body offset)."""
    m = Msg()
    root = m.struct(0, 1, 1)
    m.put(root, 0, "H", tag)
    body = m.struct(root + 1, data_words, ptr_words) if data_words + ptr_words else None
    return m, body


def bootstrap(qid, object_id=None):
    m, b = message(BOOTSTRAP, 1, 1)
    m.put(b, 0, "I", qid)
    if object_id is not None:  # a Text holding the raw ID bytes, then a NUL
        n = len(object_id) + 1
        t = m.alloc((n + 7) // 8)
        m.words[t * 8:t * 8 + n - 1] = object_id
        m.set_list_ptr(b + 1, t, 2, n)
    return m.frame()


def call(qid, target_question=None, import_id=None, method=0, text="hi", iface=ECHO_IFACE,
         content=None):
    """A Call of `method` on a promised answer or an import; params struct (0 data, 2 ptrs)
    with `text` at pointer 0, or `content(m, at)` building the params content itself."""
    m, c = message(CALL, 3, 3)
    m.put(c, 0, "I", qid)
    m.put(c, 4, "H", method)
    m.put(c, 8, "Q", iface)
    tgt = m.struct(c + 3, 1, 1)
    if target_question is not None:
        m.put(tgt, 4, "H", 1)
        pa = m.struct(tgt + 1, 1, 1)
        m.put(pa, 0, "I", target_question)
    else:
        m.put(tgt, 0, "I", import_id)
    payload = m.struct(c + 4, 0, 2)
    if content is not None:
        content(m, payload)
    else:
        params = m.struct(payload, 0, 2)
        m.text(params, text)
    return m.frame()


def finish(qid):
    m, f = message(FINISH, 1, 0)
    m.put(f, 0, "I", qid)
    m.put(f, 4, "B", 0)  # releaseResultCaps=true, workaround=true (defaults, xor-encoded)
    return m.frame()


def release(import_id, count):
    m, r = message(RELEASE, 1, 0)
    m.put(r, 0, "I", import_id)
    m.put(r, 4, "I", count)
    return m.frame()


def return_exception(answer_id, reason="bogus"):
    m, r = message(RETURN, 2, 1)
    m.put(r, 0, "I", answer_id)
    m.put(r, 6, "H", 1)
    e = m.struct(r + 2, 1, 3)
    m.text(e, reason)
    return m.frame()


def resolve_exception(promise_id, reason="bogus"):
    m, r = message(RESOLVE, 1, 1)
    m.put(r, 0, "I", promise_id)
    m.put(r, 4, "H", 1)
    e = m.struct(r + 1, 1, 3)
    m.text(e, reason)
    return m.frame()


def disembargo(import_id, kind, embargo_id):
    m, d = message(DISEMBARGO, 1, 2)
    m.put(d, 0, "I", embargo_id)
    m.put(d, 4, "H", kind)
    tgt = m.struct(d + 1, 1, 1)
    m.put(tgt, 0, "I", import_id)
    return m.frame()


def abort(reason):
    m, a = message(ABORT, 1, 3)
    m.text(a, reason)
    return m.frame()


def unknown_message(tag):
    m, b = message(tag, 1, 1)
    m.put(b, 0, "I", 7)
    return m.frame()


def read_exact(sock, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError("connection closed")
        buf += chunk
    return bytes(buf)


def read_frame(sock):
    """Reads one frame; returns its segments (bytes)."""
    (count,) = struct.unpack("<I", read_exact(sock, 4))
    count += 1
    if count > 512:
        raise ValueError("server sent %d segments" % count)
    sizes = struct.unpack("<%dI" % count, read_exact(sock, 4 * count))
    if count % 2 == 0:
        read_exact(sock, 4)
    return [read_exact(sock, 8 * s) for s in sizes]


def _ptr(seg, word):
    (lo, hi) = struct.unpack_from("<iI", seg, word * 8)
    return lo, hi


def _struct_at(seg, word):
    lo, hi = _ptr(seg, word)
    if lo == 0 and hi == 0:
        return None
    if lo & 3 != 0:
        raise ValueError("not a struct pointer (far pointers are not read here)")
    return word + 1 + (lo >> 2), hi & 0xFFFF, hi >> 16


def _text_at(seg, word):
    lo, hi = _ptr(seg, word)
    if lo == 0 and hi == 0:
        return ""
    start = word + 1 + (lo >> 2)
    n = hi >> 3
    return seg[start * 8:start * 8 + n - 1].decode(errors="replace")


def parse(segments):
    """(tag, answer/question id, kind, text) of a received message, as far as the harness needs:
    Return -> (RETURN, answerId, 'results'|'exception'|..., text at params ptr 0 or reason);
    Abort -> (ABORT, None, None, reason); Unimplemented -> (UNIMPLEMENTED, inner tag, ...)."""
    seg = segments[0]
    root, _, _ = _struct_at(seg, 0)
    tag = struct.unpack_from("<H", seg, root * 8)[0]
    if tag == RETURN:
        body, dw, pw = _struct_at(seg, root + 1)
        answer = struct.unpack_from("<I", seg, body * 8)[0]
        which = struct.unpack_from("<H", seg, body * 8 + 6)[0] if dw >= 1 else 0
        if which == 0:
            try:
                payload, _, _ = _struct_at(seg, body + dw)
                content = _struct_at(seg, payload)
                text = _text_at(seg, content[0] + content[1]) if content and content[2] else ""
            except (ValueError, TypeError, struct.error):
                text = "(results)"
            return tag, answer, "results", text
        if which == 1:
            exc, edw, _ = _struct_at(seg, body + dw)
            return tag, answer, "exception", _text_at(seg, exc + edw)
        return tag, answer, "other%d" % which, ""
    if tag == ABORT:
        exc, edw, _ = _struct_at(seg, root + 1)
        return tag, None, None, _text_at(seg, exc + edw)
    if tag == UNIMPLEMENTED:
        inner, _, _ = _struct_at(seg, root + 1)
        return tag, struct.unpack_from("<H", seg, inner * 8)[0], None, ""
    return tag, None, None, ""


# ---------------------------------------------------------------------------------------------
# The server process and its figures.

class Server:
    def __init__(self, tls, quick, work, heap="256m", extra=(), unix=False):
        self.work = work
        self.tls = tls
        self.unix = unix
        name = ("tls" if tls else "plain") + ("-unix" if unix else "-tcp")
        self.log_path = os.path.join(work, "server-%s.log" % name)
        cap = os.path.join(work, "echo-%s.cap" % name)
        listen = "unix:" + os.path.join(work, name + ".sock") if unix else "tcp:127.0.0.1:0"
        args = ["java", "-Xmx" + heap, "-cp", JAR, "dev.capnp.examples.rpc.EchoServerMain",
                "--until-stdin-closes", "--delay-ms", "100",
                "--capnp-secret-key-file", os.path.join(work, "key.pem"),
                "--capnp-listen-address", listen, "--cap-file", cap]
        if not tls:
            args.append("--capnp-disable-tls")
        if quick:
            args += ["--capnp-frame-timeout", "5s", "--capnp-first-message-timeout", "5s",
                     "--capnp-reply-stall-timeout", "10s"]
        args += list(extra)
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        for _ in range(300):
            if os.path.exists(cap) and os.path.getsize(cap) > 0:
                break
            if self.proc.poll() is not None:
                raise SystemExit("server exited: see " + self.log_path)
            time.sleep(0.1)
        uri = open(cap).read().strip()
        if unix:  # capnp://AUTH@/PATH/SERVICE-ID
            m = re.match(r"capnp://([^@]+)@(/.*)/([^/]*)$", uri)
            self.address, sid = m.group(2), m.group(3)
        else:
            m = re.match(r"capnp://([^@]+)@([^:/]+):(\d+)/?(.*)", uri)
            self.address, sid = (m.group(2), int(m.group(3))), m.group(4)
        self.service_id = base64.urlsafe_b64decode(sid + "=" * (-len(sid) % 4)) if sid else None
        self.log_offset = 0
        self.client_cert = None
        self.keys_made = 0
        if tls:  # the server asks for a client certificate (any key; it is what it pins)
            self.client_cert = self.new_client_cert()

    def new_client_cert(self):
        """A fresh client key and self-signed certificate (None without openssl). The vat keys
        its TLS connections by the peer's key, and keeps one connection per key (a new one
        replaces the old or is refused), so clients meant to be distinct peers need their own."""
        if not shutil.which("openssl"):
            return None
        self.keys_made += 1
        key = os.path.join(self.work, "client-key-%d.pem" % self.keys_made)
        cert = os.path.join(self.work, "client-%d.pem" % self.keys_made)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out",
                        cert, "-days", "2", "-subj", "/CN=hostile-clients"],
                       check=True, capture_output=True)
        return (cert, key)

    def alive(self):
        return self.proc.poll() is None

    def kind(self):
        return ("TLS" if self.tls else "plain") + (" over Unix" if self.unix else " TCP")

    def raw_socket(self, timeout):
        """A plain stream socket connected to the server's address (TCP or Unix)."""
        if not self.unix:
            return socket.create_connection(self.address, timeout=timeout)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect(self.address)
        except OSError:
            s.close()
            raise
        return s

    def figures(self):
        pid = self.proc.pid
        f = {"alive": self.alive()}
        if not f["alive"]:
            return f
        try:
            status = open("/proc/%d/status" % pid).read()
            f["rss_mb"] = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024
            f["threads"] = int(re.search(r"Threads:\s+(\d+)", status).group(1))
            f["fds"] = len(os.listdir("/proc/%d/fd" % pid))
        except (OSError, AttributeError):
            pass
        try:
            subprocess.run(["jcmd", str(pid), "GC.run"], capture_output=True, timeout=30)
            out = subprocess.run(["jcmd", str(pid), "GC.heap_info"], capture_output=True,
                                 text=True, timeout=30).stdout
            m = re.search(r"total \d+K, used (\d+)K", out)
            if m:
                f["heap_mb"] = int(m.group(1)) / 1024
        except (OSError, subprocess.TimeoutExpired):
            pass
        k = self.kernel_send_bytes()
        if k is not None:
            f["ksend_mb"] = k / 1e6
        return f

    def new_log(self):
        self.log.flush()
        with open(self.log_path, errors="replace") as fh:
            fh.seek(self.log_offset)
            text = fh.read()
            self.log_offset = fh.tell()
        return text

    def kernel_send_bytes(self):
        """Bytes the kernel holds for the server's sockets on their way to the peers (written,
        not yet read by them): the sum over the server process's sockets of `ss -m`'s
        wmem_queued (TCP) or wmem_alloc (Unix). None without `ss`."""
        if not shutil.which("ss") or not self.alive():
            return None
        out = subprocess.run(["ss", "-xnpm" if self.unix else "-tnpm"], capture_output=True,
                             text=True).stdout
        entries, total = [], 0
        for line in out.splitlines()[1:]:  # an entry may go on in lines that start with a tab
            if line[:1].isspace() and entries:
                entries[-1] += line
            else:
                entries.append(line)
        for e in entries:
            if "pid=%d," % self.proc.pid not in e:
                continue
            m = re.search(r"skmem:\(([^)]*)\)", e)
            if m:  # TCP queues what it sent in w (wmem_queued); a Unix socket charges t
                fields = dict(re.findall(r"([a-z]+)(\d+)", m.group(1)))
                total += max(int(fields.get("t", 0)), int(fields.get("w", 0)))
        return total

    def stop(self):
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def connect(server, tls=None, client_cert=None):
    """A connection to the server, TLS if asked (or if the server is a TLS one), with
    `client_cert` as its key (default: the harness's shared client key)."""
    s = server.raw_socket(30)
    if not server.unix:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if tls if tls is not None else server.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE  # (the harness does not pin the server's key)
        cert = client_cert or server.client_cert
        if cert:
            ctx.load_cert_chain(*cert)
        s = ctx.wrap_socket(s)
    return s


# ---------------------------------------------------------------------------------------------
# The well-behaved client: bootstraps, then pings one call at a time, recording latencies.

class GoodClient:
    """Pings the server in a process of its own, so that what the attack costs this process
    (the attackers' Python holds the interpreter lock for whole seconds at times) is not taken
    for the server's latency."""

    def __init__(self, server):
        ctx = multiprocessing.get_context("fork")
        self._results, child_end = ctx.Pipe(duplex=False)
        self._stop = ctx.Event()
        self._proc = ctx.Process(target=_good_client_main, args=(server, child_end, self._stop),
                                 daemon=True)
        self.latencies = []
        self.errors = []

    def start(self):
        self._proc.start()

    def take(self):
        """Latencies (s) and errors since the last take."""
        while self._results.poll():
            kind, value = self._results.recv()
            (self.latencies if kind == "latency" else self.errors).append(value)
        lat, err = self.latencies, self.errors
        self.latencies, self.errors = [], []
        return lat, err

    def stop(self):
        self._stop.set()
        self._proc.join(15)
        if self._proc.is_alive():
            self._proc.kill()


def _good_client_main(server, results, stop):
    while not stop.is_set():
        try:
            _good_session(server, results, stop)
        except Exception as e:  # noqa: BLE001 -- recorded, then a new connection
            results.send(("error", "%s: %s" % (type(e).__name__, e)))
            time.sleep(0.2)


def _good_session(server, results, stop):
    """Bootstraps, then pings one call at a time (a fresh connection every 1,000 calls)."""
    s = connect(server)
    s.settimeout(10)
    try:
        s.sendall(bootstrap(0, server.service_id))
        q = 1
        while not stop.is_set():
            t0 = time.monotonic()
            s.sendall(call(q, target_question=0, text="good%d" % q))
            while True:
                tag, aid, kind, text = parse(read_frame(s))
                if tag == RETURN and aid == q:
                    break
                if tag == ABORT:
                    raise RuntimeError("aborted: " + text)
            s.sendall(finish(q))
            if kind != "results" or text != "echo:good%d" % q:
                raise RuntimeError("bad reply %s %r" % (kind, text))
            results.send(("latency", time.monotonic() - t0))
            q += 1
            if q > 1000:
                return
            time.sleep(0.02)
    finally:
        s.close()


# ---------------------------------------------------------------------------------------------
# Watching bad connections: when were they closed by the server?

def closed_within(socks, started, limit):
    """Waits up to `limit` s for the server to close each socket (EOF or reset), reading and
    discarding what it sends. Returns (closed count, seconds to the last close)."""
    pending = {s.fileno(): s for s in socks}
    poller = select.poll()
    for fd in pending:
        poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    last = None
    deadline = started + limit
    while pending and time.monotonic() < deadline:
        ready = poller.poll(1000 * max(0.0, min(1.0, deadline - time.monotonic())))
        for fd, _ in ready:
            s = pending.get(fd)
            if s is None:
                continue
            try:
                data = s.recv(65536)
            except (ssl.SSLError, OSError):
                data = b""
            if not data:
                poller.unregister(fd)
                pending.pop(fd, None)
                last = time.monotonic() - started
    return len(socks) - len(pending), last


def _readable(s):
    p = select.poll()
    p.register(s.fileno(), select.POLLIN)
    return bool(p.poll(0))


def close_all(socks):
    for s in socks:
        try:
            s.close()
        except OSError:
            pass


def open_many(server, n, tls=False):
    socks = []
    for _ in range(n):
        try:
            s = server.raw_socket(10)
            socks.append(s)
        except OSError:
            break
    return socks


# ---------------------------------------------------------------------------------------------
# The attacks. Each returns a dict: bad connections, closed, close time, notes.

def a_slowloris(server, args):
    """Many connections sending one byte of a frame header every few seconds."""
    n = 200
    socks = open_many(server, n)
    started = time.monotonic()
    header = struct.pack("<II", 0, 2)
    closed = set()
    i = 0
    limit = args.wait
    while time.monotonic() - started < limit and len(closed) < len(socks):
        for s in socks:
            if s in closed:
                continue
            try:
                s.send(header[i % 8:i % 8 + 1])
            except OSError:
                closed.add(s)
        i += 1
        time.sleep(3)
    when = time.monotonic() - started
    rest = [s for s in socks if s not in closed]
    c, _ = closed_within(rest, time.monotonic(), 5)
    close_all(socks)
    return {"bad": len(socks), "closed": len(closed) + c, "close_s": round(when, 1)}


def a_slowloris_after_bootstrap(server, args):
    """As slowloris, but each connection first sends a complete Bootstrap (so the first-message
    timeout is passed) and then trickles a frame header."""
    n = 200
    socks = open_many(server, n)
    for s in socks:
        s.sendall(bootstrap(0, server.service_id))
    started = time.monotonic()
    header = struct.pack("<II", 0, 2)
    closed = set()
    i = 0
    while time.monotonic() - started < args.wait and len(closed) < len(socks):
        for s in socks:
            if s in closed:
                continue
            try:
                s.send(header[i % 8:i % 8 + 1])
                while _readable(s):
                    if not s.recv(65536):
                        closed.add(s)
                        break
            except OSError:
                closed.add(s)
        i += 1
        time.sleep(3)
    when = time.monotonic() - started
    close_all(socks)
    return {"bad": len(socks), "closed": len(closed), "close_s": round(when, 1)}


def _calling_clients(server, n, tls=False):
    """`n` bootstrapped connections with a 4 KiB receive buffer, left non-blocking."""
    socks = []
    for _ in range(n):
        # over TLS each client is its own peer (own key): one key would be one connection
        s = connect(server, tls=tls, client_cert=server.new_client_cert() if tls else None)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.sendall(bootstrap(0, server.service_id))
        s.setblocking(False)
        socks.append(s)
    return socks


def _send_calls(s, first_q, count, text_len):
    """Sends `count` pings of `text_len` bytes (each with its Finish) from question `first_q` on
    the non-blocking `s`. A partial write is finished (blocking up to 0.5 s) or given up.
    Returns the bytes the first write took and whether every call went."""
    batch = b"".join(call(first_q + k, target_question=0, text="x" * text_len) +
                     finish(first_q + k) for k in range(count))
    try:
        sent = s.send(batch)
    except OSError:  # BlockingIOError included
        return 0, False
    if sent == len(batch) or not sent:
        return sent, sent == len(batch)
    s.setblocking(True)
    s.settimeout(0.5)
    try:
        s.sendall(batch[sent:])
        whole = True
    except OSError:
        whole = False
    s.setblocking(False)
    return sent, whole


def a_no_read(server, args, n=8, tls=False, text_len=64, per_batch=50):
    """Clients sending calls (each with its Finish) and never reading the replies."""
    socks = _calling_clients(server, n, tls)
    written = [0] * n
    qs = [1] * n
    started = time.monotonic()
    stalled_since = None
    while time.monotonic() - started < args.wait:
        progress = False
        for i, s in enumerate(socks):
            sent, whole = _send_calls(s, qs[i], per_batch, text_len)
            if whole:
                qs[i] += per_batch
            written[i] += sent
            progress = progress or sent > 0
        if not progress:
            stalled_since = stalled_since or time.monotonic()
            if time.monotonic() - stalled_since > 3:
                break
        else:
            stalled_since = None
    total_mb = sum(written) / 1e6
    figures, still_open = _figures_then_close(server, socks)
    return {"bad": n, "closed": "%d of %d (the rest held, not dropped)" % (n - still_open, n),
            "notes": "%.1f MB written by %d clients in %.0f s (%s); while held: heap %s MB, "
                     "the kernel's send queues %s MB" % (
                         total_mb, n, time.monotonic() - started,
                         "stalled" if stalled_since else "still writing at the end",
                         figures.get("heap_mb"), _r(figures.get("ksend_mb")))}


def _figures_then_close(server, socks):
    """The server's figures while it holds `socks`, and how many of them it has not closed;
    then closes them all."""
    figures = server.figures()
    still_open = sum(1 for s in socks if not _closed_by_peer(s))
    close_all(socks)
    return figures, still_open


def _closed_by_peer(s):
    """True if the server closed or reset `s` (an EOF or an error is waiting behind the unread
    replies, or the socket errs)."""
    try:
        err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if err:
            return True
        p = select.poll()
        p.register(s.fileno(), select.POLLRDHUP if hasattr(select, "POLLRDHUP") else select.POLLHUP)
        return bool(p.poll(0))
    except OSError:
        return True


def a_slow_read(server, args):
    """Clients (--no-read-clients, 64) sending calls and reading their replies at a trickle (256
    bytes every 2 s each): enough progress never to be taken for a peer that reads nothing."""
    n = args.no_read_clients
    socks = _calling_clients(server, n)
    qs = [1] * n
    written = read = 0
    started = time.monotonic()
    next_read = started
    while time.monotonic() - started < args.wait:
        for i, s in enumerate(socks):
            sent, whole = _send_calls(s, qs[i], 50, 64)
            if whole:
                qs[i] += 50
            written += sent
        if time.monotonic() >= next_read:
            next_read += 2
            for s in socks:
                try:
                    read += len(s.recv(256))
                except (BlockingIOError, OSError):
                    pass
        time.sleep(0.05)
    figures, still_open = _figures_then_close(server, socks)
    return {"bad": n, "closed": "%d of %d" % (n - still_open, n),
            "notes": "%.1f MB written, %.2f MB read by %d clients in %.0f s; while held: heap %s MB,"
                     " the kernel's send queues %s MB" % (
                         written / 1e6, read / 1e6, n, time.monotonic() - started,
                         figures.get("heap_mb"), _r(figures.get("ksend_mb")))}


def a_no_read_large(server, args):
    """Clients (--no-read-clients, 64) sending calls of 256 KiB and never reading the replies."""
    return a_no_read(server, args, n=args.no_read_clients, text_len=256 * 1024, per_batch=4)


def _send_and_watch(server, payloads, args, expect_close=True, n=1, first=None):
    socks = []
    for _ in range(n):
        s = connect(server, tls=False)
        if first:
            s.sendall(first)
        socks.append(s)
    started = time.monotonic()
    for s in socks:
        for p in payloads:
            try:
                s.sendall(p)
            except OSError:
                break
    c, when = closed_within(socks, started, args.wait if expect_close else 3)
    close_all(socks)
    return {"bad": n, "closed": c, "close_s": round(when, 2) if when is not None else None}


def a_no_read_many(server, args):
    """Many clients (--no-read-clients, 64) sending calls and never reading the replies."""
    return a_no_read(server, args, n=args.no_read_clients)


def a_no_read_tls(server, args):
    """TLS server: many clients (--no-read-clients, 64; each its own key) never reading replies."""
    return a_no_read(server, args, n=args.no_read_clients, tls=True)


def a_garbage(server, args):
    """Random bytes."""
    return _send_and_watch(server, [os.urandom(4096)], args, n=20)


def a_huge_segment_count(server, args):
    """A frame header announcing 2^32 segments."""
    return _send_and_watch(server, [struct.pack("<I", 0xFFFFFFFF) + b"\0" * 64], args, n=20)


def a_huge_segment_size(server, args):
    """One segment of 2^32-1 words announced, a few bytes sent."""
    return _send_and_watch(server, [struct.pack("<II", 0, 0xFFFFFFFF) + b"\0" * 64], args, n=20)


def a_truncated_then_close(server, args):
    """Half a Bootstrap frame, then close: the server must forget the connection."""
    before = server.figures().get("fds")
    for _ in range(200):
        s = connect(server, tls=False)
        s.sendall(bootstrap(0, server.service_id)[:20])
        s.close()
    time.sleep(2)
    after = server.figures().get("fds")
    return {"bad": 200, "closed": "client closed", "notes": "fds %s -> %s" % (before, after)}


def _params_with(builder):
    def content(m, payload):
        params = m.struct(payload, 0, 2)
        m.text(params, "amp")
        builder(m, params + 1)
    return content


def a_amplification(server, args):
    """Calls whose params hold a list of 2^29-1 empty structs (8 bytes on the wire), 1,000
    pointers to one 64 KiB Data, a struct pointing at itself and 2,000 nested structs."""
    def empty_structs(m, at):
        tag = m.alloc(1)
        m.words[tag * 8:tag * 8 + 8] = struct.pack("<iHH", ((1 << 29) - 1) << 2, 0, 0)
        m.set_list_ptr(at, tag, 7, 0)

    def self_loop(m, at):
        m.words[at * 8:at * 8 + 8] = struct.pack("<iHH", (-1 << 2), 0, 1)

    def deep(m, at):
        for _ in range(2000):
            at = m.struct(at, 0, 1)

    def same_data(m, at):
        # a list of 1,000 pointers, each to the same 64 KiB Data
        lst = m.alloc(1000)
        m.set_list_ptr(at, lst, 6, 1000)
        d = m.alloc(8192)
        for k in range(1000):
            w = lst + k
            m.set_list_ptr(w, d, 2, 65536)
    results = {}
    s = connect(server, tls=False)
    s.settimeout(30)
    s.sendall(bootstrap(0, server.service_id))
    for q, (name, b) in enumerate([("empty-structs", empty_structs), ("self-loop", self_loop),
                                   ("deep", deep), ("same-data", same_data)], start=1):
        t0 = time.monotonic()
        try:
            s.sendall(call(q, target_question=0, content=_params_with(b)))
            while True:
                tag, aid, kind, text = parse(read_frame(s))
                if tag == ABORT:
                    results[name] = "abort: " + text[:80]
                    break
                if tag == RETURN and aid == q:
                    results[name] = "%s %s (%.2fs)" % (kind, text[:60], time.monotonic() - t0)
                    s.sendall(finish(q))
                    break
        except (OSError, EOFError, ValueError) as e:
            results[name] = "%s: %s" % (type(e).__name__, e)
            s.close()
            s = connect(server, tls=False)
            s.settimeout(30)
            s.sendall(bootstrap(0, server.service_id))
    s.close()
    return {"bad": 1, "closed": "-", "notes": "; ".join("%s -> %s" % kv for kv in results.items())}


def _exchange(server, frames, wait=3.0, first=True):
    """Sends a Bootstrap and `frames`; returns what came back (parsed) within `wait` s and
    whether the server closed the connection."""
    s = connect(server, tls=False)
    s.settimeout(wait)
    if first:
        s.sendall(bootstrap(0, server.service_id))
    for f in frames:
        try:
            s.sendall(f)
        except OSError:
            break
    got = []
    closed = False
    deadline = time.monotonic() + wait
    try:
        while time.monotonic() < deadline:
            got.append(parse(read_frame(s)))
    except (socket.timeout, TimeoutError):
        pass
    except (EOFError, ConnectionResetError):
        closed = True
    s.close()
    return got, closed


def a_protocol_abuse(server, args):
    """Each message alone on a fresh connection; what the server answers."""
    cases = [
        ("call unknown question", [call(1, target_question=999)]),
        ("call unknown import", [call(1, import_id=12345)]),
        ("finish unknown", [finish(777)]),
        ("release unknown", [release(4242, 1)]),
        ("return never asked", [return_exception(55)]),
        ("disembargo nonsense", [disembargo(9999, 1, 3)]),
        ("resolve unknown", [resolve_exception(31337)]),
        ("duplicate question id", [call(1, target_question=0, text="a"),
                                   call(1, target_question=0, text="b")]),
        ("abort", [abort("go away")]),
        ("unknown tag 99", [unknown_message(99)]),
        ("obsoleteSave", [unknown_message(7)]),
        ("join", [unknown_message(12)]),
    ]
    notes = []
    for name, frames in cases:
        got, closed = _exchange(server, frames, wait=2)
        shown = ["%s%s%s" % ({0: "unimpl", 1: "abort", 3: "return"}.get(t, t),
                             "(%s)" % a if a is not None else "",
                             ":" + (k or "") + ":" + x[:50] if (k or x) else "")
                 for t, a, k, x in got]
        notes.append("%s -> %s%s" % (name, ", ".join(shown) or "nothing",
                                     " [closed]" if closed else ""))
    return {"bad": len(cases), "closed": "-", "notes": "\n      ".join(notes)}


def a_bootstrap_flood(server, args):
    """Thousands of Bootstrap messages on one connection, never finished."""
    s = connect(server, tls=False)
    n = 20000
    frame = bootstrap(0, server.service_id)
    started = time.monotonic()
    sent = 0
    try:
        for q in range(0, n, 500):
            s.sendall(b"".join(bootstrap(k, server.service_id) for k in range(q, q + 500)))
            sent = q + 500
    except OSError as e:  # the server closed the connection while we were still writing
        c, when = 1, time.monotonic() - started
        s.close()
        return {"bad": 1, "closed": c, "close_s": round(when, 2),
                "notes": "closed by the server after at most %d of %d Bootstraps (%s, %d-byte "
                         "frames)" % (sent + 500, n, type(e).__name__, len(frame))}
    c, when = closed_within([s], time.monotonic(), 10)
    s.close()
    return {"bad": 1, "closed": c, "close_s": when, "notes": "%d Bootstraps sent" % n}


def a_pipelined_million(server, args):
    """A million calls pipelined on a promise that never resolves (the result of a heartbeat
    whose callback we never answer)."""
    s = connect(server, tls=False)
    s.sendall(bootstrap(0, server.service_id))

    def hb(m, payload):
        params = m.struct(payload, 0, 2)
        m.text(params, "never")
        params_cap = params + 1
        # callback: senderHosted export 0 in the cap table
        m.words[params_cap * 8:params_cap * 8 + 8] = struct.pack("<II", 3, 0)
        lst = m.alloc(1 + 2)
        m.words[lst * 8:lst * 8 + 8] = struct.pack("<iHH", 1 << 2, 1, 1)
        m.put(lst + 1, 0, "H", 1)
        m.put(lst + 1, 4, "I", 0)
        m.set_list_ptr(payload + 1, lst, 7, 2)
    s.sendall(call(1, target_question=0, method=1, content=hb))
    s.setblocking(False)
    sent_calls = 0
    started = time.monotonic()
    q = 2
    stall = None
    while sent_calls < 1_000_000 and time.monotonic() - started < 30:
        batch = b"".join(call(q + k, target_question=1, text="p") for k in range(100))
        try:
            n = s.send(batch)
        except BlockingIOError:
            n = 0
        except OSError:
            break
        if n == len(batch):
            q += 100
            sent_calls += 100
            stall = None
        else:
            if n:
                s.setblocking(True)
                s.settimeout(1)
                try:
                    s.sendall(batch[n:])
                    q += 100
                    sent_calls += 100
                except OSError:
                    pass
                s.setblocking(False)
            stall = stall or time.monotonic()
            if time.monotonic() - stall > 3:
                break
    s.setblocking(True)
    c, when = closed_within([s], time.monotonic(), 5)
    s.close()
    return {"bad": 1, "closed": c, "close_s": when,
            "notes": "%d pipelined calls written" % sent_calls}


def a_connection_flood_idle(server, args):
    """Thousands of connections opened and left idle (no byte sent)."""
    n = 3000
    socks = open_many(server, n)
    started = time.monotonic()
    c, when = closed_within(socks, started, args.wait)
    close_all(socks)
    return {"bad": len(socks), "closed": c, "close_s": when and round(when, 1)}


def a_connection_flood_fast(server, args):
    """Connections opened and closed as fast as possible for 10 s."""
    n = 0
    started = time.monotonic()
    while time.monotonic() - started < 10:
        try:
            s = server.raw_socket(5)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()
            n += 1
        except OSError:
            pass
    return {"bad": n, "closed": "client reset", "notes": "%d connections in 10 s" % n}


def a_half_close(server, args):
    """Calls outstanding, then shutdown(SHUT_WR): are the replies still delivered?"""
    got_total = 0
    for _ in range(20):
        s = connect(server, tls=False)
        s.settimeout(5)
        s.sendall(bootstrap(0, server.service_id) +
                  b"".join(call(q, target_question=0, text="h") for q in range(1, 11)))
        s.shutdown(socket.SHUT_WR)
        got = 0
        try:
            while True:
                tag, aid, kind, text = parse(read_frame(s))
                if tag == RETURN and aid and kind == "results":
                    got += 1
        except (EOFError, OSError):
            pass
        s.close()
        got_total += got
    return {"bad": 20, "closed": "-", "notes": "%d of 200 replies delivered after half-close"
            % got_total}


def a_tls_stall(server, args):
    """TLS server: connections that send a ClientHello's first bytes and stall; plain bytes."""
    socks = open_many(server, 100)
    for s in socks[:50]:
        s.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")  # a ClientHello, cut
    for s in socks[50:]:
        s.sendall(bootstrap(0, server.service_id))  # plain Cap'n Proto to the TLS port
    c, when = closed_within(socks, time.monotonic(), args.wait)
    close_all(socks)
    return {"bad": len(socks), "closed": c, "close_s": when and round(when, 1)}


def a_tls_handshake_flood(server, args, threads=4, keys=8):
    """TLS server: 4 threads making full TLS handshakes (client certificates, 8 keys) for 10 s
    (30 s without --quick), each closed at once."""
    certs = [server.new_client_cert() for _ in range(keys)]
    if not all(certs):
        return {"notes": "skipped: no openssl to make client keys"}
    secs = 10 if args.quick else 30
    end = time.monotonic() + secs
    done, failed = [0] * threads, [0] * threads
    first_error = []

    def flood(i):
        n = i
        while time.monotonic() < end:
            n += 1
            try:
                s = connect(server, tls=True, client_cert=certs[n % keys])
                s.close()
                done[i] += 1
            except (OSError, ssl.SSLError) as e:
                failed[i] += 1
                if not first_error:
                    first_error.append("%s: %s" % (type(e).__name__, e))

    ts = [threading.Thread(target=flood, args=(i,), daemon=True) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return {"bad": threads, "handshakes": sum(done), "per_s": round(sum(done) / secs),
            "failed": sum(failed),
            "notes": first_error[0][:160] if first_error else "no handshake failed"}


def a_tls_idle(server, args, n=500):
    """TLS server: 500 clients with their own keys each bootstrap, then stay connected and
    silent; the server's heap and RSS while it holds them."""
    certs = [server.new_client_cert() for _ in range(n)]
    if not all(certs):
        return {"notes": "skipped: no openssl to make client keys"}
    held_before = server.figures()
    socks = []
    for i in range(n):
        s = connect(server, tls=True, client_cert=certs[i])
        s.sendall(bootstrap(0, server.service_id))
        read_frame(s)  # the bootstrap's Return
        socks.append(s)
    time.sleep(1)
    held = server.figures()
    close_all(socks)
    per = lambda k: (None if held.get(k) is None or held_before.get(k) is None
                     else round((held[k] - held_before[k]) * 1024 * 1024 / n))
    return {"bad": n, "held": len(socks),
            "notes": "while held: heap %s -> %s MB, RSS %s -> %s MB: per connection heap %s B, "
                     "RSS %s B" % (_r(held_before.get("heap_mb")), _r(held.get("heap_mb")),
                                   _r(held_before.get("rss_mb")), _r(held.get("rss_mb")),
                                   per("heap_mb"), per("rss_mb"))}


ATTACKS = {
    "slowloris": (a_slowloris, False),
    "slowloris-after-bootstrap": (a_slowloris_after_bootstrap, False),
    "no-read": (a_no_read, False),
    "no-read-many": (a_no_read_many, False),
    "no-read-large": (a_no_read_large, False),
    "slow-read": (a_slow_read, False),
    "garbage": (a_garbage, False),
    "huge-segment-count": (a_huge_segment_count, False),
    "huge-segment-size": (a_huge_segment_size, False),
    "truncated-then-close": (a_truncated_then_close, False),
    "amplification": (a_amplification, False),
    "protocol-abuse": (a_protocol_abuse, False),
    "bootstrap-flood": (a_bootstrap_flood, False),
    "pipelined-million": (a_pipelined_million, False),
    "connection-flood-idle": (a_connection_flood_idle, False),
    "connection-flood-fast": (a_connection_flood_fast, False),
    "half-close": (a_half_close, False),
    "tls-stall": (a_tls_stall, True),
    "no-read-tls": (a_no_read_tls, True),
    "tls-handshake-flood": (a_tls_handshake_flood, True),
    "tls-idle": (a_tls_idle, True),
}


def pct(values, p):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("attacks", nargs="*")
    ap.add_argument("--quick", action="store_true",
                    help="server with 5 s frame/first-message timeouts (else defaults)")
    ap.add_argument("--wait", type=float, default=None,
                    help="seconds to wait for bad connections to be closed "
                         "(default: 75, or 15 with --quick)")
    ap.add_argument("--no-read-clients", type=int, default=64,
                    help="clients of the no-read-many attack (default 64)")
    ap.add_argument("--unix", action="store_true",
                    help="the servers listen on Unix-domain sockets (else TCP loopback)")
    ap.add_argument("--server-heap", default="256m", help="the server's -Xmx (default 256m)")
    ap.add_argument("--server-arg", action="append", default=[],
                    help="one more argument for the server (repeatable), e.g. "
                         "--server-arg=--capnp-max-queued-replies-total=1g")
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args()
    if args.list:
        for k, (f, _) in ATTACKS.items():
            print("%-28s %s" % (k, f.__doc__.split("\n")[0]))
        return 0
    if args.wait is None:
        args.wait = 15 if args.quick else 75
    names = args.attacks or list(ATTACKS)
    for n in names:
        if n not in ATTACKS:
            raise SystemExit("unknown attack %s (--list)" % n)
    if not os.path.exists(JAR):
        raise SystemExit("build first: mvn -pl examples -am package -DskipTests")
    work = tempfile.mkdtemp(prefix="hostile-")
    ok = True
    servers = {}
    try:
        for name in names:
            fn, tls = ATTACKS[name]
            if tls not in servers:
                servers[tls] = Server(tls, args.quick, work, args.server_heap,
                                      args.server_arg, unix=args.unix)
            server = servers[tls]
            good = GoodClient(server)  # over TLS too, against the TLS server
            good.start()
            time.sleep(1)
            good.take()
            before = server.figures()
            server.new_log()
            t0 = time.monotonic()
            try:
                result = fn(server, args)
            except Exception as e:  # noqa: BLE001 -- the harness reports and goes on
                result = {"notes": "harness error %s: %s" % (type(e).__name__, e)}
            took = time.monotonic() - t0
            time.sleep(1)
            lat, errs = good.take()
            good.stop()
            after = server.figures()
            log = server.new_log()
            exc_lines = [ln for ln in log.splitlines()
                         if re.search(r"Exception|Error|\tat |WARN|ERROR", ln)]
            served = bool(lat) and not errs
            ok = ok and served and after["alive"]
            print("== %s (%s, %.0f s): %s" % (name, server.kind(), took,
                                              ATTACKS[name][0].__doc__.split("\n")[0]))
            print("   good client: %d calls, p50 %s ms, p99 %s ms, max %s ms, errors %d%s" % (
                len(lat), lat and round(1000 * pct(lat, 0.5), 1),
                lat and round(1000 * pct(lat, 0.99), 1), lat and round(1000 * max(lat), 1),
                len(errs),
                (" (first: %s)" % errs[0][:120]) if errs else ""))
            print("   bad: %s" % ", ".join("%s=%s" % (k, v) for k, v in result.items()
                                           if k != "notes"))
            if "notes" in result:
                print("   notes: %s" % result["notes"])
            print("   server: alive=%s rss %s -> %s MB, heap %s -> %s MB, kernel send queues "
                  "%s -> %s MB, fds %s -> %s, threads %s -> %s" % (
                      after["alive"], _r(before.get("rss_mb")), _r(after.get("rss_mb")),
                      _r(before.get("heap_mb")), _r(after.get("heap_mb")),
                      _r(before.get("ksend_mb")), _r(after.get("ksend_mb")), before.get("fds"),
                      after.get("fds"), before.get("threads"), after.get("threads")))
            print("   server log: %d lines, %d with exceptions/WARN/ERROR%s" % (
                len(log.splitlines()), len(exc_lines),
                "".join("\n      | " + ln[:160] for ln in exc_lines[:6])))
            sys.stdout.flush()
            if not after["alive"]:
                servers.pop(tls).stop()
    finally:
        for s in servers.values():
            s.stop()
        print("server logs in %s" % work)
    print("RESULT: %s" % ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


def _r(x):
    return None if x is None else round(x, 1)


if __name__ == "__main__":
    sys.exit(main())
