#!/usr/bin/env python3
"""test-readme.py: the README's own words work (issue 17). Its minimal
configuration, with the simulator's address and a password file, passes
--check-config, runs, and dstnyctl doctor (no -c, no -s) says ok on every
line; the 60-second tour's commands, run against tests/demo.sh as a reader
would, all succeed as written."""
import os
import re
import select
import signal
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Bus, Rpc, Sim, bail, build_path, done, eq, ok, spawn, until

SRC = os.environ.get("TEST_SRCDIR", os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.abspath(build_path())
DSTNYD = build_path("daemon", "dstnyd")
CTL = build_path("client", "dstnyctl")
with open(os.path.join(SRC, "README.md")) as f:
    readme = f.read()


def block(heading, lang):
    """The first ```lang block after the heading."""
    m = re.search(r"^## %s\n.*?^```%s\n(.*?)^```" % (re.escape(heading), lang),
                  readme, re.S | re.M)
    if m is None:
        bail("README.md: no ```%s block under ## %s" % (lang, heading))
    return m.group(1)


def wait_online(sock, timeout=30):
    rpc = Rpc(sock)
    rpc.call("subscribe", topics=["status"])
    st = rpc.call("status")["result"]["users"][0]["state"]
    if st != "online":
        p = rpc.notification("status.changed", lambda p: p["state"] == "online",
                             timeout=timeout)
        st = p["state"] if p else st
    rpc.close()
    return st


# 1. The minimal configuration, as a newcomer fills it in.
bus = Bus()
sim = Sim()
tmp = tempfile.mkdtemp(prefix="dstnyd-readme-")
confdir = os.path.join(tmp, "config", "dstnyd")
rundir = os.path.join(tmp, "run")
os.makedirs(confdir)
os.mkdir(rundir, 0o700)
pw = os.path.join(confdir, "password")
with open(pw, "w") as f:
    f.write("alice-password\n")
os.chmod(pw, 0o600)
text = block("Configuration", "ini")
ok("https://core.example.com/api" in text and "/home/alice/.config/dstnyd/password" in text,
   "README: the minimal configuration names base_url and password_file", text)
text = (text.replace("https://core.example.com/api", sim.url)
        .replace("/home/alice/.config/dstnyd/password", pw))
conf = os.path.join(confdir, "dstnyd.conf")
with open(conf, "w") as f:
    f.write(text)
env = dict(os.environ, XDG_CONFIG_HOME=os.path.join(tmp, "config"),
           XDG_RUNTIME_DIR=rundir, HOME=tmp, DBUS_SESSION_BUS_ADDRESS=bus.address)
env.pop("DSTNYD_SOCKET", None)
# As root the default file is /etc/dstnyd/dstnyd.conf: name this one then.
conf_arg = ["-c", conf] if os.geteuid() == 0 else []
r = subprocess.run([DSTNYD, "--check-config"] + conf_arg, capture_output=True,
                   text=True, timeout=30, env=env)
ok(r.returncode == 0 and "valid" in r.stdout, "README config: --check-config says valid",
   r.stdout + r.stderr)

notify_path = os.path.join(tmp, "notify")
notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
notify.bind(notify_path)
log = open(os.path.join(tmp, "log"), "w+")
d = spawn([DSTNYD] + conf_arg, env=dict(env, NOTIFY_SOCKET=notify_path),
          stdout=log, stderr=subprocess.STDOUT)
ready = False
while not ready:
    r_, _, _ = select.select([notify], [], [], 30)
    if not r_:
        break
    ready = "READY=1" in notify.recv(4096).decode()
log.seek(0)
ok(ready, "README config: the daemon starts and becomes ready", log.read()[-2000:])
sock = os.path.join(rundir, "dstnyd", "dstnyd.sock")
if ready:
    eq(wait_online(sock), "online", "README config: alice online")
r = subprocess.run([CTL, "doctor"], capture_output=True, text=True, timeout=60, env=env)
lines = r.stdout.splitlines()
ok(r.returncode == 0 and lines and all(l.startswith("ok") for l in lines),
   "README config: dstnyctl doctor, no -c: every line ok", r.stdout + r.stderr)
for what in ("dstnyd running: " + sock, "configuration valid: " + conf +
             " (the running dstnyd's)", "credentials: alice@example.com",
             "Core reachable: " + sim.url, 'ticket accepted: alice@example.com: ticket "dstnyd-',
             "events flowing: alice@example.com: online over sse"):
    ok(any(l.startswith("ok    " + what) for l in lines), "doctor says: " + what, r.stdout)
d.send_signal(signal.SIGTERM)
d.wait(10)
ok(not os.path.exists(sock) and not os.path.exists(os.path.dirname(sock)),
   "README config: the socket and its directory are gone after exit")

# 2. The tour, in the demo, as written.
tour = block("A 60-second tour", "sh")
demo = spawn(["bash", os.path.join(SRC, "tests", "demo.sh"), BUILD],
             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
banner = []
while True:
    r_, _, _ = select.select([demo.stdout], [], [], 30)
    if not r_:
        bail("demo.sh printed no banner: %r" % banner)
    line = demo.stdout.readline().decode()
    if not line:
        bail("demo.sh ended: %r" % banner)
    banner.append(line)
    if line.startswith("demo: dstnyctl watch"):
        break
btext = "".join(banner)
m_sock = re.search(r"export DSTNYD_SOCKET=(\S+)", btext)
m_port = re.search(r"http://127\.0\.0\.1:(\d+)/api", btext)
m_bus = re.search(r"the private D-Bus session bus: (\S+)", btext)
ok(m_sock and m_port and m_bus and "dstnyd on" not in btext,
   "demo banner: the Core's port, the bus and the socket, each named", btext)
demo_sock = m_sock.group(1)
eq(wait_online(demo_sock), "online", "demo: alice online")

shell_env = dict(os.environ)
shell_env.pop("DSTNYD_SOCKET", None)
exports = []
call_id = None


def as_written(cmd):
    cmd = cmd.replace("/tmp/dstnyd-demo.XXXXXX/dstnyd.sock", demo_sock)
    cmd = re.sub(r"(^|\s)build/", lambda m: m.group(1) + BUILD + "/", cmd)
    if call_id is not None:
        cmd = re.sub(r"\bID\b", call_id, cmd.split("#", 1)[0]) + \
            ("#" + cmd.split("#", 1)[1] if "#" in cmd else "")
    return "\n".join(exports + [cmd])


for cmd in [c for c in tour.splitlines() if c.strip()]:
    word = cmd.split("#")[0].split()
    if word[0] == "export":
        exports.append(as_written(cmd).split("\n")[-1])
        r = subprocess.run(["bash", "-c", "\n".join(exports) + "\nenv"], env=shell_env,
                           capture_output=True, text=True, timeout=10)
        var = word[1].split("=", 1)[0]
        ok(r.returncode == 0 and ("\n%s=" % var) in "\n" + r.stdout,
           "tour: " + cmd, r.stderr)
        continue
    sub = word[1] if len(word) > 1 else word[0]
    if sub == "watch":
        w = spawn(["bash", "-c", as_written(cmd)], env=shell_env, stdout=subprocess.PIPE,
                  stderr=subprocess.DEVNULL, start_new_session=True)
        r_, _, _ = select.select([w.stdout], [], [], 60)
        first = w.stdout.readline().decode() if r_ else ""
        os.killpg(w.pid, signal.SIGINT)
        w.wait(10)
        ok(re.match(r"\d\d:\d\d:\d\d \S", first), "tour: %s: prints events" % cmd, first)
        continue
    r = subprocess.run(["bash", "-c", as_written(cmd)], env=shell_env,
                       capture_output=True, text=True, timeout=60)
    ok(r.returncode == 0, "tour: " + cmd, r.stdout + r.stderr)
    if sub == "status":
        ok(re.search(r"alice\s+example.com\s+online\s+sse", r.stdout),
           "tour: status: alice online over SSE", r.stdout)
    elif sub == "queues":
        ok("customer_acd" in r.stdout, "tour: queues: customer_acd", r.stdout)
    elif sub == "dial":
        m = re.fullmatch(r"call (\S+) to tel:\+46701234567 is INITIATED\n", r.stdout)
        ok(m, "tour: dial: one clear line", r.stdout)
        call_id = m.group(1) if m else "none"
    elif sub == "hangup":
        ok(r.stdout.startswith("call " + call_id), "tour: hangup ended the dialled call",
           r.stdout)
    elif sub == "doctor":
        lines = r.stdout.splitlines()
        ok(lines and all(l.startswith("ok") for l in lines),
           "tour: doctor: every line ok", r.stdout)

# The prose: busctl with the printed bus, curl with the printed port.
prose = re.search(r"`(busctl --user tree org\.dstnyd\.Cti1)`", readme).group(1)
r = subprocess.run(["bash", "-c", prose], capture_output=True, text=True, timeout=30,
                   env=dict(shell_env, DBUS_SESSION_BUS_ADDRESS=m_bus.group(1)))
ok(r.returncode == 0 and "/org/dstnyd/Cti1/User/0" in r.stdout, "tour: " + prose,
   r.stdout + r.stderr)
curl = re.search(r"`(curl -X POST 127\.0\.0\.1:PORT/_sim/calls[^`]*)`", readme).group(1)
r = subprocess.run(["bash", "-c", curl.replace("PORT", m_port.group(1)) + " -fsS"],
                   capture_output=True, text=True, timeout=30, env=shell_env)
ok(r.returncode == 0, "tour: " + curl, r.stdout + r.stderr)

os.killpg(demo.pid, signal.SIGINT)
demo.wait(15)
ok(not os.path.exists(os.path.dirname(demo_sock)), "demo: Ctrl-C removes its directory")
done()
