#!/usr/bin/env python3
"""test-daemon-tls.py: dstnyd verifies the Core's certificate: an unknown CA
is refused (offline, never ready), ca_file makes it work, event streams
carry calls over TLS (lib/hstream.c), insecure = true works and warns."""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Bus, Daemon, Rpc, Sim, done, eq, no_secrets, ok, tls_cert, until

tmp = tempfile.mkdtemp(prefix="dstnyd-tls-")
cert, key = tls_cert(tmp)
ok(os.path.exists(cert) and os.path.exists(key), "a certificate for the simulator")
bus = Bus()
sim = Sim("--tls-cert", cert, "--tls-key", key)
ok(sim.url.startswith("https://"), "the simulator serves HTTPS", sim.url)

d = Daemon(bus, sim, ready=False)
ok(not d.wait_notify("READY=1", 3), "an unknown CA: dstnyd never becomes ready")
ok(until(lambda: "certificate" in d.output(), 10), "and says why (the certificate)", d.output()[-1500:])
rpc = Rpc(d.sock)
eq(rpc.call("status")["result"]["users"][0]["state"], "offline", "User.State offline")
rpc.close()
eq(d.stop(), 0, "stops cleanly")

d = Daemon(bus, sim, core_extra="ca_file = %s\n" % cert)
rpc = Rpc(d.sock)
ok(rpc.call("status")["result"]["users"][0]["state"] in ("online", "degraded"),
   "with ca_file naming the Core's CA it works")
rpc.close()
eq(d.stop(), 0, "stops cleanly")

# SSE mode over TLS: the dialog stream tells of a new call, the call's own
# stream then carries its changes; both run on lib/hstream.c with OpenSSL.
d = Daemon(bus, sim, core_extra="ca_file = %s\n" % cert,
           extra="[events]\ntransport = sse\nkeepalive = 300\n")
rpc = Rpc(d.sock)
ok(rpc.call("subscribe", topics=["calls"]).get("result") is not None, "subscribed to calls")
st, c, _ = sim.control("POST", "/calls", {"from": "+46701234567", "name": "Carol Customer"})
ok(st == 200 and c.get("callId"), "a call rings at the simulator", (st, c))
n = rpc.notification("call.added", lambda p: p["call"]["callId"] == c["callId"])
ok(n is not None, "SSE over TLS: the new call arrives through the dialog stream")
sim.control("POST", "/calls/%s/answer" % c["callId"])
n = rpc.notification("call.changed", lambda p: p["call"]["callId"] == c["callId"] and
                     p["call"]["status"] == "ACTIVE")
ok(n is not None, "SSE over TLS: its answer arrives through the call's own stream")

# Subscribe, then fetch, over TLS: a Core that starts streams without the
# state and takes a call's stream late; the call is answered before that
# stream exists. Nothing but the fetch after subscribing can tell dstnyd.
sim.control("POST", "/faults", {"initialState": False, "streamDelayMs": 1500})
st, late, _ = sim.control("POST", "/calls", {"from": "+46701234568"})
ok(rpc.notification("call.added", lambda p: p["call"]["callId"] == late["callId"]) is not None and
   until(lambda: sim.control("GET", "/faults")[1]["streamsHeld"] > 0, 10) is not None,
   "TLS: dstnyd shows the call; its stream is not yet subscribed")
sim.control("POST", "/calls/%s/answer" % late["callId"])
n = rpc.notification("call.changed", lambda p: p["call"]["callId"] == late["callId"] and
                     p["call"]["status"] == "ACTIVE", timeout=10)
ok(n is not None, "TLS: subscribe, then fetch: the answer made before the subscription arrives")
sim.control("DELETE", "/faults")
rpc.close()
eq(d.stop(), 0, "stops cleanly")

d = Daemon(bus, sim, core_extra="insecure = true\n")
ok(d.wait_output("NOT verified", 10), "insecure = true works and warns at start",
   d.output())
clean, leaked = no_secrets(sim, d.output())
ok(clean, "no ticket token or password in the daemon's output", leaked)
eq(d.stop(), 0, "stops cleanly")
sim.stop()
bus.stop()
for f in (cert, key):
    os.unlink(f)
os.rmdir(tmp)
done()
