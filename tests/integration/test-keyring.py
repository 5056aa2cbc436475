#!/usr/bin/env python3
"""test-keyring.py: [auth] password = keyring against a real gnome-keyring
on a private session bus (issue 18, item 6; doc/keyring.md).

gnome-keyring-daemon runs headless here: --unlock reads the login
keyring's password on stdin. dstnyctl login stores alice's password (from
--password-stdin, and through a pty without echo), dstnyd reads it and goes
online against the simulator; a missing item, a locked collection and a
wrong password each leave the user unauthorized with a reason that says
what to do, and it goes on by itself once that is done. keyring-tool
locks the collection and unlocks it as a prompt would."""
import os
import pty
import select
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Bus, Daemon, Rpc, Sim, bail, build_path, done, eq, no_secrets, ok,
                     spawn, until)

if not shutil.which("gnome-keyring-daemon"):
    print("1..0 # SKIP needs gnome-keyring (apt-get install gnome-keyring)")
    sys.exit(0)

KEYRING_PW = "keyring-login-pw"
KEYRING = "password = keyring\n"

home = tempfile.mkdtemp(prefix="dstnyd-keyring-")
os.chmod(home, 0o700)
# A session bus without service activation: with the session's usual
# service directories, the Secret Service that the last test stops would
# be activated again, in the tester's own home.
busconf = os.path.join(home, "bus.conf")
with open(busconf, "w") as f:
    f.write('<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"'
            ' "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">\n'
            "<busconfig><type>session</type><listen>unix:tmpdir=%s</listen>"
            "<auth>EXTERNAL</auth><policy context=\"default\">"
            "<allow send_destination=\"*\" eavesdrop=\"true\"/><allow eavesdrop=\"true\"/>"
            "<allow own=\"*\"/></policy></busconfig>\n" % home)
bus = Bus(config=busconf)
env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=bus.address, HOME=home,
           XDG_RUNTIME_DIR=home, XDG_DATA_HOME=os.path.join(home, "data"))
gk = spawn(["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
           env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
           stderr=subprocess.DEVNULL)
gk.stdin.write(KEYRING_PW.encode())
gk.stdin.close()


def secrets_up():
    r = subprocess.run(["busctl", "--address=" + bus.address, "status",
                        "org.freedesktop.secrets"], capture_output=True, timeout=10)
    return r.returncode == 0


if not until(secrets_up, 15):
    bail("gnome-keyring-daemon did not take org.freedesktop.secrets")


def tool(*args):
    return subprocess.run([build_path("tests", "integration", "keyring-tool")] + list(args),
                          env=env, capture_output=True, text=True, timeout=15)


def ctl(conf, *args, stdin=None):
    return subprocess.run([build_path("client", "dstnyctl"), "-c", conf] + list(args),
                          env=env, input=stdin, capture_output=True, text=True, timeout=30)


def status(d):
    return Rpc(d.sock).call("status")["result"]


def user(d, i=0):
    s = status(d)
    return s["users"][i]["state"], s["health"][i].get("reason", "")


def wait_state(d, want, i=0, timeout=15):
    return until(lambda: user(d, i)[0] == want, timeout)


sim = Sim()
outputs = []

# The configuration is checked before any bus is tried.
d0 = Daemon(bus, sim, auth=KEYRING, ready=False)
d0.stop()
r = subprocess.run([build_path("daemon", "dstnyd"), "--check-config", "-c", d0.conf],
                   env=env, capture_output=True, text=True, timeout=15)
eq(r.returncode, 0, "--check-config: password = keyring with a session bus is valid")
bare = {k: v for k, v in env.items()
        if k not in ("DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR")}
r = subprocess.run([build_path("daemon", "dstnyd"), "--check-config", "-c", d0.conf],
                   env=bare, capture_output=True, text=True, timeout=15)
ok(r.returncode == 1 and "no session bus" in r.stderr and "password_file" in r.stderr,
   "--check-config without a session bus: says so, and to use password_file", r.stderr)
sysconf = os.path.join(d0.dir, "system.conf")
with open(d0.conf) as f, open(sysconf, "w") as g:
    g.write(f.read() + "[dbus]\nbus = system\n")
r = subprocess.run([build_path("daemon", "dstnyd"), "--check-config", "-c", sysconf],
                   env=env, capture_output=True, text=True, timeout=15)
ok(r.returncode == 1 and "bus = session" in r.stderr and "LoadCredential" in r.stderr,
   "--check-config: keyring on the system bus refused, naming password_file", r.stderr)

# No item yet: unauthorized, and the reason names dstnyctl login.
d = Daemon(bus, sim, auth=KEYRING,
           users='[user "carol"]\ndomain = example.com\n')
ok(wait_state(d, "unauthorized"), "no item in the keyring: alice is unauthorized")
state, why = user(d)
ok("dstnyctl login" in why and "alice@example.com" in why,
   "its reason says to run dstnyctl login", why)
ok(wait_state(d, "unauthorized", 1) and "dstnyctl login --user carol" in user(d, 1)[1],
   "carol's says dstnyctl login --user carol", user(d, 1))

r = subprocess.run([build_path("client", "dstnyctl"), "-s", d.sock, "-c", d.conf, "doctor"],
                   env=env, capture_output=True, text=True, timeout=30)
ok("FAIL  ticket accepted" in r.stdout and "no password from the keyring" in r.stdout
   and "dstnyctl login" in r.stdout, "doctor names the keyring and dstnyctl login",
   r.stdout)

# dstnyctl login refuses a pipe without --password-stdin.
r = ctl(d.conf, "login", stdin="alice-password\n")
ok(r.returncode != 0 and "--password-stdin" in r.stderr,
   "login from a pipe without --password-stdin is refused", r.stderr)
outputs += [r.stdout, r.stderr]

# A wrong password stored: the Core refuses it, the reason says so.
r = ctl(d.conf, "login", "--password-stdin", stdin="not-alices\n")
eq(r.returncode, 0, "login --password-stdin stores a password")
outputs += [r.stdout, r.stderr]
ok(until(lambda: "wrong user or password" in user(d)[1], 15),
   "a wrong password from the keyring: unauthorized, the Core's reason", user(d))

# The right one: dstnyd sees the item change and goes online by itself.
r = ctl(d.conf, "login", "--password-stdin", stdin="alice-password\n")
eq(r.returncode, 0, "login --password-stdin replaces it")
outputs += [r.stdout, r.stderr]
ok(wait_state(d, "online"), "the new password from the keyring: alice goes online",
   user(d))
eq(user(d, 1)[0], "unauthorized", "carol, with no item, stays unauthorized")

# Without echo, through a terminal: dstnyctl's stdin, stdout and stderr
# are a pty's slave (spawned, not forked: this process has threads).
master, slave = pty.openpty()
p = spawn([build_path("client", "dstnyctl"), "-c", d.conf, "login"], env=env,
          stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
os.close(slave)
seen = b""
deadline = time.monotonic() + 15
sent = False
while time.monotonic() < deadline:
    rd, _, _ = select.select([master], [], [], max(0.0, deadline - time.monotonic()))
    if not rd:
        break
    try:
        chunk = os.read(master, 4096)
    except OSError:             # EIO: dstnyctl closed the terminal
        break
    if not chunk:
        break
    seen += chunk
    if not sent and b"Password for alice@example.com: " in seen:
        os.write(master, b"alice-password\n")
        sent = True
try:
    rc = p.wait(15)
except subprocess.TimeoutExpired:
    p.kill()
    rc = p.wait()
os.close(master)
text = seen.decode(errors="replace")
ok(sent, "login on a terminal asks for the password", text)
eq(rc, 0, "login on a terminal stores it")
ok("alice-password" not in text, "the terminal never shows it (no echo)", text)
outputs.append(text)
d.stop()
outputs.append(d.output())

# A locked collection: unauthorized, saying so; online after the unlock.
r = tool("lock")
eq(r.returncode, 0, "keyring-tool locks the collection")
d = Daemon(bus, sim, auth=KEYRING)
ok(wait_state(d, "unauthorized"), "collection locked: alice is unauthorized")
why = user(d)[1]
ok("locked" in why and "unlock" in why, "the reason says it is locked, and to unlock it",
   why)
r = tool("unlock", KEYRING_PW)
eq(r.returncode, 0, "keyring-tool unlocks it, as a prompt would")
ok(wait_state(d, "online"), "unlocked: alice goes online without a restart", user(d))
d.stop()
outputs.append(d.output())

# Two items match (another client's, or another collection's): the first
# unlocked one is used.
r = tool("twin", "example.com", "alice", "alice-password")
ok(r.returncode == 0, "keyring-tool stores a second item for alice", r.stderr)
d = Daemon(bus, sim, auth=KEYRING)
ok(wait_state(d, "online"), "two matching items: alice goes online", user(d))
d.stop()
outputs.append(d.output())

# The Secret Service goes away: the daemon's lookup says nothing provides it.
gk.terminate()
gk.wait(10)
d = Daemon(bus, sim, auth=KEYRING)
ok(wait_state(d, "unauthorized") and "Secret Service" in user(d)[1],
   "no Secret Service: unauthorized, the reason names it", user(d))
d.stop()
outputs.append(d.output())

leak_ok, leaked = no_secrets(sim, *outputs, passwords=("alice-password", "not-alices",
                                                      KEYRING_PW))
ok(leak_ok, "no password or ticket in any log line or output", leaked)
done()
