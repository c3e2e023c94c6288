package sim_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/backends/sim"
)

// BenchmarkPreCopy tabulates the pre-copy model: downtime and total time of
// a live migration for 1, 4 and 16 GiB guests at several dirty rates, over
// 1 GbE and 10 GbE, with and without auto-converge (working set: a quarter
// of memory, downtime limit 300 ms):
//
//	go test -run XXX -bench PreCopy ./backends/sim
func BenchmarkPreCopy(b *testing.B) {
	links := []struct {
		name string
		bps  uint64
	}{{"1GbE", 117_500_000}, {"10GbE", 1_175_000_000}}
	for _, link := range links {
		for _, memGiB := range []uint64{1, 4, 16} {
			for _, dirtyMiB := range []uint64{0, 16, 64, 256} {
				for _, ac := range []bool{false, true} {
					name := fmt.Sprintf("link=%s/mem=%dGiB/dirty=%dMiBps/autoconverge=%v", link.name, memGiB, dirtyMiB, ac)
					p := sim.PreCopy{Memory: memGiB * gib, DirtyRate: float64(dirtyMiB * mib), WorkingSet: memGiB * gib / 4,
						Bandwidth: link.bps, MaxDowntime: backends.DefaultMaxDowntime, AutoConverge: ac}
					b.Run(name, func(b *testing.B) { benchPreCopy(b, p) })
				}
			}
		}
	}
}

func benchPreCopy(b *testing.B, p sim.PreCopy) {
	var out sim.Outcome
	var err error
	for b.Loop() {
		out, _, err = p.Run(func(sim.Round) bool { return true })
	}
	converged := 1.0
	if errors.Is(err, backends.ErrNotConverged) {
		converged = 0
	} else if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(out.Downtime.Microseconds())/1000, "downtime-ms")
	b.ReportMetric(out.TotalTime.Seconds(), "total-s")
	b.ReportMetric(float64(out.Rounds), "rounds")
	b.ReportMetric(float64(out.ThrottlePct), "throttle-%")
	b.ReportMetric(converged, "converged")
}
