package sim_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/backends/sim"
)

// heap returns live heap bytes after a full collection.
func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// populate defines vms VMs spread over dc's hosts, each with a 20 GiB disk
// in its host's default pool and a NIC on the external switch, and starts
// them.
func populate(tb testing.TB, dc *sim.DataCenter, vms int) {
	ctx := context.Background()
	hosts := dc.Hosts()
	for i := range vms {
		h := hosts[i%len(hosts)]
		name := fmt.Sprintf("vm%06d", i)
		vol, err := h.Storage().CreateVolume(ctx, "default", backends.VolumeSpec{Name: name + ".qcow2", Capacity: 20 << 30})
		if err != nil {
			tb.Fatal(err)
		}
		vm, err := h.VMs().Define(ctx, backends.VMSpec{Name: name, VCPUs: 2, MemoryMiB: 1024,
			Disks: []backends.DiskSpec{{Volume: &vol.Ref}}, NICs: []backends.NICSpec{{Switch: "external"}}})
		if err != nil {
			tb.Fatal(err)
		}
		if err := h.VMs().Start(ctx, vm.UUID); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkFootprint measures the heap a data center costs per host and per
// running VM (with its volume, NIC, MAC and scheduler state):
//
//	go test -run XXX -bench Footprint -benchtime 1x ./backends/sim
func BenchmarkFootprint(b *testing.B) {
	for _, sc := range []struct{ hosts, vms int }{{1000, 10_000}, {10_000, 100_000}} {
		b.Run(fmt.Sprintf("hosts=%d/vms=%d", sc.hosts, sc.vms), func(b *testing.B) {
			var perHost, perVM float64
			for b.Loop() {
				base := heap()
				dc, err := sim.NewDataCenter(sim.Config{Hosts: sc.hosts, Seed: 1})
				if err != nil {
					b.Fatal(err)
				}
				withHosts := heap()
				populate(b, dc, sc.vms)
				withVMs := heap()
				perHost = float64(withHosts-base) / float64(sc.hosts)
				perVM = float64(withVMs-withHosts) / float64(sc.vms)
				runtime.KeepAlive(dc)
			}
			b.ReportMetric(perHost, "B/host")
			b.ReportMetric(perVM, "B/VM")
		})
	}
}

// BenchmarkStats measures reading one VM's lazily computed counters.
func BenchmarkStats(b *testing.B) {
	dc := newDC(b, sim.Config{Hosts: 1})
	populate(b, dc, 20)
	vms, _ := dc.Host(0).VMs().List(context.Background())
	id := vms[0].UUID
	for b.Loop() {
		dc.Advance(1e9)
		if _, err := dc.Host(0).VMs().Stats(context.Background(), id); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStartStop measures a start and a stop on a host with 20 running
// VMs, each a rescheduling of the host.
func BenchmarkStartStop(b *testing.B) {
	dc := newDC(b, sim.Config{Hosts: 1})
	populate(b, dc, 20)
	h := dc.Host(0)
	vm, _ := h.VMs().Define(context.Background(), backends.VMSpec{Name: "x", VCPUs: 1, MemoryMiB: 512})
	for b.Loop() {
		_ = h.VMs().Start(context.Background(), vm.UUID)
		_ = h.VMs().Stop(context.Background(), vm.UUID)
	}
}
