//go:build linux

// Command guestinit is the whole userland of the test environment's guest:
// a Linux kernel boots it as /init from an initramfs. It loads the input
// and ACPI button drivers, says "ferrum-guest: ready" on the console, and
// powers the guest off when the ACPI power button is pressed (libvirt's
// Shutdown, and the power-off half of its Reboot). PCI hot-unplug needs no
// userland: the kernel's ACPI hotplug driver ejects devices itself.
//
// With ferrum.dirty=N on the kernel command line it also rewrites N MiB of
// memory without pause, a guest no live migration can keep up with.
package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Linux input event constants (linux/input-event-codes.h).
const (
	evKey    = 1
	keyPower = 116
)

func main() {
	for _, m := range [][3]string{{"devtmpfs", "/dev", "devtmpfs"}, {"proc", "/proc", "proc"}, {"sysfs", "/sys", "sysfs"}} {
		_ = os.MkdirAll(m[1], 0o755)
		if err := unix.Mount(m[0], m[1], m[2], 0, ""); err != nil && err != unix.EBUSY {
			say("mount %s: %v", m[1], err)
		}
	}
	for _, m := range []string{"/lib/modules/evdev.ko", "/lib/modules/button.ko"} {
		if err := loadModule(m); err != nil {
			say("load %s: %v", m, err)
		}
	}
	if mib := dirtyMiB(); mib > 0 {
		go dirty(mib)
	}
	say("ready")
	for _, dev := range waitInputs() {
		go watch(dev)
	}
	select {}
}

// waitInputs returns the input event devices once the button driver has
// registered them.
func waitInputs() []string {
	for i := 0; i < 50; i++ {
		if devs, _ := filepath.Glob("/dev/input/event*"); len(devs) > 0 {
			return devs
		}
		time.Sleep(100 * time.Millisecond)
	}
	say("no input devices")
	return nil
}

// watch powers off on a power-button press from dev.
func watch(dev string) {
	f, err := os.Open(dev)
	if err != nil {
		say("open %s: %v", dev, err)
		return
	}
	var ev [24]byte // struct input_event on 64-bit: timeval, type, code, value
	for {
		if _, err := f.Read(ev[:]); err != nil {
			say("read %s: %v", dev, err)
			return
		}
		typ, code := binary.LittleEndian.Uint16(ev[16:]), binary.LittleEndian.Uint16(ev[18:])
		if typ == evKey && code == keyPower && binary.LittleEndian.Uint32(ev[20:]) == 1 {
			say("power button: powering off")
			unix.Sync()
			_ = unix.Reboot(unix.LINUX_REBOOT_CMD_POWER_OFF)
		}
	}
}

// dirtyMiB reads ferrum.dirty=N from the kernel command line.
func dirtyMiB() int {
	b, _ := os.ReadFile("/proc/cmdline")
	for _, f := range strings.Fields(string(b)) {
		if v, ok := strings.CutPrefix(f, "ferrum.dirty="); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	return 0
}

// dirty writes every page of an mib MiB buffer, over and over.
func dirty(mib int) {
	say("dirtying %d MiB", mib)
	buf := make([]byte, mib<<20)
	for round := byte(1); ; round++ {
		for i := 0; i < len(buf); i += 4096 {
			buf[i] = round
		}
	}
}

func loadModule(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return unix.FinitModule(int(f.Fd()), "", 0)
}

func say(format string, args ...any) {
	if c, err := os.OpenFile("/dev/console", os.O_WRONLY, 0); err == nil {
		fmt.Fprintf(c, "ferrum-guest: "+format+"\n", args...)
		c.Close()
	}
}
