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

// TestConformanceQEMU runs the shared suite against QEMU guests under TCG
// through the main libvirtd.
func TestConformanceQEMU(t *testing.T) {
	env := testenv.Start(t)
	h := dial(t, env.QEMUURI, libvirt.Options{DomainType: "qemu"})
	backendtest.Run(t, func(t *testing.T) backends.Host { return h }, backendtest.WithTimeout(2*time.Minute))
}
