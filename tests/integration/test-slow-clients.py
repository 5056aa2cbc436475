#!/usr/bin/env python3
"""test-slow-clients.py: the webhook listener and the socket against
clients that trickle a partial request, more of them than dstnyd has
descriptors (issue 16, item 9).

dstnyd runs with RLIMIT_NOFILE 128 (soft and hard, so raising the soft
limit gains nothing). 100 clients on each listener send a partial request
line and then a byte a second. A call rung at the simulator must still
reach dstnyd through the user webhook, and a new socket client must still
be answered; a subscriber that was there before keeps its notifications.
One trickler alone is closed by the head deadline although it never
falls silent."""
import os
import socket
import sys
import threading
import time

os.environ["DSTNY_DAEMON_WRAP"] = "prlimit --nofile=128:128 " + \
    os.environ.get("DSTNY_DAEMON_WRAP", "")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Bus, Daemon, Rpc, Sim, done, free_port, ok, until

N = 100
bus = Bus()
sim = Sim()
port = free_port()
d = Daemon(bus, sim, extra="[events]\nlisten = 127.0.0.1:%d\npublic_url = http://127.0.0.1:%d/\n"
           % (port, port))
sub = Rpc(d.sock)
sub.call("subscribe", topics=["calls"])

stop = threading.Event()
trickling = []
lock = threading.Lock()


def trickle():
    # The attacker's pace: a byte a second on every connection it holds.
    while not stop.wait(1.0):
        with lock:
            socks = list(trickling)
        for s in socks:
            try:
                s.send(b"x")
            except OSError:
                pass


threading.Thread(target=trickle, daemon=True).start()


def open_trickler(kind):
    if kind == "hook":
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.send(b"POST /hooks/")
    else:
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(5)
        s.connect(d.sock)
        s.send(b'{"jsonrpc":"2.0","method":"sta')
    with lock:
        trickling.append(s)
    return s


def closed(s):
    s.settimeout(0)
    try:
        return s.recv(4096) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


# A total deadline, not an idle timeout: a byte a second does not keep it.
h, u = open_trickler("hook"), open_trickler("sock")
t0 = time.monotonic()
ok(until(lambda: closed(h) and closed(u), 20, 0.2),
   "a lone trickler on each listener is closed by the head deadline (%.1f s)"
   % (time.monotonic() - t0))

# More tricklers than descriptors, on both listeners.
refused = 0
for i in range(N):
    for kind in ("hook", "sock"):
        try:
            open_trickler(kind)
        except OSError:
            refused += 1
ok(d.proc.poll() is None, "dstnyd lives with %d trickling clients (%d connects failed)"
   % (2 * N, refused))

st, c1, _ = sim.control("POST", "/calls", {"from": "+46701234567", "name": "Carol"})
n = sub.notification("call.added", lambda p: p["call"]["callId"] == c1["callId"], timeout=15)
ok(n is not None, "a call rung at the Core arrives through the user webhook",
   d.output()[-1500:])
ok(until(lambda: any(w["kind"] == "call" and w.get("callId") == c1["callId"]
                     for w in sim.state()["events"]["webhooks"]), 10),
   "and its call webhook is registered")


def answered():
    try:
        r = Rpc(d.sock)
        got = r.call("status")
        r.close()
        return "result" in got
    except (OSError, EOFError, ValueError):
        return False


ok(until(answered, 15, 0.2), "a new socket client is answered")
sim.control("POST", "/calls/%s/hangup" % c1["callId"])
ok(sub.notification("call.removed", timeout=15) is not None,
   "the subscriber from before keeps its notifications")

stop.set()
with lock:
    for s in trickling:
        s.close()
sub.close()
d.stop()
sim.stop()
bus.stop()
done()
