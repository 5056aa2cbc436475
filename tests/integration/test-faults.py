#!/usr/bin/env python3
"""test-faults.py: dstnyd under the simulator's faults. After each: the
daemon is up, its memory is bounded, and its calls equal the Core's."""
import http.client
import json
import os
import socket
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Bus, Daemon, Monitor, Rpc, Sim, core_up, done, eq, free_port, no_secrets, ok,
                     tls_cert, until)

MIB = 1024 * 1024


def rss(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def ceiling(pid):
    """64 MiB, or more when the daemon runs under a sanitizer or valgrind."""
    with open("/proc/%d/maps" % pid) as f:
        maps = f.read()
    if "libasan" in maps or os.environ.get("DSTNY_DAEMON_WRAP"):
        return 1024 * MIB
    return 64 * MIB


def core_calls(sim, user="alice"):
    for u in sim.state()["users"]:
        if u["user"] == user:
            return sorted((c["callId"], c["stateToken"], c["status"]) for c in u["calls"])
    return []


def cached_calls(rpc):
    r = rpc.call("calls.list")
    return sorted((c["callId"], c["stateToken"], c["status"]) for c in r["result"])


def converged(d, sim, rpc, what, timeout=20):
    """Wait (bounded) until dstnyd's calls equal the Core's; then check health."""
    seen = {}

    def same():
        seen["daemon"], seen["core"] = cached_calls(rpc), core_calls(sim)
        return seen["daemon"] == seen["core"]
    until(same, timeout, 0.1)
    a, b = seen["daemon"], seen["core"]
    ok(d.proc.poll() is None, "%s: the daemon is up" % what)
    m = rss(d.proc.pid)
    ok(m < ceiling(d.proc.pid), "%s: RSS %.1f MiB under the ceiling" % (what, m / MIB))
    ok(a == b, "%s: the cache equals the Core's state" % what, "daemon %s\ncore   %s" % (a, b))
    return m


class RawClient:
    """A socket client that keeps each line as bytes, as the daemon sent it."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(15)
        self.sock.connect(path)
        self.buf = b""

    def send(self, msg):
        self.sock.sendall(json.dumps(msg).encode() + b"\n")

    def line(self, pred=None):
        """The next line for which pred holds (bytes); None at EOF or timeout."""
        while True:
            while b"\n" not in self.buf:
                try:
                    data = self.sock.recv(65536)
                except socket.timeout:
                    return None
                if not data:
                    return None
                self.buf += data
            line, self.buf = self.buf.split(b"\n", 1)
            if pred is None or pred(line):
                return line

    def close(self):
        self.sock.close()

    @staticmethod
    def once(path, method):
        c = RawClient(path)
        c.send({"jsonrpc": "2.0", "method": method, "id": 1})
        line = c.line()
        c.close()
        return line or b""


def strict_utf8(b):
    """b as text if it is UTF-8 that sd-bus would take (no noncharacters), else None."""
    try:
        t = b.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if any(0xfdd0 <= ord(c) <= 0xfdef or (ord(c) & 0xfffe) == 0xfffe for c in t):
        return None
    return t


bus = Bus()
sim = Sim()
mon = Monitor(bus)
d = Daemon(bus, sim, extra="[events]\nkeepalive = 2\n", core_extra="timeout_ms = 3000\n")
rpc = Rpc(d.sock)
peak = 0

# Bursts of 5xx while calls come and change.
sim.control("POST", "/faults", {"fail": {"count": 15, "status": 503}})
st, c1, _ = sim.control("POST", "/calls", {"from": "+4670001"})
st, c2, _ = sim.control("POST", "/calls", {"from": "+4670002"})
sim.control("POST", "/calls/%s/hangup" % c1["callId"])
sim.control("DELETE", "/faults")
peak = max(peak, converged(d, sim, rpc, "bursts of 5xx"))

# 2 s latency on every request: slow, never stuck.
sim.control("POST", "/faults", {"latencyMs": 2000})
st, c3, _ = sim.control("POST", "/calls", {"from": "+4670003"})
# Answered while the Core sends dstnyd nothing: no Core answer was awaited.
before = until(lambda: (lambda f: f if f["held"] > 0 else None)(sim.control("GET", "/faults")[1]))
r = rpc.call("status")
after = sim.control("GET", "/faults")[1]
ok(before is not None and "result" in r and after["released"] == before["released"],
   "2 s latency: the socket answers while the Core holds dstnyd's requests",
   "before %s, after %s" % (before, after))
peak = max(peak, converged(d, sim, rpc, "2 s latency", timeout=30))
sim.control("DELETE", "/faults")

# Connections dropped mid-SSE, three times, with changes in between.
for i in range(3):
    sim.control("POST", "/streams/drop")
    sim.control("POST", "/calls", {"from": "+467001%d" % i})
peak = max(peak, converged(d, sim, rpc, "streams dropped mid-SSE"))

# A revoked ticket.
sim.control("POST", "/tickets/revoke", {"user": "alice"})
sim.control("POST", "/calls/%s/hangup" % c2["callId"])
peak = max(peak, converged(d, sim, rpc, "a revoked ticket"))

# Malformed JSON and XML answers.
sim.control("POST", "/faults", {"malformed": {"count": 6}})
sim.control("POST", "/calls", {"from": "+4670004"})
sim.control("POST", "/queues/35", {"callsWaiting": 3})
# A malformed answer may hit a ticket.create (after the revocation above);
# its retries back off up to 10 s, so this one gets longer to settle.
peak = max(peak, converged(d, sim, rpc, "malformed JSON and XML", timeout=45))
sim.control("DELETE", "/faults")

# A caller name that is not UTF-8: raw bytes, a surrogate in CESU bytes and
# a noncharacter, all of which sd-bus refuses. They become U+FFFD where the
# Core's text is parsed: every property (and GetManagedObjects) can be sent
# and the socket's lines stay UTF-8.
sub = RawClient(d.sock)
sub.send({"jsonrpc": "2.0", "method": "subscribe", "params": {"topics": ["calls"]}, "id": 1})
sub.line()
st, odd, _ = sim.control("POST", "/calls", {"from": "+4670008",
                                           "nameHex": "426f6220fffe20edb3bf20efbfbf"})
want = "Bob \ufffd\ufffd \ufffd\ufffd\ufffd \ufffd"
added = sub.line(lambda b: b"call.added" in b and odd["callId"].encode() in b)
ok(added is not None and strict_utf8(added) is not None,
   "the socket's call.added line is valid UTF-8", (added or b"")[:300])
sub.close()
line = RawClient.once(d.sock, "calls.list")
text = strict_utf8(line)
ok(text is not None, "the socket's calls.list line is valid UTF-8", line[:300])
view = [c for c in json.loads(text or "{}").get("result", []) if c["callId"] == odd["callId"]]
eq(view[0]["remoteParty"]["displayName"] if view else None, want,
   "and carries the name with U+FFFD for what was not UTF-8")
path = view[0]["path"] if view else "/"
eq(bus.get(path, "org.dstnyd.Cti1.Call", "RemoteName"), want, "D-Bus RemoteName: the same")
js = bus.get(path, "org.dstnyd.Cti1.Call", "Json")
eq(json.loads(js)["remoteParty"]["displayName"] if js else None, want,
   "D-Bus Json: the same")
r = bus.call("/org/dstnyd/Cti1", "org.freedesktop.DBus.ObjectManager.GetManagedObjects")
ok(r[0] and odd["callId"] in r[1], "GetManagedObjects answers, with the call", r[1][:300])
peak = max(peak, converged(d, sim, rpc, "a caller name that is not UTF-8"))

# 500 socket clients at once that send nothing (max_clients 64): each new
# one pushes out the oldest that has sent no request, so all but the last
# 63 (and the test's own client) are closed.
clients, gone = [], set()
for i in range(500):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(d.sock)
    clients.append(s)


def closed_count():
    # Without waiting on any one: the 63 kept would reach their 10 s
    # head deadline while a blocking read waited on each in turn.
    for i, s in enumerate(clients):
        if i in gone:
            continue
        s.setblocking(False)
        try:
            if s.recv(4096) == b"":
                gone.add(i)
        except BlockingIOError:
            pass
        except OSError:
            gone.add(i)
    return len(gone)


until(lambda: closed_count() >= 500 - 63, 5)
refused = closed_count()
ok(refused == 500 - 63 and not gone & set(range(437, 500)),
   "500 clients at once: the oldest ones over max_clients are closed (%d)" % refused)
for s in clients:
    s.close()
peak = max(peak, converged(d, sim, rpc, "500 socket clients"))

# The Core down for 30 s and back.
sim.control("POST", "/faults", {"downSeconds": 30})
ok(until(lambda: core_up(sim), 45, 0.2), "the Core is back after 30 s")
sim.control("POST", "/calls", {"from": "+4670005"})
peak = max(peak, converged(d, sim, rpc, "the Core down 30 s", timeout=40))
ok(rpc.call("status")["result"]["users"][0]["state"] in ("online", "degraded"),
   "and the user is reachable again")
clean, leaked = no_secrets(sim, d.output())
ok(clean, "no ticket token or password in the daemon's output", leaked)
eq(d.stop(), 0, "the SSE daemon stops cleanly")
print("# peak RSS in the SSE fault runs: %.1f MiB" % (peak / MIB))

# --- webhook mode: early expiry, 10,000 unknown POSTs, slow loris -------------
port = free_port()
d = Daemon(bus, sim, extra="[events]\nlisten = 127.0.0.1:%d\npublic_url = http://127.0.0.1:%d\n"
           "keepalive = 2\n" % (port, port))
rpc = Rpc(d.sock)
sim.control("POST", "/webhooks/expire")
sim.control("POST", "/calls", {"from": "+4670006"})
# The call above rang while the registration had lapsed: nothing told the
# daemon. The keepalive registers again within an interval, and the next
# event makes the daemon reconcile, which recovers the missed call too.
ok(until(lambda: any(h["kind"] == "user" and h["expiresIn"] > 0
                     for h in sim.state()["events"]["webhooks"]), 10),
   "webhooks expired early: the keepalive registers the user webhook again")
sim.control("POST", "/calls", {"from": "+4670066"})
peak = max(peak, converged(d, sim, rpc, "webhooks expired early", timeout=20))
before = rss(d.proc.pid)
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
codes = {}
for i in range(10000):
    conn.request("POST", "/hooks/%032x" % i, body="{}")
    r = conn.getresponse()
    r.read()
    codes[r.status] = codes.get(r.status, 0) + 1
    if r.getheader("Connection", "").lower() == "close":
        conn.close()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
conn.close()
eq(codes, {404: 10000}, "10,000 POSTs with unknown ids: all 404")
after = rss(d.proc.pid)
ok(after - before < 8 * MIB or after < ceiling(d.proc.pid),
   "and memory stays bounded (%.1f -> %.1f MiB)" % (before / MIB, after / MIB))
peak = max(peak, converged(d, sim, rpc, "10,000 unknown webhooks"))

loris = []
for i in range(50):
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    s.sendall(b"POST /hooks/x HTTP/1.1\r\nHost: x\r\n")
    loris.append(s)
sim.control("POST", "/calls", {"from": "+4670007"})
peak = max(peak, converged(d, sim, rpc, "slow-loris clients: webhooks still served"))
closed = 0
for s in loris:
    try:
        closed += s.recv(4096) == b""
    except OSError:
        closed += 1
    s.close()
ok(closed == 50, "the slow-loris connections are closed by the timeout (%d of 50)" % closed)
clean, leaked = no_secrets(sim, d.output())
ok(clean, "no ticket token or password in the webhook daemon's output", leaked)
# A Core that answers nothing for 3 s: dstnyd's 2 s shutdown deadline
# ends the wait for its deletions, so it exits before any answer comes.
sim.control("POST", "/faults", {"latencyMs": 3000})
before = sim.control("GET", "/faults")[1]
eq(d.stop(), 0, "the webhook daemon stops cleanly")
after = sim.control("GET", "/faults")[1]
ok(after["held"] > 0 and after["released"] == before["released"],
   "a Core that answers nothing: dstnyd exits before it does, within its deadline",
   "before %s, after %s" % (before, after))
sim.control("DELETE", "/faults")
print("# peak RSS in the fault suite: %.1f MiB" % (peak / MIB))
sim.stop()

# --- state truth: right again after the Core misbehaves ------------------------
# keepalive 300 s throughout: the keepalive tick cannot be what fixes the
# cache; each bounded wait is far below it. The Core sends a keepalive
# comment every second, so a silent stream is noticed in seconds.


def user_state(rpc):
    return rpc.call("status")["result"]["users"][0]["state"]


def online_again(rpc, what, timeout=15):
    ok(until(lambda: user_state(rpc) == "online", timeout) is not None,
       "%s: the user is online again" % what, user_state(rpc))


def ring(sim, n):
    return sim.control("POST", "/calls", {"from": "+467099%02d" % n})[1]["callId"]


def changed_while_down(d, sim, rpc, what, n):
    """A call dstnyd knows; then, telling nobody, it ends and another rings."""
    known = ring(sim, n)
    converged(d, sim, rpc, "%s: before" % what, timeout=10)
    sim.control("POST", "/faults", {"silent": True})
    sim.control("POST", "/calls/%s/hangup" % known)
    ring(sim, n + 1)


def restarts(d, sim, rpc, mode, n):
    what = "%s: a restart answering again at once" % mode
    changed_while_down(d, sim, rpc, what, n)
    sim.control("POST", "/restart")
    converged(d, sim, rpc, what, timeout=10)
    online_again(rpc, what)
    ring(sim, n + 2)       # told again: the transport was renewed
    converged(d, sim, rpc, "%s, then a new call" % what, timeout=10)
    what = "%s: a fail-over that ends the streams in order" % mode
    changed_while_down(d, sim, rpc, what, n + 6)
    sim.control("POST", "/restart", {"graceful": True})
    converged(d, sim, rpc, what, timeout=10)
    online_again(rpc, what)
    ring(sim, n + 8)
    converged(d, sim, rpc, "%s, then a new call" % what, timeout=10)
    what = "%s: a restart down for 3 s" % mode
    changed_while_down(d, sim, rpc, what, n + 3)
    sim.control("POST", "/restart", {"downSeconds": 3})
    ok(until(lambda: core_up(sim), 10, 0.1), "%s: the Core is back" % what)
    converged(d, sim, rpc, what, timeout=10)
    online_again(rpc, what)
    ring(sim, n + 5)
    converged(d, sim, rpc, "%s, then a new call" % what, timeout=10)


def rhythm_learnt(d, stream):
    return until(lambda: ("%s: a rhythm of" % stream) in d.output(), 10) is not None


sim = Sim("--sse-keepalive", "1")
d = Daemon(bus, sim, extra="[events]\ntransport = sse\nkeepalive = 300\n")
rpc = Rpc(d.sock)
restarts(d, sim, rpc, "SSE", 10)

# A queue statistics stream that goes silent without a FIN.
ok(rhythm_learnt(d, "queue stream "), "SSE: the queue stream's rhythm is learnt")
sim.control("POST", "/faults", {"freeze": {"route": "queues.sse"}})
sim.control("POST", "/queues/35", {"callsWaiting": 11})
ok(until(lambda: any(q["id"] == 35 and q["callsWaiting"] == 11
                     for q in rpc.call("queues.list")["result"]), 15) is not None,
   "a frozen queue stream is noticed and opened again: the change arrives",
   rpc.call("queues.list")["result"])
online_again(rpc, "a frozen queue stream")

# A call's stream that goes silent: the call is answered meanwhile.
frozen = ring(sim, 30)
converged(d, sim, rpc, "a call for the frozen-stream case", timeout=10)
ok(rhythm_learnt(d, "call stream %s" % frozen), "SSE: the call stream's rhythm is learnt")
sim.control("POST", "/faults", {"freeze": {"route": "state.call.sse"}})
sim.control("POST", "/calls/%s/answer" % frozen)
converged(d, sim, rpc, "a frozen call stream, the call answered", timeout=15)
online_again(rpc, "a frozen call stream")

# Subscribe, then fetch: a change made before a call's stream exists at
# the Core, on a Core that does not start streams with the state.
sim.control("POST", "/faults", {"initialState": False, "streamDelayMs": 1500})
late = ring(sim, 40)
ok(until(lambda: any(c[0] == late for c in cached_calls(rpc)) and
         sim.control("GET", "/faults")[1]["streamsHeld"] > 0, 10) is not None,
   "subscribe, then fetch: dstnyd shows the call, its stream is not yet subscribed")
sim.control("POST", "/calls/%s/answer" % late)
converged(d, sim, rpc, "subscribe, then fetch: a call answered before its stream existed",
          timeout=10)
sim.control("DELETE", "/faults")
eq(d.stop(), 0, "the state-truth SSE daemon stops cleanly")

port = free_port()
d = Daemon(bus, sim, extra="[events]\nlisten = 127.0.0.1:%d\npublic_url = http://127.0.0.1:%d\n"
           "keepalive = 300\n" % (port, port))
rpc = Rpc(d.sock)
restarts(d, sim, rpc, "webhook", 50)

# A call webhook's registration, answered (RINGING) after an Answer that
# was sent later: the older answer must not overwrite the newer state.
sim.control("POST", "/faults", {"slow": {"route": "state.call.webhook", "ms": 1500}})
slow = ring(sim, 60)
ok(until(lambda: any(c[0] == slow for c in cached_calls(rpc)), 10) is not None,
   "ordering: dstnyd shows the call, its webhook registration held")
released = sim.control("GET", "/faults")[1]["released"]
r = rpc.call("call.answer", call=slow)
ok("result" in r and r["result"]["status"] == "ACTIVE", "ordering: Answer is ACTIVE", r)
ok(until(lambda: sim.control("GET", "/faults")[1]["released"] > released, 10) is not None,
   "ordering: the registration's older answer came after the Answer's")
converged(d, sim, rpc, "ordering: an older registration answer", timeout=10)
r = rpc.call("call.hold", call=slow)
ok("result" in r and r["result"]["status"] == "HELD", "ordering: Hold is allowed after it", r)
sim.control("DELETE", "/faults")


def queue35(key):
    return next((q[key] for q in rpc.call("queues.list")["result"] if q["id"] == 35), None)


# Queues: a groups.list asked for before a statistics event and answered
# after it must not put the older figures back. Its other news (night
# mode, changed quietly first) shows it was applied.
sim.control("POST", "/faults", {"silent": True})
sim.control("POST", "/queues/35", {"nightMode": True, "callsWaiting": 2})
sim.control("POST", "/faults", {"silent": False,
                                "slow": {"route": "groups.list", "ms": 1500}})
rpc.call("resync")
ok(until(lambda: sim.control("GET", "/faults")[1]["held"] > 0, 10) is not None,
   "ordering: a groups.list is held at the Core")
sim.control("POST", "/queues/35", {"callsWaiting": 7})
ok(until(lambda: queue35("callsWaiting") == 7, 10) is not None,
   "ordering: the statistics event arrives first", queue35("callsWaiting"))
ok(until(lambda: queue35("nightMode") is True, 10) is not None,
   "ordering: then the older groups.list answer is applied", queue35("nightMode"))
eq(queue35("callsWaiting"), 7, "ordering: and leaves the newer statistics as they are")
sim.control("DELETE", "/faults")
eq(d.stop(), 0, "the state-truth webhook daemon stops cleanly")

sim.stop()

# --- over TLS, as deployed: streams cut and reopened resume their sessions ----
tmp = tempfile.mkdtemp(prefix="dstnyd-faults-tls-")
cert, key = tls_cert(tmp)
sim = Sim("--tls-cert", cert, "--tls-key", key)
d = Daemon(bus, sim, core_extra="ca_file = %s\n" % cert,
           extra="[events]\ntransport = sse\nkeepalive = 300\n")
rpc = Rpc(d.sock)
ring(sim, 70)
converged(d, sim, rpc, "TLS: a call over TLS streams", timeout=10)
streams = len(sim.state()["events"]["streams"])
before = sim.state()["tls"]
for i in range(3):
    sim.control("POST", "/streams/drop")
    ok(until(lambda: len(sim.state()["events"]["streams"]) == streams, 15) is not None,
       "TLS: every stream reconnected after drop %d" % (i + 1))
after = sim.state()["tls"]
# Full handshakes also count this test's own control requests: only the
# resumed ones are the daemon's alone. Streams that reconnect at the same
# moment may each offer the host's one session, and not all resume (8-12
# of 12 here); each drop must see some.
print("# TLS: %d of %d stream reconnects resumed" % (after["resumed"] - before["resumed"],
                                                  3 * streams))
ok(after["resumed"] - before["resumed"] >= 3,
   "TLS: stream reconnects resume their TLS sessions", (before, after))
ring(sim, 71)
converged(d, sim, rpc, "TLS: streams cut three times, then a new call", timeout=10)
online_again(rpc, "TLS: streams cut three times")
eq(d.stop(), 0, "the TLS daemon stops cleanly")
for f in (cert, key):
    os.unlink(f)
os.rmdir(tmp)

mon.stop()
sim.stop()
bus.stop()
done()
