package sim

import (
	"slices"
	"time"
)

// demand is what one running VM asks of the scheduler.
type demand struct {
	want   float64 // logical CPUs it would use (vCPUs × utilisation)
	weight float64
}

// shareCPU grants capacity logical CPUs as the Xen credit scheduler does:
// in proportion to weight when processors are overcommitted, never more than
// a VM wants, and handing what an idle or light VM leaves to the others
// (work-conserving). It returns the grant per demand, in input order.
func shareCPU(capacity float64, ds []demand) []float64 {
	grant := make([]float64, len(ds))
	order := make([]int, len(ds))
	var weight float64
	for i := range ds {
		order[i] = i
		weight += ds[i].weight
	}
	// Serve the lightest want-per-weight first; stable on ties for determinism.
	slices.SortStableFunc(order, func(a, b int) int {
		ra, rb := ds[a].want/ds[a].weight, ds[b].want/ds[b].weight
		switch {
		case ra < rb:
			return -1
		case ra > rb:
			return 1
		}
		return 0
	})
	left := capacity
	for _, i := range order {
		fair := left * ds[i].weight / weight
		grant[i] = min(ds[i].want, fair)
		left -= grant[i]
		weight -= ds[i].weight
	}
	return grant
}

// hypervisorLoad is the CPU the service partition itself burns: a base
// plus a little per running guest for its device back-ends.
func hypervisorLoad(running int) float64 { return 0.05 + 0.01*float64(running) }

// rebalance re-runs the scheduler after the set of running VMs, their
// vCPUs, weights or workloads changed: every running VM's counters are
// checkpointed at now and continue at its new share. Called with h.mu held.
func (h *Host) rebalance(now time.Time) {
	ns := now.UnixNano()
	h.checkpointHost(ns)
	ds := make([]demand, len(h.running))
	for i, v := range h.running {
		w := v.workload(h.dc)
		ds[i] = demand{want: float64(v.spec.VCPUs) * w.CPUUtil, weight: float64(v.spec.Weight)}
	}
	grants := shareCPU(float64(h.threads), ds)
	busy := hypervisorLoad(len(h.running))
	for i, v := range h.running {
		act := 1.0
		if ds[i].want > 0 {
			act = grants[i] / ds[i].want
		}
		h.setRates(v, now, grants[i], act)
		busy += grants[i]
	}
	h.cpuRate = busy
}

// setRates checkpoints v and sets its CPU grant and I/O share, moving its
// write load on its volume along. Called with h.mu held.
func (h *Host) setRates(v *vm, now time.Time, cpu, act float64) {
	w := v.workload(h.dc)
	v.meter = v.meter.advanced(now.UnixNano(), w)
	v.meter.cpuRate, v.meter.act = cpu, act
	var vol *volume
	var rate float64
	if act > 0 {
		if vol = h.writableVolume(v); vol != nil {
			rate = float64(w.DiskWriteBps) * act
		}
	}
	switch {
	case vol == v.wvol && rate != v.wrate:
		vol.addWriter(now, rate-v.wrate, 0)
	case vol != v.wvol:
		if v.wvol != nil {
			v.wvol.addWriter(now, -v.wrate, -1)
		}
		if vol != nil {
			vol.addWriter(now, rate, 1)
		}
	}
	v.wvol, v.wrate = vol, rate
}

// quiesce stops v's counters and write load, for a VM that stopped running
// its guest. Called with h.mu held.
func (h *Host) quiesce(v *vm, now time.Time) { h.setRates(v, now, 0, 0) }

func (h *Host) checkpointHost(ns int64) {
	if dt := ns - h.cpuAt; dt > 0 {
		h.cpuNs += uint64(h.cpuRate * float64(dt))
		h.cpuAt = ns
	}
}
