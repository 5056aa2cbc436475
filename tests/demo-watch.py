#!/usr/bin/env python3
"""demo-watch.py SOCKET: print dstnyd's socket notifications as they come
(a stand-in for `dstnyctl watch` until the CLI exists)."""
import json
import socket
import sys
import time

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(b'{"jsonrpc":"2.0","method":"subscribe","id":1}\n')
f = s.makefile("r")
for line in f:
    m = json.loads(line)
    if "method" not in m:
        continue
    p, t = m["params"], time.strftime("%H:%M:%S")
    if m["method"] in ("call.added", "call.changed"):
        c = p["call"]
        print("%s %-12s %-10s %-11s %s %s" % (t, m["method"], c["callId"][:10], c["status"],
              c["remoteParty"].get("displayName", ""), c["remoteParty"].get("displayNumber", "")))
    elif m["method"] == "call.removed":
        print("%s %-12s %-10s (%s)" % (t, m["method"], p["callId"][:10], p["reason"]))
    elif m["method"] == "queue.changed":
        q = p["queue"]
        print("%s %-12s %-14s waiting %d, longest %ds, %d free of %d agents%s" % (
              t, "queue", q["name"][:14], q["callsWaiting"], q["longestWaiting"],
              q["freeAgents"], q["loggedInAgents"], ", logged in" if q["loggedIn"] else ""))
    else:
        print("%s %-12s %s" % (t, m["method"], json.dumps(p)))
    sys.stdout.flush()
