#!/usr/bin/env python3
"""test-bus-policy.py: on a system bus, only group dstnyd and root read
dstnyd's properties and receive its signals (issue 16, item 1); of the
group, only a user's owner and root call its control methods (item 2).

A private dbus-daemon runs the stock system.conf (adapted: a socket in a
temp dir, no fork, no user switch, and only the project's policy file
included). The policy's group is a copy's: "dstnyd" rarely exists on a
build machine, so the copy names group "users", which Debian always has.
Clients run as nobody, with "users" as a supplementary group (a member)
or without it (anyone else)."""
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Daemon, Sim, bail, build_path, done, ok, spawn, until

STOCK = "/usr/share/dbus-1/system.conf"
NOBODY, GROUP, GID = 65534, "users", 100
if not os.path.exists(STOCK) or not shutil.which("setpriv") or os.getuid() != 0:
    print("1..0 # SKIP needs root, setpriv and %s" % STOCK)
    sys.exit(0)

tmp = tempfile.mkdtemp(prefix="dstnyd-bus-", dir=build_path())
os.chmod(tmp, 0o755)
src = os.path.join(os.environ.get("TEST_SRCDIR", "."), "conf", "org.dstnyd.Cti1.conf")
with open(src) as f:
    policy = f.read()
# The daemon runs as root here; the group that exists stands for dstnyd.
policy = policy.replace('group="dstnyd"', 'group="%s"' % GROUP)
with open(os.path.join(tmp, "policy.conf"), "w") as f:
    f.write(policy)
with open(STOCK) as f:
    conf = f.read()
for pat in (r"<user>.*?</user>", r"<fork/>", r"<standard_system_servicedirs/>",
            r"<servicehelper>.*?</servicehelper>", r"<pidfile>.*?</pidfile>",
            r"<syslog/>", r"<include[^>]*>.*?</include>", r"<includedir>.*?</includedir>"):
    conf = re.sub(pat, "", conf)
sock = os.path.join(tmp, "bus")
conf = re.sub(r"<listen>.*?</listen>", "<listen>unix:path=%s</listen>" % sock, conf)
# root owning the name stands for the dstnyd user of a real installation.
# org.dstnyd.Marker is the test's own: its NameOwnerChanged orders deliveries.
conf = conf.replace("</busconfig>", """<policy user="root">
  <allow own="org.dstnyd.Cti1"/>
  <allow own="org.dstnyd.Marker"/>
</policy>
<include>%s/policy.conf</include>
</busconfig>""" % tmp)
with open(os.path.join(tmp, "system.conf"), "w") as f:
    f.write(conf)

r, w = os.pipe()
busd = spawn(["dbus-daemon", "--config-file=" + os.path.join(tmp, "system.conf"),
              "--nofork", "--print-address=%d" % w], pass_fds=[w],
             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
os.close(w)
if not select.select([r], [], [], 10)[0]:
    bail("dbus-daemon printed no address: %s" % busd.stderr.read1().decode())
address = os.read(r, 4096).decode().strip().splitlines()[0]
os.close(r)


class SystemBus:
    pass


bus = SystemBus()
bus.address = address
sim = Sim()
d = Daemon(bus, sim, extra="[dbus]\nbus = system\n",
           env_extra={"DBUS_SYSTEM_BUS_ADDRESS": address})


def as_nobody(member):
    return ["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY] + \
        (["--groups=%d" % GID] if member else ["--clear-groups"])


class Watcher:
    """dbus-monitor as nobody: what dstnyd's signals reach, and a marker."""

    def __init__(self, member):
        self.out = tempfile.TemporaryFile(mode="w+")
        # Normal match rules, as gdbus monitor --dest uses (not a monitor:
        # BecomeMonitor is root's on the system bus), plus NameOwnerChanged
        # as a marker that everything sent before it has been delivered.
        self.proc = spawn(as_nobody(member) + [
            "dbus-monitor", "--address", address,
            "type='signal',sender='org.dstnyd.Cti1'",
            "type='signal',sender='org.freedesktop.DBus',member='NameOwnerChanged',"
            "arg0='org.dstnyd.Marker'"], stdout=self.out, stderr=subprocess.STDOUT)

    def text(self):
        self.out.seek(0)
        return self.out.read()

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


def get(member, prop):
    return subprocess.run(as_nobody(member) + [
        "busctl", "--address=" + address, "get-property", "org.dstnyd.Cti1",
        "/org/dstnyd/Cti1/User/0", "org.dstnyd.Cti1.User", prop],
        capture_output=True, text=True, timeout=10)


member, other = Watcher(True), Watcher(False)
# Both watchers' match rules are in place once each has seen its own marker.
marker = ["gdbus", "call", "--address", address, "--dest", "org.freedesktop.DBus",
          "--object-path", "/org/freedesktop/DBus", "--method",
          "org.freedesktop.DBus.RequestName", "org.dstnyd.Marker", "4"]
ok(until(lambda: subprocess.run(marker, capture_output=True, timeout=10) and
         "org.dstnyd.Marker" in member.text() and "org.dstnyd.Marker" in other.text(), 10, 0.2),
   "both watchers are listening", member.text() + other.text())

st, c1, _ = sim.control("POST", "/calls", {"from": "+46701234567", "name": "Secret Caller"})
ok(until(lambda: "InterfacesAdded" in member.text() and "Secret Caller" in member.text(), 10),
   "a member of the group receives InterfacesAdded with the caller", member.text()[-2000:])
# A marker broadcast after the signals (the name taken, and dropped as the
# client leaves): once the other watcher has it, anything dstnyd sent
# before has reached it too, or never will.
before = other.text().count("org.dstnyd.Marker")
subprocess.run(marker, capture_output=True, timeout=10)
ok(until(lambda: other.text().count("org.dstnyd.Marker") > before, 10),
   "the other watcher got the marker")
leak = other.text()
ok("/org/dstnyd/Cti1" not in leak and "Secret Caller" not in leak and
   "InterfacesAdded" not in leak and "PropertiesChanged" not in leak,
   "a user outside the group receives none of dstnyd's signals", leak[-2000:])

r = get(True, "State")
ok(r.returncode == 0 and r.stdout.startswith("s "), "a member reads properties", r.stderr)
r = get(False, "State")
ok(r.returncode != 0 and ("Access denied" in r.stderr or "AccessDenied" in r.stderr),
   "a user outside the group cannot read them", r.stdout + r.stderr)
r = subprocess.run(["busctl", "--address=" + address, "get-property", "org.dstnyd.Cti1",
                    "/org/dstnyd/Cti1/User/0", "org.dstnyd.Cti1.User", "State"],
                   capture_output=True, text=True, timeout=10)
ok(r.returncode == 0, "root reads them", r.stderr)



def call(member, path, method, *args):
    """gdbus call, as nobody (in the group or not) or as root (member None)."""
    pre = [] if member is None else as_nobody(member)
    r = subprocess.run(pre + ["gdbus", "call", "--address", address, "--dest",
                              "org.dstnyd.Cti1", "--object-path", path, "--method",
                              method] + list(args), capture_output=True, text=True,
                       timeout=15)
    return r.returncode == 0, r.stdout + r.stderr


def root_get(path, iface, prop):
    return subprocess.run(["busctl", "--address=" + address, "--json=short",
                           "get-property", "org.dstnyd.Cti1", path, iface, prop],
                          capture_output=True, text=True, timeout=10).stdout


U0 = "/org/dstnyd/Cti1/User/0"
calls = root_get(U0, "org.dstnyd.Cti1.User", "Calls")
cpath = calls.split('"data":["', 1)[1].split('"', 1)[0] if '"data":["' in calls else "/"
FORBIDDEN = "org.dstnyd.Cti1.Error.Forbidden"
# The default owner on the system bus is root alone.
for method, args in (("org.dstnyd.Cti1.Call.Hangup", (cpath, "{}")),
                     ("org.dstnyd.Cti1.Call.Answer", (cpath, "", "{}")),
                     ("org.dstnyd.Cti1.User.MakeCall", (U0, "+4670111", "{}")),
                     ("org.dstnyd.Cti1.User.Resync", (U0,)),
                     ("org.dstnyd.Cti1.User.SetLineState", (U0, "x", "4102444800")),
                     ("org.dstnyd.Cti1.User.ClearLineState", (U0, "x"))):
    good, out = call(True, args[0], method, *args[1:])
    ok(not good and FORBIDDEN in out, "a member who is not the owner: %s is Forbidden"
       % method.rsplit(".", 1)[1], out)
ok('"RINGING"' in root_get(cpath, "org.dstnyd.Cti1.Call", "Status"),
   "the refused Hangup and Answer sent nothing: the call still rings")
r = get(True, "Calls")
ok(r.returncode == 0 and cpath in r.stdout, "the member still reads the calls", r.stderr)
good, out = call(None, cpath, "org.dstnyd.Cti1.Call.Answer", "", "{}")
ok(good, "root answers the call", out)

member.stop()
other.stop()
d.stop()

# owner = nobody: the member who owns the user controls its calls.
d = Daemon(bus, sim, extra="[dbus]\nbus = system\n", core_extra="owner = nobody\n",
           env_extra={"DBUS_SYSTEM_BUS_ADDRESS": address})
until(lambda: cpath in root_get(U0, "org.dstnyd.Cti1.User", "Calls"), 10)
cpath = root_get(U0, "org.dstnyd.Cti1.User", "Calls").split('"data":["', 1)[1].split('"', 1)[0]
good, out = call(True, cpath, "org.dstnyd.Cti1.Call.Hold", "{}")
ok(good, "owner = nobody: the member nobody holds the call", out)
good, out = call(False, cpath, "org.dstnyd.Cti1.Call.Resume", "{}")
ok(not good and FORBIDDEN not in out, "outside the group, the bus policy refuses first", out)
good, out = call(None, cpath, "org.dstnyd.Cti1.Call.Resume", "{}")
ok(good, "root still controls it", out)
d.stop()
sim.stop()
busd.terminate()
busd.wait(10)
shutil.rmtree(tmp, ignore_errors=True)
done()
