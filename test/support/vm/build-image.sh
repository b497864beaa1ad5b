#!/usr/bin/env bash
# Builds (once, cached) what the device-mapper VM test boots: a Debian 6.1
# kernel and a small initramfs (busybox + the modules for virtio, 9p, overlay,
# loop and dm-thin-pool) whose /init mounts the host root read-only over 9p
# with a tmpfs overlay, chroots into it and starts the guest command server.
# See /work/shared/TESTING.md "Real device-mapper and LVM thin pools".
#
# Usage: build-image.sh CACHE_DIR   → CACHE_DIR/vmlinuz, CACHE_DIR/initrd.gz
# Needs: apt-get (download only), dpkg-deb, depmod/modprobe (kmod), busybox-static, cpio.
set -euo pipefail
cache=${1:?usage: build-image.sh CACHE_DIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
# Rebuild when this script or the init changes.
want=$(cat "$here/build-image.sh" "$here/init.sh" | sha256sum | cut -c1-16)
if [ -f "$cache/vmlinuz" ] && [ -f "$cache/initrd.gz" ] && [ "$(cat "$cache/stamp" 2>/dev/null)" = "$want" ]; then
  exit 0
fi
exec 9>"$cache/.lock"
flock 9
if [ -f "$cache/vmlinuz" ] && [ -f "$cache/initrd.gz" ] && [ "$(cat "$cache/stamp" 2>/dev/null)" = "$want" ]; then
  exit 0
fi

# The kernel package: whatever Debian's linux-image-amd64 points at now (the
# ABI number in the name changes with every stable update).
if ! ls "$cache"/dl/linux-image-*.deb >/dev/null 2>&1; then
  find_pkg() {
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-6\.1[^ ]*-amd64\)$/\1/p' | head -n1)
    if [ -z "$pkg" ]; then
      pkg=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' | cut -d' ' -f1 | sort -V | tail -n1)
    fi
  }
  find_pkg
  if [ -z "$pkg" ] && [ "$(id -u)" = 0 ]; then
    apt-get update -qq >&2 || true
    find_pkg
  fi
  [ -n "$pkg" ] || { echo "build-image: no linux-image-6.1 package known to apt (run apt-get update)" >&2; exit 1; }
  mkdir -p "$cache/dl"
  (cd "$cache/dl" && apt-get download -q "$pkg" >&2)
fi
rm -rf "$cache/kern" "$cache/root"
dpkg-deb -x "$(ls "$cache"/dl/linux-image-*.deb | head -n1)" "$cache/kern"
kver=$(ls "$cache/kern/lib/modules" | head -n1)
depmod -b "$cache/kern" "$kver"

root="$cache/root"
mkdir -p "$root"/{bin,dev,proc,sys,host,rw,newroot,lib/modules}
cp /bin/busybox "$root/bin/busybox"
# Module load order: modprobe's dependency order, each module once.
: > "$root/modules.order"
for m in virtio_pci virtio_blk virtio_net 9pnet_virtio 9p overlay loop crc32c_generic libcrc32c dm_mod dm_thin_pool dm_persistent_data; do
  modprobe -d "$cache/kern" -S "$kver" --show-depends "$m" 2>/dev/null | sed -n 's/^insmod \([^ ]*\).*/\1/p' | while read -r path; do
    name=$(basename "$path")
    name=${name%.xz}; name=${name%.zst}
    [ -f "$root/lib/modules/$name" ] && continue
    case "$path" in
      *.xz) xz -dc "$path" > "$root/lib/modules/$name" ;;
      *.zst) zstd -qdc "$path" > "$root/lib/modules/$name" ;;
      *) cp "$path" "$root/lib/modules/$name" ;;
    esac
    echo "$name" >> "$root/modules.order"
  done
done
cp "$here/init.sh" "$root/init"
chmod 755 "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$cache/initrd.gz.new"
cp "$cache/kern/boot/vmlinuz-$kver" "$cache/vmlinuz.new"
mv "$cache/initrd.gz.new" "$cache/initrd.gz"
mv "$cache/vmlinuz.new" "$cache/vmlinuz"
rm -rf "$cache/kern" "$root"
echo "$want" > "$cache/stamp"
echo "build-image: kernel $kver ready in $cache" >&2
