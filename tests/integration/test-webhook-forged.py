#!/usr/bin/env python3
"""test-webhook-forged.py: forged webhooks with a known targetId cost the
Core a bounded number of fetches, and the listener's secrets stay out of
the log (issue 16, item 6).

Whoever learns a targetId can POST to it as fast as they like; each hint
may start a fetch over dstnyd's authenticated connection. Hints for one
user, and for one call, coalesce: one fetch in flight, one pending,
whatever arrives (doc/daemon.md). With a Core that takes RTT to answer,
the count of GETs must stay within one per RTT of the time the flood took
(plus the one in flight and the one pending), and the daemon must still
converge on the Core's state."""
import http.client
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Bus, Daemon, Rpc, Sim, done, eq, free_port, ok, until

RTT = 0.2               # the Core's answer time for the fetches (the slow fault)

bus = Bus()
sim = Sim()
port = free_port()
HOOKS = "http://127.0.0.1:%d" % port
d = Daemon(bus, sim, extra="[events]\nlisten = 127.0.0.1:%d\npublic_url = %s/\n"
           % (port, HOOKS))
rpc = Rpc(d.sock)
rpc.call("subscribe", topics=["calls"])
hooks = until(lambda: [h for h in sim.state()["events"]["webhooks"] if h["kind"] == "user"])
user_hook = hooks[0]["targetId"]
st, c1, _ = sim.control("POST", "/calls", {"from": "+46701234567", "name": "Carol"})
ok(rpc.notification("call.added") is not None, "a call is known")
call_hook = until(lambda: next((h["targetId"] for h in sim.state()["events"]["webhooks"]
                                if h["kind"] == "call"), None))


def count(route):
    return [r["route"] for r in sim.requests()].count(route)


def flood(target, bodies, gap=0.0):
    """POST each body on one keep-alive connection; the seconds it took."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    t0 = time.monotonic()
    for b in bodies:
        conn.request("POST", "/hooks/" + target, b, {"Content-Type": "application/json"})
        r = conn.getresponse()
        r.read()
        if gap:
            time.sleep(gap)      # the attacker's pace, not a synchronisation
    conn.close()
    return time.monotonic() - t0


def settled(route):
    """The count of route once two looks a spacing apart agree."""
    last = [-1]

    def same():
        n = count(route)
        if n == last[0]:
            return True
        last[0] = n
        return False
    until(same, 10, RTT * 2)
    return last[0]


# 300 forged POSTs as fast as one client sends them.
sim.control("POST", "/faults", {"slow": {"route": "state.user", "ms": int(RTT * 1000)}})
sim.control("DELETE", "/requests")
took = flood(user_hook, ["{}"] * 300)
n = settled("state.user")
bound = 2 + int(took / RTT) + 1
ok(1 <= n <= bound, "300 forged POSTs in %.2f s: %d state.user GETs (at most %d)"
   % (took, n, bound))
print("# figures: 300 fast forged POSTs took %.2f s and caused %d state.user" % (took, n))

# The same spread over time: one every 20 ms.
sim.control("DELETE", "/requests")
took = flood(user_hook, ["{}"] * 60, gap=0.02)
n = settled("state.user")
bound = 2 + int(took / RTT) + 1
ok(1 <= n <= bound, "60 forged POSTs over %.2f s: %d state.user GETs (at most %d)"
   % (took, n, bound))
print("# figures: 60 forged POSTs over %.2f s caused %d state.user" % (took, n))

# A forged user body naming 1,000 calls: only the call we know may be fetched.
sim.control("DELETE", "/requests")
body = json.dumps({"calls": [{"callId": c1["callId"] if i % 2 else "forged-%d" % i,
                              "stateToken": i + 1} for i in range(1000)]})
flood(user_hook, [body])
settled("state.call")
ok(count("state.call") <= 2, "1,000 calls named in one body: %d state.call (at most 2)"
   % count("state.call"))
ok(not any("forged" in r.get("path", "") for r in sim.requests()),
   "no fetch for a call dstnyd does not know")

# Call hints: per call, one in flight and one pending likewise.
sim.control("POST", "/faults", {"slow": {"route": "state.call", "ms": int(RTT * 1000)}})
sim.control("DELETE", "/requests")
took = flood(call_hook, [str(i) for i in range(300)])
n = settled("state.call")
bound = 2 + int(took / RTT) + 1
ok(1 <= n <= bound, "300 forged call hints in %.2f s: %d state.call (at most %d)"
   % (took, n, bound))
print("# figures: 300 fast forged call hints took %.2f s and caused %d state.call" % (took, n))
sim.control("DELETE", "/faults")

# The daemon still converges: a change at the Core arrives.
sim.control("POST", "/calls/%s/answer" % c1["callId"])
n = rpc.notification("call.changed", lambda p: p["call"]["status"] == "ACTIVE")
ok(n is not None, "after the flood a real change still arrives")
st, c2, _ = sim.control("POST", "/calls", {"from": "+4670999", "name": "Dave"})
ok(rpc.notification("call.added", lambda p: p["call"]["callId"] == c2["callId"]) is not None,
   "and a new call too")

# No targetId and no hook URL in the log, debug included.
d.stop()
out = d.output()
ids = [h["targetId"] for h in sim.state()["events"]["webhooks"]] + [user_hook, call_hook]
ok(" webhook " in out and not [i for i in ids if i in out] and "/hooks/" + user_hook not in out,
   "no targetId in dstnyd -d's output (%d lines)" % len(out.splitlines()),
   [line for line in out.splitlines() if any(i in line for i in ids)][:5])
rpc.close()

# A public_url in plain http on a host other than loopback: a warning at start.
d = Daemon(bus, sim, extra="[events]\nlisten = 127.0.0.1:%d\npublic_url = http://ws7.example.com:%d/\n"
           % (port, port), ready=False)
ok(until(lambda: "public_url" in d.output() and "http://" in d.output()
         and "not encrypted" in d.output(), 10), "plain http public_url: a warning",
   d.output()[-2000:])
d.stop()
sim.stop()
bus.stop()
done()
