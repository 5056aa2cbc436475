#!/usr/bin/env python3
"""bench.py: `make bench` and `make bench-quick`.

Starts dstny-coresim, a private dbus-daemon and dstnyd, measures latency,
throughput, memory, idle wakeups and fan-out, and prints one table with
each figure beside its budget (doc/performance.md). Timing-sensitive parts
run in bench-probe (C); this script starts things, reads /proc and judges.

    bench.py [--quick] [--json FILE]

--quick (CI): fewer samples and shorter windows; fails only when a figure
is 3 x over its budget. Without it, any budget miss fails.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))
from harness import (Bus, Daemon, Rpc, Sim, build_path, free_port, many_users,  # noqa: E402
                     request, spawn, until)

QUICK = "--quick" in sys.argv
ROOT = "/org/dstnyd/Cti1"
KiB, MiB = 1024, 1024 * 1024
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "baseline.json")) as _f:
    BASELINE = json.load(_f)["ratios"]
SOCKET = "[socket]\nmax_clients = 256\n"     # the fan-out has 100 subscribers


def unit_env():
    """The Environment= of systemd/dstnyd.service.in: dstnyd is measured
    as its unit runs it (the unit sets glibc's malloc tunables)."""
    env = {}
    unit = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                        "systemd", "dstnyd.service.in")
    with open(unit) as f:
        for line in f:
            if line.startswith("Environment="):
                k, _, v = line.strip()[len("Environment="):].partition("=")
                env[k] = v
    return env


UNIT_ENV = unit_env()

P = {  # how much of each measurement
    "samples": 1000,
    "capacity_s": 1.0 if QUICK else 3.0,
    "churn": 5000 if QUICK else 30000,
    "users": 60 if QUICK else 1000,
    "idle_s": 5.0 if QUICK else 60.0,
}


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def fail(msg):
    print("bench: error: " + msg, file=sys.stderr, flush=True)
    sys.exit(2)


def probe(*args, token=None):
    env = dict(os.environ)
    if token:
        env["BENCH_TOKEN"] = token
    r = subprocess.run([build_path("tests", "bench", "bench-probe")] + [str(a) for a in args],
                       capture_output=True, text=True, env=env, timeout=600)
    if r.returncode != 0:
        fail("bench-probe %s: %s" % (args[0], r.stderr.strip()))
    return json.loads(r.stdout)


def pct(v, p):
    s = sorted(v)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


def mem(pid):
    """RSS, PSS and USS of a process, in bytes (smaps_rollup)."""
    f = {}
    with open("/proc/%d/smaps_rollup" % pid) as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 3 and parts[0].endswith(":"):
                f[parts[0][:-1]] = int(parts[1]) * KiB
    return {"rss": f["Rss"], "pss": f["Pss"],
            "uss": f["Private_Clean"] + f["Private_Dirty"],
            "dirty": f["Private_Dirty"], "clean": f["Private_Clean"]}


def switches(pid):
    """Context switches of every thread of pid so far."""
    n = 0
    for tid in os.listdir("/proc/%d/task" % pid):
        with open("/proc/%d/task/%s/status" % (pid, tid)) as fh:
            for line in fh:
                if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                    n += int(line.split()[1])
    return n


def settle(pid, quiet=1.5, limit=30.0):
    """Wait until pid has not been scheduled for `quiet` seconds: longer
    than dstnyd's heap trim, which runs once a second after a burst
    (daemon/trim.c), so that memory is read in the idle state."""
    deadline = time.monotonic() + limit
    last, since = switches(pid), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.05)
        n = switches(pid)
        if n != last:
            last, since = n, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
    fail("pid %d never went quiet within %gs" % (pid, limit))


def wait_for(what, pred, limit=60.0, step=0.05):
    v = until(pred, limit, step)
    if not v:
        fail("%s: not within %gs" % (what, limit))
    return v


def webhook_extra(keepalive=30):
    port = free_port()
    return ("[events]\ntransport = webhook\nlisten = 127.0.0.1:%d\n"
            "public_url = http://127.0.0.1:%d/\nkeepalive = %d\n" % (port, port, keepalive)
            + SOCKET)


def sse_extra(keepalive=30):
    return "[events]\ntransport = sse\nkeepalive = %d\n" % keepalive + SOCKET


def all_online(rpc, n):
    st = rpc.call("status").get("result") or {}
    users = st.get("users", [])
    return len(users) == n and all(u["state"] == "online" for u in users)


def answered_call(sim, rpc, user="alice"):
    """A new call of user, answered; (callId, D-Bus path) once dstnyd has it."""
    c = sim.control("POST", "/calls", {"user": user, "from": "+46701234567"})[1]
    st = sim.control("POST", "/calls/%s/answer" % c["callId"])
    if st[0] != 200:
        fail("answering %s: %r" % (c["callId"], st[:2]))
    if rpc is None:
        return c["callId"], None

    def have():
        r = rpc.call("call.get", call=c["callId"]).get("result")
        return r if r and r["status"] == "ACTIVE" else None
    view = wait_for("dstnyd sees call %s answered" % c["callId"], have, 15, 0.002)
    return c["callId"], view["path"]


def ticket(sim, user, password):
    st, body, _ = request("POST", "%s/ticket/example.com/%s?api=CALL_CONTROL&api=USER"
                          "&platform=other&name=bench" % (sim.url, user),
                          basic="%s@example.com:%s" % (user, password))
    if st != 200:
        fail("ticket for %s: %d" % (user, st))
    return body["token"]


class Table:
    def __init__(self):
        self.rows = []
        self.misses = []
        self.gross = []

    def row(self, name, value, budget="", ratio=None, key=None):
        """ratio: figure / budget (> 1 is a miss). key names the figure in
        tests/bench/baseline.json, where known misses are recorded: --quick
        fails on a figure 3 x over budget unless it is a known miss no
        worse than 1.5 x its recorded ratio (a ratchet, not a pass)."""
        mark = ""
        if ratio is not None:
            mark = "ok" if ratio <= 1.0 else "MISS"
            if ratio > 1.0:
                self.misses.append(name.strip())
            known = BASELINE.get(key) if key else None
            if ratio > 3.0 and known is not None and ratio <= 1.5 * known:
                mark = "MISS (known: %.1f x budget in baseline.json)" % known
            elif ratio > 3.0:
                self.gross.append(name.strip())
        self.rows.append((name, value, budget, mark))

    def section(self, title):
        self.rows.append((title, None, None, None))

    def print(self):
        w = max(len(r[0]) for r in self.rows)
        wv = max(len(r[1]) for r in self.rows if r[1] is not None)
        wb = max(len(r[2]) for r in self.rows if r[2] is not None)
        for name, value, budget, mark in self.rows:
            if value is None:
                print("\n" + name)
                continue
            print("  %-*s  %*s  %-*s  %s" % (w, name, wv, value, wb, budget, mark))
        sys.stdout.flush()


def us(v):
    return "%.0f us" % v if v < 10000 else "%.1f ms" % (v / 1000.0)


def kib(b):
    return "%.1f KiB" % (b / KiB) if b < 10 * MiB else "%.1f MiB" % (b / MiB)


def main():
    out_json = None
    if "--json" in sys.argv:
        out_json = sys.argv[sys.argv.index("--json") + 1]
    t_start = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="dstnyd-bench-")
    table = Table()
    figures = {}
    bus = Bus()
    procs = []
    try:
        run(bus, tmp, table, figures, procs)
    finally:
        for p in procs:
            p.stop()
        bus.stop()
    print("dstnyd bench%s: %s, %d CPUs, %.0f s" % (
        " (quick)" if QUICK else "", time.strftime("%Y-%m-%d %H:%M"),
        os.cpu_count(), time.monotonic() - t_start))
    table.print()
    if out_json:
        with open(out_json, "w") as f:
            json.dump(figures, f, indent=1)
    bad = table.gross if QUICK else table.misses
    if bad:
        print("\n%s: %s" % ("over 3 x budget" if QUICK else "budget missed",
                            ", ".join(bad)))
        sys.exit(1)
    print("\nevery figure within %s" % ("3 x its budget" if QUICK else "budget"))


def run(bus, tmp, table, figures, procs):
    # --- Latency and fan-out: one user on webhooks, the floor user beside it.
    sim = Sim()
    procs.append(sim)
    sim.control("POST", "/webhooks/lifetime", {"seconds": 3600})
    d = Daemon(bus, sim, debug=False, env_extra=UNIT_ENV, extra=webhook_extra())
    procs.append(d)
    rpc = Rpc(d.sock)
    wait_for("alice online", lambda: all_online(rpc, 1), 15)
    bob_token = ticket(sim, "bob", "bob-password")
    bob_call, _ = answered_call(sim, None, "bob")
    call, path = answered_call(sim, rpc)

    log("simulator capacity (%gs of GETs)" % P["capacity_s"])
    cap = probe("capacity", "--sim", sim.root, "--floor-call", bob_call,
                "--seconds", P["capacity_s"], "--conns", 4, token=bob_token)
    capacity = cap["gets"] / cap["seconds"]

    log("latency: %d samples each of the floor and the daemon" % P["samples"])
    lat = probe("latency", "--sim", sim.root, "--bus", bus.address, "--socket", d.sock,
                "--call", call, "--path", path, "--floor-call", bob_call,
                "--samples", P["samples"], token=bob_token)
    fl50, fl99 = pct(lat["floor"], 50), pct(lat["floor"], 99)
    table.section("End-to-end latency, webhook mode (%d samples each)" % P["samples"])
    table.row("floor (webhook POST + one GET) p50/p99",
              "%s / %s" % (us(fl50), us(fl99)))
    for name, key in (("D-Bus PropertiesChanged", "dbus"), ("socket call.changed", "socket")):
        p50, p99 = pct(lat[key], 50), pct(lat[key], 99)
        table.row("%s p50/p99" % name, "%s / %s" % (us(p50), us(p99)))
        table.row("  p50 daemon/floor", "%.2f x" % (p50 / fl50), "<= 1.3 x",
                  ratio=(p50 / fl50) / 1.3, key=key + "_p50_ratio")
        over = max(0.0, p99 - fl99)
        table.row("  p99 daemon overhead (p99 - floor p99)", us(over), "<= 1 ms",
                  ratio=over / 1000.0, key=key + "_p99_overhead")
        figures[key] = {"p50_us": p50, "p99_us": p99}
    figures["floor"] = {"p50_us": fl50, "p99_us": fl99}
    h50, h99 = pct(lat["bushop"], 50), pct(lat["bushop"], 99)
    table.row("dbus-daemon's own hop (client to client) p50/p99",
              "%s / %s" % (us(h50), us(h99)))
    table.row("  D-Bus p50 without that hop, daemon/floor",
              "%.2f x" % ((pct(lat["dbus"], 50) - h50) / fl50))
    figures["bushop"] = {"p50_us": h50, "p99_us": h99}

    log("fan-out: 100 socket subscribers and 10 D-Bus clients")
    fan = probe("fanout", "--sim", sim.root, "--bus", bus.address, "--socket", d.sock,
                "--call", call, "--path", path, "--subs", 100, "--buses", 10,
                "--samples", P["samples"])
    f50, f99 = pct(fan["last"], 50), pct(fan["last"], 99)
    table.section("Fan-out: 100 socket subscribers + 10 D-Bus clients (%d samples)"
                  % P["samples"])
    table.row("delivery to the last one p50/p99", "%s / %s" % (us(f50), us(f99)))
    figures["fanout"] = {"p50_us": f50, "p99_us": f99}
    rpc.close()
    stop(procs, d, sim)

    # --- The memory floor: the same libraries, initialised, doing nothing.
    floor = Floor(bus)
    procs.append(floor)

    # --- Idle, then 100 live calls, then throughput on them: webhook mode.
    table.section("Throughput (simulator capacity: %.0f GETs/s on 4 connections)" % capacity)
    table.row("simulator capacity (GETs/s)", "%.0f /s" % capacity)
    m = {}
    for mode in ("webhook", "SSE"):
        sim = Sim("--sse-keepalive", "3600")
        procs.append(sim)
        sim.control("POST", "/webhooks/lifetime", {"seconds": 3600})
        extra = webhook_extra if mode == "webhook" else sse_extra
        d = Daemon(bus, sim, debug=False, env_extra=UNIT_ENV, extra=extra(keepalive=3600))
        procs.append(d)
        rpc = Rpc(d.sock)
        wait_for("alice online", lambda: all_online(rpc, 1), 15)
        settle(d.proc.pid)
        m["idle" if mode == "webhook" else "idle_sse"] = mem(d.proc.pid)
        if mode == "webhook":
            m_floor = mem(floor.proc.pid)
            log("idle: %gs without traffic" % P["idle_s"])
            n0 = switches(d.proc.pid)
            time.sleep(P["idle_s"])
            idle_per_min = (switches(d.proc.pid) - n0) * 60.0 / P["idle_s"]
        log("100 live calls, %s" % mode)
        for _ in range(100):
            answered_call(sim, rpc)
        settle(d.proc.pid)
        m["calls" if mode == "webhook" else "calls_sse"] = mem(d.proc.pid)
        log("throughput, %s: %d state changes at %.0f/s over 100 calls"
            % (mode, P["churn"], capacity))
        ch = probe("churn", "--sim", sim.root, "--socket", d.sock, "--changes", P["churn"],
                   "--rate", int(capacity))
        absorbed = ch["changes"] / ch["seconds"]
        final_ok = state_matches(sim, rpc)
        table.row("%s: simulator made changes at" % mode, "%.0f /s" % (
            ch["changes"] / ch["sim_seconds"]))
        table.row("%s: dstnyd absorbed (%d changes)" % (mode, ch["changes"]),
                  "%.0f /s" % absorbed)
        table.row("  absorbed / capacity", "%.2f" % (absorbed / capacity), ">= 0.90",
                  ratio=0.9 / max(absorbed / capacity, 1e-9), key="throughput_" + mode)
        table.row("  every final state equals the simulator's", "yes" if final_ok else "NO",
                  "yes", ratio=1.0 if final_ok else 99.0)
        figures["throughput_" + mode] = {"capacity": capacity, "absorbed": absorbed,
                                         "sim_rate": ch["changes"] / ch["sim_seconds"],
                                         "final_ok": final_ok}
        rpc.close()
        stop(procs, d, sim)

    # The same idle user with TLS to the Core: the session stays open.
    m["tls"] = idle_tls(bus, tmp, procs)

    table.section("Memory (smaps_rollup; USS beside bench-floor, which shares the libraries;"
                  " dstnyd with its unit's %s)" % " ".join("%s=%s" % kv for kv in UNIT_ENV.items()))
    table.row("floor: same libraries, initialised, idle USS", kib(m_floor["uss"]))
    table.row("  of which private dirty / clean", "%s / %s" % (
        kib(m_floor["dirty"]), kib(m_floor["clean"])))
    table.row("idle, 1 user, webhook: USS beyond the floor",
              kib(m["idle"]["uss"] - m_floor["uss"]))
    for name, k in (("idle, 1 user, webhook", "idle"), ("idle, 1 user, TLS to the Core", "tls")):
        table.row("%s RSS/PSS" % name, "%s / %s" % (kib(m[k]["rss"]), kib(m[k]["pss"])))
        table.row("%s USS" % name, kib(m[k]["uss"]), "<= 2 MiB",
                  ratio=m[k]["uss"] / (2.0 * MiB), key="uss_" + k)
        table.row("  of which private dirty / clean (file pages only dstnyd maps)",
                  "%s / %s" % (kib(m[k]["dirty"]), kib(m[k]["clean"])))
    per_call = {}
    for mode, idle, calls in (("webhook", "idle", "calls"), ("SSE", "idle_sse", "calls_sse")):
        per_call[mode] = (m[calls]["uss"] - m[idle]["uss"]) / 100.0
        table.row("100 live calls, %s, RSS/PSS/USS" % mode, "%s / %s / %s" % (
            kib(m[calls]["rss"]), kib(m[calls]["pss"]), kib(m[calls]["uss"])))
        table.row("  per call (USS; SSE: with the call's own stream)",
                  "%.0f B" % per_call[mode], "<= 4 KiB",
                  ratio=per_call[mode] / (4.0 * KiB),
                  key="per_call" if mode == "webhook" else "per_call_SSE")
    figures["memory"] = dict(m, floor=m_floor, per_call=per_call)

    for mode, extra in (("SSE", sse_extra), ("webhook", webhook_extra)):
        m1, mn, n = users_memory(bus, tmp, procs, extra, P["users"])
        per_user = (mn["uss"] - m1["uss"]) / (n - 1.0)
        table.row("%d users, %s RSS/PSS/USS" % (n, mode), "%s / %s / %s" % (
            kib(mn["rss"]), kib(mn["pss"]), kib(mn["uss"])))
        table.row("  per idle monitored user (USS)", "%.0f B" % per_user, "<= 2 KiB",
                  ratio=per_user / (2.0 * KiB), key="per_user_" + mode)
        figures["users_" + mode] = {"one": m1, "many": mn, "n": n, "per_user": per_user}
    stop(procs, floor)

    table.section("Idle, one user, no traffic, no watchdog (%g s)" % P["idle_s"])
    table.row("context switches per minute", "%.1f" % idle_per_min, "0",
              ratio=idle_per_min, key="idle_switches")
    figures["idle_switches_per_min"] = idle_per_min
    ka = 2 if QUICK else 5
    per_interval, _ = keepalive_batching(bus, tmp, procs, P["users"], ka)
    table.row("%d webhook users, keepalive %d s: wakeup bursts per interval"
              % (P["users"], ka),
              "%.1f" % per_interval, "1 (batched)", ratio=per_interval / 1.0,
              key="keepalive_bursts")
    figures["keepalive_bursts_per_interval"] = per_interval

    # Favourites (issue 22): a few daemon starts and a wakeup window;
    # too slow for bench-quick.
    if not QUICK:
        favourites_bench(bus, tmp, procs, table, figures)


def favourites_run(bus, sim, procs, streams, keepalive, n):
    """dstnyd with n favourites of which `streams` streamed; idle USS, and
    its pid left running when keepalive is short (for wakeups)."""
    extra = webhook_extra(keepalive=keepalive) + \
        "[contacts]\nfavourite_streams = %d\nlookup = false\n" % streams
    d = Daemon(bus, sim, debug=False, env_extra=UNIT_ENV, extra=extra)
    procs.append(d)
    rpc = Rpc(d.sock)
    wait_for("alice online", lambda: all_online(rpc, 1), 15)
    wait_for("%d favourites" % n, lambda: len(rpc.call("favourites.list")["result"]) == n, 30)
    want = 2 * min(n, streams)
    wait_for("%d contact streams" % want, lambda: sum(
        1 for s in sim.state()["events"]["streams"] if s["kind"].startswith("contact")) == want, 30)
    rpc.close()
    settle(d.proc.pid)
    return d, mem(d.proc.pid)


def favourites_bench(bus, tmp, procs, table, figures):
    """Per-favourite memory beyond its streams (all polled), with them (all
    streamed), and the wakeups of 100 live favourites that do not change."""
    n = 100
    sim = Sim("--sse-keepalive", "3600")
    procs.append(sim)
    sim.control("POST", "/webhooks/lifetime", {"seconds": 3600})
    log("favourites: none")
    d, m0 = favourites_run(bus, sim, procs, 100, 3600, 0)
    stop(procs, d)
    for i in range(n):
        sim.control("POST", "/contacts", {"id": "fav%03d" % i, "firstname": "Colleague",
                                         "lastname": "Number %d" % i, "company": "Example AB",
                                         "number": "+4670200%04d" % i, "favouriteOf": "alice"})
    log("favourites: %d polled" % n)
    d, mp = favourites_run(bus, sim, procs, 0, 3600, n)
    stop(procs, d)
    ka = 5
    log("favourites: %d streamed, keepalive %d s" % (n, ka))
    d, ms = favourites_run(bus, sim, procs, n, ka, n)
    time.sleep(ka)
    sim.control("DELETE", "/requests")
    windows = 4
    bursts = wakeup_bursts(d.proc.pid, windows * ka, gap=ka / 4.0)
    lists = sum(1 for r in sim.requests() if r["route"] == "contacts.list")
    stop(procs, d, sim)
    polled = (mp["uss"] - m0["uss"]) / float(n)
    streamed = (ms["uss"] - m0["uss"]) / float(n)
    table.section("Favourites (issue 22): %d of them, webhook user, nothing changing" % n)
    table.row("per favourite, polled (beyond its streams; USS)", "%.0f B" % polled,
              "<= 2 KiB", ratio=polled / (2.0 * KiB), key="per_favourite")
    table.row("per favourite, with its two streams (USS)", "%.0f B" % streamed)
    table.row("%d live favourites: wakeup bursts per keepalive (%d s)" % (n, ka),
              "%.1f" % (bursts / float(windows)), "1", ratio=bursts / float(windows),
              key="favourites_bursts")
    table.row("  contacts.list sent meanwhile (all live: none)", "%d" % lists, "0",
              ratio=1.0 + lists)
    figures["favourites"] = {"n": n, "none": m0, "polled": mp, "streamed": ms,
                             "per_polled": polled, "per_streamed": streamed,
                             "bursts_per_interval": bursts / float(windows),
                             "lists": lists}


class Floor:
    """bench-floor: dstnyd's libraries, initialised, idle."""

    def __init__(self, bus):
        self.proc = spawn([build_path("tests", "bench", "bench-floor")],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          env=dict(os.environ, DBUS_SESSION_BUS_ADDRESS=bus.address))
        if self.proc.stdout.readline().strip() != b"ready":
            fail("bench-floor did not start")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


def stop(procs, *ps):
    for p in ps:
        p.stop()
        procs.remove(p)


def state_matches(sim, rpc):
    """dstnyd's calls equal the simulator's: token, status, muted."""
    want = {}
    for u in sim.state()["users"]:
        if u["user"] == "alice":
            for c in u["calls"]:
                want[c["callId"]] = (c["stateToken"], c["status"], c.get("muted"))
    got = {}
    for c in rpc.call("calls.list")["result"]:
        got[c["callId"]] = (c["stateToken"], c["status"], c.get("muted"))
    if got != want:
        bad = [k for k in set(got) | set(want) if got.get(k) != want.get(k)]
        log("final state differs for %d calls, e.g. %r" % (len(bad), bad[:3]))
    return got == want


def idle_tls(bus, tmp, procs):
    key, cert = os.path.join(tmp, "core.key"), os.path.join(tmp, "core.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    sim = Sim("--tls-cert", cert, "--tls-key", key, "--sse-keepalive", "3600")
    procs.append(sim)
    sim.control("POST", "/webhooks/lifetime", {"seconds": 3600})
    d = Daemon(bus, sim, debug=False, env_extra=UNIT_ENV, extra=webhook_extra(keepalive=3600),
               core_extra="ca_file = %s\n" % cert)
    procs.append(d)
    rpc = Rpc(d.sock)
    wait_for("alice online over TLS", lambda: all_online(rpc, 1), 15)
    rpc.close()
    settle(d.proc.pid)
    m = mem(d.proc.pid)
    d.stop()
    sim.stop()
    procs.remove(d)
    procs.remove(sim)
    return m


def wakeup_bursts(pid, seconds, gap=0.15):
    """How many separate bursts of activity pid had in `seconds`: runs of
    scheduling, sampled every 10 ms, apart by at least `gap` seconds."""
    bursts, last_active = 0, None
    n0 = switches(pid)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        time.sleep(0.01)
        n = switches(pid)
        if n != n0:
            now = time.monotonic()
            if last_active is None or now - last_active >= gap:
                bursts += 1
            last_active, n0 = now, n
    return bursts


def keepalive_batching(bus, tmp, procs, n, interval):
    """n webhook users, keepalive `interval` s: wakeup bursts per interval.
    A tick's renewals are one burst as long as their answers come without
    a pause of a quarter interval; separate timers would be separate
    bursts."""
    scen, sections = many_users(n, tmp)
    sim = Sim("-s", scen, "--sse-keepalive", "3600")
    procs.append(sim)
    sim.control("POST", "/webhooks/lifetime", {"seconds": 3600})
    log("%d users, keepalive every %d s" % (n, interval))
    d = Daemon(bus, sim, debug=False, env_extra=UNIT_ENV, extra=webhook_extra(keepalive=interval),
               password="pw", users=sections, wait=120)
    procs.append(d)
    rpc = Rpc(d.sock)
    wait_for("%d users online" % n, lambda: all_online(rpc, n), 120)
    rpc.close()
    time.sleep(interval)        # past the start
    windows = 3 if QUICK else 5
    bursts = wakeup_bursts(d.proc.pid, windows * interval, gap=interval / 4.0)
    renewals = sum(1 for r in sim.requests() if r["route"] == "state.user.webhook")
    stop(procs, d, sim)
    return bursts / float(windows), renewals


def users_memory(bus, tmp, procs, extra, n):
    """USS with 1 user and with n users, idle, in one transport."""
    scen, sections = many_users(n, tmp)
    sim = Sim("-s", scen, "--sse-keepalive", "3600")
    procs.append(sim)
    sim.control("POST", "/webhooks/lifetime", {"seconds": 3600})
    res = []
    for count in (1, n):
        log("%d users, %s" % (count, extra.__name__.split("_")[0]))
        users = sections if count > 1 else ""
        d = Daemon(bus, sim, debug=False, env_extra=UNIT_ENV, extra=extra(keepalive=3600), password="pw",
                   users=users, core_extra="", wait=120)
        procs.append(d)
        rpc = Rpc(d.sock)
        wait_for("%d users online" % count, lambda: all_online(rpc, count), 120)
        rpc.close()
        settle(d.proc.pid, limit=60)
        res.append(mem(d.proc.pid))
        d.stop()
        procs.remove(d)
    sim.stop()
    procs.remove(sim)
    return res[0], res[1], n


if __name__ == "__main__":
    main()
