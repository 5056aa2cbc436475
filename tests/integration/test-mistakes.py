#!/usr/bin/env python3
"""test-mistakes.py: one mistake at a time, as a newcomer makes them, fed to
dstnyd --check-config, the daemon and dstnyctl doctor: each message names
the key or the file, and the fix (issue 17)."""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Bus, Rpc, Sim, build_path, done, eq, free_port, ok, request,
                     spawn, until)

DSTNYD = build_path("daemon", "dstnyd")
CTL = build_path("client", "dstnyctl")
bus = Bus()
sim = Sim()
dead_port = free_port()      # nothing listens there


def setup(row):
    """A directory with a password file and the row's configuration."""
    d = tempfile.mkdtemp(prefix="dstnyd-mistake-")
    pw = os.path.join(d, "password")
    with open(pw, "w") as f:
        f.write(row.get("password", "alice-password") + "\n")
    os.chmod(pw, 0o600)
    v = {"dir": d, "pw": pw, "sim": sim.url, "sock": os.path.join(d, "dstnyd.sock"),
         "dead": "http://127.0.0.1:%d/api" % dead_port}
    for step in row.get("prepare", []):
        step(v)
    conf = os.path.join(d, "dstnyd.conf")
    auth = row.get("auth", "password_file = {pw}")
    with open(conf, "w") as f:
        f.write(("[core]\nbase_url = {url}\ndomain = example.com\nuser = alice\n"
                 "{core}[auth]\n" + auth + "\n[socket]\npath = {sock}\n{extra}")
                .format(url=row.get("url", "{sim}").format(**v),
                        core=row.get("core", "").format(**v),
                        extra=row.get("extra", "").format(**v), **v))
    return v, conf


def run(argv, env=None, timeout=30):
    e = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=bus.address)
    e.update(env or {})
    for k, val in list(e.items()):
        if val is None:
            del e[k]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=e)
    return r.returncode, r.stdout + r.stderr


def has_all(text, words, v):
    return [w.format(**v) for w in words if w.format(**v) not in text]


def doctor(v, conf=None):
    argv = [CTL, "-s", v["sock"], "doctor"] + (["-c", conf] if conf else [])
    return run(argv)


def fail_lines(out):
    return [l for l in out.splitlines() if l.startswith("FAIL")]


def wait_state(sock, want):
    """The user's state, once it is one of want (an event, bounded)."""
    if not until(lambda: os.path.exists(sock), timeout=15):
        return None
    rpc = Rpc(sock)
    rpc.call("subscribe", topics=["status"])
    st = rpc.call("status")["result"]["users"][0]["state"]
    if st not in want:
        p = rpc.notification("status.changed", lambda p: p["state"] in want,
                             timeout=30)
        st = p["state"] if p else st
    rpc.close()
    return st


def mode(path, m):
    return lambda v: os.chmod(v[path], m)


def listen_busy(v):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen()
    v["busy_sock"] = s
    v["busy"] = s.getsockname()[1]


def make_dir(v):
    os.mkdir(os.path.join(v["dir"], "pwdir"), 0o700)


def empty_token(v):
    p = os.path.join(v["dir"], "token")
    open(p, "w").close()
    os.chmod(p, 0o600)


# Mistakes the start catches: --check-config and the daemon refuse them with
# the same message; doctor (no daemon answers) prints it as a FAIL.
START = [
    dict(name="a missing password file",
         auth="password_file = {dir}/nope",
         want=["[auth] password_file", "{dir}/nope", "no such file",
               "install -m 600 /dev/null {dir}/nope"]),
    dict(name="a password file readable by others (0644)",
         prepare=[mode("pw", 0o644)],
         want=["[auth] password_file", "{pw}", "0644", "chmod 600 {pw}"]),
    dict(name="a directory as password file", prepare=[make_dir],
         auth="password_file = {dir}/pwdir",
         want=["[auth] password_file", "{dir}/pwdir", "is a directory",
               "name the file that holds the password"]),
    dict(name="an empty token file", prepare=[empty_token],
         auth="token_file = {dir}/token",
         want=["[auth] token_file", "{dir}/token", "is empty",
               "write the ticket token on its first line"]),
    dict(name="a non-numeric timeout", core="timeout_ms = fast\n",
         want=["dstnyd.conf:5:", "[core] timeout_ms",
               "must be a number from 100 to 600000", '"fast"']),
    dict(name="an unknown key", core="timeout = 5000\n",
         want=["dstnyd.conf:5:", "[core] timeout: unknown key",
               "did you mean timeout_ms?"]),
    dict(name="a listen address in use", prepare=[listen_busy],
         extra="[events]\npublic_url = http://127.0.0.1:{busy}\n"
               "listen = 127.0.0.1:{busy}\n",
         want=["[events] listen", "127.0.0.1:{busy}", "in use",
               "choose another port"]),
]

for row in START:
    v, conf = setup(row)
    name = row["name"]
    rc, out = run([DSTNYD, "--check-config", "-c", conf])
    miss = has_all(out, row["want"], v)
    ok(rc == 1 and not miss, "--check-config, %s: names it and the fix" % name,
       "rc %d, missing %r in\n%s" % (rc, miss, out))
    rc, out2 = run([DSTNYD, "-c", conf])
    miss = has_all(out2, row["want"], v)
    ok(rc == 1 and not miss, "dstnyd, %s: refuses with the same words" % name,
       "rc %d, missing %r in\n%s" % (rc, miss, out2))
    ok(not os.path.exists(v["sock"]), "dstnyd, %s: no socket left behind" % name)
    rc, out3 = doctor(v, conf)
    fails = "\n".join(fail_lines(out3))
    miss = has_all(fails, row["want"], v)
    ok(rc == 1 and not miss, "doctor, %s: a FAIL line with the fix" % name,
       "rc %d, missing %r in\n%s" % (rc, miss, out3))

# The README's inline comment is no mistake any more.
v, conf = setup({"auth": "password_file = {pw}   # mode 0600"})
rc, out = run([DSTNYD, "--check-config", "-c", conf])
ok(rc == 0 and "valid" in out, "' # mode 0600' after a value is a comment", out)

# No session bus: --check-config has nothing against the file; the daemon
# says what to do, and removes its socket.
v, conf = setup({})
rc, out = run([DSTNYD, "-c", conf], env={"DBUS_SESSION_BUS_ADDRESS": None,
                                          "XDG_RUNTIME_DIR": None})
ok(rc == 1 and "session bus" in out and "DBUS_SESSION_BUS_ADDRESS" in out and
   "[dbus] bus = system or none" in out and conf in out,
   "no session bus: the message names the variable and the key", out)
ok(not os.path.exists(v["sock"]) and os.path.isdir(v["dir"]),
   "no session bus: the socket is removed after the failed start")

# Mistakes only the Core can tell: the file is valid, the daemon runs, and
# doctor names the cause.
RUNTIME = [
    dict(name="an unreachable Core", url="{dead}", state=("offline",),
         want=["Core reachable", "{dead}", "nothing accepts connections",
               "[core] base_url", "ticket accepted: alice@example.com: no ticket yet",
               "events flowing: alice@example.com: offline"]),
    dict(name="a wrong password", password="not-the-password",
         state=("unauthorized",),
         want=["ticket accepted: alice@example.com: the Core refused the password",
               "check the password in [auth] password_file",
               "events flowing: alice@example.com: unauthorized"]),
]

for row in RUNTIME:
    v, conf = setup(row)
    name = row["name"]
    rc, out = run([DSTNYD, "--check-config", "-c", conf])
    ok(rc == 0, "--check-config, %s: valid (it needs the network to tell)" % name, out)
    log = open(os.path.join(v["dir"], "log"), "w+")
    p = spawn([DSTNYD, "-c", conf], stdout=log, stderr=subprocess.STDOUT,
              env=dict(os.environ, DBUS_SESSION_BUS_ADDRESS=bus.address))
    st = wait_state(v["sock"], row["state"])
    ok(st in row["state"], "dstnyd, %s: the user is %s" % (name, row["state"][0]), st)
    rc, out = doctor(v)
    fails = "\n".join(fail_lines(out))
    miss = has_all(fails, row["want"], v)
    ok(rc == 1 and not miss, "doctor, %s: FAIL lines name the cause and fix" % name,
       "missing %r in\n%s" % (miss, out))
    ok("TLS certificate valid" not in out,
       "doctor, %s: no TLS claim for http://" % name, out)
    ok("SSE streams are reconnecting" not in out and "reconnecting" not in fails,
       "doctor, %s: no blame on the event streams" % name, out)
    p.send_signal(signal.SIGTERM)
    p.wait(10)
    ok(not os.path.exists(v["sock"]), "dstnyd, %s: socket removed at exit" % name)

# Another client makes a ticket of our name: the Core revokes ours, and
# doctor says so with the fix.
v, conf = setup({"auth": "password_file = {pw}\nticket_name = shared-name"})
p = spawn([DSTNYD, "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
          env=dict(os.environ, DBUS_SESSION_BUS_ADDRESS=bus.address))
ok(wait_state(v["sock"], ("online",)) == "online", "ticket test: online")
st, _, _ = request("POST", sim.url + "/ticket/example.com/alice?api=CALL_CONTROL"
                   "&platform=other&name=shared-name&expires=3600",
                   basic="alice@example.com:alice-password")
ok(st == 200, "another client made a ticket of the same name", st)
# One refused request answers late, after the daemon made its new ticket:
# that refusal is of the old ticket, not a second revocation.
sim.control("POST", "/faults", {"slow": {"route": "groups.list", "ms": 800}})
before = sum(r["route"] == "groups.list" for r in sim.requests())
rpc = Rpc(v["sock"])
rpc.call("resync")


def revoked():
    return rpc.call("status")["result"]["health"][0]["ticket"]["revoked"] > 0


ok(until(revoked, timeout=15), "the daemon noticed the revocation")
ok(until(lambda: sum(r["route"] == "groups.list" for r in sim.requests()) >= before + 2,
         timeout=15), "the late-refused request is sent again")
sim.control("POST", "/faults", {"slow": None})
eq(rpc.call("status")["result"]["health"][0]["ticket"]["revoked"], 1,
   "a late refusal of the replaced ticket is no second revocation")
rc, out = doctor(v)
fails = "\n".join(fail_lines(out))
ok(rc == 1 and 'ticket kept: alice@example.com: the Core revoked ticket "shared-name" 1 time'
   in fails and "[auth] ticket_name" in fails and "another client" in fails,
   "doctor: the ticket was replaced by another client, and the fix", out)
rpc.close()
p.send_signal(signal.SIGTERM)
p.wait(10)

done()
