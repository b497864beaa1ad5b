#!/bin/busybox sh
# /init of the device-mapper test VM (see build-image.sh). Loads the modules,
# mounts the host root (read-only 9p) under a tmpfs overlay, chroots into it
# and runs the guest command server from the repository named on the kernel
# command line (hp.root=DIR hp.port=PORT). Powers off when the server exits.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /modules.order); do
  # crc32c-intel needs SSE4.2, which TCG may not offer; crc32c_generic covers it.
  insmod "/lib/modules/$m" 2>/dev/null || case "$m" in crc32c-intel.ko) ;; *) echo "hostpilot-vm: insmod $m failed" ;; esac
done
HP_ROOT=
HP_PORT=7000
for w in $(cat /proc/cmdline); do
  case "$w" in
    hp.root=*) HP_ROOT=${w#hp.root=} ;;
    hp.port=*) HP_PORT=${w#hp.port=} ;;
  esac
done
fail() { echo "hostpilot-vm: $*"; poweroff -f; }
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,ro hostroot /host || fail "cannot mount the host root over 9p"
mount -t tmpfs -o size=768m tmpfs /rw
mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/host,upperdir=/rw/upper,workdir=/rw/work /newroot || fail "cannot mount the overlay"
mount -t proc proc /newroot/proc
mount -t sysfs sysfs /newroot/sys
mount -t devtmpfs devtmpfs /newroot/dev
mount -t tmpfs tmpfs /newroot/run
# /tmp is left to the overlay: the checkout under test may live there.
mkdir -p /newroot/run/lvm /newroot/run/lock/lvm
# No udev in the guest: LVM scans /dev itself and does not wait for udev.
cat > /newroot/etc/lvm/lvmlocal.conf <<'EOC'
devices {
  obtain_device_list_from_udev = 0
}
activation {
  udev_sync = 0
  udev_rules = 0
}
EOC
ip link set lo up
ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0
echo "hostpilot-vm: booted $(uname -r)"
chroot /newroot /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
  node "$HP_ROOT/test/support/vm/guest-server.mjs" "$HP_PORT" "$HP_ROOT"
echo "hostpilot-vm: server exited ($?)"
sync
poweroff -f
