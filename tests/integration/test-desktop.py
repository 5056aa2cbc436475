#!/usr/bin/env python3
"""test-desktop.py: dstny-desktop's call notifications, against a recording
notification server, the simulator and dstnyd on a private session bus."""
import sys

sys.path.insert(0, __import__("os").path.dirname(__file__))
from harness import Bus, Daemon, Sim, bail, done, eq, ok, until   # noqa: E402
from deskharness import Desktop, Fake                             # noqa: E402

bus = Bus()
sim = Sim()
fake = Fake(bus, "notify")
daemon = Daemon(bus, sim)
desk = Desktop(bus)
if not desk.wait_log("following 1 user"):
    bail("dstny-desktop did not read dstnyd's state: " + desk.output()[-2000:])


def ring(name="Carol", number="+46701234567", **extra):
    st, c, _ = sim.control("POST", "/calls", dict(extra, **{"from": number,
                                                           "name": name}))
    if st != 200:
        bail("the simulator did not ring: %s %s" % (st, c))
    return c["callId"]


def routes():
    return [r.get("route") for r in sim.requests()]


# 1. A call rings: one Notify with what the spec and the issue ask.
cid = ring()
n = fake.notify(hints={"category": "call.incoming"})
ok(n is not None, "ringing: Notify with category call.incoming")
n = n or {"hints": {}, "actions": [], "summary": "", "body": "", "id": 0}
eq(n["hints"].get("urgency"), 2, "urgency 2 (critical)")
eq(n["hints"].get("resident"), True, "resident")
eq(n["hints"].get("desktop-entry"), "dstny-desktop", "desktop-entry")
eq(n["actions"][0::2], ["default", "answer", "decline"], "actions default, answer, decline")
eq(n["summary"], "Carol", "summary: the caller's name")
ok("+46701234567" in n["body"] and "Desk softphone" in n["body"],
   "body: the number and the device", n["body"])
eq(n["timeout"], 0, "it does not expire while ringing")
eq(n["replaces"], 0, "a new notification")

# 2. Answer from the notification: the simulator is asked to answer; the
# call is ACTIVE and the notification goes.
fake.send("action %d answer" % n["id"])
ok(until(lambda: "call.answer" in routes()), "answer action: the Core gets call.answer")
ok(fake.closed(n["id"]) is not None, "answered: CloseNotification")
sim.control("POST", "/calls/%s/hangup" % cid)

# 3. Answered elsewhere (at the phone): closed, and no missed call.
cid = ring("Dave", "+46702222222")
n = fake.notify(summary="Dave")
ok(n is not None, "second call: Notify")
sim.control("POST", "/calls/%s/answer" % cid)
ok(n and fake.closed(n["id"]) is not None, "answered at the phone: CloseNotification")
sim.control("POST", "/calls/%s/hangup" % cid)

# 4. Decline: the Core gets the hangup.
fake.drain()
sim.control("DELETE", "/requests")
cid = ring("Eve", "+46703333333")
n = fake.notify(summary="Eve")
fake.send("action %d decline" % (n or {"id": 0})["id"])
ok(until(lambda: "call.hangup" in routes()), "decline action: the Core gets call.hangup")
ok(n and fake.closed(n["id"]) is not None, "declined: CloseNotification")

# 4b. Neither the declined nor the answered calls were missed: the next
# notification is the next call's.
fake.drain()
cid = ring("Judy", "+46708888888")
n = fake.wait(lambda m: m["method"] == "Notify")
eq(n and (n["hints"]["category"], n["summary"]), ("call.incoming", "Judy"),
   "no missed-call notification for answered or declined calls")

# 4c. Missed: the caller gives up while it rings. The ringing one goes, a
# call.unanswered one comes, and its call-back action dials the number.
sim.control("POST", "/calls/%s/hangup" % cid)
ok(n and fake.closed(n["id"]) is not None, "caller hung up: CloseNotification")
m = fake.notify(hints={"category": "call.unanswered"})
ok(m is not None, "missed: Notify with category call.unanswered")
eq(m and m["actions"][0::2], ["default", "call-back"], "missed: actions default, call-back")
ok(m and "Judy" in m["summary"] and "+46708888888" in m["body"], "missed: who called",
   m and (m["summary"], m["body"]))
sim.control("DELETE", "/requests")
fake.send("action %d call-back" % (m or {"id": 0})["id"])
ok(until(lambda: "call.make" in routes()), "call-back: the Core gets call.make")
out = until(lambda: [c for c in sim.state()["users"][0]["calls"]
                     if not c.get("inbound") and "8888888" in str(c.get("remoteParty"))])
ok(out, "call-back: an outbound call to the caller's number", sim.state()["users"][0]["calls"])
for c in out or []:
    sim.control("POST", "/calls/%s/hangup" % c["callId"])

# 5. A change while ringing updates the notification in place; the number
# withheld shows as such.
cid = ring("", "")
n = fake.notify(hints={"category": "call.incoming"})
ok(n is not None and n["summary"] != "", "a caller without a name: a summary all the same",
   n and n["summary"])
sim.control("POST", "/calls/%s/hangup" % cid)
ok(n and fake.closed(n["id"]) is not None, "ended while ringing: CloseNotification")

# 6. dstnyd restarts mid-call: the notification stays and is updated in
# place (replaces_id), not closed and shown again.
fake.drain()
cid = ring("Frank", "+46704444444")
n = fake.notify(summary="Frank")
daemon.stop()
daemon = Daemon(bus, sim)
fid = n["id"] if n else -1
again = fake.wait(lambda m: (m["method"] == "Notify" and m["summary"] == "Frank") or
                  (m["method"] == "CloseNotification" and m["id"] == fid), 15)
ok(again is not None and again["method"] == "Notify" and n is not None and
   again["replaces"] == n["id"], "dstnyd restarted: the same notification, updated", again)
sim.control("POST", "/calls/%s/answer" % cid)
ok(n and fake.closed(n["id"]) is not None, "after the restart the call is still followed")
sim.control("POST", "/calls/%s/hangup" % cid)

# 7. The notification server restarts mid-call: the ringing call is shown
# on the new one; a server without actions gets no buttons, said once.
cid = ring("Grace", "+46705555555")
n = fake.notify(summary="Grace")
fake.stop()
fake = Fake(bus, "notify", "--no-actions")
n2 = fake.notify(summary="Grace", timeout=15)
ok(n2 is not None, "new notification server: the ringing call is shown again")
ok(until(lambda: "shows no actions" in desk.output()), "no actions capability: said in the log")
sim.control("POST", "/calls/%s/hangup" % cid)
cid = ring("Heidi", "+46706666666")
n3 = fake.notify(summary="Heidi")
eq(n3 and n3["actions"], [], "without the actions capability: no buttons")
eq(desk.output().count("shows no actions"), 1, "said once")
sim.control("POST", "/calls/%s/hangup" % cid)

# 8. No notification server at all: logged, and dstny-desktop goes on.
fake.stop()
cid = ring("Ivan", "+46707777777")
ok(desk.wait_log("no notification server"), "no server: logged")
ok(desk.proc.poll() is None, "no server: dstny-desktop goes on")
fake = Fake(bus, "notify")
ok(fake.notify(summary="Ivan", timeout=15) is not None,
   "a server that starts later shows the ringing call")
sim.control("POST", "/calls/%s/hangup" % cid)

ok(sim.control("GET", "/tickets")[1] and
   not any(t in desk.output() for t in sim.control("GET", "/tickets")[1]),
   "no ticket in dstny-desktop's log")
eq(desk.stop(), 0, "dstny-desktop exits 0 on SIGTERM")
daemon.stop()
fake.stop()
sim.stop()
bus.stop()
done()
