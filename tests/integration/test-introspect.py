#!/usr/bin/env python3
"""test-introspect.py: doc/org.dstnyd.Cti1.xml equals what dstnyd exports:
the same interfaces, members, argument types and directions, property
types and access, compared with the live introspection of each object kind."""
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Bus, Daemon, Monitor, Sim, done, eq, ok, until

OBJECTS = [("org.dstnyd.Cti1.Manager", "/org/dstnyd/Cti1"),
           ("org.dstnyd.Cti1.User", "/org/dstnyd/Cti1/User/0"),
           ("org.dstnyd.Cti1.Directory", "/org/dstnyd/Cti1/User/0"),
           ("org.dstnyd.Cti1.Call", "/org/dstnyd/Cti1/Call/0"),
           ("org.dstnyd.Cti1.Queue", "/org/dstnyd/Cti1/Queue/0"),
           # issue 21: beside User on the User object
           ("org.dstnyd.Cti1.History", "/org/dstnyd/Cti1/User/0"),
           ("org.dstnyd.Cti1.Presence", "/org/dstnyd/Cti1/User/0"),
           ("org.dstnyd.Cti1.Contact", "/org/dstnyd/Cti1/Contact/0"),
           # issue 21 parts 3-5
           ("org.dstnyd.Cti1.Forwarding", "/org/dstnyd/Cti1/User/0"),
           ("org.dstnyd.Cti1.CallerId", "/org/dstnyd/Cti1/User/0"),
           ("org.dstnyd.Cti1.Voicemail", "/org/dstnyd/Cti1/User/0")]


# The properties that never change; every other one emits PropertiesChanged.
CONST = {"org.dstnyd.Cti1.Manager": ["Version"],
         "org.dstnyd.Cti1.User": ["Domain", "Transport", "UserId"],
         "org.dstnyd.Cti1.Call": ["CallId", "FirstSeen", "User"],
         "org.dstnyd.Cti1.Queue": ["Id"],
         "org.dstnyd.Cti1.Contact": ["Cid", "User"]}


def shape(iface):
    """Members of an interface element, without annotations."""
    out = {}
    for m in iface:
        if m.tag == "annotation":
            continue
        if m.tag == "property":
            out["property " + m.get("name")] = (m.get("type"), m.get("access"))
        else:
            out[m.tag + " " + m.get("name")] = tuple(
                (a.get("type"), a.get("direction", "out" if m.tag == "signal" else "in"))
                for a in m.findall("arg"))
    return out


doc = ET.parse(os.path.join(os.environ.get("TEST_SRCDIR", "."), "doc",
                            "org.dstnyd.Cti1.xml")).getroot()
documented = {i.get("name"): i for i in doc.findall("interface")}
eq(sorted(documented), sorted(n for n, _ in OBJECTS), "the XML documents every interface")

bus = Bus()
sim = Sim()
mon = Monitor(bus)
sim.control("POST", "/contacts/anna", {"favouriteOf": "alice"})    # a Contact object
d = Daemon(bus, sim)
sim.control("POST", "/calls", {"from": "+1"})
ok(mon.signal("CallAdded", "/org/dstnyd/Cti1/User/0") is not None, "a call to introspect")
ok(until(lambda: bus.get("/org/dstnyd/Cti1/Contact/0", "org.dstnyd.Cti1.Contact", "Name")),
   "a favourite to introspect")
for name, path in OBJECTS:
    r = subprocess.run(["busctl", "--address=" + bus.address, "introspect", "--xml-interface",
                        "org.dstnyd.Cti1", path], capture_output=True, text=True, timeout=10)
    live = {i.get("name"): i for i in ET.fromstring(r.stdout).findall("interface")}
    ok(name in live, "%s is exported at %s" % (name, path))
    if name in live and name in documented:
        a, b = shape(live[name]), shape(documented[name])
        ok(a == b, "%s: the XML equals the live introspection" % name,
           "only live: %s\nonly documented: %s" % (sorted(set(a.items()) - set(b.items())),
                                                  sorted(set(b.items()) - set(a.items()))))
    if name in live:
        const = sorted(m.get("name") for m in live[name].findall("property")
                       if any(a.get("name") == "org.freedesktop.DBus.Property.EmitsChangedSignal"
                              and a.get("value") == "const" for a in m.findall("annotation")))
        eq(const, CONST.get(name, []), "%s: the constant properties (the rest emit changes)" % name)
    if name in documented:
        undocumented = [m.get("name") for m in documented[name] if m.tag != "annotation" and
                        not any(x.get("name") == "org.gtk.GDBus.DocString" for x in m.findall("annotation"))
                        and m.tag in ("method", "signal")]
        ok(not undocumented, "%s: every method and signal has a DocString" % name, undocumented)


def props(name):
    return {m.get("name") for m in documented[name].findall("property")}


# PropertiesChanged names what changed, by the names introspection shows.
mon.drain()
ok_, out = bus.call("/org/dstnyd/Cti1/Call/0", "org.dstnyd.Cti1.Call.Answer", "", "{}")
sig = mon.signal("PropertiesChanged", "/org/dstnyd/Cti1/Call/0",
                 data=lambda p: "Status" in p[1])
changed = set(sig["payload"]["data"][1]) if sig else set()
ok(ok_ and {"Status", "StateToken", "ActiveSince", "Json"} <= changed <=
   props("org.dstnyd.Cti1.Call"), "Call: answered, the changed names are Call properties",
   (out, sorted(changed)))
queues = {bus.get("/org/dstnyd/Cti1/Queue/%d" % i, "org.dstnyd.Cti1.Queue", "Id"): i
          for i in range(2)}
sim.control("POST", "/queues/35", {"totalLast24h": 99, "callsWaiting": 3})
sig = mon.signal("PropertiesChanged", "/org/dstnyd/Cti1/Queue/%d" % queues.get(35, 0))
eq(sorted(sig["payload"]["data"][1]) if sig else None, ["CallsWaiting", "TotalLast24h"],
   "Queue: a statistics update names exactly the changed properties")
sim.control("POST", "/contacts/anna", {"available": False, "activity": "lunch"})
sig = mon.signal("PropertiesChanged", "/org/dstnyd/Cti1/Contact/0")
eq(sorted(sig["payload"]["data"][1]) if sig else None, ["Activity", "Available"],
   "Contact: a presence event names exactly the changed properties")
d.stop()
mon.stop()
sim.stop()
bus.stop()
done()
