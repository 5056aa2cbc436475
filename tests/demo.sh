#!/usr/bin/env bash
# demo.sh BUILDDIR: what ./dev.sh run plays: the simulator's demo scenario,
# dstnyd on a private session bus, and a live view of its socket. Ctrl-C stops.
set -euo pipefail
build=$1
src=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d /tmp/dstnyd-demo.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM

# With a notification server on the user's own session bus (a desktop
# session), the demo runs there and dstny-desktop's notifications show;
# otherwise on a private bus of its own.
has_name() {
	busctl --user --no-pager status "$1" >/dev/null 2>&1
}
if [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] && has_name org.freedesktop.Notifications &&
    ! has_name org.dstnyd.Cti1; then
	echo "$DBUS_SESSION_BUS_ADDRESS" >"$dir/bus"
	desktop_bus=yes
else
	dbus-daemon --session --nofork --print-address=3 3>"$dir/bus" >/dev/null 2>&1 &
	pids+=($!)
	desktop_bus=no
fi
"$build/sim/dstny-coresim" -l 127.0.0.1:0 --port-file "$dir/port" --loop \
	-s "$src/sim/demo.json" >"$dir/sim.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s "$dir/bus" ] && [ -s "$dir/port" ] && break; sleep 0.1; done
[ -s "$dir/bus" ] && [ -s "$dir/port" ] || { echo "demo: the bus or the simulator did not start" >&2; exit 1; }
export DBUS_SESSION_BUS_ADDRESS=$(head -1 "$dir/bus")
printf 'alice-password\n' >"$dir/password"
chmod 600 "$dir/password"
cat >"$dir/dstnyd.conf" <<EOC
[core]
base_url = http://127.0.0.1:$(cat "$dir/port")/api
domain = example.com
user = alice
[auth]
password_file = $dir/password
[socket]
path = $dir/dstnyd.sock
EOC
"$build/daemon/dstnyd" -c "$dir/dstnyd.conf" >"$dir/dstnyd.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -S "$dir/dstnyd.sock" ] && break; sleep 0.1; done
# dstny-desktop, with a screen pop that only logs (desktop.conf in $dir).
cat >"$dir/desktop.conf" <<EOC
[popup "demo"]
on = ringing answered ended
exec = /usr/bin/logger -t dstny-demo-popup call {callId} from {number} {name}
EOC
"$build/desktop/dstny-desktop" -d -c "$dir/desktop.conf" >"$dir/desktop.log" 2>&1 &
pids+=($!)
[ -S "$dir/dstnyd.sock" ] || { echo "demo: dstnyd did not start:" >&2; cat "$dir/dstnyd.log" >&2; exit 1; }
port=$(cat "$dir/port")
echo "demo: the simulated Core (dstny-coresim): http://127.0.0.1:$port/api, control API http://127.0.0.1:$port/_sim"
echo "demo: the private D-Bus session bus: $DBUS_SESSION_BUS_ADDRESS"
echo "demo: dstnyd's socket: $dir/dstnyd.sock; logs in $dir"
if [ "$desktop_bus" = yes ]; then
	echo "demo: dstny-desktop shows the calls as desktop notifications (log: $dir/desktop.log)"
else
	echo "demo: no notification server on a session bus here, so dstny-desktop's"
	echo "  notifications go nowhere (see $dir/desktop.log). To see them, run"
	echo "  ./dev.sh run in a desktop session, or watch the Notify calls with:"
	echo "  dbus-monitor --address '$DBUS_SESSION_BUS_ADDRESS' interface=org.freedesktop.Notifications"
fi
echo "demo: try in another terminal:"
echo "  export DSTNYD_SOCKET=$dir/dstnyd.sock"
echo "  $build/client/dstnyctl calls"
echo "  DBUS_SESSION_BUS_ADDRESS='$DBUS_SESSION_BUS_ADDRESS' busctl --user tree org.dstnyd.Cti1"
echo "  curl -X POST 127.0.0.1:$port/_sim/calls -d '{\"from\":\"+4670123\",\"name\":\"Test\"}'"
echo "demo: dstnyctl watch (Ctrl-C stops):"
DSTNYD_SOCKET="$dir/dstnyd.sock" "$build/client/dstnyctl" watch
