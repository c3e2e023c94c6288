package sim_test

import (
	"errors"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/backends/sim"
)

const (
	mib = 1 << 20
	gib = 1 << 30
)

func runModel(t *testing.T, p sim.PreCopy) (sim.Outcome, []sim.Round, error) {
	t.Helper()
	var rounds []sim.Round
	out, ok, err := p.Run(func(r sim.Round) bool { rounds = append(rounds, r); return true })
	if err == nil && !ok {
		t.Fatal("Run stopped without error while yield never refused")
	}
	return out, rounds, err
}

func TestPreCopy(t *testing.T) {
	gbe := uint64(125_000_000 * 0.94)
	tests := []struct {
		name       string
		p          sim.PreCopy
		wantRounds func(int) bool
		wantErr    error
	}{
		{"an idle 1 GiB guest moves in one round",
			sim.PreCopy{Memory: gib, Bandwidth: gbe}, func(n int) bool { return n == 1 }, nil},
		{"a guest dirtying 30 MiB/s on 1 GbE converges in a few rounds",
			sim.PreCopy{Memory: 4 * gib, DirtyRate: 30 * mib, WorkingSet: gib, Bandwidth: gbe},
			func(n int) bool { return n >= 2 && n <= 10 }, nil},
		{"a guest dirtying faster than the link never converges without auto-converge",
			sim.PreCopy{Memory: 4 * gib, DirtyRate: 200 * mib, WorkingSet: 2 * gib, Bandwidth: gbe},
			func(n int) bool { return n == sim.DefaultMaxRounds }, backends.ErrNotConverged},
		{"auto-converge throttles the same guest until it converges",
			sim.PreCopy{Memory: 4 * gib, DirtyRate: 200 * mib, WorkingSet: 2 * gib, Bandwidth: gbe, AutoConverge: true},
			func(n int) bool { return n > 2 && n < sim.DefaultMaxRounds }, nil},
		{"a tight round limit gives up early",
			sim.PreCopy{Memory: 4 * gib, DirtyRate: 100 * mib, WorkingSet: 2 * gib, Bandwidth: gbe, MaxRounds: 3},
			func(n int) bool { return n == 3 }, backends.ErrNotConverged},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, rounds, err := runModel(t, tt.p)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Run error = %v, want %v", err, tt.wantErr)
			}
			if !tt.wantRounds(out.Rounds) || len(rounds) != out.Rounds {
				t.Fatalf("%d rounds (%d reported)", out.Rounds, len(rounds))
			}
			if rounds[0].Sent != tt.p.Memory {
				t.Fatalf("round 1 sent %d of %d bytes", rounds[0].Sent, tt.p.Memory)
			}
			if err == nil && (out.Downtime > backends.DefaultMaxDowntime || out.Downtime <= 0) {
				t.Fatalf("downtime %v outside (0, %v]", out.Downtime, backends.DefaultMaxDowntime)
			}
			if err == nil && out.BytesSent < tt.p.Memory {
				t.Fatalf("sent %d bytes of %d", out.BytesSent, tt.p.Memory)
			}
		})
	}
}

func TestPreCopyAutoConvergeStepsLikeQEMU(t *testing.T) {
	p := sim.PreCopy{Memory: 4 * gib, DirtyRate: 200 * mib, WorkingSet: 2 * gib,
		Bandwidth: 117_500_000, AutoConverge: true}
	_, rounds, err := runModel(t, p)
	if err != nil {
		t.Fatal(err)
	}
	var steps []int
	for _, r := range rounds {
		if len(steps) == 0 || steps[len(steps)-1] != r.ThrottlePct {
			steps = append(steps, r.ThrottlePct)
		}
	}
	if len(steps) < 3 || steps[0] != 0 || steps[1] != 20 || steps[2] != 30 {
		t.Fatalf("throttle steps %v, want 0, 20, 30, ...", steps)
	}
	for i, r := range rounds[1:] {
		if r.DirtyRate > rounds[i].DirtyRate {
			t.Fatalf("round %d dirty rate rose under throttling: %v", r.N, r.DirtyRate)
		}
	}
}

func TestPreCopyMoreDirtyingMeansLongerMigration(t *testing.T) {
	var last time.Duration
	for _, rate := range []float64{0, 10 * mib, 40 * mib, 80 * mib} {
		out, _, err := runModel(t, sim.PreCopy{Memory: 4 * gib, DirtyRate: rate, WorkingSet: gib, Bandwidth: 117_500_000})
		if err != nil {
			t.Fatalf("rate %v: %v", rate, err)
		}
		if out.TotalTime < last {
			t.Fatalf("rate %v MiB/s took %v, less than a lower rate's %v", rate/mib, out.TotalTime, last)
		}
		last = out.TotalTime
	}
}

func TestPreCopyStopsWhenYieldRefuses(t *testing.T) {
	p := sim.PreCopy{Memory: 4 * gib, DirtyRate: 50 * mib, WorkingSet: gib, Bandwidth: 117_500_000}
	out, ok, err := p.Run(func(r sim.Round) bool { return r.N < 2 })
	if ok || err != nil || out.Rounds != 2 {
		t.Fatalf("Run = %+v, %v, %v; want stopped after round 2", out, ok, err)
	}
}
