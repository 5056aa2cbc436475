#!/usr/bin/env python3
"""test-owner.py: on the socket, only a user's owner and root control its
calls; whoever may connect reads (issue 16, item 2; interfaces.md 3).

The socket lives in a directory anyone may enter, with mode 0666, so that
a client of another uid (setpriv --reuid, nobody) reaches it at all. The
D-Bus side is in test-bus-policy.py, which has a system bus."""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Daemon, Rpc, Sim, build_path, done, eq, ok, spawn, until

NOBODY, OTHER = 65534, 4242
if not shutil.which("setpriv") or os.getuid() != 0:
    print("1..0 # SKIP needs root and setpriv")
    sys.exit(0)

FORBIDDEN = (6, "org.dstnyd.Cti1.Error.Forbidden")


def as_uid(uid, path, lines):
    """Send request lines as uid; the answers, parsed, one per line."""
    script = ("import socket,sys\n"
              "s=socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(sys.argv[1])\n"
              "s.sendall(sys.stdin.buffer.read()); buf=b''\n"
              "while buf.count(b'\\n') < int(sys.argv[2]):\n"
              "    d=s.recv(65536)\n"
              "    if not d: break\n"
              "    buf+=d\n"
              "sys.stdout.buffer.write(buf)\n")
    reqs = [json.dumps(dict(jsonrpc="2.0", id=i, method=m, params=p))
            for i, (m, p) in enumerate(lines)]
    r = subprocess.run(["setpriv", "--reuid=%d" % uid, "--regid=%d" % uid,
                        "--clear-groups", sys.executable, "-c", script, path,
                        str(len(reqs))], input=("\n".join(reqs) + "\n").encode(),
                       capture_output=True, timeout=20)
    return [json.loads(x) for x in r.stdout.decode().splitlines()] or [r.stderr.decode()]


def code(reply):
    e = reply.get("error") if isinstance(reply, dict) else None
    return None if e is None else (e.get("code"), (e.get("data") or {}).get("name"))


def open_socket(d):
    # Another uid must reach the socket: the harness's directory is 0700.
    os.chmod(d.dir, 0o755)
    os.chmod(d.sock, 0o666)


class NoBus:
    address = ""


sim = Sim()
sock_extra = "mode = 0666\n[dbus]\nbus = none\n"

# --- the default owner in session mode: the account the daemon runs as (root)
d = Daemon(NoBus(), sim, extra=sock_extra)
open_socket(d)
st, c1, _ = sim.control("POST", "/calls", {"from": "+46701234567", "name": "Carol"})
rpc = Rpc(d.sock)
ok(until(lambda: rpc.call("calls.list")["result"]), "the call is known")
cid = c1["callId"]
r = as_uid(NOBODY, d.sock, [("calls.list", {}), ("call.get", {"call": cid}),
                            ("status", {}), ("subscribe", {"topics": ["calls"]}),
                            ("devices.list", {}), ("queues.list", {})])
ok(len(r) == 6 and all("result" in x for x in r),
   "another uid reads: calls.list, call.get, status, subscribe, devices, queues", r)
ok(r and r[0]["result"][0]["callId"] == cid, "and sees the call", r)
control = [("call.hold", {"call": cid}), ("call.hangup", {"call": cid}),
           ("call.make", {"destination": "+4670111"}),
           ("queue.login", {"queue": 5}), ("linestate.set", {"externalId": "x",
                                                              "expiresOn": 4102444800}),
           ("linestate.clear", {"externalId": "x"}), ("resync", {}),
           ("no.such.method", {})]
r = as_uid(NOBODY, d.sock, control)
eq([code(x) for x in r], [FORBIDDEN] * len(control),
   "another uid gets Forbidden (6) for every control method, and for a "
   "name dstnyd does not know (doc/socket.md)")
r = as_uid(NOBODY, d.sock, [("call.hangup", {"call": cid})])
ok(rpc.call("call.get", call=cid).get("result", {}).get("status") == "RINGING",
   "a refused hangup sent nothing: the call still rings")
r = rpc.call("call.hold", call=cid)
eq(code(r), (2, "org.dstnyd.Cti1.Error.ActionNotAllowed"),
   "root (the owner) is let through to the action's own checks")
r = rpc.call("call.answer", call=cid)
ok(r.get("result", {}).get("status") == "ACTIVE", "root controls the call", r)
rpc.close()
d.stop()

# --- owner = nobody: nobody controls; root still does
d = Daemon(NoBus(), sim, extra=sock_extra,
           core_extra="owner = nobody\n")
open_socket(d)
r = as_uid(NOBODY, d.sock, [("call.hold", {"call": cid})])
ok(r and "result" in r[0] and r[0]["result"]["status"] == "HELD",
   "owner = nobody: nobody holds the call", r)
r = as_uid(OTHER, d.sock, [("call.resume", {"call": cid})])
eq([code(x) for x in r], [FORBIDDEN], "a third uid is still Forbidden")
rpc = Rpc(d.sock)
r = rpc.call("call.resume", call=cid)
ok(r.get("result", {}).get("status") == "ACTIVE", "root still controls it", r)
rpc.close()
d.stop()

# --- the daemon runs as nobody, owner = another account: its own uid is refused
tmp = tempfile.mkdtemp(prefix="dstnyd-test-", dir=build_path())
os.chmod(tmp, 0o755)
pw = os.path.join(tmp, "password")
with open(pw, "w") as f:
    f.write("alice-password\n")
os.chmod(pw, 0o600)
conf = os.path.join(tmp, "dstnyd.conf")
sockp = os.path.join(tmp, "dstnyd.sock")
with open(conf, "w") as f:
    f.write("[core]\nbase_url = %s\ndomain = example.com\nuser = alice\nowner = %d\n"
            "[auth]\npassword_file = %s\n[dbus]\nbus = none\n[socket]\npath = %s\n"
            "mode = 0666\n" % (sim.url, OTHER, pw, sockp))
for p in (pw, conf, tmp):
    os.chown(p, NOBODY, NOBODY)
log = open(os.path.join(tmp, "log"), "w+")
p = spawn(["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY, "--clear-groups",
           build_path("daemon", "dstnyd"), "-c", conf], stdout=log, stderr=subprocess.STDOUT)
ok(until(lambda: os.path.exists(sockp) and
         "result" in (as_uid(NOBODY, sockp, [("status", {})]) or [{}])[0], 10),
   "dstnyd runs as nobody with owner = %d" % OTHER)
r = as_uid(NOBODY, sockp, [("call.hold", {"call": cid})])
eq([code(x) for x in r], [FORBIDDEN], "the daemon's own uid is not the owner: Forbidden")
r = as_uid(OTHER, sockp, [("call.hold", {"call": cid})])
ok(r and "result" in r[0], "the owner holds the call", r)
rpc = Rpc(sockp)
r = rpc.call("call.resume", call=cid)
ok("result" in r, "root resumes it", r)
rpc.close()
p.terminate()
p.wait(10)
log.seek(0)
shutil.rmtree(tmp, ignore_errors=True)

# --- an unknown account is a configuration error naming file, line and key
bad = tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False)
bad.write("[core]\nbase_url = http://x\ndomain = d\nuser = u\n"
          '[user "bob"]\nowner = no-such-account-dstnyd\n')
bad.close()
r = subprocess.run([build_path("daemon", "dstnyd"), "--check-config", "-c", bad.name],
                   capture_output=True, text=True, timeout=10)
ok(r.returncode == 1 and "%s:6: [user \"bob\"] owner: no such local account" % bad.name
   in r.stderr, "--check-config names the file, line and key of an unknown owner",
   r.stderr)
os.unlink(bad.name)

sim.stop()
done()
