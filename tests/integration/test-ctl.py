#!/usr/bin/env python3
"""test-ctl.py: every dstnyctl subcommand against dstnyd and the simulator:
human and --json output, CALL resolution, errors and exit codes."""
import json
import os
import select
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Bus, Daemon, Monitor, Sim, build_path, done, eq, no_secrets, ok, spawn, until

bus = Bus()
sim = Sim()
mon = Monitor(bus)
d = Daemon(bus, sim)
U0 = "/org/dstnyd/Cti1/User/0"
if d.proc.poll() is None:
    mon.signal("PropertiesChanged", U0, timeout=5,
               data=lambda p: p[1].get("State", {}).get("data") == "online")
CTL = build_path("client", "dstnyctl")


def ctl(*args, env_extra=None):
    env = dict(os.environ, DSTNYD_SOCKET=d.sock)
    env.update(env_extra or {})
    r = subprocess.run([CTL] + list(args), capture_output=True, text=True, timeout=30, env=env)
    return r.returncode, r.stdout, r.stderr


def js(*args):
    rc, out, err = ctl("--json", *args)
    return rc, (json.loads(out) if out.strip() else None), err


rc, out, err = ctl("status")
ok(rc == 0 and "dstnyd 0.1.0" in out and "alice" in out and "online" in out, "status", out + err)
rc, st, _ = js("status")
ok(rc == 0 and st["users"][0]["userId"] == "alice", "status --json")
rc, out, _ = ctl("calls")
ok(rc == 0 and out.strip() == "no calls", "calls: none")
rc, out, err = ctl("answer")
ok(rc == 2 and "there is no call" in err, "answer with no call: exit 2 and a clear error", err)

st_, c1, _ = sim.control("POST", "/calls", {"from": "+46701234567", "name": "Carol Customer"})
until(lambda: c1["callId"] in ctl("calls")[1])
rc, out, _ = ctl("calls")
ok(rc == 0 and "CALL" in out.splitlines()[0] and c1["callId"] in out and "RINGING" in out and
   "Carol Customer" in out, "calls: aligned table", out)
rc, cl, _ = js("calls")
ok(rc == 0 and cl[0]["callId"] == c1["callId"], "calls --json")
rc, out, _ = ctl("show", c1["callId"][:5])
ok(rc == 0 and "status" in out and "RINGING" in out and "actions" in out and "ANSWER" in out,
   "show CALL by a unique prefix", out)
rc, sh, _ = js("show", c1["callId"])
ok(rc == 0 and sh["remoteParty"]["displayName"] == "Carol Customer", "show --json")
rc, out, _ = ctl("answer")
ok(rc == 0 and c1["callId"] in out and "ACTIVE" in out, "answer: the one ringing call", out)
rc, out, err = ctl("resume")
eq(rc, 12, "resume on an active call: exit 12 ActionNotAllowed")
ok("ActionNotAllowed" in err and err.count("\n") == 1, "one line on stderr", err)
for cmd, want in (("hold", "HELD"), ("resume", "ACTIVE"), ("mute", "ACTIVE"), ("unmute", "ACTIVE")):
    rc, out, _ = ctl(cmd)
    ok(rc == 0 and want in out, cmd, out)
rc, r, _ = js("dtmf", c1["callId"], "12#")
ok(rc == 0 and r["callId"] == c1["callId"], "dtmf")
rc, out, err = ctl("dtmf", c1["callId"], "12X")
eq(rc, 14, "dtmf with a bad digit: exit 14 InvalidArgument")
rc, r, _ = js("move", "alice-desk")
ok(rc == 0 and r["deviceIds"] == ["alice-desk"], "move DEVICE (the only call)")
rc, r, _ = js("record", c1["callId"], "start")
ok(rc == 0 and r["recording"] is True, "record start")
rc, r, _ = js("record", c1["callId"], "stop")
ok(rc == 0 and r["recording"] is False, "record stop")
rc, r, _ = js("consult", c1["callId"], "tel:+4670999")
ok(rc == 0 and r["status"] == "INITIATED", "consult")
c2 = r["callId"] if r else ""
rc, out, err = ctl("hangup")
ok(rc == 2 and "several calls" in err and c1["callId"] in err and c2 in err,
   "a command without CALL when there are two: the candidates are listed", err)
rc, out, _ = ctl("hangup", c2)
ok(rc == 0, "hangup CALL", out)
rc, out, _ = ctl("transfer", c1["callId"], "tel:+4670888", "--blind")
ok(rc == 0 and "TERMINATED" in out, "transfer --blind", out)
rc, out, err = ctl("show", "nope")
eq(rc, 13, "show of an unknown call: exit 13 NotFound")

rc, r, _ = js("dial", "tel:+4631300000", "--device", "alice-desk")
ok(rc == 0 and r["status"] == "INITIATED", "dial --device")
c3 = r["callId"] if r else ""
# dial takes what a browser hands the tel:/callto:/sip: handler (RFC 3966).
rc, r, _ = js("dial", "callto://+46%2031-300%20002")
ok(rc == 0 and "4631300002" in str(r.get("remoteParty")), "dial callto:// with %-encoding and separators", r)
if r:
    sim.control("POST", "/calls/%s/hangup" % r["callId"])
rc, out, err = ctl("dial", "javascript:alert(1)")
ok(rc == 2 and err.count("\n") == 1 and "cannot dial" in err and "not a tel:" in err,
   "dial refuses garbage with one clear line", err)
sim.control("POST", "/calls/%s/answer" % c3)
until(lambda: js("show", c3)[1]["status"] == "ACTIVE")
rc, out, _ = ctl("park", c3)
ok(rc == 0 and "TERMINATED" in out, "park", out)

rc, out, _ = ctl("devices")
ok(rc == 0 and "alice-desk" in out and "DEVICE" in out, "devices", out)
rc, r, _ = js("devices")
ok(rc == 0 and any(x["deviceId"] == "alice-mobile" for x in r), "devices --json")
rc, out, _ = ctl("queues")
ok(rc == 0 and "customer_acd" in out and "LOGGED-IN" in out and "WAITING" in out, "queues", out)
rc, out, _ = ctl("queue", "login", "5")
ok(rc == 0 and js("queues")[1][1]["loggedIn"] is True, "queue login", out)
rc, out, _ = ctl("queue", "logout", "5")
ok(rc == 0 and not [q for q in js("queues")[1] if q["id"] == 5][0]["loggedIn"], "queue logout")
rc, out, _ = ctl("linestate", "set", "teams-9", "+600")
ok(rc == 0 and sim.state()["users"][0]["lineStates"][0]["externalId"] == "teams-9", "linestate set", out)
rc, out, _ = ctl("linestate", "clear", "teams-9")
ok(rc == 0 and sim.state()["users"][0]["lineStates"] == [], "linestate clear")
rc, out, _ = ctl("resync")
ok(rc == 0, "resync", out)
rc, out, _ = ctl("-u", "nobody", "calls")
eq(rc, 13, "an unknown user: exit 13")

# watch, human and JSON
env = dict(os.environ, DSTNYD_SOCKET=d.sock)
w = spawn([CTL, "watch"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
wj = spawn([CTL, "--json", "watch"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
           env=env)


def line_of(pipe, timeout=10):
    """The pipe's next line, or "" if none comes within timeout seconds."""
    return pipe.readline() if select.select([pipe], [], [], timeout)[0] else ""


said = line_of(w.stderr), line_of(wj.stderr)
ok(all(s.startswith("dstnyctl: watching") for s in said),
   "watch says on stderr once it is subscribed", said)
st_, c4, _ = sim.control("POST", "/calls", {"from": "+4670777", "name": "Watcher"})
line = line_of(w.stdout)
ok("call.added" in line and c4["callId"] in line and "Watcher" in line, "watch prints events", line)
line = line_of(wj.stdout)
m = json.loads(line) if line else {}
ok(m.get("method") == "call.added" and m["params"]["call"]["callId"] == c4["callId"],
   "watch --json prints the raw notifications", m)
w.terminate()
wj.terminate()
w.wait()
wj.wait()
ctl("hangup", c4["callId"])

# A hostile display name reaches no terminal as control characters.
evil = "Eve\x1b[2J\x1b]0;pwned\x07\u009b31m\x7f"
st_, ce, _ = sim.control("POST", "/calls", {"from": "+4670666", "name": evil})
until(lambda: ce["callId"] in ctl("calls")[1])
outs = [ctl("calls")[1], ctl("show", ce["callId"])[1]]
ok(all("Eve" in o and not any(ch in o for ch in "\x1b\x07\x7f\u009b") for o in outs),
   "calls and show: a name's control characters (C0, DEL, C1) are shown as '?'", outs)
rc, sh, _ = js("show", ce["callId"])
eq(sh["remoteParty"]["displayName"], evil, "--json keeps the name as it is (JSON escapes it)")
ctl("hangup", ce["callId"])

# doctor
rc, out, _ = ctl("doctor", "-c", d.conf)
lines = out.splitlines()
ok(rc == 0 and all(l.startswith("ok") for l in lines) and len(lines) >= 6 and
   any("Core reachable" in l for l in lines) and any("events flowing" in l for l in lines),
   "doctor: one line per check, all ok", out)
os.chmod(os.path.join(d.dir, "password"), 0o644)
rc, out, _ = ctl("doctor", "-c", d.conf)
ok(rc == 1 and any(l.startswith("FAIL") and "chmod 600" in l for l in out.splitlines()),
   "doctor: a readable password file is a FAIL with a hint", out)
os.chmod(os.path.join(d.dir, "password"), 0o600)

# errors without a daemon, and usage
rc, out, err = ctl("status", env_extra={"DSTNYD_SOCKET": "/nonexistent/sock"})
ok(rc == 3 and "not running" in err, "no daemon: exit 3", err)
rc, out, err = ctl("frobnicate")
eq(rc, 2, "an unknown command: exit 2")
rc, out, err = ctl("dtmf", "onlyone")
eq(rc, 2, "missing arguments: exit 2")
eq(d.stop(), 0, "daemon stops cleanly")
clean, leaked = no_secrets(sim, d.output())
ok(clean, "no ticket token or password in the daemon's output", leaked)
mon.stop()
sim.stop()
bus.stop()
done()
