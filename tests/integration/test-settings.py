#!/usr/bin/env python3
"""test-settings.py: issue 21 parts 3-5 against the simulator: call
forwarding (rules per line, diversion number, activity diversions),
caller ID lines and voicemail settings, read at start, set over D-Bus, the
socket and dstnyctl, changed elsewhere and read at the keepalive; bad
input refused naming the field with nothing sent; Core errors mapped."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Bus, Daemon, Monitor, Rpc, Sim, build_path, done, eq, ok, until

U0 = "/org/dstnyd/Cti1/User/0"
FWD = "org.dstnyd.Cti1.Forwarding"
CID = "org.dstnyd.Cti1.CallerId"
VM = "org.dstnyd.Cti1.Voicemail"
PRES = "org.dstnyd.Cti1.Presence"
INVALID = "org.dstnyd.Cti1.Error.InvalidArgument"

bus = Bus()
sim = Sim()
mon = Monitor(bus)
# keepalive 1: the settings it reads in turn are seen within three seconds.
d = Daemon(bus, sim, extra="[events]\nkeepalive = 1\n")
rpc = Rpc(d.sock)
rpc.call("subscribe", topics=["forward", "callerid", "voicemail"])


def sent(route):
    return [r for r in sim.requests() if r["route"] == route]


def ctl(*args):
    r = subprocess.run([build_path("client", "dstnyctl")] + list(args), capture_output=True,
                       text=True, timeout=30, env=dict(os.environ, DSTNYD_SOCKET=d.sock))
    return r.returncode, r.stdout, r.stderr


# Forwarding: the reference's rules, CFWD_ON_BUSY and CFWD_NO_ANSWER on the
# primary line, CFWD_NO_ANSWER on the secondary; the others are off.
ok(until(lambda: len(bus.get(U0, FWD, "Rules") or []) == 3), "Forwarding.Rules at start",
   bus.get(U0, FWD, "Rules"))
eq(sorted(map(tuple, bus.get(U0, FWD, "Rules"))),
   [("PRIMARY", "CFWD_NO_ANSWER", "+12345678"), ("PRIMARY", "CFWD_ON_BUSY", "+12345679"),
    ("SECONDARY", "CFWD_NO_ANSWER", "+12345678")], "the rules that forward, per line")
eq([l[:2] for l in bus.get(U0, FWD, "Lines")], [["PRIMARY", "OFFICE_FIXED"], ["SECONDARY", "OFFICE_MOBILE"]],
   "Forwarding.Lines")
eq([a[0] for a in bus.get(U0, FWD, "ActivityDiversions") or []], ["busy", "lunch", "out_of_office"],
   "Forwarding.ActivityDiversions (the hyphenated diversion-mapping)")
eq(bus.get(U0, FWD, "DiversionNumber"), "", "Forwarding.DiversionNumber: none yet")

mon.drain()
ok_, out = bus.call(U0, FWD + ".SetForward", "CFWD_ALL", "+46701234567", "")
ok(ok_, "D-Bus: SetForward", out)
ok(["PRIMARY", "CFWD_ALL", "+46701234567"] in (bus.get(U0, FWD, "Rules") or []),
   "SetForward: the rule is there when the call returns")
put = sent("diversion.rule.put")
ok(put and put[-1]["path"].endswith("/rules/PRIMARY/CFWD_ALL"), "diversion.rule.put names line and rule",
   put)
sig = mon.signal("PropertiesChanged", U0, data=lambda p: p[0] == FWD)
ok(sig is not None and "Rules" in sig["payload"]["data"][1], "Forwarding: PropertiesChanged", sig)
n = rpc.notification("forward.changed",
                     lambda p: any(r["type"] == "CFWD_ALL" for r in p["rules"]))
ok(n is not None and n["diversionNumber"] == "", "socket: forward.changed", n)
r = rpc.call("forward.set", type="busy", number="+4670999", line="secondary")
ok("result" in r and {"line": "SECONDARY", "type": "CFWD_ON_BUSY", "number": "+4670999"}
   in rpc.call("forward.get")["result"]["rules"], "socket: forward.set with short names", r)

# Bad input: InvalidArgument naming the field, nothing sent.
before = len(sent("diversion.rule.put")) + len(sent("diversion.rule.delete"))
for args, field in ((("CFWD_ALL", "+46abc", ""), "number"), (("CFWD_SOMETIMES", "+4670", ""), "type"),
                    (("CFWD_ALL", "+4670", "TERTIARY"), "line")):
    ok_, out = bus.call(U0, FWD + ".SetForward", *args)
    eq((ok_, out), (False, INVALID), "SetForward: a bad %s is InvalidArgument" % field)
    r = rpc.call("forward.set", type=args[0], number=args[1], line=args[2])
    ok(r.get("error", {}).get("code") == 4 and r["error"]["message"].startswith(field + ":"),
       "socket: forward.set names the %s" % field, r)
r = rpc.call("forward.clear", type="nope")
ok(r.get("error", {}).get("code") == 4 and "type" in r["error"]["message"], "forward.clear: a bad type", r)
eq(len(sent("diversion.rule.put")) + len(sent("diversion.rule.delete")), before,
   "nothing was sent for bad input")

ok_, out = bus.call(U0, FWD + ".ClearForward", "CFWD_ALL", "PRIMARY")
ok(ok_ and out == "(uint32 1,)" and not any(x[1] == "CFWD_ALL" for x in bus.get(U0, FWD, "Rules")),
   "D-Bus: ClearForward one rule", out)
ok(sent("diversion.rule.delete")[-1]["path"].endswith("/rules/PRIMARY/CFWD_ALL"),
   "diversion.rule.delete names line and rule")

# Set elsewhere: read at the keepalive (every third tick).
sim.control("POST", "/forward", {"type": "CFWD_UNREACHABLE", "number": "+4631"})
ok(until(lambda: ["PRIMARY", "CFWD_UNREACHABLE", "+4631"] in (bus.get(U0, FWD, "Rules") or []),
         timeout=10), "a rule set elsewhere is read at the keepalive")

# The presence shortcut's diversion number shows as DiversionNumber.
ok_, out = bus.call(U0, PRES + ".ApplyShortcut", "23342323232")
ok(ok_ and bus.get(U0, FWD, "DiversionNumber") == "+5545445656",
   "the shortcut's diversion number is Forwarding.DiversionNumber", out)

# dstnyctl forward
rc, out, err = ctl("forward")
ok(rc == 0 and "OFFICE_MOBILE" in out and "unreachable" in out and "+5545445656" in out
   and "lunch -> +12345679" in out, "dstnyctl forward", (rc, out, err))
rc, out, err = ctl("forward", "all", "+46701234567")
ok(rc == 0 and ["PRIMARY", "CFWD_ALL", "+46701234567"] in bus.get(U0, FWD, "Rules"),
   "dstnyctl forward all +46701234567", (rc, out, err))
rc, out, err = ctl("forward", "all", "+4670abc")
ok(rc == 14 and "number" in err, "dstnyctl forward: a number with letters exits 14 naming it", (rc, err))
rc, out, err = ctl("--json", "forward")
ok(rc == 0 and len(json.loads(out or "{}").get("rules", [])) == 6, "dstnyctl --json forward", (rc, out))
rc, out, err = ctl("forward", "off", "--line", "secondary")
ok(rc == 0 and "2 rule(s) cleared" in out and
   not any(x[0] == "SECONDARY" for x in bus.get(U0, FWD, "Rules")), "dstnyctl forward off --line",
   (rc, out, err))
rc, out, err = ctl("forward", "off")
ok(rc == 0 and "4 rule(s) cleared" in out and bus.get(U0, FWD, "Rules") == [], "dstnyctl forward off",
   (rc, out, err))
before = len(sent("diversion.rule.delete"))
rc, out, err = ctl("forward", "off")
ok(rc == 0 and "0 rule(s)" in out and len(sent("diversion.rule.delete")) == before,
   "forward off with nothing forwarding sends nothing", (rc, out))

# Caller ID: the SWITCHBOARD line is active; the ACD line's groupId is "2".
ok(until(lambda: bus.get(U0, CID, "ActiveType") == "SWITCHBOARD"), "CallerId.ActiveType")
eq((bus.get(U0, CID, "ActiveGroupId"), bus.get(U0, CID, "ActiveNumber"), bus.get(U0, CID, "ActiveName")),
   (0, "+123400", "swithboard"), "CallerId.Active*")
lines = bus.get(U0, CID, "Lines") or []
eq([(l[0], l[1], l[4]) for l in lines], [("OFFICE_FIXED", 0, False), ("ACD", 2, False),
                                        ("SWITCHBOARD", 0, True)], "CallerId.Lines, a quoted groupId read")
mon.drain()
ok_, out = bus.call(U0, CID + ".SetCallerLine", "ACD", "int64 2")
ok(ok_ and bus.get(U0, CID, "ActiveType") == "ACD" and bus.get(U0, CID, "ActiveNumber") == "+123499",
   "D-Bus: SetCallerLine (the put answers nothing: read again)", out)
sig = mon.signal("PropertiesChanged", U0, data=lambda p: p[0] == CID and "ActiveType" in p[1])
ok(sig is not None, "CallerId: PropertiesChanged", sig)
n = rpc.notification("callerid.changed", lambda p: p["type"] == "ACD")
ok(n is not None and n["groupId"] == 2, "socket: callerid.changed", n)
before = len(sent("userline.put"))
for args, what in ((("OFFICE", "int64 0"), "an unknown type"), (("OFFICE_FIXED", "int64 7"), "a line the user lacks"),
                   (("ACD", "int64 -1"), "a negative groupId")):
    ok_, out = bus.call(U0, CID + ".SetCallerLine", *args)
    eq((ok_, out), (False, INVALID), "SetCallerLine: %s is InvalidArgument" % what)
eq(len(sent("userline.put")), before, "nothing was sent for bad input")
r = rpc.call("callerid.set", type="anonymous")
ok("result" in r and rpc.call("callerid.get")["result"]["type"] == "ANONYMOUS",
   "socket: callerid.set ANONYMOUS (in no list, always allowed)", r)
rc, out, err = ctl("callerid", "set", "OFFICE_FIXED")
ok(rc == 0 and bus.get(U0, CID, "ActiveType") == "OFFICE_FIXED", "dstnyctl callerid set", (rc, out, err))
rc, out, err = ctl("callerid")
ok(rc == 0 and "caller ID: OFFICE_FIXED 0 +123400" in out and "Support" in out, "dstnyctl callerid", out)
rc, out, err = ctl("callerid", "set", "BOGUS")
ok(rc == 14 and "type" in err, "dstnyctl callerid set BOGUS exits 14 naming the type", (rc, err))

# Voicemail settings: the reference's.
ok(until(lambda: bus.get(U0, VM, "HumanAssistanceNumber") == "+4676767676"),
   "Voicemail.HumanAssistanceNumber")
eq((bus.get(U0, VM, "PlayActivity"), bus.get(U0, VM, "SmsNotification"), bus.get(U0, VM, "AllowVoicemail")),
   (True, False, True), "Voicemail booleans")
mon.drain()
ok_, out = bus.call(U0, VM + ".SetSettings", "{'SmsNotification': <true>, 'humanAssistanceNumber': <'+4631'>}")
ok(ok_ and bus.get(U0, VM, "SmsNotification") is True and bus.get(U0, VM, "HumanAssistanceNumber") == "+4631",
   "D-Bus: SetSettings, the answer applied", out)
sig = mon.signal("PropertiesChanged", U0, data=lambda p: p[0] == VM)
ok(sig is not None and sorted(sig["payload"]["data"][1]) == ["HumanAssistanceNumber", "SmsNotification"],
   "Voicemail: one PropertiesChanged naming what changed", sig)
n = rpc.notification("voicemail.changed", lambda p: p["smsNotification"] is True)
ok(n is not None and n["humanAssistanceNumber"] == "+4631", "socket: voicemail.changed", n)
before = len(sent("voicemail.put"))
for arg, what in (("{'Volume': <true>}", "an unknown key"), ("{'PlayActivity': <'yes'>}", "a string for a switch"),
                  ("{'HumanAssistanceNumber': <'call me'>}", "a number with letters"),
                  ("@a{sv} {}", "nothing to change")):
    ok_, out = bus.call(U0, VM + ".SetSettings", arg)
    eq((ok_, out), (False, INVALID), "SetSettings: %s is InvalidArgument" % what)
r = rpc.call("voicemail.set", settings={"humanAssistanceNumber": "+46 70"})
ok(r.get("error", {}).get("code") == 4 and "humanAssistanceNumber" in r["error"]["message"],
   "socket: voicemail.set names the field", r)
eq(len(sent("voicemail.put")), before, "nothing was sent for bad input")
rc, out, err = ctl("voicemail", "set", "emailNotification=off", "bypassVoicemail=on")
ok(rc == 0 and bus.get(U0, VM, "EmailNotification") is False and bus.get(U0, VM, "BypassVoicemail") is True,
   "dstnyctl voicemail set", (rc, out, err))
rc, out, err = ctl("voicemail")
ok(rc == 0 and "bypassVoicemail" in out and "+4631" in out, "dstnyctl voicemail", out)
r = rpc.call("voicemail.get")
ok(r.get("result", {}).get("bypassVoicemail") is True and r["result"]["emailNotification"] is False,
   "socket: voicemail.get", r)

# A Core error maps through 1.3: 403 is Forbidden.
sim.control("POST", "/faults", {"fail": {"route": "voicemail.put", "count": 1, "status": 403}})
r = rpc.call("voicemail.set", settings={"fileAttached": True})
ok(r.get("error", {}).get("data", {}).get("name") == "org.dstnyd.Cti1.Error.Forbidden",
   "a 403 from the Core is Forbidden", r)
eq(bus.get(U0, VM, "FileAttached"), False, "and nothing changed")
sim.control("DELETE", "/faults")

# Resync reads everything again.
n0 = len(sent("diversion.mapping")) + len(sent("userline.list"))
rpc.call("resync")
ok(until(lambda: len(sent("diversion.mapping")) + len(sent("userline.list")) >= n0 + 2),
   "resync reads the activity diversions and the lines again")

d.stop()
mon.stop()
sim.stop()
bus.stop()
done()
