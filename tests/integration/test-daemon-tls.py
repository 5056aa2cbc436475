#!/usr/bin/env python3
"""test-daemon-tls.py: dstnyd verifies the Core's certificate: an unknown CA
is refused (offline, never ready), ca_file makes it work, insecure = true
works and warns."""
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Bus, Daemon, Rpc, Sim, done, eq, no_secrets, ok

tmp = tempfile.mkdtemp(prefix="dstnyd-tls-")
cert, key = os.path.join(tmp, "core.pem"), os.path.join(tmp, "core.key")
r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", cert], capture_output=True, timeout=60)
ok(r.returncode == 0, "a certificate for the simulator")
bus = Bus()
sim = Sim("--tls-cert", cert, "--tls-key", key)
ok(sim.url.startswith("https://"), "the simulator serves HTTPS", sim.url)

d = Daemon(bus, sim, ready=False)
ok(not d.wait_notify("READY=1", 3), "an unknown CA: dstnyd never becomes ready")
deadline = time.monotonic() + 10
while time.monotonic() < deadline and "certificate" not in d.output():
    time.sleep(0.05)
ok("certificate" in d.output(), "and says why (the certificate)", d.output()[-1500:])
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

d = Daemon(bus, sim, core_extra="insecure = true\n")
ok("NOT verified" in d.output(), "insecure = true works and warns at start")
clean, leaked = no_secrets(sim, d.output())
ok(clean, "no ticket token or password in the daemon's output", leaked)
eq(d.stop(), 0, "stops cleanly")
sim.stop()
bus.stop()
for f in (cert, key):
    os.unlink(f)
os.rmdir(tmp)
done()
