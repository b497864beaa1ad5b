#!/usr/bin/env bash
# Installs what hostpilot's demo and tests need on a Debian/Ubuntu machine:
# the Debian packages (when root and missing), node modules (npm ci), the build.
# Idempotent: a second run does nothing but the (incremental) build.
set -euo pipefail
cd "$(dirname "$0")/.."

# The real components the tests use (TESTING.md). qemu, busybox-static, cpio,
# thin-provisioning-tools and the kernel image are for the device-mapper VM test.
PACKAGES=(git ostree etcd-server lvm2 iproute2 iputils-ping dbus prometheus containernetworking-plugins
  systemd-container openssl procps kmod thin-provisioning-tools qemu-system-x86 busybox-static cpio
  prometheus-node-exporter e2fsprogs bird2 gcc libc6-dev)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing Debian packages: ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing Debian packages (install them as root): ${missing[*]}" >&2
  fi
fi

# The device-mapper test boots a Debian 6.1 kernel under qemu (this kernel has
# no device-mapper): download and unpack it once, cached (test/support/vm/).
if [ "$(id -u)" = 0 ] && command -v qemu-system-x86_64 >/dev/null && command -v apt-get >/dev/null; then
  bash test/support/vm/build-image.sh "${HOSTPILOT_VM_CACHE:-.tmp/vm-cache}" ||
    echo "setup: could not prepare the VM test kernel; the storage VM test will say why" >&2
fi

# npm ci only when the lock file changed since the last install. dbus-next's
# optional native dependency (usocket) may fail to build; it is optional and
# the top-level node-gyp devDependency keeps better-sqlite3's build on a
# current node-gyp whatever usocket brings.
stamp=node_modules/.hostpilot-lock-sha
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

npm run --silent build
