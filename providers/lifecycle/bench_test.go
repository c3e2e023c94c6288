package lifecycle

import (
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// BenchmarkStateChangeIndications measures the service end to end over
// the simulator: a VM started and stopped, each event read from the host,
// its computer system read through the dispatcher and a modification
// published. It paces itself so the host stream never overflows, and
// reports the indications per second.
func BenchmarkStateChangeIndications(b *testing.B) {
	f := newFixture(b, 1, func(c *Config) { c.WatchedClasses = []string{} })
	vm := f.define(0, smallSpec("bench", 256))
	vms := f.host(0).VMs()
	f.rec.waitFor(b, "the indications", func(got []*cim.Instance) bool { return len(vmIndications(got, vm.UUID)) == 1 })
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		f.must(vms.Start(f.ctx, vm.UUID))
		f.must(vms.Stop(f.ctx, vm.UUID))
		if i%64 == 63 || i == b.N-1 {
			want := 1 + 2*(i+1)
			f.rec.waitFor(b, "the indications", func(got []*cim.Instance) bool { return len(vmIndications(got, vm.UUID)) >= want })
		}
	}
	b.ReportMetric(float64(2*b.N)/time.Since(start).Seconds(), "indications/s")
	if g := f.svc.Stats().Gaps; g != 0 {
		b.Fatalf("%d gaps", g)
	}
}
