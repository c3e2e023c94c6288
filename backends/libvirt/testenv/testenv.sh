#!/bin/bash
# testenv.sh — real libvirt daemons for Ferrum's libvirt backend tests, on a
# Debian 12 machine without systemd or KVM. Needs root.
#
#   testenv.sh start    install the packages when missing, then start (idempotently)
#                         main: virtlogd + libvirtd in the host network namespace, in a
#                               private mount namespace (its own /etc, /run, /var/lib,
#                               /var/cache, /var/log for libvirt), unix socket
#                               $DIR/main/sock/libvirt-sock, tcp 127.0.0.1:$PORT
#                         A, B: one libvirtd each in network namespaces fe-a / fe-b,
#                               joined by a veth pair (10.77.7.1 <-> 10.77.7.2), for live
#                               migration; sockets $DIR/{a,b}/sock/libvirt-sock, tcp :16509
#                       and the test guest in $DIR/guest: a Debian cloud kernel with an
#                       initramfs of ./guestinit (answers ACPI power-off; the kernel
#                       releases hot-unplugged PCI devices), booted directly by QEMU
#   testenv.sh stop     destroy the guests on our daemons, stop only the daemons this
#                       script started (pid files), delete the namespaces
#   testenv.sh status   say what runs; exit 0 only when every daemon answers
#   testenv.sh env      print the sockets and URIs as shell variables (eval "$(testenv.sh env)")
#
# Environment: FERRUM_TESTENV_DIR (default /tmp/ferrum-testenv), FERRUM_TESTENV_PORT
# (default 16519, the main daemon's loopback tcp port), FERRUM_TESTENV_KVM (see
# kvm_hidden). Guests run as root (test pools live in private temporary directories
# the qemu user cannot enter); the tests ask for TCG guests (type='qemu') themselves.
#
# The main daemon never touches the system's /run/libvirt or /etc/libvirt: every
# compiled-in path is bind-mounted over inside its own mount namespace. Networks
# it starts create bridges in the host network namespace; the A/B daemons keep
# theirs inside fe-a / fe-b. A and B run without cgroups (both would create the
# same machine cgroup names) and with stdio_handler = "file" (no virtlogd in
# their namespaces).
set -euo pipefail

DIR=${FERRUM_TESTENV_DIR:-/tmp/ferrum-testenv}
PORT=${FERRUM_TESTENV_PORT:-16519}
NS_A=fe-a NS_B=fe-b
IP_A=10.77.7.1 IP_B=10.77.7.2
UUID_MAIN=f0000000-0000-4000-8000-00000000000f
UUID_A=f0000000-0000-4000-8000-00000000000a
UUID_B=f0000000-0000-4000-8000-00000000000b
PKGS="libvirt-daemon-system libvirt-clients qemu-system-x86 qemu-utils iproute2"

log() { echo "testenv: $*" >&2; }

need_root() {
  [ "$(id -u)" = 0 ] || { log "must run as root (libvirtd, namespaces, bind mounts)"; exit 1; }
}

# install adds the Debian packages when a binary is missing; apt-get update
# runs once per work directory.
install() {
  local missing=0 b
  for b in libvirtd virtlogd virsh qemu-system-x86_64 qemu-img ip unshare; do
    command -v "$b" >/dev/null 2>&1 || missing=1
  done
  [ "$missing" = 1 ] || return 0
  log "installing $PKGS"
  export DEBIAN_FRONTEND=noninteractive
  mkdir -p "$DIR"
  if [ ! -f "$DIR/apt-updated" ]; then
    apt-get -o DPkg::Lock::Timeout=600 update -q >"$DIR/apt.log" 2>&1 || { tail -20 "$DIR/apt.log" >&2; exit 1; }
    touch "$DIR/apt-updated"
  fi
  # shellcheck disable=SC2086
  apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends $PKGS >>"$DIR/apt.log" 2>&1 \
    || { tail -30 "$DIR/apt.log" >&2; exit 1; }
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# wait_sock waits until the daemon behind a unix socket answers.
wait_sock() { # socket
  local i
  for i in $(seq 1 200); do
    [ -S "$1" ] && virsh -q -c "test+unix:///default?socket=$1" uri >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  log "timeout waiting for $1"; return 1
}

# prepare_instance copies the packaged libvirt configuration into D once,
# then writes libvirtd.conf and qemu.conf (the packaged one plus QEMUCONF)
# on every start, so a changed script takes effect at the next restart.
prepare_instance() { # D HOSTUUID LISTEN QEMUCONF
  local D=$1 UUID=$2 LISTEN=$3 QEMUCONF=$4
  if [ ! -f "$D/ready" ]; then
    rm -rf "$D"; mkdir -p "$D"/{run,cache,log,sock}
    cp -a /etc/libvirt "$D/etc"
    cp -a /var/lib/libvirt "$D/lib"
    rm -rf "$D"/lib/qemu/domain-* "$D"/etc/qemu/*.xml "$D"/etc/qemu/networks/*.xml \
      "$D"/etc/qemu/networks/autostart/* "$D"/etc/storage/autostart/*
    cp "$D/etc/qemu.conf" "$D/qemu.conf.dist"
    cp -a /var/cache/libvirt/. "$D/cache/" 2>/dev/null || true
    touch "$D/ready"
  fi
  cat >"$D/etc/libvirtd.conf" <<EOF
listen_tls = 0
listen_tcp = 1
$LISTEN
auth_tcp = "none"
auth_unix_rw = "none"
auth_unix_ro = "none"
unix_sock_dir = "$D/sock"
host_uuid = "$UUID"
max_clients = 200
max_workers = 40
max_client_requests = 64
log_level = 3
log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
EOF
  # No per-guest /dev namespace: /dev may be a tmpfs of bind mounts (see hide_kvm),
  # which libvirt cannot copy into one.
  { cat "$D/qemu.conf.dist"; printf 'namespaces = [ ]\nuser = "root"\ngroup = "root"\n%s\n' "$QEMUCONF"
  } >"$D/etc/qemu.conf"
}

# kvm_hidden decides whether the daemons must not see /dev/kvm:
# FERRUM_TESTENV_KVM=1 never hides it, =0 always does, and by default it is
# hidden when root cannot run a KVM guest with it. libvirt re-probes QEMU on
# every call when /dev/kvm looks usable but QEMU cannot use it (as in some
# containers), which costs seconds per call.
kvm_hidden() {
  [ -e /dev/kvm ] || return 1
  case "${FERRUM_TESTENV_KVM:-auto}" in
    1) return 1 ;;
    0) return 0 ;;
  esac
  if [ ! -f "$DIR/kvm-probe" ]; then
    if timeout 3 qemu-system-x86_64 -accel kvm -machine none -display none -nodefaults -S \
        </dev/null 2>&1 | grep -qi "kvm"; then echo hide; else echo keep; fi >"$DIR/kvm-probe"
  fi
  [ "$(cat "$DIR/kvm-probe")" = hide ]
}

# hide_kvm runs inside a daemon's mount namespace: it puts a tmpfs over /dev
# holding bind mounts of every entry of the real /dev but kvm.
hide_kvm() { # D
  local real="$1/dev-host" e n
  mkdir -p "$real"
  mount --rbind /dev "$real"
  mount -t tmpfs -o mode=755 tmpfs /dev
  for e in "$real"/* "$real"/.[!.]*; do
    [ -e "$e" ] || [ -L "$e" ] || continue
    n=${e##*/}
    [ "$n" = kvm ] && continue
    if [ -L "$e" ]; then cp -a "$e" /dev/
    elif [ -d "$e" ]; then mkdir "/dev/$n"; mount --rbind "$e" "/dev/$n"
    else : >"/dev/$n"; mount --bind "$e" "/dev/$n"
    fi
  done
}

# clear_leftovers undoes what a daemon of D killed without `stop` (as at the
# end of a CI job, which ends processes but not network namespaces or links)
# left running: the QEMU processes of its guests, and the bridges of its
# networks (persistent and transient), which would make the next start fail
# with "error creating bridge interface virbrN: File exists".
clear_leftovers() { # D NS
  local D=$1 NS=$2 pre=() f pid br
  [ -n "$NS" ] && pre=(ip netns exec "$NS")
  for f in "$D"/run/qemu/*.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f" 2>/dev/null) || continue
    if [ -n "$pid" ] && grep -qa qemu "/proc/$pid/cmdline" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  done
  for br in $(sed -n "s/.*<bridge name=['\"]\([^'\"]*\)['\"].*/\1/p" \
      "$D"/etc/qemu/networks/*.xml "$D"/run/network/*.xml 2>/dev/null | sort -u); do
    if "${pre[@]}" ip link show "$br" >/dev/null 2>&1; then
      log "removing bridge $br left by a killed daemon ($D)"
      "${pre[@]}" ip link del "$br" 2>/dev/null || true
    fi
  done
}

# run_instance starts libvirtd (and virtlogd when asked) for D inside a new
# mount namespace, optionally inside network namespace NS.
run_instance() { # D NS WITH_VIRTLOGD
  local D=$1 NS=$2 LOGD=$3 pre=()
  alive "$D/libvirtd.pid" && return 0
  # A daemon that is not running starts as after a reboot: no runtime state,
  # so it autostarts its networks and pools again. What a killed daemon
  # left behind goes first: its guests and its networks' bridges.
  clear_leftovers "$D" "$NS"
  # A virtlogd that outlived its libvirtd goes too: its socket is in the
  # runtime state cleared below, and a second one would not get the pid file.
  if alive "$D/virtlogd.pid"; then
    local pid n
    pid=$(cat "$D/virtlogd.pid")
    kill "$pid" 2>/dev/null || true
    for n in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  fi
  rm -rf "$D"/sock/* "$D"/run/*
  mkdir -p /etc/libvirt /run/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt
  [ -n "$NS" ] && pre=(ip netns exec "$NS")
  local logd="" hide=""
  [ "$LOGD" = 1 ] && logd="virtlogd -d -p '$D/virtlogd.pid'"
  kvm_hidden && hide="hide_kvm '$D'"
  "${pre[@]}" unshare -m --propagation private bash -c "
    set -e
    mount --bind '$D/etc' /etc/libvirt
    mount --bind '$D/run' /run/libvirt
    mount --bind '$D/lib' /var/lib/libvirt
    mount --bind '$D/cache' /var/cache/libvirt
    mount --bind '$D/log' /var/log/libvirt
    $(declare -f hide_kvm)
    $hide
    $logd
    exec libvirtd -d -l -f /etc/libvirt/libvirtd.conf -p '$D/libvirtd.pid'" 9>&-
}

# guest builds the test guest: a Debian cloud kernel (fetched once with
# apt-get download, never installed) and an initramfs whose /init is
# ./guestinit, with the evdev and ACPI button modules it loads, rebuilt when
# guestinit or mkinitrd change. It needs Go.
guest() {
  local G="$DIR/guest" here pkg deb
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  mkdir -p "$G"
  if [ ! -f "$G/vmlinuz" ] || [ ! -f "$G/modules/button.ko" ]; then
    kernel_pkg() { apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}'; }
    pkg=$(kernel_pkg)
    if [ -z "$pkg" ]; then
      apt-get -o DPkg::Lock::Timeout=600 update -q >"$G/apt.log" 2>&1 || { tail -5 "$G/apt.log" >&2; exit 1; }
      pkg=$(kernel_pkg)
    fi
    [ -n "$pkg" ] || { log "no linux-image-cloud-amd64 in the apt lists"; exit 1; }
    (cd "$G" && apt-get download -q "$pkg" >"$G/apt.log" 2>&1) || { tail -5 "$G/apt.log" >&2; exit 1; }
    deb=$(ls "$G"/linux-image-*.deb)
    rm -rf "$G/k" && mkdir -p "$G/k" "$G/modules"
    dpkg-deb -x "$deb" "$G/k"
    cp "$G"/k/lib/modules/*/kernel/drivers/input/evdev.ko "$G"/k/lib/modules/*/kernel/drivers/acpi/button.ko "$G/modules/"
    cp "$G"/k/boot/vmlinuz-* "$G/vmlinuz.tmp"
    rm -rf "$G/k" "$deb"
    mv "$G/vmlinuz.tmp" "$G/vmlinuz"
  fi
  if [ ! -f "$G/initrd.cpio" ] || [ -n "$(find "$here/guestinit" "$here/mkinitrd" -newer "$G/initrd.cpio" -print -quit)" ]; then
    command -v go >/dev/null || { log "go is needed to build the test guest's /init"; exit 1; }
    (cd "$here" && CGO_ENABLED=0 go build -o "$G/init" ./guestinit &&
      go run ./mkinitrd -o "$G/initrd.tmp" init="$G/init" \
        lib/modules/evdev.ko="$G/modules/evdev.ko" lib/modules/button.ko="$G/modules/button.ko")
    mv "$G/initrd.tmp" "$G/initrd.cpio"
  fi
}

netns_up() {
  if ! ip netns list | grep -qw "$NS_A" || ! ip netns list | grep -qw "$NS_B"; then
    ip netns del "$NS_A" 2>/dev/null || true; ip netns del "$NS_B" 2>/dev/null || true
    ip netns add "$NS_A"; ip netns add "$NS_B"
    ip link add fe-va type veth peer name fe-vb
    ip link set fe-va netns "$NS_A"; ip link set fe-vb netns "$NS_B"
    ip -n "$NS_A" addr add "$IP_A/24" dev fe-va; ip -n "$NS_B" addr add "$IP_B/24" dev fe-vb
    local n
    for n in "$NS_A" "$NS_B"; do ip -n "$n" link set lo up; done
    ip -n "$NS_A" link set fe-va up; ip -n "$NS_B" link set fe-vb up
  fi
}

start() {
  need_root
  install
  mkdir -p "$DIR"
  exec 9>"$DIR/lock"; flock 9
  guest
  prepare_instance "$DIR/main" "$UUID_MAIN" "listen_addr = \"127.0.0.1\"
tcp_port = \"$PORT\"" ""
  run_instance "$DIR/main" "" 1
  netns_up
  local qa qb
  qa="cgroup_controllers = [ ]
stdio_handler = \"file\"
migration_address = \"0.0.0.0\""
  qb=$qa
  prepare_instance "$DIR/a" "$UUID_A" 'tcp_port = "16509"' "$qa
migration_host = \"$IP_A\""
  prepare_instance "$DIR/b" "$UUID_B" 'tcp_port = "16509"' "$qb
migration_host = \"$IP_B\""
  run_instance "$DIR/a" "$NS_A" 0
  run_instance "$DIR/b" "$NS_B" 0
  wait_sock "$DIR/main/sock/libvirt-sock"
  wait_sock "$DIR/a/sock/libvirt-sock"
  wait_sock "$DIR/b/sock/libvirt-sock"
}

# destroy_guests powers off and undefines every domain of the daemon behind a
# socket, so no QEMU process outlives its daemon, and stops its networks, so
# no bridge outlives it (the main daemon's are in the host's namespace).
destroy_guests() { # socket
  local c="qemu+unix:///system?socket=$1" d
  [ -S "$1" ] && virsh -q -c "$c" uri >/dev/null 2>&1 || return 0
  for d in $(virsh -q -c "$c" list --uuid); do virsh -q -c "$c" destroy "$d" >/dev/null 2>&1 || true; done
  for d in $(virsh -q -c "$c" list --all --uuid); do
    virsh -q -c "$c" undefine --managed-save --nvram "$d" >/dev/null 2>&1 || true
  done
  virsh -q -c "$c" net-list --name | while read -r d; do
    [ -n "$d" ] && virsh -q -c "$c" net-destroy "$d" >/dev/null 2>&1 || true
  done
}

stop() {
  need_root
  [ -d "$DIR" ] || return 0
  local i p n pid
  for i in main a b; do destroy_guests "$DIR/$i/sock/libvirt-sock"; done
  for i in main a b; do
    for p in "$DIR/$i/libvirtd.pid" "$DIR/$i/virtlogd.pid"; do
      if alive "$p"; then
        pid=$(cat "$p")
        kill "$pid"
        for n in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
      fi
      rm -f "$p"
    done
  done
  ip netns del "$NS_A" 2>/dev/null || true
  ip netns del "$NS_B" 2>/dev/null || true
  log "stopped"
}

status() {
  local rc=0 i
  for i in main a b; do
    if alive "$DIR/$i/libvirtd.pid" && [ -S "$DIR/$i/sock/libvirt-sock" ]; then
      echo "$i: libvirtd pid $(cat "$DIR/$i/libvirtd.pid"), socket $DIR/$i/sock/libvirt-sock"
    else
      echo "$i: down"; rc=1
    fi
  done
  return $rc
}

env_vars() {
  cat <<EOF
FERRUM_TESTENV_DIR='$DIR'
FERRUM_LIBVIRT_SOCK='$DIR/main/sock/libvirt-sock'
FERRUM_LIBVIRT_TCP='127.0.0.1:$PORT'
FERRUM_LIBVIRT_TEST_URI='test+unix:///default?socket=$DIR/main/sock/libvirt-sock'
FERRUM_LIBVIRT_QEMU_URI='qemu+unix:///system?socket=$DIR/main/sock/libvirt-sock'
FERRUM_LIBVIRT_A_URI='qemu+unix:///system?socket=$DIR/a/sock/libvirt-sock'
FERRUM_LIBVIRT_B_URI='qemu+unix:///system?socket=$DIR/b/sock/libvirt-sock'
FERRUM_LIBVIRT_A_PEER='qemu+tcp://$IP_A/system'
FERRUM_LIBVIRT_B_PEER='qemu+tcp://$IP_B/system'
FERRUM_GUEST_KERNEL='$DIR/guest/vmlinuz'
FERRUM_GUEST_INITRD='$DIR/guest/initrd.cpio'
EOF
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) env_vars ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
