package libvirt_test

import (
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
	return testenv.Dial(t, uri, opts)
}

// TestConformanceTestDriver runs the shared suite against libvirt's test
// driver through a real libvirtd. Each connection is a fresh test host.
func TestConformanceTestDriver(t *testing.T) {
	env := testenv.Start(t)
	backendtest.Run(t, func(t *testing.T) backends.Host { return dial(t, env.TestURI, libvirt.Options{}) })
}

func qemuOptions(env testenv.Env, peer string) libvirt.Options { return testenv.QEMUOptions(env, peer) }

func migrationPair(t testing.TB, env testenv.Env) (*libvirt.Host, *libvirt.Host) {
	t.Helper()
	return testenv.MigrationPair(t, env)
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
