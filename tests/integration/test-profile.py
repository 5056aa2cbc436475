#!/usr/bin/env python3
"""test-profile.py: issue 21 against the simulator: history and missed
calls (counted at start, after a call ends and at the keepalive, marked seen,
deleted), presence and do-not-disturb (set, shortcuts applied, changed
elsewhere), over D-Bus and the socket; bad input refused with nothing sent."""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Bus, Daemon, Monitor, Rpc, Sim, build_path, done, eq, ok, until

ROOT = "/org/dstnyd/Cti1"
U0 = ROOT + "/User/0"
HIST = "org.dstnyd.Cti1.History"
PRES = "org.dstnyd.Cti1.Presence"
INVALID = "org.dstnyd.Cti1.Error.InvalidArgument"

bus = Bus()
sim = Sim()
mon = Monitor(bus)
# keepalive 1: the refresh it drives is seen within a second or two.
d = Daemon(bus, sim, extra="[events]\nkeepalive = 1\n")
rpc = Rpc(d.sock)
rpc.call("subscribe", topics=["history", "presence"])


def sent(route):
    return [r for r in sim.requests() if r["route"] == route]


# History: the reference's log holds one unseen missed call (1247) and one
# unplayed voicemail (370, in ".GroupInboxVoiceMailDTO").
ok(until(lambda: bus.get(U0, HIST, "MissedCalls") == 1), "History.MissedCalls from the log at start",
   bus.get(U0, HIST, "MissedCalls"))
eq(bus.get(U0, HIST, "UnplayedVoicemails"), 1, "History.UnplayedVoicemails")
r = rpc.call("history.counts")
eq(r.get("result", {}).get("missedCalls"), 1, "socket: history.counts")
first = sent("history.list")[0]
ok("since" not in first.get("query", "") and "itemType=MISSED_CALL" in first.get("query", ""),
   "the first read is whole, missed calls and voicemails only", first)

r = rpc.call("history.list", type="MISSED_CALL")
items = r.get("result") or []
ok(len(items) == 1 and items[0]["itemId"] == 1247 and items[0]["name"] == "Jane Doe"
   and items[0]["kind"] == "CallDTO" and items[0]["seen"] is False,
   "socket: history.list type MISSED_CALL", r)
ok_, out = bus.call(U0, HIST + ".ListHistory", "{'type': <'INCOMING_CALL'>, 'limit': <uint32 5>}")
ok(ok_ and "1245" in out and "Jane Doe" in out and "1247" not in out,
   "D-Bus: ListHistory with a type and a limit", out)
q = sent("history.list")[-1].get("query", "")
ok("itemType=INCOMING_CALL" in q and "limit=5" in q, "the filter reaches the Core", q)

# A call rings and is not answered: after it ends, a missed call more.
mon.drain()
sim.control("POST", "/calls", {"from": "+46701234567", "name": "Carol"})
sig = mon.signal("CallAdded", U0)
call = sim.state()["users"][0]["calls"][0]["callId"] if sig else ""
sim.control("POST", "/calls/%s/hangup" % call)
n = rpc.notification("history.changed", lambda p: p["missedCalls"] == 2)
ok(n is not None and any(i["number"] == "+46701234567" and i["itemType"] == "MISSED_CALL"
                         for i in n["items"]), "socket: history.changed after the call ended", n)
eq(bus.get(U0, HIST, "MissedCalls"), 2, "History.MissedCalls counts the new missed call")
ok(any("since=1247" in r.get("query", "") for r in sent("history.list")),
   "the refresh asks only for items newer than the newest known")
newest = max(i["itemId"] for i in rpc.call("history.list", type="MISSED_CALL")["result"])

# Marked seen over D-Bus by id, then the rest over the socket by "until".
mon.drain()
ok_, out = bus.call(U0, HIST + ".MarkSeen", "[int64 1247]", "0")
ok(ok_, "D-Bus: MarkSeen", out)
eq(bus.get(U0, HIST, "MissedCalls"), 1, "MarkSeen: one fewer missed call")
sig = mon.signal("PropertiesChanged", U0, data=lambda p: p[0] == HIST)
ok(sig is not None and "MissedCalls" in sig["payload"]["data"][1], "History: PropertiesChanged", sig)
r = rpc.call("history.seen", until=newest)
ok("result" in r and bus.get(U0, HIST, "MissedCalls") == 0, "socket: history.seen until", r)
q = sent("history.seen")[-1].get("query", "")
ok("untilItemId=%d" % newest in q and "isSeen=true" in q, "history.seen sends untilItemId", q)
r = rpc.call("history.delete", ids=["370"])
ok("result" in r and bus.get(U0, HIST, "UnplayedVoicemails") == 0,
   "socket: history.delete (an itemId as a string too)", r)

# Bad input: InvalidArgument naming the field, nothing sent.
before = len(sent("history.list")) + len(sent("history.seen"))
r = rpc.call("history.list", type="BOGUS")
ok(r.get("error", {}).get("code") == 4 and "type" in r["error"]["message"],
   "history.list: an unknown type is InvalidArgument naming it", r)
ok_, out = bus.call(U0, HIST + ".ListHistory", "{'number': <'+46abc'>}")
eq((ok_, out), (False, INVALID), "ListHistory: a number with letters")
# a{sv} may repeat a key: nine types, one at a time, are refused, not
# written past the eight the filter holds.
ok_, out = bus.call(U0, HIST + ".ListHistory",
                    "{" + ", ".join(["'type': <'MISSED_CALL'>"] * 9) + "}")
eq((ok_, out), (False, INVALID), "ListHistory: nine repeated type keys are refused")
ok(bus.get(U0, "org.dstnyd.Cti1.User", "UserId") == "alice", "and the daemon is still there")
ok_, out = bus.call(U0, HIST + ".MarkSeen", "@ax []", "0")
eq((ok_, out), (False, INVALID), "MarkSeen: no ids and no until")
eq(len(sent("history.list")) + len(sent("history.seen")), before, "nothing was sent for bad input")

# Items added elsewhere are read at the keepalive.
sim.control("POST", "/history", {"itemType": "MISSED_CALL", "number": "+4670999", "name": "Dan"})
ok(until(lambda: bus.get(U0, HIST, "MissedCalls") == 1, timeout=10),
   "the keepalive reads items newer than the newest known")

# Presence: the reference's (activity working, until 2020-09-21T11:05:00Z).
ok(until(lambda: bus.get(U0, PRES, "Activity") == "working"), "Presence.Activity")
eq(bus.get(U0, PRES, "Available"), True, "Presence.Available")
eq(bus.get(U0, PRES, "Note"), "Planning our upgrade", "Presence.Note")
eq(bus.get(U0, PRES, "ActivityExpires"), 1600686300, "Presence.ActivityExpires")
eq([a[0] for a in bus.get(U0, PRES, "Activities") or []], ["available", "lunch", "meeting"],
   "Presence.Activities")
eq([s[0] for s in bus.get(U0, PRES, "Shortcuts") or []], ["sdfdsf3333", "23342323232"],
   "Presence.Shortcuts, in their order")

mon.drain()
later = int(time.time()) + 3600
ok_, out = bus.call(U0, PRES + ".SetPresence", "lunch", "false", "eating", "uint64 %d" % later)
ok(ok_, "D-Bus: SetPresence", out)
eq((bus.get(U0, PRES, "Activity"), bus.get(U0, PRES, "Available"), bus.get(U0, PRES, "Note"),
    bus.get(U0, PRES, "ActivityExpires")), ("lunch", False, "eating", later),
   "SetPresence: the answer applied")
sig = mon.signal("PropertiesChanged", U0, data=lambda p: p[0] == PRES)
ok(sig is not None and {"Activity", "Available", "Note", "ActivityExpires"} <= set(sig["payload"]["data"][1]),
   "Presence: one PropertiesChanged naming what changed", sig)
before = len(sent("presence.put"))
for args, what in ((("bogus", "true", "", "uint64 0"), "an unknown activity"),
                   (("lunch", "false", "", "uint64 1000"), "an expiry in the past"),
                   (("lunch", "false", "", "uint64 253402300800"), "an expiry after 9999")):
    ok_, out = bus.call(U0, PRES + ".SetPresence", *args)
    eq((ok_, out), (False, INVALID), "SetPresence: %s is InvalidArgument" % what)
r = rpc.call("presence.set", activity="bogus")
ok(r.get("error", {}).get("code") == 4 and "activity" in r["error"]["message"],
   "socket: presence.set names the field", r)
eq(len(sent("presence.put")), before, "nothing was sent for bad input")

# DND off over the socket: available defaults to the activity's.
r = rpc.call("presence.set", activity="available", note="")
ok("result" in r and bus.get(U0, PRES, "Available") is True and bus.get(U0, PRES, "ActivityExpires") == 0,
   "socket: presence.set", r)
n = rpc.notification("presence.changed", lambda p: p["activity"] == "available")
ok(n is not None and n["available"] is True, "socket: presence.changed", n)

# A shortcut: activity, expiry and diversion as it says.
t0 = int(time.time())
ok_, out = bus.call(U0, PRES + ".ApplyShortcut", "23342323232")
ok(ok_ and "lunch" in out and "+5545445656" in out, "D-Bus: ApplyShortcut says what it did", out)
exp = bus.get(U0, PRES, "ActivityExpires") or 0
ok(bus.get(U0, PRES, "Activity") == "lunch" and t0 + 45 * 60 <= exp <= int(time.time()) + 45 * 60,
   "the shortcut's 45 minutes", exp)
put = sent("diversion.number.put")
ok(put and "phoneNumber=%2B5545445656" in put[-1].get("query", ""), "the shortcut's diversion number is set",
   put)
ok_, out = bus.call(U0, PRES + ".ApplyShortcut", "nope")
eq((ok_, out), (False, "org.dstnyd.Cti1.Error.NotFound"), "ApplyShortcut: an unknown shortcut")

# Changed elsewhere: read at the keepalive.
sim.control("POST", "/presence", {"activity": "meeting", "available": False, "note": "board"})
ok(until(lambda: bus.get(U0, PRES, "Activity") == "meeting", timeout=10),
   "presence changed elsewhere is read at the keepalive")
r = rpc.call("presence.get")
ok(r.get("result", {}).get("note") == "board" and len(r["result"]["shortcuts"]) == 2,
   "socket: presence.get", r)

# dstnyctl
def ctl(*args):
    r = subprocess.run([build_path("client", "dstnyctl")] + list(args), capture_output=True,
                       text=True, timeout=30, env=dict(os.environ, DSTNYD_SOCKET=d.sock))
    return r.returncode, r.stdout, r.stderr


rc, out, err = ctl("history", "--missed", "--since", "1h")
ok(rc == 0 and "1 missed call(s) not seen" in out and "+4670999" in out and "+1555123001" not in out,
   "dstnyctl history --missed --since 1h", (rc, out, err))
rc, out, err = ctl("--json", "history")
ok(rc == 0 and isinstance(json.loads(out or "null"), list), "dstnyctl --json history", (rc, err))
rc, out, err = ctl("history", "seen")
ok(rc == 0 and bus.get(U0, HIST, "MissedCalls") == 0, "dstnyctl history seen", (rc, out, err))
rc, out, err = ctl("presence", "set", "lunch", "--for", "1h", "--note", "back soon")
exp = bus.get(U0, PRES, "ActivityExpires") or 0
ok(rc == 0 and bus.get(U0, PRES, "Activity") == "lunch" and abs(exp - time.time() - 3600) < 60,
   "dstnyctl presence set lunch --for 1h", (rc, out, err, exp))
rc, out, err = ctl("dnd", "off")
ok(rc == 0 and bus.get(U0, PRES, "Available") is True and bus.get(U0, PRES, "Note") == "back soon"
   and bus.get(U0, PRES, "ActivityExpires") == exp, "dstnyctl dnd off keeps activity, note and end",
   (rc, out, err))
rc, out, err = ctl("dnd", "on")
ok(rc == 0 and bus.get(U0, PRES, "Available") is False, "dstnyctl dnd on", (rc, out, err))
rc, out, err = ctl("presence")
ok(rc == 0 and "do not disturb" in out and "Short lunch break" in out, "dstnyctl presence", out)
rc, out, err = ctl("presence", "set", "nap")
ok(rc == 14 and "activity" in err, "dstnyctl: InvalidArgument exits 14 naming the field", (rc, err))
rc, out, err = ctl("presence", "shortcut", "23342323232")
ok(rc == 0 and "+5545445656" in out, "dstnyctl presence shortcut", (rc, out, err))
rc, out, err = ctl("history", "--since", "soon")
ok(rc == 2 and "--since" in err, "dstnyctl: a bad duration is a usage error", (rc, err))

d.stop()
mon.stop()
sim.stop()
bus.stop()
done()
