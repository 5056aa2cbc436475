#!/usr/bin/env python3
"""test-resync.py: the socket's resync and D-Bus User.Resync are one
resync (user_resync): each makes the same requests of the Core, seen in
the simulator's request log (issue 19, item 2)."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Bus, Daemon, Rpc, Sim, done, eq, ok, until

U0 = "/org/dstnyd/Cti1/User/0"
USER = "org.dstnyd.Cti1.User"
# issue 21: the user's history (read in full), presence, forwarding, caller ID and
# voicemail settings are read again too; issue 22: the favourites (contacts.list).
WANT = ["contacts.list", "devices.list", "diversion.mapping", "diversion.number", "diversion.rules",
        "groups.list", "history.list", "presence.activities", "presence.get", "presence.shortcuts",
        "state.user", "userline.active", "userline.list", "voicemail.get"]

bus = Bus()
sim = Sim()
d = Daemon(bus, sim)
ok(until(lambda: bus.get(U0, USER, "State") == "online", 10), "the user is online")
rpc = Rpc(d.sock)


def quiet(for_s=0.5, timeout=10):
    """Wait until the daemon has sent nothing new for for_s seconds."""
    deadline = time.monotonic() + timeout
    n = -1
    while time.monotonic() < deadline:
        m = len(sim.requests())
        if m == n:
            return True
        n = m
        time.sleep(for_s)
    return False


def routes_of(resync):
    """The routes the Core was asked for after resync(), sorted."""
    quiet()
    sim.control("DELETE", "/requests")
    resync()
    until(lambda: set(WANT) <= {r["route"] for r in sim.requests()}, 10)
    quiet()
    return sorted(r["route"] for r in sim.requests())


r = {}
sock = routes_of(lambda: r.update(rpc.call("resync")))
eq(r.get("result"), {}, "socket: resync answers {}")
res = []
dbus = routes_of(lambda: res.append(bus.call(U0, USER + ".Resync")))
ok(res and res[0][0], "D-Bus: User.Resync answers", res)
eq(sock, WANT, "socket resync: state.user, devices.list, groups.list, history, presence, forwarding, "
   "caller ID, voicemail and the favourites (contacts.list), once each")
eq(dbus, sock, "D-Bus Resync makes the same requests as the socket's resync")

rpc.close()
eq(d.stop(), 0, "the daemon stops cleanly")
sim.stop()
bus.stop()
done()
