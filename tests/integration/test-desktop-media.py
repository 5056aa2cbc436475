#!/usr/bin/env python3
"""test-desktop-media.py: [media] pause: the MPRIS players that play get
Pause when a call is answered (or rings, with pause = ringing), and exactly
those get Play after the last call ends."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import Bus, Daemon, Sim, bail, done, eq, ok   # noqa: E402
from deskharness import Desktop, Fake                      # noqa: E402

bus = Bus()
sim = Sim()
fake = Fake(bus, "notify")
vlc = Fake(bus, "player", "vlc", "Playing")
mpv = Fake(bus, "player", "mpv", "Paused")
spot = Fake(bus, "player", "spotify", "Playing")
daemon = Daemon(bus, sim)
desk = Desktop(bus, "[media]\npause = answered\n")
if not desk.wait_log("following 1 user"):
    bail("dstny-desktop did not start: " + desk.output()[-2000:])


def ring(name, number):
    st, c, _ = sim.control("POST", "/calls", {"from": number, "name": name})
    if st != 200:
        bail("ring: %s %s" % (st, c))
    ok(fake.notify(summary=name) is not None, "%s rings" % name)
    return c["callId"]


def methods(p):
    return [m["method"] for m in p.seen]


def got(p, method):
    return p.wait(lambda m: m["method"] == method)


# pause = answered: nothing while it rings; at the answer, the two that play.
a = ring("Anna", "+46701000001")
eq(methods(vlc) + methods(spot), [], "ringing: no player touched yet")
sim.control("POST", "/calls/%s/answer" % a)
ok(got(vlc, "Pause") and got(spot, "Pause"), "answered: Pause to the players that play")

# A second call while the first goes on; the first ends: still quiet.
b = ring("Bert", "+46701000002")
sim.control("POST", "/calls/%s/answer" % b)
sim.control("POST", "/calls/%s/hangup" % a)
c = ring("Cleo", "+46701000003")     # A's end was seen before this ring
eq(methods(vlc), ["Pause"], "one call still on: no Play yet")

# The last call ends: Play to exactly those two.
sim.control("POST", "/calls/%s/hangup" % b)
sim.control("POST", "/calls/%s/hangup" % c)
ok(got(vlc, "Play") and got(spot, "Play"), "last call ended: Play to the paused players")
eq(methods(vlc), ["Pause", "Play"], "vlc: paused once, played once")
eq(methods(spot), ["Pause", "Play"], "spotify: paused once, played once")
eq(methods(mpv), [], "mpv, which was not playing, was left alone")
desk.stop()

# pause = ringing: a ringing call is enough; a missed one gives it back.
desk = Desktop(bus, "[media]\npause = ringing\n[notify]\nmissed = no\n")
if not desk.wait_log("following 1 user"):
    bail("dstny-desktop did not start again")
d = ring("Dora", "+46701000004")
ok(got(vlc, "Pause") is not None, "pause = ringing: Pause while it rings")
sim.control("POST", "/calls/%s/hangup" % d)
ok(got(vlc, "Play") is not None, "the missed call ended: Play")
eq(methods(mpv), [], "mpv still untouched")
ok("media: Pause org.mpris.MediaPlayer2.vlc" in desk.output(), "the log says what was paused")

eq(desk.stop(), 0, "dstny-desktop exits 0")
for p in (vlc, mpv, spot, fake):
    p.stop()
daemon.stop()
sim.stop()
bus.stop()
done()
