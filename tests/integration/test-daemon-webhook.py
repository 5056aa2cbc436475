#!/usr/bin/env python3
"""test-daemon-webhook.py: dstnyd's webhook transport against dstny-coresim:
registrations and renewal, the listener's checks, hints that are never
state, and deletion on shutdown."""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Bus, Daemon, Monitor, Rpc, Sim, done, eq, free_port, no_secrets, ok, request, until

ROOT = "/org/dstnyd/Cti1"
USER = "org.dstnyd.Cti1.User"
CALL = "org.dstnyd.Cti1.Call"
U0 = ROOT + "/User/0"

bus = Bus()
sim = Sim()
sim.control("POST", "/webhooks/lifetime", {"seconds": 2})
port = free_port()
HOOKS = "http://127.0.0.1:%d" % port
mon = Monitor(bus)
d = Daemon(bus, sim, extra="[events]\nlisten = 127.0.0.1:%d\npublic_url = %s/\nkeepalive = 30\n"
           % (port, HOOKS))
eq(bus.get(U0, USER, "Transport"), "webhook", "transport auto with public_url is webhook")
if bus.get(U0, USER, "State") != "online":
    mon.signal("PropertiesChanged", U0, data=lambda p: p[1].get("State", {}).get("data") == "online")
eq(bus.get(U0, USER, "State"), "online", "online once the user webhook is registered")
hooks = sim.state()["events"]["webhooks"]
kinds = sorted(h["kind"] for h in hooks)
ok(kinds == ["device", "user"], "user and device webhooks registered", hooks)
ok(all(re.fullmatch(r"[0-9a-f]{32}", h["targetId"]) and
       h["targetUrl"] == "%s/hooks/%s" % (HOOKS, h["targetId"]) for h in hooks),
   "targetUrl is public_url/hooks/<128-bit hex targetId>", hooks)
ok(len({h["targetId"] for h in hooks}) == 2, "a fresh targetId per target")
user_hook = [h for h in hooks if h["kind"] == "user"][0]["targetId"]

# Renewal before expiresOn (2 s here) runs out.
renewed = until(lambda: [r["route"] for r in sim.requests()].count("devices.webhook") >= 2,
                8, 0.1)
ok(renewed, "registrations are renewed before they lapse")
sim.control("POST", "/webhooks/lifetime", {"seconds": 3600})

rpc = Rpc(d.sock)
rpc.call("subscribe", topics=["calls"])
st, c1, _ = sim.control("POST", "/calls", {"from": "+46701234567", "name": "Carol"})
n = rpc.notification("call.added")
ok(n is not None and n["call"]["callId"] == c1["callId"], "an inbound call arrives through the user webhook")
call_hook = until(lambda: next((h["targetId"] for h in sim.state()["events"]["webhooks"]
                                if h["kind"] == "call" and h["callId"] == c1["callId"]), None))
ok(call_hook is not None, "a call webhook is registered for the live call")
r = rpc.call("call.answer", call=c1["callId"])
ok(r.get("result", {}).get("status") == "ACTIVE", "answer through the socket", r)

# The listener: only POST /hooks/<known targetId>; hints are not state.
eq(request("POST", HOOKS + "/hooks/00000000000000000000000000000000", "{}")[0], 404,
   "an unknown targetId: 404")
eq(request("POST", HOOKS + "/elsewhere", "{}")[0], 404, "another path: 404")
eq(request("GET", HOOKS + "/hooks/" + user_hook)[0], 405, "not POST: 405")
eq(request("POST", HOOKS + "/hooks/" + user_hook, "x" * (70 * 1024))[0], 413,
   "a body over 64 KiB: 413")
sim.control("DELETE", "/requests")
st, _, _ = request("POST", HOOKS + "/hooks/" + user_hook,
                   {"fullState": True, "calls": [{"callId": "forged", "stateToken": 1,
                                                  "status": "RINGING"}]})
eq(st, 204, "a forged body on a known target: 204")
ok(until(lambda: any(r["route"] == "state.user" for r in sim.requests())),
   "the daemon asks the Core instead")
r = rpc.call("calls.list")
ok([c["callId"] for c in r["result"]] == [c1["callId"]], "and the forged call never appears", r)
token = rpc.call("call.get", call=c1["callId"])["result"]["stateToken"]
sim.control("DELETE", "/requests")
request("POST", HOOKS + "/hooks/" + call_hook, {"stateToken": token})
request("POST", HOOKS + "/hooks/" + call_hook, str(token + 1))
until(lambda: any(r["route"] == "state.call" for r in sim.requests()))
routes = [r["route"] for r in sim.requests()]
eq(routes.count("state.call"), 1, "the same token costs nothing; another token one fetch")

sim.control("POST", "/calls/%s/hangup" % c1["callId"])
n = rpc.notification("call.removed")
ok(n is not None and n["reason"] == "ended", "a remote hangup is removed (ended)", n)

# At most 256 connections, counted from accept; the 257th is served and
# the oldest makes room (all have completed a request, so the oldest of them).
import socket as sk
conns, statuses = [], []
for i in range(257):
    c = sk.create_connection(("127.0.0.1", port), timeout=10)
    c.sendall(("POST /hooks/%s HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"
               % user_hook).encode())
    statuses.append(c.recv(4096).split(b" ")[1])
    conns.append(c)
ok(statuses == [b"204"] * 257, "a 257th connection is served, not turned away",
   [s for s in statuses if s != b"204"][:5])
conns[0].settimeout(10)
try:
    first_closed = conns[0].recv(4096) == b""
except OSError:
    first_closed = True
ok(first_closed, "the oldest connection made room for it")
for c in conns:
    c.close()
eq(request("POST", HOOKS + "/hooks/00", "{}")[0], 404, "and serves again once they close")

rc = d.stop()
eq(rc, 0, "SIGTERM: exit 0")
eq(sim.state()["events"]["webhooks"], [], "webhooks deleted on shutdown")
rpc.close()
clean, leaked = no_secrets(sim, d.output())
ok(clean, "no ticket token or password in the daemon's output", leaked)
mon.stop()
sim.stop()
bus.stop()
done()
