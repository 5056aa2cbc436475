#!/usr/bin/env python3
"""test-sim.py: dstny-coresim over HTTP only: every route, the 401, 404 and
409 paths, webhooks and their expiry, SSE streams, and each fault."""
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (HookReceiver, Sim, Stream, bail, build_path, core_up, done, eq, ok,
                     request, until)

sim = Sim()
API = sim.url
D, U = "example.com", "alice"


def refused(port):
    """True when a connection to port is refused (nothing listens)."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return False
    except ConnectionRefusedError:
        return True


def api(method, path, body=None, token=None, **kw):
    return request(method, API + path, body, token=token, **kw)


# --- tickets -------------------------------------------------------------
st, body, _ = api("POST", "/ticket/%s/%s?api=CALL_CONTROL&platform=other&name=t" % (D, U),
                  basic="alice@example.com:wrong")
eq(st, 401, "ticket.create with a wrong password is 401")
ok("field" in body and body["field"][0]["description"], "401 carries the Core's error body")
st, body, _ = api("POST", "/ticket/%s/%s?name=t" % (D, U), basic="alice@example.com:alice-password")
eq(st, 400, "ticket.create without api and platform is 400")
st, body, _ = api("POST", "/ticket/%s/%s?api=CALL_CONTROL&api=USER&platform=other&name=t1&expires=600"
                  % (D, U), basic="alice@example.com:alice-password")
eq(st, 200, "ticket.create with HTTP Basic user@domain:password")
TOK = body["token"]
ok(body["name"] == "t1" and body["allowedApis"] == ["CALL_CONTROL", "USER"] and
   body["expires"].endswith("Z"), "ticket answer has expires, name, token, allowedApis", body)
st, body, _ = api("POST", "/ticket/%s/bob?api=CALL_CONTROL&platform=other&name=b" % D,
                  basic="bob@example.com:bob-password")
BOB = body["token"]
eq(api("GET", "/callstate/%s/%s" % (D, U))[0], 401, "no ticket: 401")
eq(api("GET", "/callstate/%s/%s" % (D, U), token="nope")[0], 401, "unknown ticket: 401")
eq(api("GET", "/callstate/%s/%s" % (D, U), token=BOB)[0], 403, "another user's ticket: 403")
eq(api("GET", "/callstate/%s/nobody" % D, token=TOK)[0], 404, "unknown user: 404")
st, body, _ = api("POST", "/ticket/%s/%s?api=CALL_CONTROL&platform=other&name=gone" % (D, U),
                  basic="alice@example.com:alice-password")
GONE = body["token"]
eq(api("DELETE", "/ticket/%s/%s/gone" % (D, U), token=GONE)[0], 204, "ticket.delete")
eq(api("GET", "/callstate/%s/%s" % (D, U), token=GONE)[0], 401, "a deleted ticket is refused")
eq(api("DELETE", "/ticket/%s/%s/gone" % (D, U), token=TOK)[0], 404, "deleting it again: 404")

# --- routing --------------------------------------------------------------
eq(api("GET", "/nothing/here", token=TOK)[0], 404, "unknown path: 404")
eq(api("PUT", "/callstate/%s/%s" % (D, U), token=TOK, body={})[0], 405,
   "known path, wrong method: 405")

# --- devices --------------------------------------------------------------
st, body, _ = api("GET", "/userdevice/%s/%s/devices" % (D, U), token=TOK)
ok(st == 200 and [d["deviceId"] for d in body] == ["alice-desk", "alice-mobile"] and
   body[1]["deviceStatus"] == "INACTIVE", "devices.list", body)
st, body, _ = api("GET", "/userdevice/%s/%s/activedevices" % (D, U), token=TOK)
ok(st == 200 and [d["deviceId"] for d in body] == ["alice-desk"] and
   "deviceStatus" not in body[0], "devices.active is compact and active only", body)

# --- call state and call control --------------------------------------------
st, body, _ = api("GET", "/callstate/%s/%s" % (D, U), token=TOK)
eq(body, {"fullState": True, "calls": []}, "state.user with no calls")
st, inbound, _ = sim.control("POST", "/calls", {"from": "+46701234567", "name": "Carol Customer"})
CID = inbound["callId"]
ok(st == 200 and inbound["status"] == "RINGING" and inbound["inbound"] is True and
   inbound["remoteParty"]["displayName"] == "Carol Customer", "control: an inbound call rings", inbound)
eq(inbound["actions"], [{"action": "ANSWER", "deviceIds": ["alice-desk"]}],
   "a ringing call offers ANSWER on the active devices")
st, body, _ = api("GET", "/callstate/%s/%s" % (D, U), token=TOK)
ok(len(body["calls"]) == 1 and body["calls"][0]["callId"] == CID, "state.user lists it")
st, body, _ = api("GET", "/callstate/%s/%s/calls/%s" % (D, U, CID), token=TOK)
ok(st == 200 and body["stateToken"] == inbound["stateToken"], "state.call")
eq(api("GET", "/callstate/%s/%s/calls/nope" % (D, U), token=TOK)[0], 404, "unknown call: 404")

CC = "/callcontrol/%s/%s/calls/%s" % (D, U, CID)
tokens = {inbound["stateToken"]}
eq(api("POST", CC + "/hold", {}, token=TOK)[0], 409, "hold on a ringing call: 409 (not offered)")
eq(api("POST", CC + "/answer/alice-mobile", {}, token=TOK)[0], 409,
   "answer on a device not in the ANSWER action: 409")
eq(api("POST", CC + "/answer/no-such-device", {}, token=TOK)[0], 404,
   "answer on an unknown device: 404")
st, call, _ = api("POST", CC + "/answer/alice-desk", {}, token=TOK)
ok(st == 200 and call["status"] == "ACTIVE" and call["deviceIds"] == ["alice-desk"],
   "answer: ACTIVE on the device", call)
ok(call["stateToken"] not in tokens, "answer changed the stateToken")
tokens.add(call["stateToken"])
ok({"HOLD", "MUTE", "TRANSFER", "PARK", "MOVE", "START_REC"} <=
   {a["action"] for a in call["actions"]}, "an active call's actions", call["actions"])
stale = inbound["stateToken"]
st, body, _ = api("POST", CC + "/hold", {"stateToken": stale}, token=TOK)
ok(st == 409 and body["field"][0]["code"] == "stateToken.mismatch", "hold with a stale token: 409")
st, call, _ = api("POST", CC + "/hold", {"stateToken": call["stateToken"]}, token=TOK)
ok(st == 200 and call["status"] == "HELD" and
   {a["action"] for a in call["actions"]} == {"MOVE", "TRANSFER", "RESUME", "PARK"}, "hold", call)
tokens.add(call["stateToken"])
st, call, _ = api("POST", CC + "/resume", {}, token=TOK)
ok(st == 200 and call["status"] == "ACTIVE", "resume")
st, call, _ = api("POST", CC + "/mute", {"stateToken": call["stateToken"]}, token=TOK)
ok(st == 200 and call["muted"] is True and call["event"] == "MUTED" and
   any(a["action"] == "UNMUTE" for a in call["actions"]), "mute")
eq(api("POST", CC + "/mute", {}, token=TOK)[0], 409, "mute twice: 409")
st, call, _ = api("POST", CC + "/unmute", {}, token=TOK)
ok(st == 200 and call["muted"] is False, "unmute")
st, body, _ = api("POST", CC + "/dtmf", {"digits": "12E"}, token=TOK)
ok(st == 400 and body["field"][0]["code"] == "digits.invalid", "DTMF outside 0-9A-D#*: 400")
before = call["stateToken"]
st, call, _ = api("POST", CC + "/dtmf", {"digits": "0123456789ABCD#*"}, token=TOK)
ok(st == 200 and call["stateToken"] != before, "DTMF")
st, call, _ = api("POST", CC + "/move/alice-mobile", {}, token=TOK)
ok(st == 200 and call["deviceIds"] == ["alice-mobile"], "move")
st, call, _ = api("POST", "/callrecording/%s/%s/calls/%s/start" % (D, U, CID), {}, token=TOK)
ok(st == 200 and call["recording"] is True and any(a["action"] == "STOP_REC" for a in call["actions"]),
   "rec.start")
eq(api("POST", "/callrecording/%s/%s/calls/%s/start" % (D, U, CID), {}, token=TOK)[0], 409,
   "rec.start twice: 409")
st, call, _ = api("POST", "/callrecording/%s/%s/calls/%s/stop" % (D, U, CID), {}, token=TOK)
ok(st == 200 and call["recording"] is False, "rec.stop")
for action in ("pause", "resume", "save", "discard"):
    eq(api("POST", "/callrecording/%s/%s/calls/%s/%s" % (D, U, CID, action), {}, token=TOK)[0], 409,
       "rec.%s without an on-demand recording: 409" % action)
eq(api("POST", CC + "/transfer", {}, token=TOK)[0], 400, "transfer without destination: 400")

# Outbound, consult, swap, conference, participants, leave.
DEV = "/callcontrol/%s/%s/devices/" % (D, U)
eq(api("POST", DEV + "nope/calls", {"destination": "tel:+1444344"}, token=TOK)[0], 404,
   "call.make on an unknown device: 404")
eq(api("POST", DEV + "alice-desk/calls", {}, token=TOK)[0], 400, "call.make without destination: 400")
st, out, _ = api("POST", DEV + "alice-desk/calls",
                 {"destination": "tel:+1444344", "userLine": {"type": "OFFICE_FIXED", "groupId": 0}},
                 token=TOK)
ok(st == 200 and out["status"] == "INITIATED" and out["inbound"] is False and
   out["remoteParty"]["telUri"] == "tel:+1444344" and out["actions"] == [], "call.make", out)
st, out2, _ = sim.control("POST", "/calls/%s/answer" % out["callId"])
ok(st == 200 and out2["status"] == "ACTIVE", "control: the far end answers")
eq(sim.control("POST", "/calls/%s/answer" % out["callId"])[0], 409, "control: answering twice: 409")
st, call, _ = api("POST", CC + "/hold", {}, token=TOK)
st, swapped, _ = api("POST", "/callcontrol/%s/%s/calls/%s/swap" % (D, U, out["callId"]),
                     {"targetCallId": CID, "targetStateToken": 1}, token=TOK)
eq(st, 409, "swap with a stale targetStateToken: 409")
st, swapped, _ = api("POST", "/callcontrol/%s/%s/calls/%s/swap" % (D, U, out["callId"]),
                     {"targetCallId": CID}, token=TOK)
st2, first, _ = api("GET", "/callstate/%s/%s/calls/%s" % (D, U, CID), token=TOK)
ok(st == 200 and swapped["status"] == "HELD" and first["status"] == "ACTIVE", "swap")
st, conf, _ = api("POST", CC + "/conference", {"targetCallId": out["callId"]}, token=TOK)
ok(st == 200 and conf["conference"] is True and len(conf["participants"]) == 2 and
   conf["event"] == "PARTICIPANT_ADDED", "conference merges the two calls", conf)
eq(api("GET", "/callstate/%s/%s/calls/%s" % (D, U, out["callId"]), token=TOK)[0], 404,
   "the merged call is gone")
pid = conf["participants"][0]["id"]
eq(api("DELETE", CC + "/participants/nope", token=TOK)[0], 404, "removeparticipant unknown: 404")
st, conf, _ = api("DELETE", CC + "/participants/%s?stateToken=%d" % (pid, conf["stateToken"]), token=TOK)
ok(st == 200 and len(conf["participants"]) == 1 and conf["event"] == "PARTICIPANT_LEFT",
   "removeparticipant with the stateToken in the query")
st, left, _ = api("POST", CC + "/leaveconference", token=TOK)
ok(st == 200 and left["status"] == "TERMINATED" and left["event"] == "LEFT_CONFERENCE",
   "leaveconference", left)
eq(api("GET", "/callstate/%s/%s" % (D, U), token=TOK)[1]["calls"], [], "no calls left")

# Consult and transfertocall; park; hangup with the method override; pickup.
st, c1, _ = sim.control("POST", "/calls", {"from": "+46700000001"})
api("POST", "/callcontrol/%s/%s/calls/%s/answer/alice-desk" % (D, U, c1["callId"]), {}, token=TOK)
st, cons, _ = api("POST", "/callcontrol/%s/%s/calls/%s/consult" % (D, U, c1["callId"]),
                  {"destination": "tel:+46700000002"}, token=TOK)
held = api("GET", "/callstate/%s/%s/calls/%s" % (D, U, c1["callId"]), token=TOK)[1]
ok(st == 200 and cons["status"] == "INITIATED" and held["status"] == "HELD", "consult holds and dials")
sim.control("POST", "/calls/%s/answer" % cons["callId"])
st, x, _ = api("POST", "/callcontrol/%s/%s/calls/%s/transfertocall" % (D, U, c1["callId"]),
               {"targetCallId": cons["callId"], "waitForAnswer": False}, token=TOK)
ok(st == 200 and x["status"] == "TERMINATED" and x["event"] == "TRANSFERRED", "transfertocall")
eq(api("GET", "/callstate/%s/%s" % (D, U), token=TOK)[1]["calls"], [], "both calls gone after transfertocall")
st, c2, _ = sim.control("POST", "/calls", {"from": "+46700000003"})
api("POST", "/callcontrol/%s/%s/calls/%s/answer/alice-desk" % (D, U, c2["callId"]), {}, token=TOK)
st, parked, _ = api("POST", "/callcontrol/%s/%s/calls/%s/park" % (D, U, c2["callId"]), {}, token=TOK)
ok(st == 200 and parked["event"] == "PARKED" and
   api("GET", "/callstate/%s/%s" % (D, U), token=TOK)[1]["calls"] == [], "park removes the call")
st, c3, _ = sim.control("POST", "/calls", {"from": "+46700000004"})
st, _, _ = api("POST", "/callcontrol/%s/%s/calls/%s" % (D, U, c3["callId"]), {}, token=TOK,
               headers={"X-HTTP-Method-Override": "DELETE"})
ok(st == 204 and api("GET", "/callstate/%s/%s" % (D, U), token=TOK)[1]["calls"] == [],
   "hangup as POST with X-HTTP-Method-Override: DELETE rejects a ringing call")
st, c4, _ = sim.control("POST", "/calls", {"from": "+46700000005"})
st, picked, _ = api("POST", DEV + "alice-desk/pickup",
                    {"callId": c4["callId"], "toTag": "1", "fromTag": "2", "earlyOnly": True}, token=TOK)
ok(st == 200 and picked["status"] == "ACTIVE", "SIP pickup of a ringing call")
eq(api("POST", DEV + "alice-desk/pickup", {"callId": "nope"}, token=TOK)[0], 404, "pickup unknown: 404")
st, _, _ = sim.control("POST", "/calls/%s/hangup" % c4["callId"])
ok(st == 204 and api("GET", "/callstate/%s/%s" % (D, U), token=TOK)[1]["calls"] == [],
   "control: the far end hangs up")
eq(sim.control("POST", "/calls/nope/hangup")[0], 404, "control: unknown call: 404")
ok(len(tokens) == len(set(tokens)), "stateTokens never repeat")

# --- groups and line state -----------------------------------------------
G = "/distributiongroup/%s/%s/groups" % (D, U)
st, body, _ = api("GET", G, token=TOK)
ok(st == 200 and [g["id"] for g in body["group"]] == [35, 5] and body["group"][0]["loggedIn"] is True,
   "groups.list", body)
st, body, _ = api("POST", G + "/5/login", token=TOK)
ok(st == 200 and body["group"][1]["loggedIn"] is True and body["group"][1]["loggedInAgents"] == 2,
   "groups.login")
st, body, _ = api("POST", G + "/5/logout?grpid-domain=example.com", token=TOK)
ok(st == 200 and body["group"][1]["loggedIn"] is False, "groups.logout")
eq(api("POST", G + "/999/login", token=TOK)[0], 404, "unknown group: 404")
L = "/linestate/%s/%s/teams-1" % (D, U)
eq(api("PUT", L, {}, token=TOK)[0], 400, "linestate.put without expiresOn: 400")
st, body, _ = api("PUT", L, {"expiresOn": "2026-11-28T20:00:00Z"}, token=TOK)
ok(st == 200 and sim.state()["users"][0]["lineStates"] ==
   [{"externalId": "teams-1", "expiresOn": "2026-11-28T20:00:00Z"}], "linestate.put")
st, _, _ = api("POST", L, {"expiresOn": "x"}, token=TOK, headers={"X-HTTP-Method-Override": "PUT"})
eq(st, 200, "linestate.put through the method override")
eq(api("DELETE", L, token=TOK)[0], 204, "linestate.delete")
eq(api("DELETE", L, token=TOK)[0], 404, "linestate.delete again: 404")

# --- webhooks ---------------------------------------------------------------
hooks = HookReceiver()
WH = "/callstate/%s/%s/webhook" % (D, U)
eq(api("POST", WH, {"targetId": "x"}, token=TOK)[0], 400, "webhook without targetUrl: 400")
st, body, _ = api("POST", WH, {"targetUrl": hooks.url + "/hooks/user1", "targetId": "user1",
                               "publicTarget": True}, token=TOK)
ok(st == 200 and body == {"expiresOn": 3600}, "state.user.webhook answers expiresOn", body)
st, body, _ = api("POST", "/userdevice/%s/%s/webhook" % (D, U),
                  {"targetUrl": hooks.url + "/hooks/dev1", "targetId": "dev1", "publicTarget": True},
                  token=TOK)
ok(st == 200 and body["expiresOn"] == 3600, "devices.webhook answers expiresOn")
st, c5, _ = sim.control("POST", "/calls", {"from": "+46700000006"})
posted = hooks.wait("/hooks/user1")
ok(posted is not None and json.loads(posted)["calls"][0]["callId"] == c5["callId"],
   "a new call is POSTed to the user webhook as a user state", posted)
CW = "/callstate/%s/%s/calls/%s/webhook" % (D, U, c5["callId"])
st, body, _ = api("POST", CW, {"targetUrl": hooks.url + "/hooks/call1", "targetId": "call1",
                               "publicTarget": True}, token=TOK)
ok(st == 200 and body["callId"] == c5["callId"], "state.call.webhook answers the CallState")
st, ans, _ = api("POST", "/callcontrol/%s/%s/calls/%s/answer/alice-desk" % (D, U, c5["callId"]), {},
                 token=TOK)
posted = hooks.wait("/hooks/call1")
ok(posted is not None and json.loads(posted) == {"stateToken": ans["stateToken"]},
   "a change POSTs the new stateToken to the call webhook", posted)
sim.control("POST", "/devices", {"deviceId": "alice-web", "deviceName": "Browser"})
posted = hooks.wait("/hooks/dev1")
ok(posted is not None and json.loads(posted)["changedField"] == "DEVICE_INFO" and
   "timeStamp" in json.loads(posted), "a device change POSTs {timeStamp, changedField}", posted)
eq(api("DELETE", CW.replace("/webhook", "/webhook/call1"), token=TOK)[0], 204, "state.call.webhook.delete")
eq(api("DELETE", "/userdevice/%s/%s/webhook/dev1" % (D, U), token=TOK)[0], 204, "devices.webhook.delete")
eq(api("DELETE", "/userdevice/%s/%s/webhook/dev1" % (D, U), token=TOK)[0], 404, "deleted twice: 404")
# Expiry: the registration lapses and nothing is delivered to it.
sim.control("POST", "/webhooks/expire")
ok(all(h["expiresIn"] == 0 for h in sim.state()["events"]["webhooks"]), "control: registrations expire")
st, body, _ = api("POST", WH, {"targetUrl": hooks.url + "/hooks/user2", "targetId": "user2",
                               "publicTarget": True}, token=TOK)
hooks.drain()
sim.control("POST", "/calls/%s/hangup" % c5["callId"])
ok(hooks.wait("/hooks/user2") is not None, "a live registration still gets POSTs")
ok(not any(p.startswith("/hooks/user1") for p, _ in hooks.drain()), "the lapsed one gets none")
eq(sim.control("POST", "/webhooks/lifetime", {"seconds": 2})[0], 204, "control: webhook lifetime")
st, body, _ = api("POST", WH, {"targetUrl": hooks.url + "/hooks/user1", "targetId": "user1",
                               "publicTarget": True}, token=TOK)
eq(body, {"expiresOn": 2}, "re-registering renews with the new lifetime")
eq(api("DELETE", WH + "/user1", token=TOK)[0], 204, "state.user.webhook.delete")
sim.control("POST", "/webhooks/lifetime", {"seconds": 3600})

# --- SSE streams -------------------------------------------------------------
ds = Stream(API + "/callstate/%s/%s/dialogs/subscribe" % (D, U), TOK)
ev = ds.next()
ok(ds.status == 200 and ev is not None and ev["event"] == "dialog" and 'state="full"' in ev["data"],
   "state.dialog.sse starts with a full dialog-info document", ev)
st, c6, _ = sim.control("POST", "/calls", {"from": "+46700000007"})
ev = ds.next()
ok(ev is not None and 'state="partial"' in ev["data"] and c6["callId"] in ev["data"] and
   "<state>early</state>" in ev["data"], "a new call is a partial dialog-info event", ev)
cs = Stream(API + "/callstate/%s/%s/calls/%s/subscribe" % (D, U, c6["callId"]), TOK, last_event_id="7")
ev = cs.next()
ok(ev is not None and ev["event"] == "callstate" and json.loads(ev["data"])["callId"] == c6["callId"],
   "state.call.sse starts with the CallState", ev)
first_id = int(ev["id"])
st, ans, _ = api("POST", "/callcontrol/%s/%s/calls/%s/answer/alice-desk" % (D, U, c6["callId"]), {},
                 token=TOK)
ev = cs.next()
ok(ev is not None and json.loads(ev["data"])["stateToken"] == ans["stateToken"] and int(ev["id"]) > first_id,
   "a change is the next callstate event, with a higher id", ev)
ok(any(r.get("lastEventId") == "7" for r in sim.requests()), "Last-Event-ID reaches the Core")
sim.control("POST", "/calls/%s/hangup" % c6["callId"])
ev = cs.next()
ok(ev is not None and json.loads(ev["data"])["status"] == "TERMINATED", "the stream reports TERMINATED")
ok(cs.closed.wait(5), "and then ends")
ev = ds.next()
ok(ev is not None and "<state>terminated</state>" in ev["data"], "the dialog stream reports the end")
qs = Stream(API + "/distributiongroup/%s/%s/queuestatistics/subscribe" % (D, U), TOK)
ev = qs.next()
ok(ev is not None and "<queueLength>0</queueLength>" in ev["data"] and "<id>35</id>" in ev["data"],
   "queues.sse starts with the statistics XML", ev)
sim.control("POST", "/queues/35", {"callsWaiting": 4, "longestWaiting": 61})
ev = qs.next()
ok(ev is not None and "<queueLength>4</queueLength>" in ev["data"] and
   "<longestWaiting>61</longestWaiting>" in ev["data"], "a queue change is an event", ev)
vs = Stream(API + "/userdevice/%s/%s/subscribe" % (D, U), TOK)
ev = vs.next()
ok(ev is not None and "alice-web" in ev["data"], "devices.sse starts with the devices")
sim.control("POST", "/devices", {"deviceId": "alice-web", "deviceStatus": "INACTIVE"})
ev = vs.next()
ok(ev is not None and '"deviceStatus":"INACTIVE"' in ev["data"], "a device change is an event")
eq(Stream(API + "/callstate/%s/%s/dialogs/subscribe" % (D, U), "bad").next(1) , None,
   "a stream with a bad ticket gets no events")

# --- faults -------------------------------------------------------------------
sim.control("POST", "/faults", {"fail": {"count": 2, "status": 503}})
codes = [api("GET", "/callstate/%s/%s" % (D, U), token=TOK)[0] for _ in range(3)]
eq(codes, [503, 503, 200], "fault: 5xx for the next N requests")
sim.control("POST", "/faults", {"fail": {"count": 1, "status": 500, "route": "groups.list"}})
eq(api("GET", "/callstate/%s/%s" % (D, U), token=TOK)[0], 200, "a route fault spares other routes")
eq(api("GET", G, token=TOK)[0], 500, "and hits its route")
sim.control("POST", "/faults", {"malformed": {"count": 1}})
st, body, _ = api("GET", "/callstate/%s/%s" % (D, U), token=TOK)
ok(st == 200 and isinstance(body, str), "fault: a malformed JSON body", body)
sim.control("POST", "/faults", {"malformed": {"count": 1}})
qx = Stream(API + "/distributiongroup/%s/%s/queuestatistics/subscribe" % (D, U), TOK)
ok(qx.next() is not None, "streams are not made malformed")
qx.close()
sim.control("POST", "/faults", {"drop": {"count": 1}})
try:
    api("GET", "/callstate/%s/%s" % (D, U), token=TOK)
    dropped = None
except Exception as e:
    dropped = e
# Dropped: no HTTP answer at all (a reset or an empty reply), not an error status.
ok(isinstance(dropped, (OSError, http.client.HTTPException)) and
   not isinstance(dropped, urllib.error.HTTPError),
   "fault: a dropped connection (%s)" % type(dropped).__name__)
sim.control("POST", "/faults", {"latencyMs": 300})
t0 = time.monotonic()
st = api("GET", "/callstate/%s/%s" % (D, U), token=TOK)[0]
ok(st == 200 and time.monotonic() - t0 >= 0.3, "fault: added latency")
st, body, _ = sim.control("DELETE", "/faults")
eq(body, {"latencyMs": 0, "fail": 0, "drop": 0, "malformed": 0, "slow": None, "silent": False,
          "initialState": True, "streamDelayMs": 0, "streamsHeld": 0, "frozen": 0,
          "held": 0, "eventsHeld": 0, "released": 1},
   "faults cleared; the one answer held back was sent")

# slow: one route's answers come later, the others' at once.
sim.control("POST", "/faults", {"slow": {"route": "groups.list", "ms": 300}})
t0 = time.monotonic()
eq(api("GET", "/callstate/%s/%s" % (D, U), token=TOK)[0], 200, "fault: slow spares other routes")
fast = time.monotonic() - t0
t0 = time.monotonic()
st = api("GET", G, token=TOK)[0]
ok(st == 200 and time.monotonic() - t0 >= 0.3, "fault: slow holds its route's answers",
   "other route %.3f s" % fast)
eq(sim.control("POST", "/faults", {"slow": None})[1]["slow"], None, "fault: slow ends with null")

# silent: the change is made, nobody is told.
sim.control("POST", "/faults", {"silent": True})
sim.control("POST", "/queues/35", {"callsWaiting": 9})
eq(qs.next(0.5), None, "fault: silent: a change sends no event")
st, body, _ = api("GET", G, token=TOK)
ok(st == 200 and any(g["id"] == 35 and g["callsWaiting"] == 9 for g in body["group"]),
   "and the Core has the change", body)
sim.control("POST", "/faults", {"silent": False})
sim.control("POST", "/queues/35", {"callsWaiting": 8})
ev = qs.next()
ok(ev is not None and "<queueLength>8</queueLength>" in ev["data"], "not silent: events again", ev)

# latencyMs holds events (and webhook hints) back too, as a distant Core's.
sim.control("POST", "/faults", {"latencyMs": 2000})
sim.control("POST", "/queues/35", {"callsWaiting": 6})
eq(sim.control("GET", "/faults")[1]["eventsHeld"], 1, "fault: latency holds a stream event")
ev = qs.next(10)
ok(ev is not None and "<queueLength>6</queueLength>" in ev["data"], "and sends it late", ev)
eq(sim.control("GET", "/faults")[1]["eventsHeld"], 0, "nothing held once it is sent")
sim.control("POST", "/faults", {"latencyMs": 0})

# freeze: the streams open now get nothing more; new ones work.
st, body, _ = sim.control("POST", "/faults", {"freeze": {"route": "queues.sse"}})
eq((st, body["frozen"]), (200, 1), "fault: freeze the queue stream")
eq(sim.control("POST", "/faults", {"freeze": {"route": "call.make"}})[0], 400,
   "fault: freeze names a stream route or none")
sim.control("POST", "/queues/35", {"callsWaiting": 7})
eq(qs.next(0.5), None, "a frozen stream gets no event")
ok(not qs.closed.is_set(), "and stays open")
q2 = Stream(API + "/distributiongroup/%s/%s/queuestatistics/subscribe" % (D, U), TOK)
ev = q2.next()
ok(ev is not None and "<queueLength>7</queueLength>" in ev["data"], "a new stream works", ev)
ok([s["frozen"] for s in sim.state()["events"]["streams"] if s["kind"] == "queue"].count(True) == 1,
   "the state shows which stream is frozen")

# initialState false, streamDelayMs: a stream is taken later, without the state.
sim.control("POST", "/faults", {"initialState": False, "streamDelayMs": 400})
q3 = Stream(API + "/distributiongroup/%s/%s/queuestatistics/subscribe" % (D, U), TOK)
ok(until(lambda: sim.control("GET", "/faults")[1]["streamsHeld"] == 1, 5),
   "fault: streamDelayMs holds a stream request")
eq(q3.status, None, "no answer head while held")
sim.control("POST", "/queues/35", {"callsWaiting": 6})   # before its subscription
ok(until(lambda: q3.status == 200, 5), "the head comes after the delay")
eq(q3.next(0.5), None, "fault: initialState false: no current state, and a change made "
   "before the subscription is not sent")
sim.control("POST", "/queues/35", {"callsWaiting": 5})
ev = q3.next()
ok(ev is not None and "<queueLength>5</queueLength>" in ev["data"], "a change after it is", ev)
for s_ in (q2, q3):
    s_.close()
sim.control("DELETE", "/faults")
eq(sim.control("POST", "/streams/drop")[0], 204, "control: drop streams")
ok(ds.closed.wait(5) and qs.closed.wait(5) and vs.closed.wait(5), "fault: SSE streams dropped mid-stream")
eq(sim.state()["events"]["streams"], [], "no streams left")
sim.control("POST", "/tickets/revoke", {"user": "alice"})
eq(api("GET", "/callstate/%s/%s" % (D, U), token=TOK)[0], 401, "fault: a revoked ticket is 401")
eq(api("GET", "/callstate/%s/bob" % D, token=BOB)[0], 200, "other users' tickets stay")
st, body, _ = api("POST", "/ticket/%s/%s?api=CALL_CONTROL&platform=other&name=t2" % (D, U),
                  basic="alice@example.com:alice-password")
TOK = body["token"]
api("POST", WH, {"targetUrl": hooks.url + "/hooks/u3", "targetId": "u3", "publicTarget": True}, token=TOK)
rs = Stream(API + "/distributiongroup/%s/%s/queuestatistics/subscribe" % (D, U), TOK)
ok(rs.next() is not None, "a stream before the restart")
sim.control("POST", "/faults", {"silent": True})
eq(sim.control("POST", "/restart")[0], 204, "control: restart")
ok(rs.closed.wait(5), "a restart cuts every connection")
eq(sim.state()["events"]["webhooks"], [], "a restarted Core forgot its webhooks")
eq(sim.control("GET", "/faults")[1]["silent"], False, "and tells again (silent ends)")
rs = Stream(API + "/distributiongroup/%s/%s/queuestatistics/subscribe" % (D, U), TOK)
ok(rs.next() is not None, "a stream after the restart")
eq(sim.control("POST", "/restart", {"graceful": True})[0], 204, "control: a graceful restart")
ok(rs.closed.wait(5) and rs.next(0.2) is None, "it ends each stream in order")
eq(api("GET", "/callstate/%s/%s" % (D, U), token=TOK)[0], 200, "and the Core answers at once")
rs = Stream(API + "/distributiongroup/%s/%s/queuestatistics/subscribe" % (D, U), TOK)
ok(rs.next() is not None, "a stream after the graceful restart")
eq(sim.control("POST", "/restart", {"downSeconds": 1})[0], 204, "control: restart with downSeconds")
ok(rs.closed.wait(5), "the restart cut the stream")
ok(refused(sim.port), "restart: the Core is down meanwhile")
ok(until(lambda: core_up(sim), 10), "and back after downSeconds")
eq(api("GET", "/callstate/%s/%s" % (D, U), token=TOK)[0], 200, "and kept its tickets")
sim.control("POST", "/faults", {"downSeconds": 1})
ok(refused(sim.port), "fault: the Core is down (connection refused)")
ok(until(lambda: core_up(sim), 10) and api("GET", "/callstate/%s/%s" % (D, U), token=TOK)[0] == 200, "and back after downSeconds")

# The phone's own presses, and churn (make bench).
st, rc1, _ = sim.control("POST", "/calls", {"from": "+46700000001"})
eq(sim.control("POST", "/calls/%s/mute" % rc1["callId"])[0], 409, "control: a ringing call cannot be muted")
st, a1, _ = sim.control("POST", "/calls/%s/answer" % rc1["callId"])
ok(st == 200 and a1["status"] == "ACTIVE" and a1["event"] == "ANSWERED" and
   a1["deviceIds"] == ["alice-desk"], "control: the user's phone answers a ringing call", a1)
eq(sim.control("POST", "/calls/%s/resume" % rc1["callId"])[0], 409, "control: resume needs a held call")
st, h1, _ = sim.control("POST", "/calls/%s/hold" % rc1["callId"])
ok(st == 200 and h1["status"] == "HELD" and h1["stateToken"] != a1["stateToken"],
   "control: hold at the phone, with a new stateToken")
st, m1, _ = sim.control("POST", "/calls/%s/mute" % rc1["callId"])
ok(st == 200 and m1["muted"] is True and m1["status"] == "HELD", "control: mute at the phone")
st, r1, _ = sim.control("POST", "/calls/%s/resume" % rc1["callId"])
ok(st == 200 and r1["status"] == "ACTIVE", "control: resume at the phone")
eq(sim.control("POST", "/calls/%s/dance" % rc1["callId"])[0], 404, "control: an unknown press: 404")
st, ch, _ = sim.control("POST", "/churn", {"changes": 101})
live = {c["callId"]: c["stateToken"] for u in sim.state()["users"] if u["user"] == U
        for c in u["calls"]}
ok(st == 200 and ch["changes"] == 101 and ch["calls"] == live,
   "control: churn answers with every call's final stateToken", (ch, live))
st, ch2, _ = sim.control("POST", "/churn", {"changes": 50, "rate": 5000})
ok(st == 200 and ch2["changes"] == 50 and ch2["seconds"] >= 0.009, "control: churn at a rate", ch2)
for bad in ({"changes": 0}, {"changes": 5, "rate": -1}, {"changes": 5, "rate": 10 ** 18}):
    eq(sim.control("POST", "/churn", bad)[0], 409, "control: churn refuses %s" % json.dumps(bad))
eq(sim.control("POST", "/churn", {"changes": 5, "user": "nobody"})[0], 404,
   "control: churn for an unknown user: 404")
hooks.close()
rc = sim.stop()
ok(rc == 0, "SIGTERM: clean exit", "exit %s\n%s" % (rc, sim.stderr()[-12000:]))

# --- scenario files -------------------------------------------------------------
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "s.json")
    with open(path, "w") as f:
        json.dump({"users": [{"domain": "acme.test", "user": "zed", "password": "pw",
                              "devices": [{"deviceId": "z1"}],
                              "groups": [{"id": 7, "name": "sales", "loggedIn": True}]}],
                   "steps": [{"wait": 0, "do": "inbound", "from": "+1999", "name": "X", "as": "a"},
                             {"wait": 0, "do": "answer", "call": "a"},
                             {"wait": 0, "do": "queue", "group": 7, "callsWaiting": 3}]}, f)
    s2 = Sim("-s", path)
    st = s2.state()["users"][0]
    ok(st["user"] == "zed" and st["calls"][0]["status"] == "ACTIVE" and
       st["calls"][0]["deviceIds"] == ["z1"] and st["groups"][0]["callsWaiting"] == 3,
       "a scenario's users and steps", st)
    eq(s2.stop(), 0, "scenario sim exits cleanly")
    with open(path, "w") as f:
        f.write('{"users": [{"user": "nodomain"}]}')
    r = subprocess.run([build_path("sim", "dstny-coresim"), "-s", path], capture_output=True, text=True,
                       timeout=10)
    ok(r.returncode == 1 and "domain, user and password are required" in r.stderr,
       "a bad scenario is refused with a message", r.stderr)
    r = subprocess.run([build_path("sim", "dstny-coresim"), "-s", os.path.join(tmp, "none.json")],
                       capture_output=True, text=True, timeout=10)
    ok(r.returncode == 1 and "No such file" in r.stderr, "a missing scenario is refused")

demo = os.path.join(os.environ.get("TEST_SRCDIR", "."), "sim", "demo.json")
if os.path.exists(demo):
    s3 = Sim("-s", demo)
    ok(len(s3.state()["users"]) >= 1, "the demo scenario loads")
    s3.stop()
done()
