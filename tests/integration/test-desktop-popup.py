#!/usr/bin/env python3
"""test-desktop-popup.py: [popup] rules fire a recorded program with the
right argv, for the right events and filters, once per call and event;
url placeholders are percent-encoded; a hostile caller name is one inert
argument; a notification's default action fires the call's rules."""
import json
import os
import shutil
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from harness import Bus, Daemon, Sim, bail, done, eq, ok, until   # noqa: E402
from deskharness import Desktop, Fake                             # noqa: E402

rec = tempfile.mkdtemp(prefix="dstny-popup-rec-")
bindir = tempfile.mkdtemp(prefix="dstny-popup-bin-")
recorder = os.path.join(os.environ.get("TEST_SRCDIR", "."), "tests",
                        "integration", "record-argv")
# xdg-open, as posix_spawnp finds it first in PATH, is the recorder too.
shutil.copy(recorder, os.path.join(bindir, "xdg-open"))

conf = """
[notify]
incoming = yes
[popup "crm"]
on = ringing
url = https://crm.example.com/search?phone={number}&name={name}&call={callId}
direction = inbound
[popup "log"]
on = ringing answered ended
exec = %(r)s log {number} {name} {callId} {queue} {direction} {user} x{number}y
[popup "support"]
on = answered
exec = %(r)s support {queue} {name} {callId}
queue = support_acd
[popup "sweden"]
on = ended
exec = %(r)s sweden {number} {callId}
number_prefix = +46
[popup "out"]
on = ringing
exec = %(r)s out {number} {callId}
direction = outbound
""" % {"r": recorder}

bus = Bus()
sim = Sim()
fake = Fake(bus, "notify")
daemon = Daemon(bus, sim)
desk = Desktop(bus, conf, env_extra={
    "RECORD_DIR": rec, "PATH": bindir + os.pathsep + os.environ["PATH"]})
if not desk.wait_log("following 1 user"):
    bail("dstny-desktop did not start: " + desk.output()[-2000:])


def records():
    out = []
    for f in sorted(os.listdir(rec)):
        if f.endswith(".json"):
            with open(os.path.join(rec, f)) as fp:
                out.append(json.load(fp)["argv"])
    return out


def fired(rule, call_id):
    """argv of each run of rule for call_id, oldest first."""
    got = []
    for a in records():
        prog = os.path.basename(a[0])
        if prog == "xdg-open" and rule == "crm":
            if urllib.parse.quote(call_id, safe="") in a[1]:
                got.append(a)
        elif len(a) > 1 and a[1] == rule and call_id in a:
            got.append(a)
    return got


def wait_fired(rule, call_id, n):
    return until(lambda: len(fired(rule, call_id)) >= n, 10)


def ring(number, name, **extra):
    st, c, _ = sim.control("POST", "/calls", dict(extra, **{"from": number, "name": name}))
    if st != 200:
        bail("ring: %s %s" % (st, c))
    return c["callId"]


# 1. A call through the support queue: each rule for its events, once.
a = ring("+46 70-123 45 67", "Anna & Co", queue="support_acd")
ok(wait_fired("crm", a, 1), "ringing: the url rule opens the URL")
ok(wait_fired("log", a, 1), "ringing: the exec rule runs")
url = fired("crm", a)[0][1] if fired("crm", a) else ""
eq(url, "https://crm.example.com/search?phone=%2B46%2070-123%2045%2067&name=Anna%20%26%20Co&call=" + a,
   "url: each placeholder percent-encoded")
log = fired("log", a)[0] if fired("log", a) else []
eq(log[1:], ["log", "+46 70-123 45 67", "Anna & Co", a, "support_acd", "inbound", "alice",
             "x+46 70-123 45 67y"], "exec: one argv element per placeholder, split before substitution")
sim.control("POST", "/calls/%s/answer" % a)
ok(wait_fired("support", a, 1), "answered: the rule filtered on queue = support_acd runs")
eq(fired("support", a)[0][2:] if fired("support", a) else None, ["support_acd", "Anna & Co", a],
   "its argv")
ok(wait_fired("log", a, 2), "answered: the exec rule again")
sim.control("POST", "/calls/%s/hold" % a)
sim.control("POST", "/calls/%s/resume" % a)
sim.control("POST", "/calls/%s/hangup" % a)
ok(wait_fired("sweden", a, 1), "ended: the number_prefix = +46 rule runs")
ok(wait_fired("log", a, 3), "ended: the exec rule a third time")
eq([len(fired(r, a)) for r in ("crm", "log", "support", "sweden", "out")], [1, 3, 1, 1, 0],
   "once per call and event, only the rules that match")

# 2. Another number, no queue: the filters say no.
b = ring("+4420 7946 0000", "Bob")
ok(wait_fired("crm", b, 1), "second call rings: crm")
sim.control("POST", "/calls/%s/answer" % b)
ok(wait_fired("log", b, 2), "second call answered")
sim.control("POST", "/calls/%s/hangup" % b)
ok(wait_fired("log", b, 3), "second call ended")
eq([len(fired(r, b)) for r in ("crm", "log", "support", "sweden")], [1, 3, 0, 0],
   "no queue: not the support rule; +44: not the sweden rule")

# 3. An outbound call: the outbound rule, not the inbound-only one.
users = bus.get("/org/dstnyd/Cti1", "org.dstnyd.Cti1.Manager", "Users")
okc, out = bus.call(users[0], "org.dstnyd.Cti1.User.MakeCall", "+4631300000", "{}")
ok(okc, "MakeCall", out)
st = until(lambda: [c for c in sim.state()["users"][0]["calls"] if not c["inbound"]])
o = st[0]["callId"] if st else "none"
ok(wait_fired("out", o, 1), "outbound call: the direction = outbound rule runs")
ok(wait_fired("log", o, 1), "outbound call: the any-direction rule runs")
eq(len(fired("crm", o)), 0, "outbound call: not the inbound-only rule")
eq(fired("log", o)[0][6] if fired("log", o) else None, "outbound", "{direction} is outbound")
sim.control("POST", "/calls/%s/hangup" % o)

# 4. A hostile caller name: quotes, $(...), backquotes, ;, |, a newline,
# 64 KiB in all: one argument, as it was, and nothing of it runs.
evil = "Eve \"q\" 'q' $(touch PWNED1) `touch PWNED2`; touch PWNED3 | cat\nline2\t"
evil += "x" * (65536 - len(evil))
h = ring("+46709999999", evil)
ok(wait_fired("log", h, 1), "hostile name: the exec rule runs")
got = fired("log", h)[0] if fired("log", h) else []
ok(len(got) == 9 and got[3] == evil, "hostile name: one argument, byte for byte",
   "argc %d" % len(got))
ok(not any(os.path.exists(os.path.join(d, "PWNED%d" % i)) for d in (rec, bindir, "/tmp", os.getcwd())
           for i in (1, 2, 3)), "hostile name: nothing of it ran")
sim.control("POST", "/calls/%s/hangup" % h)

# 5. The notification's default action fires the call's rules again.
d = ring("+46701111111", "Dora")
n = fake.notify(summary="Dora")
ok(wait_fired("log", d, 1) and wait_fired("crm", d, 1), "Dora rings: the rules fire")
fake.send("action %d default" % (n or {"id": 0})["id"])
ok(wait_fired("log", d, 2) and wait_fired("crm", d, 2), "default action: the call's rules run")
eq(len(fired("out", d)) + len(fired("support", d)), 0, "default action: only the rules that match")
sim.control("POST", "/calls/%s/hangup" % d)
ok(wait_fired("sweden", d, 1), "Dora ended")

# 6. Configuration errors name the file, line and key.
bad = os.path.join(rec, "bad.conf")
for text, want in (
        ("[popup \"x\"]\non = ringing\nexec = /bin/true\ncolour = red\n", ":4: [popup \"x\"] colour: unknown key"),
        ("[notify]\nincoming = yes\n[screen]\n", ":3: unknown section [screen]"),
        ("[popup \"x\"]\non = ringing\nexec = {name} x\n", ":3: [popup \"x\"] exec"),
        ("[popup \"x\"]\non = ringing\nurl = https://x/{nope}\n", ":3: [popup \"x\"] url: unknown placeholder"),
        ("[popup \"x\"]\non = ringing\n", ":1: [popup \"x\"]: give url or exec")):
    with open(bad, "w") as f:
        f.write(text)
    import subprocess
    r = subprocess.run([os.path.join(os.environ["TEST_BUILDDIR"], "desktop", "dstny-desktop"),
                        "--check-config", "-c", bad], capture_output=True, text=True, timeout=10)
    ok(r.returncode == 1 and (bad + want) in r.stderr, "config error: " + want, r.stderr)

eq(desk.stop(), 0, "dstny-desktop exits 0")
daemon.stop()
fake.stop()
sim.stop()
bus.stop()
shutil.rmtree(rec, ignore_errors=True)
shutil.rmtree(bindir, ignore_errors=True)
done()
