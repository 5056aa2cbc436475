#!/usr/bin/env python3
"""test-hardening.py: what a client or another local user must not be able
to do (issue 16): forged expiries, dot-segments in ids, a /tmp directory
someone else made, a second instance, a dumpable process."""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Bus, Daemon, Rpc, Sim, build_path, done, ok, spawn, until

ROOT = "/org/dstnyd/Cti1"
U0 = ROOT + "/User/0"
USER = "org.dstnyd.Cti1.User"
INVALID = "org.dstnyd.Cti1.Error.InvalidArgument"

bus = Bus()
sim = Sim()
d = Daemon(bus, sim)
rpc = Rpc(d.sock)


def linestate_requests():
    return [r for r in sim.requests() if r["route"].startswith("linestate")]


# --- item 3: expiresOn outside now .. year 9999 is refused, nothing sent ----
now = int(time.time())
for what, t in (("INT64_MAX", 2**63 - 1), ("2^40 (a five-digit year)", 2**40),
                ("year 10000", 253402300800), ("before now", now - 3600),
                ("negative", -5)):
    r = rpc.call("linestate.set", externalId="teams-1", expiresOn=t)
    err = r.get("error", {})
    ok(err.get("code") == 4 and err.get("data", {}).get("name") == INVALID,
       "socket: linestate.set expiresOn %s is InvalidArgument" % what, r)
    ok_, out = bus.call(U0, USER + ".SetLineState", "teams-1", "@x %d" % t)
    ok(not ok_ and out == INVALID,
       "D-Bus: SetLineState expiresOn %s is InvalidArgument" % what, out)
ok(linestate_requests() == [], "and the Core got no line-state request at all",
   linestate_requests())
r = rpc.call("linestate.set", externalId="teams-1", expiresOn=253402300799)
ok("result" in r and sim.state()["users"][0]["lineStates"][0]["expiresOn"] ==
   "9999-12-31T23:59:59Z", "the last second of year 9999 is sent as such", r)

# --- item 4: a participant id of dots is one segment, not the parent --------
st, c1, _ = sim.control("POST", "/calls", {"from": "+46701234567", "name": "Dot"})
cid = c1["callId"]
ok(until(lambda: any(c["callId"] == cid for c in rpc.call("calls.list")["result"])),
   "a live call to work on")
before = len(sim.requests())
for pid in ("..", ".", "a/../..", "%2e%2e"):
    r = rpc.call("call.removeParticipant", call=cid, participant=pid)
    # The simulator refuses it (not a conference): what matters is where it went.
    ok("error" in r, "call.removeParticipant %r: the Core's answer comes back" % pid, r)
sent = [(x["method"], x["path"], x["route"]) for x in sim.requests()[before:]
        if x["method"] == "DELETE"]
base = "/api/callcontrol/example.com/alice/calls/%s" % cid
ok([s[1] for s in sent] == [base + "/participants/%2E%2E", base + "/participants/%2E",
                            base + "/participants/a%2F..%2F..",
                            base + "/participants/%252e%252e"] and
   all(s[2] == "call.removeparticipant" for s in sent),
   "each DELETE went to the participants path, none to the call", sent)
ok(cid in [c["callId"] for c in sim.state()["users"][0]["calls"]], "the call is still up")
ok_, out = bus.call(ROOT + "/Call/0", "org.dstnyd.Cti1.Call.RemoveParticipant", "..", "{}")
ok(not ok_ and [x["path"] for x in sim.requests() if x["method"] == "DELETE"][-1] ==
   base + "/participants/%2E%2E" and cid in [c["callId"] for c in sim.state()["users"][0]["calls"]],
   "D-Bus RemoveParticipant(\"..\") the same", out)
r = rpc.call("linestate.set", externalId="..", expiresOn=now + 600)
ok("result" in r and sim.requests()[-1]["path"] == "/api/linestate/example.com/alice/%2E%2E",
   "an externalId of \"..\" is one segment", sim.requests()[-1])

# --- item 7: a second instance on the same bus does not start ---------------
d2 = Daemon(bus, sim, ready=False)
d2.wait_notify("READY=1", 15)   # returns at once when it exits
if d2.proc.poll() is None:
    d2.stop()
rc = d2.proc.returncode
out2 = d2.output()
ok(rc not in (0, -15), "a second dstnyd on the same bus exits non-zero by itself (%r)" % rc,
   out2[-2000:])
ok("owned by another process (PID %d)" % d.proc.pid in out2,
   "its message names the owner's PID %d" % d.proc.pid, out2[-2000:])
ok(not any("READY=1" in n for n in d2.notes), "and it never sent READY=1", d2.notes)
ok(d.proc.poll() is None and "result" in Rpc(d.sock).call("status"),
   "the first one is untouched")

# --- item 8: not dumpable --------------------------------------------------
# /proc/<pid> of a process that is not dumpable belongs to root whatever
# its uid: run one as nobody and look.
NOBODY = 65534
tmp = tempfile.mkdtemp(prefix="dstnyd-test-", dir=build_path())
os.chmod(tmp, 0o755)
pw = os.path.join(tmp, "password")
with open(pw, "w") as f:
    f.write("alice-password\n")
os.chmod(pw, 0o600)
conf = os.path.join(tmp, "dstnyd.conf")
sockp = os.path.join(tmp, "s", "dstnyd.sock")
with open(conf, "w") as f:
    f.write("[core]\nbase_url = %s\ndomain = example.com\nuser = alice\n[auth]\n"
            "password_file = %s\n[dbus]\nbus = none\n[socket]\npath = %s\n"
            % (sim.url, pw, sockp))
os.mkdir(os.path.dirname(sockp), 0o700)
for p in (pw, conf, os.path.dirname(sockp)):
    os.chown(p, NOBODY, NOBODY)
log = open(os.path.join(tmp, "log"), "w+")
p3 = spawn(["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY, "--clear-groups",
            build_path("daemon", "dstnyd"), "-c", conf],
           stdout=log, stderr=subprocess.STDOUT)


def answers(path):
    try:
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(5)
        s.connect(path)
        s.sendall(b'{"jsonrpc":"2.0","method":"status","id":1}\n')
        return b'"result"' in s.recv(65536)
    except OSError:
        return False


ok(until(lambda: answers(sockp), 10), "dstnyd runs as nobody")
st = os.stat("/proc/%d/status" % p3.pid)
ok(st.st_uid == 0 and os.stat("/proc/%d/environ" % p3.pid).st_uid == 0,
   "it is not dumpable: /proc/%d is root's, not nobody's (uid %d)" % (p3.pid, st.st_uid))
p3.terminate()
p3.wait(10)
log.seek(0)
shutil.rmtree(tmp, ignore_errors=True)

d.stop()

# --- item 5: the /tmp fallback refuses a directory that is not ours alone ---
# A private /tmp in a mount namespace: the host's is never touched.
tmp = tempfile.mkdtemp(prefix="dstnyd-test-", dir=build_path())
pw = os.path.join(tmp, "password")
with open(pw, "w") as f:
    f.write("alice-password\n")
os.chmod(pw, 0o600)
conf = os.path.join(tmp, "dstnyd.conf")
with open(conf, "w") as f:
    f.write("[core]\nbase_url = %s\ndomain = example.com\nuser = alice\n"
            "[auth]\npassword_file = %s\n[dbus]\nbus = none\n" % (sim.url, pw))
env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
DIR = "/tmp/dstnyd-%d" % os.getuid()


def in_private_tmp(setup):
    """dstnyd after setup (shell), in a mount namespace with its own /tmp.

    A build tree under /tmp (a clone made there, as CI may) is carried
    into the new /tmp through a bind mount on /mnt, inside the namespace.
    """
    tree = os.path.abspath(build_path())
    script = ("set -e; mount --make-rprivate /; B=\"$2\"; "
              "case \"$B\" in /tmp/*) mount --bind \"$B\" /mnt ;; esac; "
              "mount -t tmpfs tmpfs /tmp; "
              "case \"$B\" in /tmp/*) mkdir -p \"$B\"; mount --bind /mnt \"$B\" ;; esac; "
              "%s; exec \"$0\" -c \"$1\"" % setup)
    out = tempfile.TemporaryFile(mode="w+")
    p = spawn(["unshare", "--mount", "sh", "-c", script,
               os.path.join(tree, "daemon", "dstnyd"), conf, tree],
              env=env, stdout=out, stderr=subprocess.STDOUT)
    return p, out


def text(f):
    f.seek(0)
    return f.read()


for what, setup in (("mode 0777", "mkdir -m 0777 %s" % DIR),
                    ("owned by nobody", "mkdir -m 0700 %s; chown %d %s" % (DIR, NOBODY, DIR)),
                    ("a symbolic link", "mkdir -m 0700 /tmp/dstnyd-elsewhere; "
                     "ln -s /tmp/dstnyd-elsewhere %s" % DIR),
                    ("a file", "touch %s" % DIR)):
    p, f = in_private_tmp(setup)
    try:
        rc = p.wait(15)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = p.wait()
    out = text(f)
    ok(rc != 0 and "%s is not a private directory" % DIR in out and
       "XDG_RUNTIME_DIR" in out and "[socket] path" in out,
       "without XDG_RUNTIME_DIR, %s %s: refused, naming the path and the fix" % (DIR, what),
       "rc %r: %s" % (rc, out[-1500:]))
p, f = in_private_tmp("true")
ok(until(lambda: "listening on %s/dstnyd.sock" % DIR in text(f) or p.poll() is not None, 10)
   and p.poll() is None, "a directory it makes itself is used", text(f)[-1500:])
p.terminate()
p.wait(10)
shutil.rmtree(tmp, ignore_errors=True)

sim.stop()
bus.stop()
done()
