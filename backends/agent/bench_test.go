package agent_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/ferrum-virt/ferrum/agent/agenttest"
	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/backends/libvirt"
	"github.com/ferrum-virt/ferrum/backends/libvirt/testenv"
)

// benchHosts returns a simulated host and the same host behind an agent.
func benchHosts(b *testing.B) (direct, remote backends.Host) {
	b.Helper()
	h := newDC(b, 1).Host(0)
	return h, agenttest.StartAgent(b, agenttest.StartManager(b), h).Host
}

// BenchmarkGetVM measures one simple call: directly on the simulator, and
// its round trip over the agent link (loopback mutual TLS).
func BenchmarkGetVM(b *testing.B) {
	direct, remote := benchHosts(b)
	vm, err := direct.VMs().Define(b.Context(), backends.VMSpec{Name: "bench", VCPUs: 1, MemoryMiB: 512})
	if err != nil {
		b.Fatal(err)
	}
	get := func(h backends.Host) func(*testing.B) {
		return func(b *testing.B) {
			ctx := context.Background()
			for b.Loop() {
				if _, err := h.VMs().Get(ctx, vm.UUID); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	ratio(b, get(direct), get(remote))
}

// BenchmarkLifecycle measures define, start, stop and undefine of one VM.
func BenchmarkLifecycle(b *testing.B) {
	direct, remote := benchHosts(b)
	ratio(b, lifecycle(direct), lifecycle(remote))
}

// BenchmarkTestDriverLifecycle measures the same cycle on libvirt's test
// driver through a real libvirtd: with go-libvirt directly, and through a
// ferrum-agent in front of the same daemon.
func BenchmarkTestDriverLifecycle(b *testing.B) {
	env := testenv.Start(b)
	dial := func() backends.Host {
		h, err := libvirt.Dial(b.Context(), env.TestURI, libvirt.Options{Logger: agenttest.Logger()})
		if err != nil {
			b.Fatalf("Dial %s: %v", env.TestURI, err)
		}
		b.Cleanup(func() { _ = h.Close() })
		return h
	}
	remote := agenttest.StartAgent(b, agenttest.StartManager(b), dial()).Host
	ratio(b, lifecycle(dial()), lifecycle(remote))
}

// lifecycle returns a benchmark of define, start, stop and undefine on h.
func lifecycle(h backends.Host) func(*testing.B) {
	return func(b *testing.B) {
		ctx, vms, i := context.Background(), h.VMs(), 0
		for b.Loop() {
			i++
			vm, err := vms.Define(ctx, backends.VMSpec{Name: fmt.Sprintf("cycle-%d", i), VCPUs: 1, MemoryMiB: 512})
			if err == nil {
				err = vms.Start(ctx, vm.UUID)
			}
			if err == nil {
				err = vms.Stop(ctx, vm.UUID)
			}
			if err == nil {
				err = vms.Undefine(ctx, vm.UUID)
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// ratio runs the direct and agent variants as sub-benchmarks; the agent
// variant also reports how many times slower than direct it is.
func ratio(b *testing.B, direct, remote func(*testing.B)) {
	var directNs float64
	b.Run("direct", func(b *testing.B) {
		direct(b)
		directNs = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	b.Run("agent", func(b *testing.B) {
		remote(b)
		if directNs > 0 {
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/directNs, "x-direct")
		}
	})
}
