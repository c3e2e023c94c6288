package testenv

import (
	"context"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/backends/libvirt"
)

// MigrationSwitch is an internal switch both migration daemons carry, so
// the suite's migrating VMs have a NIC whose network exists on each side.
const MigrationSwitch = "ferrum-mig"

// Dial connects to uri for the length of the test.
func Dial(tb testing.TB, uri string, opts libvirt.Options) *libvirt.Host {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	h, err := libvirt.Dial(ctx, uri, opts)
	if err != nil {
		tb.Fatalf("Dial %s: %v", uri, err)
	}
	tb.Cleanup(func() { _ = h.Close() })
	return h
}

// QEMUOptions are the options of a QEMU host in the environment: TCG
// guests booting the test guest kernel, reachable by its peer at peer.
func QEMUOptions(env Env, peer string) libvirt.Options {
	return libvirt.Options{DomainType: "qemu", PeerURI: peer, MinMemoryMiB: 64, DetachTimeout: 30 * time.Second,
		GuestKernel: &libvirt.KernelBoot{Kernel: env.GuestKernel, Initrd: env.GuestInitrd, Cmdline: "console=ttyS0 quiet panic=-1"}}
}

// MigrationPair dials daemons A and B (network namespaces fe-a and fe-b),
// each able to reach the other for peer-to-peer migration, and makes sure
// both carry MigrationSwitch, A a "default" pool (listed first, for the
// suite's "unknown volume" case) and an external switch "zz-uplink" on A's
// uplink (so the suite can check that a second one on it is refused; it
// sorts after MigrationSwitch, the switch the suite's VMs get).
func MigrationPair(tb testing.TB, env Env) (*libvirt.Host, *libvirt.Host) {
	tb.Helper()
	a := Dial(tb, env.AURI, QEMUOptions(env, env.APeer))
	b := Dial(tb, env.BURI, QEMUOptions(env, env.BPeer))
	ctx := context.Background()
	for _, h := range []*libvirt.Host{a, b} {
		ensureSwitch(tb, h, backends.SwitchSpec{Name: MigrationSwitch, Kind: backends.SwitchInternal})
	}
	if _, err := a.Storage().GetPool(ctx, "default"); err != nil {
		if _, err := a.Storage().CreatePool(ctx, backends.PoolSpec{Name: "default",
			Type: backends.PoolDir, Path: env.Dir + "/a-images"}); err != nil {
			tb.Fatalf("CreatePool default on %s: %v", a, err)
		}
	}
	ensureSwitch(tb, a, backends.SwitchSpec{Name: "zz-uplink", Kind: backends.SwitchExternal, Uplink: "fe-va"})
	return a, b
}

func ensureSwitch(tb testing.TB, h *libvirt.Host, spec backends.SwitchSpec) {
	tb.Helper()
	ctx := context.Background()
	if _, err := h.Switches().GetSwitch(ctx, spec.Name); err == nil {
		return
	}
	if _, err := h.Switches().CreateSwitch(ctx, spec); err != nil {
		tb.Fatalf("CreateSwitch %s on %s: %v", spec.Name, h, err)
	}
}
