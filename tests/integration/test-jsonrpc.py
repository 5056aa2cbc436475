#!/usr/bin/env python3
"""test-jsonrpc.py: the socket against the JSON-RPC 2.0 specification: every
example of its section 7 (with dstnyd's methods), notifications that get no
reply but still run (also asynchronous ones and subscribe), batches answered
as one line in request order, a batch whose client leaves before its
asynchronous members are answered, batches against the 64 KiB limit, and
a client that sends large batches without reading the answers."""
import json
import os
import socket
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Bus, Daemon, Rpc, Sim, done, eq, ok, until

bus = Bus()
sim = Sim()
d = Daemon(bus, sim)


class Conn:
    """A raw socket client: bytes in, one reply line at a time out."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(d.sock)
        self.buf = b""

    def send(self, text):
        self.sock.sendall(text.encode() + b"\n")

    def line(self, timeout=15):
        """The next line as JSON (raw bytes if it is not JSON); None on EOF or timeout."""
        self.sock.settimeout(timeout)
        while b"\n" not in self.buf:
            try:
                data = self.sock.recv(1 << 20)
            except (socket.timeout, OSError):
                return None
            if not data:
                return None
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        try:
            return json.loads(line)
        except ValueError:
            return line

    def closed(self):
        self.sock.settimeout(15)
        try:
            return self.sock.recv(1) == b""
        except OSError:
            return True

    def close(self):
        self.sock.close()


def shape(m):
    """A reply reduced to what the specification fixes: (id, "result" or the
    error code) for an object, a list of those for an array."""
    if isinstance(m, list):
        return [shape(x) for x in m]
    if not isinstance(m, dict) or m.get("jsonrpc") != "2.0" or "id" not in m or \
            ("result" in m) == ("error" in m):
        return ("not a JSON-RPC 2.0 response", m)
    return (m["id"], "result" if "result" in m else m["error"].get("code"))


marks = [0]


def no_reply(c, what):
    """Nothing arrives for what was just sent: the next line on c is the
    answer to a request sent after it."""
    marks[0] += 1
    mark = "mark-%d" % marks[0]
    c.send('{"jsonrpc":"2.0","method":"status","id":"%s"}' % mark)
    m = c.line()
    return eq(shape(m), (mark, "result"), what + ": no reply (the next line answers a later request)")


def expect(c, text, want, what):
    c.send(text)
    return eq(shape(c.line()), want, what)


# A subscriber sees the call actions take effect.
sub = Rpc(d.sock)
eq(sub.call("subscribe")["result"], {}, "subscribe")
st, c1, _ = sim.control("POST", "/calls", {"from": "+46701234567", "name": "Carol Customer"})
CID = c1["callId"]
ok(sub.notification("call.added", lambda p: p["call"]["callId"] == CID) is not None,
   "an inbound call is announced")

c = Conn()
# --- section 7, one example at a time (subtract/update/sum/get_data are
# --- replaced by dstnyd methods with params by name) -------------------------
expect(c, '{"jsonrpc": "2.0", "method": "call.get", "params": {"call": "%s"}, "id": 1}' % CID,
       (1, "result"), "7: rpc call with named params")
expect(c, '{"jsonrpc": "2.0", "method": "status", "params": {}, "id": 2}',
       (2, "result"), "7: rpc call with named params (status)")
expect(c, '{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 3}',
       (3, -32602), "7: rpc call with positional params: -32602 (params are by name)")
c.send('{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}')
no_reply(c, "7: a notification (unknown method, positional params)")
c.send('{"jsonrpc": "2.0", "method": "calls.list"}')
no_reply(c, "7: a notification of a known method")
expect(c, '{"jsonrpc": "2.0", "method": "foobar", "id": "1"}',
       ("1", -32601), "7: rpc call of non-existent method")
expect(c, '{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]',
       (None, -32700), "7: rpc call with invalid JSON")
expect(c, '{"jsonrpc": "2.0", "method": 1, "params": "bar"}',
       (None, -32600), "7: rpc call with invalid Request object")
expect(c, '[{"jsonrpc": "2.0", "method": "status", "id": "1"},{"jsonrpc": "2.0", "method"]',
       (None, -32700), "7: rpc call Batch, invalid JSON: one error object")
expect(c, '[]', (None, -32600), "7: rpc call with an empty Array: one error object")
expect(c, '[1]', [(None, -32600)], "7: rpc call with an invalid Batch (but not empty)")
expect(c, '[1,2,3]', [(None, -32600)] * 3, "7: rpc call with invalid Batch: three errors")
c.send('[{"jsonrpc": "2.0", "method": "status", "id": "1"},'
       ' {"jsonrpc": "2.0", "method": "status"},'
       ' {"jsonrpc": "2.0", "method": "call.get", "params": {"call": "%s"}, "id": "2"},'
       ' {"foo": "boo"},'
       ' {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},'
       ' {"jsonrpc": "2.0", "method": "calls.list", "id": "9"}]' % CID)
m = c.line()
eq(shape(m), [("1", "result"), ("2", "result"), (None, -32600), ("5", -32601), ("9", "result")],
   "7: rpc call Batch: one array, in request order, none for the notification")
ok(isinstance(m, list) and m[1]["result"]["callId"] == CID and
   m[4]["result"][0]["callId"] == CID and m[0]["result"]["users"][0]["userId"] == "alice",
   "7: the batch's results are the methods' results", m)
c.send('[{"jsonrpc": "2.0", "method": "status", "params": {}},'
       ' {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}]')
no_reply(c, "7: rpc call Batch (all notifications)")

# --- around the examples --------------------------------------------------------
expect(c, '{"jsonrpc": "2.0", "method": "status", "id": null}', (None, "result"),
       'an "id": null request is a request, answered with id null')
expect(c, '{"jsonrpc": "2.0", "method": "status", "id": 1.5}', (1.5, "result"),
       "a fractional id is echoed")
expect(c, '{"jsonrpc": "2.0", "method": "status", "id": "x", "params": "bar"}', ("x", -32600),
       "params neither object nor array: -32600 naming the id")
expect(c, '{"jsonrpc": "2.0", "method": "status", "id": [1]}', (None, -32600),
       "an array as id: -32600, id null")
expect(c, 'null', (None, -32600), "the JSON text null: -32600")
expect(c, '[[{"jsonrpc": "2.0", "method": "status", "id": 1}]]', [(None, -32600)],
       "a batch inside a batch: one -32600")
c.send('{"jsonrpc": "2.0", "method": "call.get", "params": [1]}')
no_reply(c, "a notification with positional params")
c.send('[{"jsonrpc": "2.0", "method": "nope"}, {"jsonrpc": "2.0", "method": "call.get"}]')
no_reply(c, "a batch of failing notifications")

# --- asynchronous methods -------------------------------------------------------
# call.answer goes to the Core and is answered later; the batch's reply
# waits for it and keeps request order.
c.send('[{"jsonrpc": "2.0", "method": "call.answer", "params": {"call": "%s"}, "id": "a"},'
       ' {"jsonrpc": "2.0", "method": "status", "id": "s"}, 7,'
       ' {"jsonrpc": "2.0", "method": "call.get", "params": {"call": "nope"}, "id": "g"}]' % CID)
m = c.line()
eq(shape(m), [("a", "result"), ("s", "result"), (None, -32600), ("g", 3)],
   "a batch with an asynchronous member: one array when the last reply is in")
ok(isinstance(m, list) and m[0]["result"].get("status") == "ACTIVE",
   "the asynchronous member's result is its CallView", m)
# A notification of an asynchronous method runs; its result is dropped.
c.send('{"jsonrpc": "2.0", "method": "call.hold", "params": {"call": "%s"}}' % CID)
ok(sub.notification("call.changed", lambda p: p["call"]["callId"] == CID and
                    p["call"]["status"] == "HELD") is not None,
   "an asynchronous notification (call.hold) runs")
no_reply(c, "an asynchronous notification")
c.send('[{"jsonrpc": "2.0", "method": "call.resume", "params": {"call": "%s"}},'
       ' {"jsonrpc": "2.0", "method": "status", "id": "s2"}]' % CID)
eq(shape(c.line()), [("s2", "result")], "a batch: an asynchronous notification and a request")
# Each wait names its action's event: an earlier change of the same
# shape may still be queued, and matching it would not show the action
# ran (and let the next step race the action still in flight).
ok(sub.notification("call.changed", lambda p: p["call"]["callId"] == CID and
                    p["call"]["status"] == "ACTIVE" and
                    p["call"]["event"] == "RESUMED") is not None,
   "the asynchronous notification in the batch ran")
c.send('[{"jsonrpc": "2.0", "method": "call.mute", "params": {"call": "%s"}}]' % CID)
ok(sub.notification("call.changed", lambda p: p["call"]["callId"] == CID and
                    p["call"].get("muted") is True and
                    p["call"]["event"] == "MUTED") is not None,
   "a batch of one asynchronous notification runs")
no_reply(c, "a batch of one asynchronous notification")

# A client that leaves before its batch is answered: the action still
# runs, nothing breaks, the reply is dropped.
gone = Conn()
gone.send('[{"jsonrpc": "2.0", "method": "call.unmute", "params": {"call": "%s"}, "id": 1},'
          ' {"jsonrpc": "2.0", "method": "status", "id": 2}]' % CID)
gone.close()
ok(sub.notification("call.changed", lambda p: p["call"]["callId"] == CID and
                    p["call"].get("muted") is False and
                    p["call"]["event"] == "UNMUTED") is not None,
   "a batch whose client left: its action runs")
expect(c, '{"jsonrpc": "2.0", "method": "status", "id": "after"}', ("after", "result"),
       "the daemon answers on after a batch's client left")

# subscribe as a notification subscribes.
s2 = Conn()
s2.send('{"jsonrpc": "2.0", "method": "subscribe", "params": {"topics": ["calls"]}}')
no_reply(s2, "subscribe as a notification")
c.send('{"jsonrpc": "2.0", "method": "call.hold", "params": {"call": "%s"}, "id": "h"}' % CID)
eq(shape(c.line()), ("h", "result"), "call.hold")
# The first line may still be an earlier action's change: the Core's
# answers and its stream race, and dstnyd may show one, then the other.
seen = []
m = s2.line()
while (isinstance(m, dict) and m.get("method") == "call.changed" and
       m["params"]["call"]["status"] != "HELD" and len(seen) < 5):
    seen.append(m["params"]["call"]["event"])
    m = s2.line()
ok(isinstance(m, dict) and m.get("method") == "call.changed" and "id" not in m and
   m["params"]["call"]["status"] == "HELD",
   "subscribe as a notification subscribed: call.changed arrives", (m, seen))
s2.close()

# --- -32602 names the parameter and what it wants (the method table) ----------
p = Rpc(d.sock)


def message(method, **params):
    r = p.call(method, **params)
    return (r.get("error") or {}).get("code"), (r.get("error") or {}).get("message")


eq(message("call.hold", call=5), (-32602, "params.call: expected a callId (a string)"),
   "a call of the wrong type: -32602 naming params.call")
eq(message("call.hold"), (-32602, "params.call: required: a callId (a string)"),
   "a missing call: -32602 saying it is required")
eq(message("call.transfer", call=CID, blind="yes"),
   (-32602, "params.blind: expected true or false"), "a string for a boolean: named")
eq(message("call.hold", call=CID, stateToken="7"),
   (-32602, "params.stateToken: expected an integer"), "a string for stateToken: named")
eq(message("call.record", call=CID, action="rewind"),
   (-32602, "params.action: expected one of start, stop, pause, resume, save, discard"),
   "call.record with an unknown action lists the actions")
eq(message("linestate.set", externalId="x"),
   (-32602, "params.expiresOn: required: an integer"), "linestate.set without expiresOn")
eq(message("queue.login", queue=[5]),
   (-32602, "params.queue: expected an id (an integer, or a string holding one)"),
   "queue.login with a list for the queue")
eq(message("subscribe", topics=["calls", "weather"]),
   (-32602, "params.topics: expected a list of calls, queues, devices, status, history, presence, "
    "contacts, forward, callerid, voicemail"),
   "subscribe to an unknown topic")
eq(message("status", user=1), (-32602, "params.user: expected a string"),
   "every method's user parameter is checked too")
eq(message("calls.list", user="nobody")[0], 3, "an unknown user: NotFound (3)")
eq(message("call.swap", call=CID, target="no-such-call"), (3, "no such target call"),
   "a target that is no call of the user's: NotFound")
p.close()

# --- the 64 KiB line limit ------------------------------------------------------
member = '{"jsonrpc":"2.0","method":"status","id":%d}'
n = 600     # about 27 KiB: well inside one line
c.send("[" + ",".join(member % i for i in range(n)) + "]")
m = c.line()
ok(isinstance(m, list) and [x.get("id") for x in m] == list(range(n)) and
   all("result" in x for x in m), "a batch of %d requests: %d replies on one line" % (n, n))
ones = "[" + ",".join(["1"] * 32000) + "]"      # 64,001 bytes with its newline
ok(len(ones) < 64 * 1024, "the batch of 32,000 members fits in a line")
c.send(ones)
m = c.line(timeout=60)
ok(isinstance(m, list) and len(m) == 32000 and
   all(shape(x) == (None, -32600) for x in m),
   "a full line of invalid members: as many errors, on one line (%s KB)" %
   (len(json.dumps(m)) // 1000 if isinstance(m, list) else "-"))
expect(c, '{"jsonrpc": "2.0", "method": "status", "id": "still"}', ("still", "result"),
       "the connection goes on after a large batch reply")
# A client that writes and does not read: the daemon reads no further
# lines from it until the answers queued for it are taken, then goes on.
w = Conn()
sender = threading.Thread(target=w.sock.sendall, args=(
    ((ones + "\n") * 3 + '{"jsonrpc":"2.0","method":"status","id":"last"}\n').encode(),))
sender.start()
ok(until(lambda: "answers not read, reading paused" in d.output(), timeout=30),
   "a client that does not read its answers: its requests wait")
got = [w.line(timeout=60) for _ in range(4)]
sender.join(30)
ok(all(isinstance(m, list) and len(m) == 32000 for m in got[:3]) and
   shape(got[3]) == ("last", "result"),
   "once it reads, every answer comes, in order", [shape(m) if not isinstance(m, list)
                                                    else len(m) for m in got])
w.close()

big = "[" + ",".join(member % i for i in range(2000)) + "]"
ok(len(big) > 64 * 1024, "a batch over 64 KiB")
try:
    c.send(big)
except OSError:
    pass    # the daemon may close before the line is all sent: its answer came first
m = c.line()
eq(shape(m), (None, -32600), "a batch over 64 KiB: one error object, like any long line")
ok(c.closed(), "then the connection is closed")
c.close()

sub.close()
eq(d.stop(), 0, "the daemon stops cleanly")
out = d.output()
ok("AddressSanitizer" not in out and "runtime error" not in out, "no sanitizer report",
   out[-2000:])
sim.stop()
bus.stop()
done()
