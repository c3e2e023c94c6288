package backendtest

import (
	"testing"

	"github.com/ferrum-virt/ferrum/backends"
)

func testStats(t *testing.T, mk func(*testing.T) *fixture) {
	t.Run("VM counters never decrease", func(t *testing.T) {
		f := mk(t)
		vm := f.running()
		a, err := f.h.VMs().Stats(f.ctx, vm.UUID)
		must(t, "Stats", err)
		b, err := f.h.VMs().Stats(f.ctx, vm.UUID)
		must(t, "Stats", err)
		pairs := []struct {
			name string
			a, b uint64
		}{
			{"cpu time", a.CPUTimeNs, b.CPUTimeNs},
			{"block read bytes", a.Block.ReadBytes, b.Block.ReadBytes},
			{"block write bytes", a.Block.WriteBytes, b.Block.WriteBytes},
			{"block read ops", a.Block.ReadOps, b.Block.ReadOps},
			{"block write ops", a.Block.WriteOps, b.Block.WriteOps},
			{"net rx bytes", a.Net.RxBytes, b.Net.RxBytes},
			{"net tx bytes", a.Net.TxBytes, b.Net.TxBytes},
			{"net rx packets", a.Net.RxPackets, b.Net.RxPackets},
			{"net tx packets", a.Net.TxPackets, b.Net.TxPackets},
		}
		for _, p := range pairs {
			if p.b < p.a {
				t.Errorf("%s went from %d to %d", p.name, p.a, p.b)
			}
		}
		if b.Time.Before(a.Time) {
			t.Errorf("sample time went back from %v to %v", a.Time, b.Time)
		}
	})
	t.Run("VM stats report its vCPUs and memory", func(t *testing.T) {
		f := mk(t)
		vm := f.running()
		st, err := f.h.VMs().Stats(f.ctx, vm.UUID)
		must(t, "Stats", err)
		if st.VCPUs != vm.VCPUs || st.MemoryMiB == 0 || st.MemoryUsedMiB > st.MemoryMiB {
			t.Fatalf("stats %+v for %d vCPUs, %d MiB", st, vm.VCPUs, vm.MemoryMiB)
		}
	})
	t.Run("Stats of an unknown VM → ErrNotFound", func(t *testing.T) {
		f := mk(t)
		_, err := f.h.VMs().Stats(f.ctx, "5d1ab0c2-0000-4000-8000-00000000dead")
		wantErr(t, "Stats", err, backends.ErrNotFound)
	})
	t.Run("host stats count running VMs and never lose CPU time", func(t *testing.T) {
		f := mk(t)
		a, err := f.h.Stats(f.ctx)
		must(t, "host Stats", err)
		f.running()
		b, err := f.h.Stats(f.ctx)
		must(t, "host Stats", err)
		if b.Threads < 1 || b.MemoryMiB == 0 || b.MemoryUsedMiB > b.MemoryMiB {
			t.Fatalf("host stats %+v", b)
		}
		if b.RunningVMs < 1 || b.DefinedVMs < b.RunningVMs {
			t.Fatalf("host stats count %d running of %d defined with one VM started", b.RunningVMs, b.DefinedVMs)
		}
		if b.CPUTimeNs < a.CPUTimeNs {
			t.Fatalf("host CPU time went from %d to %d", a.CPUTimeNs, b.CPUTimeNs)
		}
	})
}
