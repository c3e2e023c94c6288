package jobs

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/store"
)

// BenchmarkJobThroughput measures how many jobs per second the engine
// takes from Start to Completed with a trivial Work: the overhead every
// asynchronous method pays. "sqlite" persists each state change, as
// ferrumd does; "memory" shows the engine alone.
func BenchmarkJobThroughput(b *testing.B) {
	for _, backing := range []string{"memory", "sqlite"} {
		b.Run(backing, func(b *testing.B) {
			var st Store
			if backing == "sqlite" {
				s, err := store.Open(b.Context(), filepath.Join(b.TempDir(), "jobs.db"))
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { s.Close() })
				st = cimom.SQLStore{S: s}
			}
			m, err := NewManager(b.Context(), Config{Store: st, SweepInterval: -1, Log: quiet})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = m.Close(context.Background()) })
			work := func(context.Context, *Progress) (cim.Params, error) { return nil, nil }
			ctx := context.Background()
			ids := make([]string, 0, 64)
			drain := func() {
				for _, id := range ids {
					if j, err := m.Wait(ctx, id); err != nil || j.State != Completed {
						b.Fatalf("job %s: %v %v", id, j.State, err)
					}
				}
				ids = ids[:0]
			}
			for b.Loop() {
				j, err := m.Start(ctx, Spec{Name: "Bench"}, work)
				if err != nil {
					b.Fatal(err)
				}
				if ids = append(ids, j.ID); len(ids) == cap(ids) {
					drain()
				}
			}
			drain()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
		})
	}
}
