#!/bin/sh
# Installs or removes eGPU Guard's privileged helper and its polkit policy at the paths pkexec
# trusts, and the session service (`egpu service`) with its systemd user unit and D-Bus activation
# file. The deb/rpm after-install script runs `install` as root; the after-remove script does the
# same removal inline (by then the app's resources are gone): keep the two in step. The optional
# last argument is a destination root, for tests only.
#
# A copy, not a symlink: pkexec realpath()s the program and looks the polkit action up by that
# path, so the file must really be at /usr/libexec/egpu-guard/egpu-guard-helper, the policy's
# org.freedesktop.policykit.exec.path (main/common/helper-contract.ts HELPER_INSTALL_PATH).
set -eu

HELPER=/usr/libexec/egpu-guard/egpu-guard-helper
POLICY=/usr/share/polkit-1/actions/io.github.egpuguard.policy
# The session service: a copy too (systemd and the bus run it with the system's Node, which cannot
# read files inside app.asar), the user unit in systemd's directory for units the distribution's
# packages install (systemd.unit(5), "User Unit Search Path"), and the activation file in the
# session bus's standard service directory (D-Bus Specification, "Message Bus Starting Services
# (Activation)"). The unit is installed, never enabled: each user enables it (README.md).
SERVICE=/usr/libexec/egpu-guard/egpu-guard-service
# Its /proc scan's worker thread and its C scanner, which it looks for beside itself.
SCAN_WORKER=/usr/libexec/egpu-guard/proc-scan-worker.cjs
SCANNER=/usr/libexec/egpu-guard/egpu-proc-scan
UNIT=/usr/lib/systemd/user/egpu-guard.service
ACTIVATION=/usr/share/dbus-1/services/io.github.EgpuGuard1.service

usage() {
  echo "usage: install-helper.sh install RESOURCES_DIR [DEST_ROOT] | remove [DEST_ROOT]" >&2
  exit 2
}

[ "$#" -ge 1 ] || usage
case "$1" in
  install)
    [ "$#" -ge 2 ] || usage
    res=$2
    root=${3:-}
    install -D -m 0755 "$res/helper/egpu-guard-helper" "$root$HELPER"
    install -D -m 0644 "$res/polkit/io.github.egpuguard.policy" "$root$POLICY"
    install -D -m 0755 "$res/service/egpu-guard-service" "$root$SERVICE"
    install -D -m 0644 "$res/service/proc-scan-worker.cjs" "$root$SCAN_WORKER"
    # Optional: without it the service scans /proc in TypeScript, a little slower.
    if [ -f "$res/service/egpu-proc-scan" ]; then
      install -D -m 0755 "$res/service/egpu-proc-scan" "$root$SCANNER"
    fi
    install -D -m 0644 "$res/systemd/egpu-guard.service" "$root$UNIT"
    install -D -m 0644 "$res/dbus/io.github.EgpuGuard1.service" "$root$ACTIVATION"
    ;;
  remove)
    root=${2:-}
    rm -f "$root$HELPER" "$root$POLICY" "$root$SERVICE" "$root$SCAN_WORKER" "$root$SCANNER" \
      "$root$UNIT" "$root$ACTIVATION"
    rmdir "$root/usr/libexec/egpu-guard" 2>/dev/null || true
    ;;
  *)
    usage
    ;;
esac
