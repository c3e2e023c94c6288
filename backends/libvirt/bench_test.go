package libvirt_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/backends/libvirt"
	"github.com/ferrum-virt/ferrum/backends/libvirt/testenv"
)

// BenchmarkTestDriverVMCycle measures define+start+stop+undefine of one VM
// on libvirt's test driver through the daemon, next to others VMs defined:
// Define's uniqueness checks read every definition.
func BenchmarkTestDriverVMCycle(b *testing.B) {
	env := testenv.Start(b)
	for _, others := range []int{0, 100} {
		b.Run(fmt.Sprintf("defined=%d", others), func(b *testing.B) {
			h := dial(b, env.TestURI, libvirt.Options{})
			ctx := context.Background()
			for i := range others {
				defineVM(b, h, backends.VMSpec{Name: fmt.Sprintf("other-%d", i), VCPUs: 1, MemoryMiB: 256})
			}
			vms := h.VMs()
			for i := 0; b.Loop(); i++ {
				vm, err := vms.Define(ctx, backends.VMSpec{Name: fmt.Sprintf("bench-%d", i), VCPUs: 1, MemoryMiB: 256})
				if err != nil {
					b.Fatal(err)
				}
				for _, op := range []func(context.Context, string) error{vms.Start, vms.Stop, vms.Undefine} {
					if err := op(ctx, vm.UUID); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkLiveMigrationTCG moves a 96 MiB QEMU/TCG guest running the test
// guest kernel back and forth between daemons A and B, peer to peer, and
// reports libvirt's own total time and downtime of each migration.
func BenchmarkLiveMigrationTCG(b *testing.B) {
	env := testenv.Start(b)
	a, c := migrationPair(b, env)
	ctx := context.Background()
	vm := defineVM(b, a, backends.VMSpec{Name: "bench-migrate", VCPUs: 1, MemoryMiB: 96})
	b.Cleanup(func() {
		_ = c.VMs().Stop(ctx, vm.UUID)
		_ = c.VMs().Undefine(ctx, vm.UUID)
	})
	if err := a.VMs().Start(ctx, vm.UUID); err != nil {
		b.Fatal(err)
	}
	time.Sleep(5 * time.Second) // the guest kernel boots
	var totals, downs []time.Duration
	src, dst := a, c
	for b.Loop() {
		res, err := src.Migrate(ctx, vm.UUID, dst, backends.MigrateOptions{})
		if err != nil {
			b.Fatal(err)
		}
		totals, downs = append(totals, res.TotalTime), append(downs, res.Downtime)
		src, dst = dst, src
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	slices.Sort(totals)
	slices.Sort(downs)
	b.ReportMetric(ms(totals[len(totals)/2]), "total-p50-ms")
	b.ReportMetric(ms(downs[len(downs)/2]), "downtime-p50-ms")
	b.ReportMetric(ms(downs[len(downs)-1]), "downtime-max-ms")
}
