#!/bin/bash
# eGPU Guard's deb/rpm after-remove script. Upgrades run it too — dpkg with "upgrade" before the
# new postinst, rpm with $1 >= 1 *after* the new package's %post — and removing anything then
# would undo the new version's install, so an upgrade leaves everything in place.
if [ "$1" = "upgrade" ] || [ "$1" = "failed-upgrade" ] || [ "$1" = "abort-upgrade" ] || [ "$1" -ge 1 ] 2>/dev/null; then
  exit 0
fi

# The privileged helper and its polkit policy, the session service with its scan worker and C
# scanner, its
# systemd user unit and its D-Bus activation file (installed by after-install.tpl through install-helper.sh, whose `remove`
# does the same: keep the two in step). Users who enabled the unit keep a dangling link in their
# graphical-session.target.wants/, which systemd skips.
rm -f /usr/libexec/egpu-guard/egpu-guard-helper /usr/share/polkit-1/actions/io.github.egpuguard.policy
rm -f /usr/libexec/egpu-guard/egpu-guard-service /usr/libexec/egpu-guard/proc-scan-worker.cjs /usr/libexec/egpu-guard/egpu-proc-scan /usr/lib/systemd/user/egpu-guard.service /usr/share/dbus-1/services/io.github.EgpuGuard1.service
rmdir /usr/libexec/egpu-guard 2>/dev/null || true

# electron-builder 26's default after-remove (app-builder-lib/templates/linux/after-remove.tpl):

# Delete the link to the binary
# update-alternatives --remove <name> <path>: 'path' must be the registered alternative binary,
# not the generic symlink — see https://man7.org/linux/man-pages/man1/update-alternatives.1.html
if type update-alternatives >/dev/null 2>&1; then
    update-alternatives --remove '${executable}' '/opt/${sanitizedProductName}/${executable}'
else
    rm -f '/usr/bin/${executable}'
fi

APPARMOR_PROFILE_DEST='/etc/apparmor.d/${executable}'

# Remove and unload apparmor profile.
if [ -f "$APPARMOR_PROFILE_DEST" ]; then
  # Unload the profile from the running kernel before deleting the file so the
  # policy is not left enforced until the next reboot.  Mirror the chroot guard
  # used in the after-install script — live AppArmor operations are not
  # meaningful inside a chroot.
  # https://wiki.debian.org/AppArmor/HowToUse
  if apparmor_status --enabled > /dev/null 2>&1; then
    if ! { [ -x '/usr/bin/ischroot' ] && /usr/bin/ischroot; } && hash apparmor_parser 2>/dev/null; then
      apparmor_parser --remove "$APPARMOR_PROFILE_DEST" || true
    fi
  fi
  rm -f "$APPARMOR_PROFILE_DEST"
fi