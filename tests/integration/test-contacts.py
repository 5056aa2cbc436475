#!/usr/bin/env python3
"""test-contacts.py: the directory (issue 22) against the simulator: Search
on D-Bus, contacts.search on the socket, dstnyctl search and dial/transfer
by name; caller names from the directory and personal contacts, cached,
and a failed lookup that leaves the number alone."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Bus, Daemon, Monitor, Rpc, Sim, build_path, done, eq, ok, until

bus = Bus()
sim = Sim()
mon = Monitor(bus)
# A hostile colleague: control characters in the name and the note.
sim.control("POST", "/contacts", {"id": "evil", "firstname": "\x1b]2;pwned\x07Eve",
                                  "lastname": "Evilson\nFAKE LINE", "number": "+46709999999",
                                  "note": "\x1b[31mred"})
# bob too: personal contacts (the simulator gives them to alice only) are
# each user's own.
import tempfile
_bobdir = tempfile.mkdtemp(prefix="dstnyd-test-bobpw-")
BOB_PW = os.path.join(_bobdir, "pw")
with open(BOB_PW, "w") as f:
    f.write("bob-password\n")
os.chmod(BOB_PW, 0o600)
d = Daemon(bus, sim, users='[user "bob"]\ndomain = example.com\nuser = bob\n'
           'password_file = %s\n' % BOB_PW)
U0 = "/org/dstnyd/Cti1/User/0"
CTL = build_path("client", "dstnyctl")
rpc = Rpc(d.sock)
rpc.call("subscribe", topics=["calls"])


def ctl(*args):
    env = dict(os.environ, DSTNYD_SOCKET=d.sock)
    r = subprocess.run([CTL] + list(args), capture_output=True, text=True, timeout=30, env=env)
    return r.returncode, r.stdout, r.stderr


def search(query, mx):
    r = subprocess.run(["busctl", "--address=" + bus.address, "--json=short", "call",
                        "org.dstnyd.Cti1", U0, "org.dstnyd.Cti1.Directory", "Search", "su",
                        query, str(mx)], capture_output=True, text=True, timeout=15)
    if r.returncode != 0:
        return None, r.stderr
    return [{k: v["data"] for k, v in c.items()} for c in json.loads(r.stdout)["data"][0]], ""


def requests(route):
    return [q for q in sim.requests() if q.get("route") == route]


# 1. Search on D-Bus: the reference's shape, maxResults sent as a string.
res, err = search("anna", 5)
ok(res is not None and [c["Name"] for c in res] == ["Anna Andersson", "Anna Berg"],
   "D-Bus Search finds both Annas", (res, err))
if res:
    a = res[0]
    ok(a["Numbers"] == ["+46701000001"] and a["Company"] == "Example AB" and
       a["Available"] is True and a["InCall"] is False and a["Type"] == "DIRECTORY",
       "a contact: numbers, company, presence, in-call", a)
    eq(a["Cid"], "anna@example.com", "the contactEntryId decoded to id@domain")
res, err = search("anna", 1)
ok(res is not None and len(res) == 1, "max reaches the Core (maxResults)", res)
res, err = search("", 5)
ok(res is None and "the query is empty" in err, "an empty query is refused", err)
res, err = search("cecilia", 0)
ok(res and res[0]["Available"] is False and res[0]["Note"] == "Back at 13:00" and
   res[0]["Activity"] == "lunch", "an away colleague: activity and note", res)

# 2. The socket.
r = rpc.call("contacts.search", query="anna", max=1)
ok("result" in r and len(r["result"]) == 1 and r["result"][0]["name"] == "Anna Andersson" and
   r["result"][0]["numbers"][0]["number"] == "+46701000001", "contacts.search, max 1", r)
r = rpc.call("contacts.search", query="nobody-here")
eq(r.get("result"), [], "contacts.search: no match is an empty list")
r = rpc.call("contacts.search")
ok(r.get("error", {}).get("code") == -32602, "contacts.search without a query: -32602", r)

# A hostile name and note are inert: no control character anywhere.
r = rpc.call("contacts.search", query="evilson")
evil = r.get("result", [{}])[0]
ok(evil.get("name") and not any(ord(ch) < 0x20 for ch in evil["name"] + evil.get("note", "")),
   "socket: control characters in a name and a note are gone", evil)
rc, out, err = ctl("search", "evilson")
ok(rc == 0 and "\x1b" not in out and "\x07" not in out and out.count("\n") == 2 and
   "Evilson" in out, "dstnyctl search: a hostile name stays on its line", repr(out))

# 3. dstnyctl search, and dial / transfer by name.
rc, out, err = ctl("search", "anna")
ok(rc == 0 and "Anna Andersson" in out and "Anna Berg" in out and "+46701000002" in out and
   "available" in out, "dstnyctl search anna", out + err)
rc, out, err = ctl("dial", "anna")
ok(rc == 2 and "matches 2 contacts" in err and "Anna Berg" in err,
   "dial anna: the candidates, exit 2", (rc, err))
rc, out, err = ctl("dial", "zzzz")
ok(rc == 13 and "no contact matches" in err, "dial zzzz: none, exit 13 (NotFound)", (rc, err))
rc, out, err = ctl("dial", "bertil")
ok(rc == 0 and "to tel:+46701000003" in out and "Bertil Bo is +46701000003" in err,
   "dial bertil: the single match's number", (rc, out, err))
call = out.split()[1] if rc == 0 else ""
if call:
    sim.control("POST", "/calls/%s/answer" % call)
    until(lambda: rpc.call("call.get", call=call).get("result", {}).get("status") == "ACTIVE")
    rc, out, err = ctl("transfer", call, "Anna Berg")
    ok(rc == 0 and "Anna Berg is +46701000002" in err, "transfer CALL 'Anna Berg': exact name",
       (rc, out, err))
    q = requests("call.transfer")
    ok(q and q[-1]["path"].endswith("/transfer"), "the transfer went to the Core", q)

# 4. Caller names: the call shows at once, its name follows as a change.
mon.drain()
vcards = len(requests("contact.vcard"))
c = sim.control("POST", "/calls", {"from": "+46701000001"})[1]
added = rpc.notification("call.added", lambda p: p["call"]["callId"] == c["callId"])
ok(added is not None and added["call"]["remoteNameSource"] == "",
   "the call is added before its name is known", added)
changed = rpc.notification("call.changed", lambda p: p["call"]["callId"] == c["callId"] and
                           p["call"]["remoteName"] == "Anna Andersson")
ok(changed is not None and changed["call"]["remoteNameSource"] == "directory",
   "socket: call.changed names the caller from the directory", changed)
sig = mon.signal("PropertiesChanged", data=lambda p: p[1].get("RemoteName", {}).get("data") ==
                 "Anna Andersson")
ok(sig is not None and sig["payload"]["data"][1].get("RemoteNameSource", {}).get("data") ==
   "directory", "D-Bus: RemoteName and RemoteNameSource change together", sig)
path = sig["path"] if sig else U0
eq(bus.get(path, "org.dstnyd.Cti1.Call", "RemoteNumber"), "+46701000001",
   "the number stays")
eq(len(requests("contact.vcard")), vcards + 1, "one contact.vcard lookup")
vcards += 1

# The same caller again: the cache answers.
c2 = sim.control("POST", "/calls", {"from": "+46701000001"})[1]
changed = rpc.notification("call.changed", lambda p: p["call"]["callId"] == c2["callId"] and
                           p["call"]["remoteName"] == "Anna Andersson")
ok(changed is not None and len(requests("contact.vcard")) == vcards,
   "a second call from the number: named from the cache, no request", changed)

# A personal contact: not in the directory (404), found in personal.list.
c3 = sim.control("POST", "/calls", {"from": "+46850654760"})[1]
changed = rpc.notification("call.changed", lambda p: p["call"]["callId"] == c3["callId"] and
                           p["call"]["remoteName"] != "")
ok(changed is not None and changed["call"]["remoteName"] == "John Doe" and
   changed["call"]["remoteNameSource"] == "personal", "a personal contact's name", changed)

# The Core names the caller: no lookup, source core.
before = len(requests("contact.vcard"))
c4 = sim.control("POST", "/calls", {"from": "+46701000002", "name": "Reception"})[1]
added = rpc.notification("call.added", lambda p: p["call"]["callId"] == c4["callId"])
ok(added is not None and added["call"]["remoteName"] == "Reception" and
   added["call"]["remoteNameSource"] == "core", "a name from the Core is kept", added)

# A lookup that fails (each of its three tries): the call keeps its
# number, nothing is cached.
sim.control("POST", "/faults", {"fail": {"count": 3, "status": 500, "route": "contact.vcard"}})
c5 = sim.control("POST", "/calls", {"from": "+46701000004"})[1]
ok(d.wait_output("caller name: contact.vcard: Upstream"), "the failed lookup is logged")
view = rpc.call("call.get", call=c5["callId"]).get("result", {})
ok(view.get("remoteName") == "" and view.get("remoteParty", {}).get("displayNumber") ==
   "+46701000004", "after a failed lookup the call keeps its number", view)
eq(len(requests("contact.vcard")), before + 3, "the Core's own name cost no lookup")
c6 = sim.control("POST", "/calls", {"from": "+46701000004"})[1]
changed = rpc.notification("call.changed", lambda p: p["call"]["callId"] == c6["callId"] and
                           p["call"]["remoteName"] != "")
ok(changed is not None and changed["call"]["remoteName"] == "Cecilia Ceder",
   "a failure was not cached: the next call is named", changed)
rc, out, err = ctl("calls")
ok(rc == 0 and "Cecilia Ceder" in out and "Anna Andersson" in out,
   "dstnyctl calls shows the directory's names", out)

# Nobody knows the number: cached as unknown, asked once.
n0 = len(requests("personal.list"))
c7 = sim.control("POST", "/calls", {"from": "+15550000"})[1]
ok(until(lambda: len(requests("personal.list")) == n0 + 1), "an unknown number: both sources asked")
ok(d.wait_output("caller name: no contact has the number"), "the lookup's answer came")
c8 = sim.control("POST", "/calls", {"from": "+15550000"})[1]
added = rpc.notification("call.added", lambda p: p["call"]["callId"] == c8["callId"])
eq(len(requests("personal.list")), n0 + 1, "an unknown number is not asked again")
ok(added is not None and added["call"]["remoteName"] == "", "and the call keeps its number")

# alice's personal contact calls bob: bob's lookup is his own (his
# personal contacts are empty), not alice's cached name.
NOBODY = "bob@example.com: caller name: no contact has the number"
seen0 = d.output().count(NOBODY)
cb = sim.control("POST", "/calls", {"user": "bob", "from": "+46850654760"})[1]


def bob_view():
    return rpc.call("call.get", call=cb["callId"], user="bob").get("result", {})


# Either bob's own lookup ends (nobody he knows has the number), or a
# name arrives at once from somewhere else: whichever comes first.
until(lambda: d.output().count(NOBODY) > seen0 or bob_view().get("remoteName"), 10)
view = bob_view()
ok(view.get("callId") == cb["callId"] and view.get("remoteName") == "" and
   view.get("remoteNameSource") != "personal",
   "another user's personal contact names no call of bob's", view)

rpc.close()
eq(d.stop(), 0, "the daemon stops cleanly")
out = d.output()
ok("AddressSanitizer" not in out and "runtime error" not in out and "LeakSanitizer" not in out,
   "no sanitizer report", out[-3000:])
eq(sim.stop(), 0, "the simulator stops cleanly")
mon.stop()
bus.stop()
done()
