package sim_test

import (
	"math"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/backends/sim"
)

func TestMemoryIsDedicatedOnlyWhileActive(t *testing.T) {
	h := newDC(t, sim.Config{}).Host(0)
	ctx := t.Context()
	free := freeMiB(t, h)
	vm, err := h.VMs().Define(ctx, backends.VMSpec{Name: "a", VCPUs: 1, MemoryMiB: 4096})
	ok(t, err)
	steps := []struct {
		name string
		op   func() error
		used uint64
	}{
		{"a defined VM uses no memory", func() error { return nil }, 0},
		{"a running VM holds its memory", func() error { return h.VMs().Start(ctx, vm.UUID) }, 4096},
		{"a paused VM keeps it", func() error { return h.VMs().Pause(ctx, vm.UUID) }, 4096},
		{"a saved VM releases it", func() error { return h.VMs().Save(ctx, vm.UUID) }, 0},
		{"a restored VM takes it back", func() error { return h.VMs().Restore(ctx, vm.UUID) }, 4096},
		{"the balloon shrinks it live", func() error { return h.VMs().SetMemory(ctx, vm.UUID, 2048) }, 2048},
		{"a crashed VM releases it", func() error { return h.Crash(vm.UUID) }, 0},
	}
	for _, s := range steps {
		ok(t, s.op())
		if got := free - freeMiB(t, h); got != s.used {
			t.Fatalf("%s: uses %d MiB, want %d", s.name, got, s.used)
		}
	}
}

func TestStartFailsWhenHostMemoryIsShort(t *testing.T) {
	h := newDC(t, sim.Config{}).Host(0)
	ctx := t.Context()
	var err error
	started := 0
	for i := 0; err == nil; i++ {
		var vm backends.VM
		vm, err = h.VMs().Define(ctx, backends.VMSpec{Name: string(rune('a'+i%26)) + string(rune('a'+i/26)),
			VCPUs: 1, MemoryMiB: 16 << 10})
		ok(t, err)
		if err = h.VMs().Start(ctx, vm.UUID); err == nil {
			started++
		}
	}
	wantIs(t, err, backends.ErrInsufficientResources)
	if free := freeMiB(t, h); free >= 16<<10 || started == 0 {
		t.Fatalf("refused with %d MiB free after %d VMs", free, started)
	}
	st, _ := h.Stats(ctx)
	if st.RunningVMs != started || st.DefinedVMs != started+1 {
		t.Fatalf("host stats %+v after %d starts", st, started)
	}
}

func TestBalloonGrowthNeedsFreeMemory(t *testing.T) {
	h := newDC(t, sim.Config{}).Host(0)
	vm := start(t, h, backends.VMSpec{Name: "a", VCPUs: 1, MemoryMiB: 1024, MaxMemoryMiB: 96 << 10})
	for freeMiB(t, h) >= 96<<10 {
		start(t, h, backends.VMSpec{Name: "filler" + time.Duration(freeMiB(t, h)).String(), VCPUs: 1, MemoryMiB: 32 << 10})
	}
	wantIs(t, h.VMs().SetMemory(t.Context(), vm.UUID, 96<<10), backends.ErrInsufficientResources)
}

// cpuSeconds is the CPU time a VM consumed over an hour of virtual time.
func cpuSeconds(t *testing.T, dc *sim.DataCenter, h *sim.Host, ids ...string) []float64 {
	t.Helper()
	before := make([]uint64, len(ids))
	for i, id := range ids {
		st, err := h.VMs().Stats(t.Context(), id)
		ok(t, err)
		before[i] = st.CPUTimeNs
	}
	dc.Advance(time.Hour)
	out := make([]float64, len(ids))
	for i, id := range ids {
		st, _ := h.VMs().Stats(t.Context(), id)
		out[i] = float64(st.CPUTimeNs-before[i]) / 1e9
	}
	return out
}

func TestCPUTimeFollowsWeightWhenOvercommitted(t *testing.T) {
	dc := newDC(t, sim.Config{Seed: 3})
	h := dc.Host(0)
	info, _ := h.Info(t.Context())
	busy := sim.DefaultWorkload()
	busy.CPUUtil = 1
	var ids []string
	// Twice as many busy 8-vCPU guests as the host has threads: weights
	// 512 for the first, 256 for the rest.
	n := 2 * info.CPU.Threads() / 8
	for i := range n {
		w := 256
		if i == 0 {
			w = 512
		}
		vm := start(t, h, backends.VMSpec{Name: string(rune('A' + i)), VCPUs: 8, MemoryMiB: 512, Weight: w})
		ok(t, h.SetWorkload(vm.UUID, busy))
		ids = append(ids, vm.UUID)
	}
	cpu := cpuSeconds(t, dc, h, ids...)
	if r := cpu[0] / cpu[1]; math.Abs(r-2) > 0.01 {
		t.Fatalf("weight 512 got %.0f s, weight 256 got %.0f s: ratio %.3f, want 2", cpu[0], cpu[1], r)
	}
	var total float64
	for _, c := range cpu {
		total += c
	}
	if capacity := float64(info.CPU.Threads()) * 3600; total > capacity || total < 0.99*capacity {
		t.Fatalf("VMs used %.0f CPU-s of %.0f: an overcommitted host is fully used and no more", total, capacity)
	}
}

func TestCPUTimeIsTheWantWhenUndercommitted(t *testing.T) {
	dc := newDC(t, sim.Config{})
	h := dc.Host(0)
	a := start(t, h, backends.VMSpec{Name: "a", VCPUs: 4, MemoryMiB: 512})
	b := start(t, h, backends.VMSpec{Name: "b", VCPUs: 2, MemoryMiB: 512, Weight: 5000})
	p := start(t, h, backends.VMSpec{Name: "p", VCPUs: 2, MemoryMiB: 512})
	ok(t, h.VMs().Pause(t.Context(), p.UUID))
	cpu := cpuSeconds(t, dc, h, a.UUID, b.UUID, p.UUID)
	util := sim.DefaultWorkload().CPUUtil
	if math.Abs(cpu[0]-4*util*3600) > 1 || math.Abs(cpu[1]-2*util*3600) > 1 || cpu[2] != 0 {
		t.Fatalf("cpu seconds %v: want the guests' demand, and nothing while paused", cpu)
	}
}

func TestStatsMoveWithTheClock(t *testing.T) {
	dc := newDC(t, sim.Config{})
	h := dc.Host(0)
	vm := start(t, h, backends.VMSpec{Name: "a", VCPUs: 1, MemoryMiB: 1024})
	a, _ := h.VMs().Stats(t.Context(), vm.UUID)
	b, _ := h.VMs().Stats(t.Context(), vm.UUID)
	if a != b {
		t.Fatalf("stats moved without the clock: %+v then %+v", a, b)
	}
	dc.Advance(10 * time.Second)
	c, _ := h.VMs().Stats(t.Context(), vm.UUID)
	w := sim.DefaultWorkload()
	if c.Net.RxBytes-a.Net.RxBytes != 10*w.NetRxBps || c.Block.WriteOps-a.Block.WriteOps != 10*w.DiskWriteBps/w.IOSize {
		t.Fatalf("after 10 s: %+v from %+v", c, a)
	}
	hs, _ := h.Stats(t.Context())
	if hs.CPUTimeNs <= c.CPUTimeNs {
		t.Fatalf("host busy time %d does not exceed its only guest's %d", hs.CPUTimeNs, c.CPUTimeNs)
	}
}
