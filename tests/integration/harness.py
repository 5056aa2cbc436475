"""harness.py: TAP output and helpers shared by the integration tests.

Everything here talks to real processes over real sockets: the simulator
is started as a subprocess and driven over HTTP only.
"""
import atexit
import http.server
import json
import os
import queue
import select
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

_n = 0
_failed = 0
_children = []


def spawn(argv, **kw):
    """subprocess.Popen, and the process is killed when the test ends."""
    p = subprocess.Popen(argv, **kw)
    _children.append(p)
    return p


@atexit.register
def _kill_children():
    # A test that dies of an exception or SIGTERM leaves nothing running.
    for p in _children:
        if p.poll() is None:
            p.kill()
            p.wait()


signal.signal(signal.SIGTERM, lambda sig, frame: sys.exit(128 + sig))


def ok(cond, name, diag=None):
    global _n, _failed
    _n += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", _n, name))
    if not cond:
        _failed += 1
        if diag is not None:
            for line in str(diag).splitlines():
                print("#   " + line)
    sys.stdout.flush()
    return cond


def eq(got, want, name):
    return ok(got == want, name, "got  %r\nwant %r" % (got, want))


def done():
    print("1..%d" % _n)
    if _failed:
        print("# %d of %d failed" % (_failed, _n))
    sys.stdout.flush()
    sys.exit(0)


def bail(why):
    print("Bail out! " + why)
    sys.stdout.flush()
    sys.exit(1)


def build_path(*parts):
    return os.path.join(os.environ.get("TEST_BUILDDIR", "."), *parts)


class Sim:
    """dstny-coresim on an ephemeral loopback port."""

    def __init__(self, *args, wait=10.0):
        exe = build_path("sim", "dstny-coresim")
        # DSTNY_SIM_WRAP runs it under a tool, e.g. valgrind (make valgrind-check).
        wrap = os.environ.get("DSTNY_SIM_WRAP", "").split()
        # stderr goes to a file: a full pipe must never stall the simulator.
        self.errfile = tempfile.TemporaryFile()
        self.proc = spawn(wrap + [exe, "-l", "127.0.0.1:0"] + list(args),
                          stdout=subprocess.PIPE, stderr=self.errfile)
        # The first stdout line names the port; wait for it, bounded.
        ready, _, _ = select.select([self.proc.stdout], [], [], wait)
        if not ready:
            self.stop()
            bail("dstny-coresim printed nothing within %gs" % wait)
        line = self.proc.stdout.readline().decode()
        if "://" not in line:
            self.proc.wait(10)
            bail("dstny-coresim did not start: %r %s" % (line, self.stderr()))
        self.scheme = line.split("://", 1)[0].rsplit(" ", 1)[1]
        self.base = line.split("://", 1)[1].split(",", 1)[0]
        self.port = int(self.base.split(":")[1].split("/")[0])
        self.url = self.scheme + "://" + self.base          # .../api
        self.root = "%s://127.0.0.1:%d" % (self.scheme, self.port)

    def stderr(self):
        self.errfile.seek(0)
        return self.errfile.read().decode(errors="replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def control(self, method, path, body=None):
        return request(method, self.root + "/_sim" + path, body)

    def state(self):
        return self.control("GET", "/state")[1]

    def requests(self):
        return self.control("GET", "/requests")[1]


def request(method, url, body=None, token=None, headers=None, basic=None,
            timeout=10):
    """One HTTP request: (status, parsed JSON or text or None, headers)."""
    data = None
    if body is not None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token is not None:
        req.add_header("Authorization", "Bearer " + token)
    if basic is not None:
        import base64
        req.add_header("Authorization", "Basic " +
                       base64.b64encode(basic.encode()).decode())
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    # The simulator's test certificate is not verified here; dstnyd's is.
    ctx = ssl._create_unverified_context() if url.startswith("https:") else None
    try:
        with urllib.request.urlopen(req, timeout=timeout, context=ctx) as r:
            status, raw, hdrs = r.status, r.read(), r.headers
    except urllib.error.HTTPError as e:
        status, raw, hdrs = e.code, e.read(), e.headers
    text = raw.decode(errors="replace")
    try:
        return status, json.loads(text) if text else None, hdrs
    except ValueError:
        return status, text, hdrs


class HookReceiver:
    """A webhook target: records every POST, by path, in a queue."""

    def __init__(self):
        self.posts = queue.Queue()
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n).decode()
                outer.posts.put((self.path, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self.server.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait(self, path_prefix, timeout=5.0):
        """The next POST to a path starting with path_prefix, or None."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                path, body = self.posts.get(timeout=left)
            except queue.Empty:
                return None
            if path.startswith(path_prefix):
                return body

    def drain(self):
        out = []
        while True:
            try:
                out.append(self.posts.get_nowait())
            except queue.Empty:
                return out

    def close(self):
        self.server.shutdown()


class Stream:
    """An SSE client on a raw socket: events arrive in a queue."""

    def __init__(self, url, token, last_event_id=None):
        host, rest = url.split("://", 1)[1].split("/", 1)
        h, p = host.split(":")
        self.sock = socket.create_connection((h, int(p)), timeout=10)
        req = "GET /%s HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n" \
              "Authorization: Bearer %s\r\n" % (rest, host, token)
        if last_event_id:
            req += "Last-Event-ID: %s\r\n" % last_event_id
        self.sock.sendall((req + "\r\n").encode())
        self.events = queue.Queue()
        self.status = None
        self.closed = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        buf = b""
        head_done = False
        chunked = False
        body = b""
        ended = False
        try:
            while not ended:
                data = self.sock.recv(65536)
                if not data:
                    break
                buf += data
                if not head_done:
                    if b"\r\n\r\n" not in buf:
                        continue
                    head, buf = buf.split(b"\r\n\r\n", 1)
                    self.status = int(head.split()[1])
                    chunked = b"chunked" in head.lower()
                    head_done = True
                # De-chunk what is complete.
                while chunked and b"\r\n" in buf:
                    size_line, rest = buf.split(b"\r\n", 1)
                    size = int(size_line.split(b";")[0], 16)
                    if len(rest) < size + 2:
                        break
                    body += rest[:size]
                    buf = rest[size + 2:]
                    if size == 0:
                        ended = True
                        break
                if not chunked:
                    body += buf
                    buf = b""
                while b"\n\n" in body:
                    block, body = body.split(b"\n\n", 1)
                    ev = {"event": "message", "data": [], "id": None}
                    for line in block.decode().split("\n"):
                        if line.startswith(":"):
                            continue
                        k, _, v = line.partition(":")
                        v = v[1:] if v.startswith(" ") else v
                        if k == "data":
                            ev["data"].append(v)
                        elif k in ("event", "id"):
                            ev[k] = v
                    if ev["data"]:
                        ev["data"] = "\n".join(ev["data"])
                        self.events.put(ev)
        except (EOFError, OSError):
            pass
        self.closed.set()

    def next(self, timeout=5.0):
        try:
            return self.events.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


def until(pred, timeout=5.0, step=0.05):
    """pred()'s first true value, asked every step seconds; None after timeout.

    For what only polling can see (the simulator's records, a port coming
    back); where the daemon says something, wait for that instead.
    """
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() >= deadline:
            return None
        time.sleep(step)


def core_up(sim):
    """The simulator accepts connections again (after a /faults outage)."""
    try:
        socket.create_connection(("127.0.0.1", sim.port), timeout=1).close()
        return True
    except OSError:
        return False


def many_users(n, tmp):
    """A scenario with n users and the dstnyd [user] sections for them."""
    names = ["alice"] + ["u%04d" % i for i in range(1, n)]
    users = [{"domain": "example.com", "user": u, "password": "pw",
              "devices": [{"deviceId": u + "-desk", "deviceType": "SOFTPHONE",
                           "deviceName": "Desk", "deviceStatus": "ACTIVE"}]}
             for u in names]
    scen = os.path.join(tmp, "users.json")
    with open(scen, "w") as f:
        json.dump({"users": users}, f)
    pw = os.path.join(tmp, "pw")
    with open(pw, "w") as f:
        f.write("pw\n")
    os.chmod(pw, 0o600)
    sections = "".join('[user "u%04d"]\ndomain = example.com\nuser = u%04d\n'
                       'password_file = %s\n' % (i, i, pw) for i in range(1, n))
    return scen, sections


def tls_cert(tmp):
    """A self-signed certificate for 127.0.0.1 in tmp: (cert, key), or bail."""
    cert, key = os.path.join(tmp, "core.pem"), os.path.join(tmp, "core.key")
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", key, "-out", cert], capture_output=True, timeout=60)
    if r.returncode != 0:
        bail("openssl could not make a certificate: %s" % r.stderr.decode(errors="replace"))
    return cert, key


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Bus:
    """A private dbus-daemon; busctl for properties and signals, gdbus for calls."""

    def __init__(self, wait=10.0, config=None):
        r, w = os.pipe()
        # config: a dbus-daemon configuration file instead of --session's.
        how = ["--config-file=" + config] if config else ["--session"]
        self.proc = spawn(["dbus-daemon"] + how + ["--nofork",
                           "--print-address=%d" % w], pass_fds=[w],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(w)
        ready, _, _ = select.select([r], [], [], wait)
        if not ready:
            bail("dbus-daemon printed no address")
        self.address = os.read(r, 4096).decode().strip().splitlines()[0]
        os.close(r)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)

    def get(self, path, iface, prop):
        r = subprocess.run(["busctl", "--address=" + self.address, "--json=short",
                            "get-property", "org.dstnyd.Cti1", path, iface, prop],
                           capture_output=True, text=True, timeout=10)
        if r.returncode != 0:
            return None
        return json.loads(r.stdout)["data"]

    def call(self, path, method, *args):
        """gdbus call: (True, output) or (False, error name)."""
        r = subprocess.run(["gdbus", "call", "--address", self.address, "--dest",
                            "org.dstnyd.Cti1", "--object-path", path, "--method",
                            method] + list(args), capture_output=True, text=True,
                           timeout=15)
        if r.returncode == 0:
            return True, r.stdout.strip()
        err = r.stderr.strip()
        if "GDBus.Error:" in err:
            return False, err.split("GDBus.Error:", 1)[1].split(":", 1)[0]
        return False, err


class Inbox:
    """Messages a reader thread puts as they come. wait() takes the first
    one matching (seen before or arriving); the others stay for later
    waits, since messages can cross."""

    def __init__(self):
        self.q = queue.Queue()
        self.pending = []       # arrived, not yet taken by a wait()

    def put(self, m):
        self.q.put(m)

    def wait(self, pred, timeout=10.0):
        for m in self.pending:
            if pred(m):
                self.pending.remove(m)
                return m
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                m = self.q.get(timeout=left)
            except queue.Empty:
                return None
            if pred(m):
                return m
            self.pending.append(m)

    def drain(self):
        """Forget every message so far."""
        self.pending = []
        while True:
            try:
                self.q.get_nowait()
            except queue.Empty:
                return


class Monitor:
    """busctl monitor: every message of org.dstnyd.Cti1, as JSON, in an Inbox."""

    def __init__(self, bus):
        self.proc = spawn(["busctl", "--address=" + bus.address,
                           "--json=short", "monitor", "org.dstnyd.Cti1"],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.inbox = Inbox()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            line = line.decode().strip()
            if line.startswith("{"):
                try:
                    self.inbox.put(json.loads(line))
                except ValueError:
                    pass    # busctl cuts very long messages

    def wait(self, pred, timeout=10.0):
        """The first message (seen before or arriving) matching pred."""
        return self.inbox.wait(pred, timeout)

    def signal(self, member, path=None, timeout=10.0, data=None):
        def pred(m):
            if m.get("type") != "signal" or m.get("member") != member:
                return False
            if path is not None and m.get("path") != path:
                return False
            return data is None or data(m["payload"]["data"])
        return self.wait(pred, timeout)

    def drain(self):
        """Forget every message so far."""
        self.inbox.drain()

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


class Daemon:
    """dstnyd on a private bus, against a Sim, with its own socket."""

    def __init__(self, bus, sim, extra="", users="", wait=15.0, password="alice-password",
                 env_extra=None, core_extra="", ready=True, debug=True, read_notify=True,
                 auth=None):
        self.dir = tempfile.mkdtemp(prefix="dstnyd-test-")
        self.sock = os.path.join(self.dir, "dstnyd.sock")
        pw = os.path.join(self.dir, "password")
        with open(pw, "w") as f:
            f.write(password + "\n")
        os.chmod(pw, 0o600)
        self.conf = os.path.join(self.dir, "dstnyd.conf")
        # auth: the [auth] credentials line(s) instead of password_file.
        if auth is None:
            auth = "password_file = %s\n" % pw
        with open(self.conf, "w") as f:
            f.write("[core]\nbase_url = %s\ndomain = example.com\nuser = alice\n%s"
                    "[auth]\n%s[socket]\npath = %s\n%s\n%s"
                    % (sim.url, core_extra, auth, self.sock, extra, users))
        self.notify_path = os.path.join(self.dir, "notify")
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(self.notify_path)
        self.notes = []
        env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=bus.address,
                   NOTIFY_SOCKET=self.notify_path, **(env_extra or {}))
        wrap = os.environ.get("DSTNY_DAEMON_WRAP", "").split()
        # Its output is read by a thread as it comes: output() is what came
        # so far, wait_output() waits for a line as an event. (A shared file
        # offset let a seek here make the daemon overwrite its first lines.)
        self.log = open(os.path.join(self.dir, "log"), "a")
        self._out = []
        self._cond = threading.Condition()
        self.proc = spawn(wrap + [build_path("daemon", "dstnyd")] +
                          (["-d"] if debug else []) + ["-c", self.conf], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        threading.Thread(target=self._drain, daemon=True).start()
        # Read as they come, too: a datagram socket holds 10 (the kernel's
        # net.unix.max_dgram_qlen). read_notify=False leaves them unread
        # until read_notify(): a receiver that falls behind.
        if read_notify:
            self.read_notify()
        if ready and not self.wait_notify("READY=1", wait):
            bail("dstnyd did not become ready: %s" % self.output()[-3000:])

    def wait_notify(self, what, timeout):
        deadline = time.monotonic() + timeout
        with self._cond:
            while not any(what in n for n in self.notes):
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    return False
                self._cond.wait(min(left, 0.5))   # and see if it exited
            return True

    def read_notify(self):
        threading.Thread(target=self._drain_notify, daemon=True).start()

    def _drain_notify(self):
        while True:
            try:
                note = self.notify.recv(4096).decode()
            except OSError:
                return
            with self._cond:    # one note per assignment
                self.notes.extend(line for line in note.split("\n") if line)
                self._cond.notify_all()

    def _drain(self):
        for raw in self.proc.stdout:
            line = raw.decode(errors="replace")
            with self._cond:
                self._out.append(line)
                self.log.write(line)
                self.log.flush()
                self._cond.notify_all()
        with self._cond:
            self._out.append("")        # EOF: wait_output() stops waiting
            self._cond.notify_all()

    def output(self):
        with self._cond:
            return "".join(self._out)

    def wait_output(self, text, timeout=10.0):
        """True once a line holding text was printed; False after timeout
        or when the daemon's output ended without it."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                if any(text in line for line in self._out):
                    return True
                left = deadline - time.monotonic()
                if left <= 0 or (self._out and self._out[-1] == ""):
                    return False
                self._cond.wait(left)

    def stop(self, sig=15, timeout=10):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def no_secrets(sim, *outputs, passwords=("alice-password", "bob-password")):
    """True when no ticket the simulator issued and no password appears."""
    tokens = sim.control("GET", "/tickets")[1] or []
    text = "\n".join(outputs)
    leaked = [t for t in tokens if t in text] + [p for p in passwords if p in text]
    return not leaked, leaked


class Rpc:
    """A socket client: requests by id, notifications in a queue."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.sock.settimeout(15)
        self.buf = b""
        self.next_id = 1
        self.notes = []

    def _line(self, timeout=15):
        self.sock.settimeout(timeout)
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def send_raw(self, data):
        self.sock.sendall(data)

    def call(self, method, **params):
        rid = self.next_id
        self.next_id += 1
        msg = {"jsonrpc": "2.0", "method": method, "id": rid}
        if params:
            msg["params"] = params
        self.sock.sendall((json.dumps(msg) + "\n").encode())
        while True:
            m = self._line()
            if m.get("id") == rid:
                return m
            if "method" in m:
                self.notes.append(m)

    def notification(self, method, pred=None, timeout=10):
        for m in self.notes:
            if m["method"] == method and (pred is None or pred(m["params"])):
                self.notes.remove(m)
                return m["params"]
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                m = self._line(left)
            except (socket.timeout, EOFError):
                return None
            if m.get("method") == method and (pred is None or pred(m["params"])):
                return m["params"]
            if "method" in m:
                self.notes.append(m)

    def close(self):
        self.sock.close()
