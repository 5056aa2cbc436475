#!/usr/bin/env python3
"""test-queues.py: distribution groups as Queue objects: appearing and
disappearing, live statistics, login/logout, the statistics stream lost
and polled, and line state through the socket."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Bus, Daemon, Monitor, Rpc, Sim, done, eq, no_secrets, ok

ROOT = "/org/dstnyd/Cti1"
USER = "org.dstnyd.Cti1.User"
QUEUE = "org.dstnyd.Cti1.Queue"
U0 = ROOT + "/User/0"

bus = Bus()
sim = Sim()
mon = Monitor(bus)
d = Daemon(bus, sim)
if bus.get(U0, USER, "State") != "online":
    mon.signal("PropertiesChanged", U0, data=lambda p: p[1].get("State", {}).get("data") == "online")
queues = bus.get(U0, USER, "Queues")
eq(len(queues or []), 2, "User.Queues: one Queue object per group")
by_id = {bus.get(q, QUEUE, "Id"): q for q in queues or []}
Q35, Q5 = by_id.get(35), by_id.get(5)
ok(Q35 is not None and Q5 is not None, "queues 35 and 5", by_id)
eq(bus.get(Q35, QUEUE, "Name"), "customer_acd", "Queue.Name")
eq(bus.get(Q35, QUEUE, "Type"), "ACD", "Queue.Type")
eq(bus.get(Q35, QUEUE, "Domain"), "example.com", "Queue.Domain")
eq(bus.get(Q35, QUEUE, "LoggedIn"), True, "Queue.LoggedIn")
eq(bus.get(Q35, QUEUE, "NightMode"), False, "Queue.NightMode")
eq(bus.get(Q35, QUEUE, "LoggedInAgents"), 4, "Queue.LoggedInAgents")
eq(bus.get(Q35, QUEUE, "FreeAgents"), 3, "Queue.FreeAgents")
eq(bus.get(Q5, QUEUE, "LoggedIn"), False, "the other queue: not logged in")
rpc = Rpc(d.sock)
r = rpc.call("queues.list")
ok(sorted(q["id"] for q in r["result"]) == [5, 35] and all(q["path"] in queues for q in r["result"]),
   "socket: queues.list", r)
rpc.call("subscribe", topics=["queues"])

# Live statistics: one PropertiesChanged per queue per update.
mon.drain()
sim.control("POST", "/queues/35", {"callsWaiting": 5, "longestWaiting": 42, "totalLast24h": 17})
sig = mon.signal("PropertiesChanged", Q35)
ok(sig is not None and {"CallsWaiting", "LongestWaiting", "TotalLast24h"} <= set(sig["payload"]["data"][1]),
   "statistics: one PropertiesChanged with every changed property", sig and list(sig["payload"]["data"][1]))
eq(bus.get(Q35, QUEUE, "CallsWaiting"), 5, "Queue.CallsWaiting")
eq(bus.get(Q35, QUEUE, "LongestWaiting"), 42, "Queue.LongestWaiting")
n = rpc.notification("queue.changed", lambda p: p["queue"]["id"] == 35 and p["queue"]["callsWaiting"] == 5)
ok(n is not None, "socket: queue.changed", n)

# Login and logout, D-Bus and socket.
ok_, out = bus.call(Q5, QUEUE + ".Login", "{}")
ok(ok_ and bus.get(Q5, QUEUE, "LoggedIn") is True, "Queue.Login", out)
eq(bus.get(Q5, QUEUE, "LoggedInAgents"), 2, "the login answer updates the counters")
ok(any(r["route"] == "groups.login" for r in sim.requests()), "groups.login reached the Core")
r = rpc.call("queue.logout", queue=5)
ok("result" in r and bus.get(Q5, QUEUE, "LoggedIn") is False, "socket: queue.logout", r)
r = rpc.call("queue.login", queue=999)
eq(r.get("error", {}).get("code"), 3, "socket: an unknown queue is NotFound")
r = rpc.call("queue.login")
eq(r.get("error", {}).get("code"), -32602, "socket: queue.login without a queue: -32602")

# Queues appear and disappear.
mon.drain()
sim.control("POST", "/queues/77", {"create": True, "name": "overflow", "callsWaiting": 1})
sig = mon.signal("InterfacesAdded", ROOT, data=lambda p: p[0].startswith(ROOT + "/Queue/"))
ok(sig is not None, "a new group appears as a Queue object")
Q77 = sig["payload"]["data"][0] if sig else "/"
eq(bus.get(Q77, QUEUE, "Name"), "overflow", "with its name")
ok(Q77 in (bus.get(U0, USER, "Queues") or []), "and in User.Queues")
sim.control("DELETE", "/queues/77?user=alice")
bus.call(U0, USER + ".Resync")
ok(mon.signal("InterfacesRemoved", ROOT, data=lambda p: p[0] == Q77) is not None,
   "a group the user left disappears")

# The statistics stream lost: degraded, groups.list polled; then back.
mon.drain()
sim.control("POST", "/faults", {"fail": {"count": 1000, "status": 503, "route": "queues.sse"}})
sim.control("POST", "/streams/drop")
ok(mon.signal("PropertiesChanged", U0, timeout=10,
              data=lambda p: p[1].get("State", {}).get("data") == "degraded") is not None,
   "statistics stream lost: User.State degraded")
sim.control("DELETE", "/requests")
sim.control("POST", "/queues/35", {"callsWaiting": 9})
sig = mon.signal("PropertiesChanged", Q35, timeout=15,
                 data=lambda p: p[1].get("CallsWaiting", {}).get("data") == 9)
ok(sig is not None and any(r["route"] == "groups.list" for r in sim.requests()),
   "meanwhile groups.list is polled and the queue still follows")
sim.control("DELETE", "/faults")
ok(mon.signal("PropertiesChanged", U0, timeout=30,
              data=lambda p: p[1].get("State", {}).get("data") == "online") is not None,
   "the stream reconnects: online again")
sim.control("POST", "/queues/35", {"callsWaiting": 0})
ok(mon.signal("PropertiesChanged", Q35, timeout=5,
              data=lambda p: p[1].get("CallsWaiting", {}).get("data") == 0) is not None,
   "and statistics flow again")

# Line state through the socket.
r = rpc.call("linestate.set", externalId="teams-7", expiresOn=2000000000)
ok("result" in r and sim.state()["users"][0]["lineStates"] ==
   [{"externalId": "teams-7", "expiresOn": "2033-05-18T03:33:20Z"}], "socket: linestate.set", r)
r = rpc.call("linestate.clear", externalId="teams-7")
ok("result" in r and sim.state()["users"][0]["lineStates"] == [], "socket: linestate.clear")
r = rpc.call("linestate.set", externalId="teams-7")
eq(r.get("error", {}).get("code"), -32602, "socket: linestate.set without expiresOn: -32602")

eq(d.stop(), 0, "SIGTERM: exit 0")
rpc.close()
clean, leaked = no_secrets(sim, d.output())
ok(clean, "no ticket token or password in the daemon's output", leaked)
mon.stop()
sim.stop()
bus.stop()
done()
