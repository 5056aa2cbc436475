#!/usr/bin/env python3
"""test-favourites.py: favourites as live Contact objects (issue 22): the
line-state and presence streams (busy and free again, away and back),
more favourites than the stream cap (the rest polled at the keepalive), a
stream failing (that favourite polled), AddFavourite / RemoveFavourite on
D-Bus, favourites.* and contact.changed on the socket, dstnyctl
favourites and watch, and a hostile name that stays inert."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Bus, Daemon, Monitor, Rpc, Sim, build_path, done, eq, ok, spawn, until

bus = Bus()
sim = Sim()
mon = Monitor(bus)
U0 = "/org/dstnyd/Cti1/User/0"
DIR = "org.dstnyd.Cti1.Directory"
CON = "org.dstnyd.Cti1.Contact"
CTL = build_path("client", "dstnyctl")
# Four favourites, a hostile one among them; two streamed (the cap), the
# others polled at the keepalive (1 s here).
sim.control("POST", "/contacts", {"id": "evil", "firstname": "\x1b]2;pwned\x07Eve",
                                  "lastname": "Evilson\nFAKE LINE", "number": "+46709999999",
                                  "note": "\x1b[31mred\n<b>&amp;", "favouriteOf": "alice"})
for cid in ("anna", "cecilia", "bertil"):
    sim.control("POST", "/contacts/" + cid, {"favouriteOf": "alice"})
d = Daemon(bus, sim, extra="[contacts]\nfavourite_streams = 2\n[events]\nkeepalive = 1\n")
rpc = Rpc(d.sock)
rpc.call("subscribe", topics=["contacts"])
env = dict(os.environ, DSTNYD_SOCKET=d.sock)


def ctl(*args):
    r = subprocess.run([CTL] + list(args), capture_output=True, text=True, timeout=30, env=env)
    return r.returncode, r.stdout, r.stderr


def favs():
    return {f["cid"]: f for f in rpc.call("favourites.list").get("result", [])}


def contact_streams():
    return sorted((s["callId"], s["kind"]) for s in sim.state()["events"]["streams"]
                  if s["kind"].startswith("contact"))


def fav_changed(cid, pred):
    return rpc.notification("contact.changed", lambda p: p["contact"]["cid"] == cid and
                            pred(p["contact"]))


def lists():
    return len([q for q in sim.requests() if q.get("route") == "contacts.list"])


ok(until(lambda: len(favs()) == 4), "four favourites listed", favs())
f = favs()
anna, cec, bert = (f.get(c + "@example.com", {}) for c in ("anna", "cecilia", "bertil"))
ok(anna.get("path", "").startswith("/org/dstnyd/Cti1/Contact/"), "a favourite has a path", anna)
path = {c: f[c]["path"] for c in f}
A, C, B = path.get("anna@example.com"), path.get("cecilia@example.com"), path.get("bertil@example.com")
eq(bus.get(A, CON, "Name"), "Anna Andersson", "D-Bus: Name")
eq(bus.get(A, CON, "Numbers"), ["+46701000001"], "D-Bus: Numbers")
eq(bus.get(A, CON, "User"), U0, "D-Bus: its User")
ok(bus.get(C, CON, "Available") is False and bus.get(C, CON, "Activity") == "lunch" and
   bus.get(C, CON, "Note") == "Back at 13:00", "D-Bus: an away favourite's presence")
r = subprocess.run(["busctl", "--address=" + bus.address, "--json=short", "call",
                    "org.dstnyd.Cti1", "/org/dstnyd/Cti1",
                    "org.freedesktop.DBus.ObjectManager", "GetManagedObjects"],
                   capture_output=True, text=True, timeout=15)
objs = json.loads(r.stdout)["data"][0] if r.returncode == 0 else {}
eq(len([p for p in objs if p.startswith("/org/dstnyd/Cti1/Contact/")]), 4,
   "the ObjectManager has the four Contact objects")
ok(until(lambda: len(contact_streams()) == 4), "the cap: two favourites streamed (four streams)",
   contact_streams())
streamed = sorted({s[0] for s in contact_streams()})
eq(streamed, ["anna", "evil"], "streams go to the favourites listed first")

# A hostile name and note: inert on D-Bus and the socket.
ev = f.get("evil@example.com", {})
ok(ev and not any(ord(ch) < 0x20 for ch in ev["name"] + ev["note"]) and
   "Evilson" in ev["name"], "socket: a hostile name and note, inert", ev)
nm = bus.get(ev.get("path", "/"), CON, "Name") or ""
ok("\x1b" not in nm and "\n" not in nm and "Evilson" in nm, "D-Bus: the name, inert", nm)

# 1. Busy and free again, from the line-state stream: the list fails
# meanwhile, so only the stream can tell.
sim.control("POST", "/faults", {"fail": {"count": 1000, "status": 404, "route": "contacts.list"}})
mon.drain()
sim.control("POST", "/contacts/anna", {"incall": True})
ch = fav_changed("anna@example.com", lambda c: c["inCall"])
ok(ch is not None, "socket: contact.changed, anna in a call", ch)
sig = mon.signal("PropertiesChanged", path=A, data=lambda p: "InCall" in p[1])
ok(sig is not None and sig["payload"]["data"][1]["InCall"]["data"] is True,
   "D-Bus: PropertiesChanged InCall true", sig)
sim.control("POST", "/contacts/anna", {"incall": False})
ok(fav_changed("anna@example.com", lambda c: not c["inCall"]) is not None,
   "anna free again (line state)")
eq(bus.get(A, CON, "InCall"), False, "D-Bus: InCall false again")

# 2. Away and available, from the presence stream.
who = "anna"
sim.control("POST", "/contacts/" + who, {"available": False, "activity": "meeting",
                                         "note": "Room 4"})
ch = fav_changed(who + "@example.com", lambda c: c.get("activity") == "meeting")
ok(ch is not None and ch["contact"]["available"] is False and ch["contact"]["note"] == "Room 4",
   "presence: away, in a meeting, with a note", ch)
sim.control("POST", "/contacts/" + who, {"available": True, "activity": "available",
                                         "note": ""})
ch = fav_changed(who + "@example.com", lambda c: c.get("available"))
ok(ch is not None and ch["contact"]["activity"] == "available", "presence: available again", ch)

# 3. Beyond the cap: bertil is polled at the keepalive.
ok(("bertil", "contactline") not in contact_streams(), "bertil has no stream")
sim.control("DELETE", "/faults")
n = lists()
sim.control("POST", "/contacts/bertil", {"incall": True, "available": False})
ch = fav_changed("bertil@example.com", lambda c: c["inCall"])
ok(ch is not None and ch["contact"]["available"] is False, "a polled favourite changes", ch)
ok(lists() > n, "by contacts.list (the keepalive poll)")
sim.control("POST", "/contacts/bertil", {"incall": False, "available": True})
ok(fav_changed("bertil@example.com", lambda c: not c["inCall"]) is not None,
   "and is free again")

# 4. A stream failing: anna's line state cannot reconnect; she is polled.
sim.control("POST", "/faults", {"fail": {"count": 1000, "status": 503,
                                         "route": "contact.linestate.sse"}})
sim.control("POST", "/streams/drop")
ok(until(lambda: ("anna", "contactline") not in contact_streams()), "anna's line stream is down")
sim.control("POST", "/contacts/anna", {"incall": True})
ok(fav_changed("anna@example.com", lambda c: c["inCall"]) is not None,
   "the favourite falls back to polling")
sim.control("DELETE", "/faults")
sim.control("POST", "/contacts/anna", {"incall": False})
ok(fav_changed("anna@example.com", lambda c: not c["inCall"]) is not None, "and back")

# 5. Add and remove: D-Bus, the socket, dstnyctl (by name too).
good, out = bus.call(U0, DIR + ".AddFavourite", "annb@example.com")
ok(good, "AddFavourite", out)
ch = fav_changed("annb@example.com", lambda c: c["name"] == "Anna Berg")
ok(ch is not None, "socket: contact.changed for the new favourite", ch)
sig = mon.signal("InterfacesAdded", data=lambda p: CON in p[1])
ok(sig is not None, "D-Bus: InterfacesAdded for the new Contact object", sig)
good, out = bus.call(U0, DIR + ".RemoveFavourite", "annb@example.com")
ok(good, "RemoveFavourite", out)
ch = fav_changed("annb@example.com", lambda c: c.get("removed"))
ok(ch is not None, "socket: contact.changed with removed", ch)
ok(until(lambda: "annb@example.com" not in favs()), "gone from favourites.list")
good, out = bus.call(U0, DIR + ".RemoveFavourite", "annb@example.com")
ok(not good and out == "org.dstnyd.Cti1.Error.NotFound", "removing a non-favourite: NotFound", out)
r = rpc.call("favourites.add", cid="nobody@example.com")
eq(r.get("error", {}).get("data", {}).get("name"), "org.dstnyd.Cti1.Error.NotFound",
   "favourites.add of an unknown contact: NotFound")

# Removing a streamed favourite frees its streams for a polled one, the
# next in the list's order (evil, anna, cecilia, bertil).
r = rpc.call("favourites.remove", cid="anna@example.com")
ok("result" in r, "favourites.remove", r)
ok(until(lambda: ("cecilia", "contactline") in contact_streams() and
         ("anna", "contactline") not in contact_streams()),
   "anna's streams went to cecilia", contact_streams())

rc, out, err = ctl("favourites", "add", "anna andersson")
ok(rc == 0, "dstnyctl favourites add NAME", (rc, out, err))
ok(until(lambda: "anna@example.com" in favs()), "anna is a favourite again")
rc, out, err = ctl("favourites")
ok(rc == 0 and "Anna Andersson" in out and "Bertil Bo" in out and
   "\x1b" not in out and "\x07" not in out and out.count("\n") == 5,
   "dstnyctl favourites: one line each, a hostile name inert", repr(out))
w = spawn([CTL, "watch"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
ok(w.stderr.readline().startswith("dstnyctl: watching"), "dstnyctl watch subscribed")
sim.control("POST", "/contacts/bertil", {"incall": True})
line = w.stdout.readline()
ok("contact.changed" in line and "Bertil Bo" in line and "in a call" in line,
   "dstnyctl watch shows a favourite's change", line)
w.terminate()
w.wait(5)
rc, out, err = ctl("favourites", "remove", "Bertil Bo")
ok(rc == 0 and until(lambda: "bertil@example.com" not in favs()),
   "dstnyctl favourites remove NAME", (rc, out, err))

rpc.close()
eq(d.stop(), 0, "the daemon stops cleanly")
out = d.output()
ok("AddressSanitizer" not in out and "runtime error" not in out and "LeakSanitizer" not in out,
   "no sanitizer report", out[-3000:])
eq(sim.stop(), 0, "the simulator stops cleanly")
mon.stop()
bus.stop()
done()
