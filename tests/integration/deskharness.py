"""deskharness.py: dstny-desktop and the recording desktop (fake-desk) for its tests."""
import json
import os
import subprocess
import tempfile
import threading
import time

from harness import Inbox, build_path, spawn, until


class Fake:
    """tests/integration/fake-desk: a notification server or an MPRIS player.

    Every method call it gets is a dict in self.calls (an Inbox) and in
    self.seen (all of them, in order)."""

    def __init__(self, bus, *args, wait=10.0):
        env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=bus.address)
        self.proc = spawn([build_path("tests", "integration", "fake-desk")] +
                          list(args), env=env, stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE)
        self.calls = Inbox()
        self.seen = []
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        if not self.ready.wait(wait):
            raise RuntimeError("fake-desk %s did not start" % (args,))

    def _read(self):
        for line in self.proc.stdout:
            m = json.loads(line)
            if "ready" in m:
                self.ready.set()
                continue
            self.seen.append(m)
            self.calls.put(m)

    def wait(self, pred, timeout=10.0):
        """The first call not taken yet for which pred is true, or None.
        (Replies can cross: a notification closed after the next one was
        shown.)"""
        return self.calls.wait(pred, timeout)

    def notify(self, timeout=10.0, **want):
        """The next Notify whose fields (and hints, given as hints=) match."""
        def pred(m):
            if m["method"] != "Notify":
                return False
            for k, v in want.items():
                if k == "hints":
                    if any(m["hints"].get(hk) != hv for hk, hv in v.items()):
                        return False
                elif m.get(k) != v:
                    return False
            return True
        return self.wait(pred, timeout)

    def closed(self, nid, timeout=10.0):
        return self.wait(lambda m: m["method"] == "CloseNotification" and
                         m["id"] == nid, timeout)

    def send(self, line):
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()

    def drain(self):
        self.calls.drain()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Desktop:
    """dstny-desktop on the bus, with a desktop.conf made of conf."""

    def __init__(self, bus, conf="", env_extra=None, args=()):
        self.dir = tempfile.mkdtemp(prefix="dstny-desktop-test-")
        self.conf = os.path.join(self.dir, "desktop.conf")
        with open(self.conf, "w") as f:
            f.write(conf)
        env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=bus.address,
                   **(env_extra or {}))
        self.log = open(os.path.join(self.dir, "log"), "w+")
        wrap = os.environ.get("DSTNY_DAEMON_WRAP", "").split()
        self.proc = spawn(wrap + [build_path("desktop", "dstny-desktop"), "-d",
                                  "-c", self.conf] + list(args), env=env,
                          stdout=self.log, stderr=subprocess.STDOUT)

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def wait_log(self, text, timeout=10.0, count=1):
        return until(lambda: self.output().count(text) >= count, timeout)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode
