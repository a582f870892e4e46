#!/bin/sh
# Installs or removes eGPU Guard's privileged helper and its polkit policy at the paths pkexec
# trusts. The deb/rpm after-install script runs `install` as root; the after-remove script does
# the removal inline (by then the app's resources are gone). The optional last argument is a
# destination root, for tests only.
#
# A copy, not a symlink: pkexec realpath()s the program and looks the polkit action up by that
# path, so the file must really be at /usr/libexec/egpu-guard/egpu-guard-helper, the policy's
# org.freedesktop.policykit.exec.path (main/common/helper-contract.ts HELPER_INSTALL_PATH).
set -eu

HELPER=/usr/libexec/egpu-guard/egpu-guard-helper
POLICY=/usr/share/polkit-1/actions/io.github.egpuguard.policy

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
    ;;
  remove)
    root=${2:-}
    rm -f "$root$HELPER" "$root$POLICY"
    rmdir "$root/usr/libexec/egpu-guard" 2>/dev/null || true
    ;;
  *)
    usage
    ;;
esac
