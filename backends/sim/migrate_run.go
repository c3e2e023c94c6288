package sim

import (
	"context"
	"fmt"

	"github.com/ferrum-virt/ferrum/backends"
)

// linkEfficiency is the share of a link's speed a migration stream gets.
const linkEfficiency = 0.94

// Migrate moves VM id to dest: live with the pre-copy model, taking virtual
// time round by round, or offline for a stopped VM.
func (h *Host) Migrate(ctx context.Context, id string, dest backends.Host, opts backends.MigrateOptions) (backends.MigrationResult, error) {
	d, err := h.peer(dest)
	if err != nil {
		return backends.MigrationResult{}, err
	}
	if opts.Offline {
		return backends.MigrationResult{}, h.migrateOffline(id, d)
	}
	plan, v, err := h.beginLive(id, d, opts)
	if err != nil {
		return backends.MigrationResult{}, err
	}
	start := h.dc.clock.Now()
	out, err := h.precopy(ctx, v, plan, opts)
	if err == nil {
		err = h.dc.clock.Sleep(ctx, out.Downtime)
	}
	if err := h.finishLive(v, d, err); err != nil {
		return backends.MigrationResult{}, fmt.Errorf("migrate %s from %s to %s: %w", v.spec.Name, h, d, err)
	}
	h.dc.log.Info("sim migrated", "op", "migrate", "vm", v.spec.Name, "host", h.String(), "dest", d.String(),
		"rounds", out.Rounds, "downtime", out.Downtime, "total", h.dc.clock.Now().Sub(start))
	return backends.MigrationResult{Rounds: out.Rounds, BytesSent: out.BytesSent, TotalTime: out.TotalTime,
		Downtime: out.Downtime, ThrottlePct: out.ThrottlePct}, nil
}

// beginLive checks the move, reserves memory on d (the white paper's step
// 1) and marks v busy; it returns the model of the copy.
func (h *Host) beginLive(id string, d *Host, opts backends.MigrateOptions) (PreCopy, *vm, error) {
	if err := lockPair(h, d); err != nil {
		return PreCopy{}, nil, err
	}
	defer unlockPair(h, d)
	v, err := h.find(id)
	if err != nil {
		return PreCopy{}, nil, err
	}
	if err := h.allow(v, "migrate", backends.StateRunning, backends.StatePaused); err != nil {
		return PreCopy{}, nil, err
	}
	if c := h.check(v, d, true); !c.OK {
		return PreCopy{}, nil, fmt.Errorf("migrate %s from %s to %s: %w", v.spec.Name, h, d, refusal(c))
	}
	d.reserved += v.spec.MemoryMiB
	v.busy = "migrate"
	w := v.workload(h.dc)
	mem := v.spec.MemoryMiB << 20
	bw := opts.Bandwidth
	if bw == 0 {
		link := min(h.info.NICs[0].SpeedMbps, d.info.NICs[0].SpeedMbps)
		bw = uint64(float64(link) * 1e6 / 8 * linkEfficiency)
	}
	return PreCopy{Memory: mem, DirtyRate: float64(w.DirtyRate) * v.meter.act, WorkingSet: w.workingSet(mem),
		Bandwidth: bw, MaxDowntime: opts.MaxDowntime, AutoConverge: opts.AutoConverge, MaxRounds: opts.MaxRounds}, v, nil
}

// precopy runs the model, letting each round take its virtual time and
// reporting it, until it converges, fails or ctx ends.
func (h *Host) precopy(ctx context.Context, v *vm, plan PreCopy, opts backends.MigrateOptions) (Outcome, error) {
	start := h.dc.clock.Now()
	var sent uint64
	var stop error
	out, ok, err := plan.Run(func(r Round) bool {
		if stop = h.dc.clock.Sleep(ctx, r.Duration); stop != nil {
			return false
		}
		sent += r.Sent
		p := backends.MigrationProgress{VM: v.spec.UUID, Round: r.N, BytesSent: sent, BytesRemaining: r.Remaining,
			DirtyRate: uint64(r.DirtyRate), ThrottlePct: r.ThrottlePct, Elapsed: h.dc.clock.Now().Sub(start)}
		h.mu.Lock()
		h.publish(backends.Event{Type: backends.EventMigration, VM: v.spec.UUID, VMName: v.spec.Name,
			State: v.state, Migration: &p})
		h.mu.Unlock()
		if opts.Progress != nil {
			opts.Progress(p)
		}
		stop = ctx.Err()
		return stop == nil
	})
	switch {
	case err != nil:
		return out, err
	case !ok:
		return out, stop
	}
	return out, nil
}

// finishLive releases the reservation and, when the copy succeeded, moves v
// from h to d. Called without locks.
func (h *Host) finishLive(v *vm, d *Host, failed error) error {
	lockBoth(h, d)
	defer unlockPair(h, d)
	d.reserved -= v.spec.MemoryMiB
	v.busy = ""
	switch {
	case failed != nil:
		return failed
	case h.down || d.down:
		return fmt.Errorf("host went down: %w", backends.ErrUnavailable)
	case h.vms[v.spec.UUID] != v || !v.state.Active():
		return fmt.Errorf("vm left state %s during migration: %w", v.state, backends.ErrConflict)
	}
	if c := h.check(v, d, true); !c.OK {
		return refusal(c)
	}
	h.handOver(v, d)
	return nil
}

// handOver moves v's definition, memory and ports from h to d and tells
// both hosts' subscribers. Called with both locks held.
func (h *Host) handOver(v *vm, d *Host) {
	now := h.dc.clock.Now()
	wasActive, wasRun := v.state.Active(), runsGuest(v.state)
	if wasRun {
		h.quiesce(v, now)
		h.running = deleteVM(h.running, v)
		h.rebalance(now)
	}
	if wasActive {
		h.usedMiB -= v.spec.MemoryMiB
		d.usedMiB += v.spec.MemoryMiB
	}
	delete(h.vms, v.spec.UUID)
	delete(h.names, v.spec.Name)
	for _, n := range v.spec.NICs {
		h.switches[n.Switch].ports--
		d.switches[n.Switch].ports++
	}
	h.publishVM(v, backends.EventMigratedOut, d.info.ID)
	d.vms[v.spec.UUID], d.names[v.spec.Name] = v, v
	if wasActive {
		_ = d.assignGraphicsPort(v)
		v.reason, v.since = backends.ReasonMigrated, now
	}
	if wasRun {
		d.running = append(d.running, v)
		d.rebalance(now)
	}
	h.dc.moveVM(v.spec.UUID, d)
	d.publishVM(v, backends.EventMigratedIn, h.info.ID)
}

// migrateOffline moves a stopped VM's definition.
func (h *Host) migrateOffline(id string, d *Host) error {
	if err := lockPair(h, d); err != nil {
		return err
	}
	defer unlockPair(h, d)
	v, err := h.find(id)
	if err != nil {
		return err
	}
	if err := h.allow(v, "migrate offline", backends.StateOff, backends.StateCrashed); err != nil {
		return err
	}
	if c := h.check(v, d, false); !c.OK {
		return fmt.Errorf("migrate %s offline from %s to %s: %w", v.spec.Name, h, d, refusal(c))
	}
	h.handOver(v, d)
	h.logOp("migrate offline", v, "dest", d.String())
	return nil
}
