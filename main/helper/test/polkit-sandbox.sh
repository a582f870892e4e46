#!/bin/bash
# A private polkit for polkit-pkexec.test.ts, run inside
#   unshare --mount --propagation private --fork --pid --mount-proc
# (docs/testing.md, "polkit and pkexec"). Everything below is bind-mounted in the private mount
# namespace only; as PID 1 of a private PID namespace this script takes every daemon it started
# with it when it exits. Usage: polkit-sandbox.sh WORK COMMAND…, where WORK holds
#   bus.conf   a system-type dbus-daemon config listening on /run/dbus/system_bus_socket
#   rundbus/   mounted over /run/dbus           actions/  over /usr/share/polkit-1/actions
#   rules/     over /etc/polkit-1/rules.d       libexec/  over /usr/libexec (holds the helper)
#   root/sys/  over /sys (a fake sysfs with a marker file: the real one is never touched)
set -u
work=$1
shift
# Any mount that fails must stop everything: the real /sys, /run/dbus or policy folder must never
# be used by what follows.
bind() { mount --bind "$1" "$2" || { echo "polkit-sandbox: cannot mount $1 on $2" >&2; exit 91; }; }
bind "$work/rundbus" /run/dbus
bind "$work/actions" /usr/share/polkit-1/actions
bind "$work/rules" /etc/polkit-1/rules.d
bind "$work/libexec" /usr/libexec
bind "$work/root/sys" /sys
if [ ! -e /sys/.egpu-guard-fake-sysfs ]; then
  echo "polkit-sandbox: /sys is not the fake sysfs" >&2
  exit 92
fi

dbus-daemon --config-file="$work/bus.conf" --nofork 2>"$work/dbus.log" &
dbus=$!
for _ in $(seq 200); do [ -S /run/dbus/system_bus_socket ] && break; sleep 0.025; done
/usr/lib/polkit-1/polkitd --no-debug 2>"$work/polkitd.log" &
polkitd=$!
owner() {
  dbus-send --system --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.PolicyKit1 2>/dev/null
}
for _ in $(seq 200); do owner | grep -q 'boolean true' && break; sleep 0.025; done
if ! owner | grep -q 'boolean true'; then
  echo "polkit-sandbox: polkitd did not come up" >&2
  cat "$work/polkitd.log" >&2
  exit 90
fi

# A child, not exec: pkexec refuses a parent that is PID 1 ("dead parents").
"$@"
rc=$?
kill "$polkitd" "$dbus" 2>/dev/null
wait
exit "$rc"
