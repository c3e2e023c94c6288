package libvirt_test

import (
	"context"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/backends/backendtest"
	"github.com/ferrum-virt/ferrum/backends/libvirt"
	"github.com/ferrum-virt/ferrum/backends/libvirt/testenv"
)

// dial connects to uri for the length of the test.
func dial(t testing.TB, uri string, opts libvirt.Options) *libvirt.Host {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	h, err := libvirt.Dial(ctx, uri, opts)
	if err != nil {
		t.Fatalf("Dial %s: %v", uri, err)
	}
	t.Cleanup(func() { _ = h.Close() })
	return h
}

// TestConformanceTestDriver runs the shared suite against libvirt's test
// driver through a real libvirtd. Each connection is a fresh test host.
func TestConformanceTestDriver(t *testing.T) {
	env := testenv.Start(t)
	backendtest.Run(t, func(t *testing.T) backends.Host { return dial(t, env.TestURI, libvirt.Options{}) })
}

// qemuOptions are the options of a QEMU host in the test environment: TCG
// guests booting the test guest kernel, reachable by its peer at peer.
func qemuOptions(env testenv.Env, peer string) libvirt.Options {
	return libvirt.Options{DomainType: "qemu", PeerURI: peer, MinMemoryMiB: 64, DetachTimeout: 30 * time.Second,
		GuestKernel: &libvirt.KernelBoot{Kernel: env.GuestKernel, Initrd: env.GuestInitrd, Cmdline: "console=ttyS0 quiet panic=-1"}}
}

// migrationSwitch is an internal switch both migration daemons carry, so
// the suite's migrating VMs have a NIC whose network exists on each side.
const migrationSwitch = "ferrum-mig"

// migrationPair dials daemons A and B (network namespaces fe-a and fe-b),
// each able to reach the other for peer-to-peer migration.
func migrationPair(t testing.TB, env testenv.Env) (*libvirt.Host, *libvirt.Host) {
	t.Helper()
	a := dial(t, env.AURI, qemuOptions(env, env.APeer))
	b := dial(t, env.BURI, qemuOptions(env, env.BPeer))
	for _, h := range []*libvirt.Host{a, b} {
		ctx := context.Background()
		if _, err := h.Switches().GetSwitch(ctx, migrationSwitch); err == nil {
			continue
		}
		if _, err := h.Switches().CreateSwitch(ctx, backends.SwitchSpec{Name: migrationSwitch,
			Kind: backends.SwitchInternal}); err != nil {
			t.Fatalf("CreateSwitch %s on %s: %v", migrationSwitch, h, err)
		}
	}
	// A pool listed first, for the suite's "unknown volume" case.
	if _, err := a.Storage().GetPool(context.Background(), "default"); err != nil {
		if _, err := a.Storage().CreatePool(context.Background(), backends.PoolSpec{Name: "default",
			Type: backends.PoolDir, Path: env.Dir + "/a-images"}); err != nil {
			t.Fatalf("CreatePool default on %s: %v", a, err)
		}
	}
	// An external switch on A's uplink lets the suite check that a second
	// one on the same uplink is refused; it sorts after migrationSwitch, the
	// switch the suite's VMs get.
	if _, err := a.Switches().GetSwitch(context.Background(), "zz-uplink"); err != nil {
		if _, err := a.Switches().CreateSwitch(context.Background(), backends.SwitchSpec{Name: "zz-uplink",
			Kind: backends.SwitchExternal, Uplink: "fe-va"}); err != nil {
			t.Fatalf("CreateSwitch zz-uplink on %s: %v", a, err)
		}
	}
	return a, b
}

// TestConformanceQEMU runs the shared suite against QEMU guests under TCG
// on daemon A, with the migration cases moving them live, peer to peer, to
// daemon B over the veth pair between their network namespaces.
func TestConformanceQEMU(t *testing.T) {
	env := testenv.Start(t)
	a, b := migrationPair(t, env)
	backendtest.Run(t, func(t *testing.T) backends.Host { return a },
		backendtest.WithPair(func(t *testing.T) (backends.Host, backends.Host) { return a, b }),
		backendtest.WithTimeout(2*time.Minute))
}
