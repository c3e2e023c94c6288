package sim

import (
	"context"
	"fmt"
	"time"

	"github.com/ferrum-virt/ferrum/backends"
)

// transition moves v to state s, keeping dedicated memory, graphics ports,
// the run queue and the scheduler in step, and publishes ev unless it is
// empty. It fails with
// ErrInsufficientResources when v needs memory the host lacks. Called with
// h.mu held.
func (h *Host) transition(v *vm, s backends.State, r backends.Reason, ev backends.EventType) error {
	now := h.dc.clock.Now()
	if !v.state.Active() && s.Active() {
		if free := h.freeMiB(); v.spec.MemoryMiB > free {
			return fmt.Errorf("vm %s needs %d MiB, %s has %d MiB free: %w",
				v.spec.Name, v.spec.MemoryMiB, h, free, backends.ErrInsufficientResources)
		}
		if err := h.assignGraphicsPort(v); err != nil {
			return err
		}
		h.usedMiB += v.spec.MemoryMiB
	} else if v.state.Active() && !s.Active() {
		h.usedMiB -= v.spec.MemoryMiB
		if v.auto {
			v.spec.Graphics.Port = 0
		}
	}
	if v.off != nil && s != backends.StateShuttingDown {
		v.off.Stop()
		v.off = nil
	}
	wasRun, isRun := runsGuest(v.state), runsGuest(s)
	v.state, v.reason, v.since = s, r, now
	switch {
	case wasRun && !isRun:
		h.quiesce(v, now)
		h.running = deleteVM(h.running, v)
		h.rebalance(now)
	case !wasRun && isRun:
		h.running = append(h.running, v)
		h.rebalance(now)
	}
	if ev != "" {
		h.logOp(string(ev), v, "state", s)
		h.publishVM(v, ev, "")
	}
	return nil
}

func deleteVM(vs []*vm, v *vm) []*vm {
	for i, x := range vs {
		if x == v {
			return append(vs[:i], vs[i+1:]...)
		}
	}
	return vs
}

// assignGraphicsPort gives a starting VM the lowest free console port from
// 5900, or checks its fixed port is free. Called with h.mu held.
func (h *Host) assignGraphicsPort(v *vm) error {
	g := v.spec.Graphics
	if g == nil {
		return nil
	}
	used := map[int]bool{}
	for _, o := range h.vms {
		if o != v && o.state.Active() && o.spec.Graphics != nil {
			used[o.spec.Graphics.Port] = true
		}
	}
	if !v.auto {
		if used[g.Port] {
			return fmt.Errorf("graphics port %d in use on %s: %w", g.Port, h, backends.ErrConflict)
		}
		return nil
	}
	for g.Port = 5900; used[g.Port]; g.Port++ {
	}
	return nil
}

// change runs op on VM id: it checks v is in one of from, then moves it.
func (a *vmAPI) change(id, op string, from []backends.State, to func(*vm) (backends.State, backends.Reason, backends.EventType)) error {
	return a.changeIf(id, op, from, nil, to)
}

// changeIf is change with an extra check of the VM before it moves.
func (a *vmAPI) changeIf(id, op string, from []backends.State, check func(*vm) error,
	to func(*vm) (backends.State, backends.Reason, backends.EventType)) error {
	h := a.host()
	if err := h.lock(op); err != nil {
		return err
	}
	defer h.mu.Unlock()
	v, err := h.find(id)
	if err != nil {
		return err
	}
	if err := h.allow(v, op, from...); err != nil {
		return err
	}
	if check != nil {
		if err := check(v); err != nil {
			return fmt.Errorf("%s vm %s on %s: %w", op, v.spec.Name, h, err)
		}
	}
	s, r, ev := to(v)
	if err := h.transition(v, s, r, ev); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

func states(s ...backends.State) []backends.State { return s }

// Start boots a stopped VM, or resumes a saved one from its image.
func (a *vmAPI) Start(ctx context.Context, id string) error {
	return a.change(id, "start", states(backends.StateOff, backends.StateCrashed, backends.StateSaved),
		func(v *vm) (backends.State, backends.Reason, backends.EventType) {
			if v.state == backends.StateSaved {
				return backends.StateRunning, backends.ReasonRestored, backends.EventRestored
			}
			return backends.StateRunning, backends.ReasonBooted, backends.EventStarted
		})
}

func to(s backends.State, r backends.Reason, ev backends.EventType) func(*vm) (backends.State, backends.Reason, backends.EventType) {
	return func(*vm) (backends.State, backends.Reason, backends.EventType) { return s, r, ev }
}

// Stop powers a VM off at once.
func (a *vmAPI) Stop(ctx context.Context, id string) error {
	return a.change(id, "stop", states(backends.StateRunning, backends.StatePaused, backends.StateShuttingDown),
		to(backends.StateOff, backends.ReasonDestroyed, backends.EventStopped))
}

// Pause freezes a running VM; it keeps its memory.
func (a *vmAPI) Pause(ctx context.Context, id string) error {
	return a.change(id, "pause", states(backends.StateRunning),
		to(backends.StatePaused, backends.ReasonUser, backends.EventPaused))
}

// Resume unfreezes a paused VM.
func (a *vmAPI) Resume(ctx context.Context, id string) error {
	return a.change(id, "resume", states(backends.StatePaused),
		to(backends.StateRunning, backends.ReasonUnpaused, backends.EventResumed))
}

// Reset hard-resets the virtual hardware; a paused VM stays paused.
func (a *vmAPI) Reset(ctx context.Context, id string) error {
	return a.change(id, "reset", states(backends.StateRunning, backends.StatePaused),
		func(v *vm) (backends.State, backends.Reason, backends.EventType) {
			return v.state, backends.ReasonReset, backends.EventReset
		})
}

// Save stores a VM's memory image and releases its memory.
func (a *vmAPI) Save(ctx context.Context, id string) error {
	return a.change(id, "save", states(backends.StateRunning, backends.StatePaused),
		to(backends.StateSaved, backends.ReasonSaved, backends.EventSaved))
}

// Restore resumes a saved VM.
func (a *vmAPI) Restore(ctx context.Context, id string) error {
	return a.change(id, "restore", states(backends.StateSaved),
		to(backends.StateRunning, backends.ReasonRestored, backends.EventRestored))
}

// Reboot asks the guest to restart; a guest that ignores ACPI requests
// fails it with ErrUnsupported.
func (a *vmAPI) Reboot(ctx context.Context, id string) error {
	return a.changeIf(id, "reboot", states(backends.StateRunning),
		func(v *vm) error {
			if v.workload(a.host().dc).IgnoresShutdown {
				return fmt.Errorf("guest ignores ACPI requests: %w", backends.ErrUnsupported)
			}
			return nil
		}, to(backends.StateRunning, backends.ReasonRebooted, backends.EventRebooted))
}

// Shutdown asks the guest to power off and waits up to timeout of virtual
// time. The guest takes its workload's ShutdownDelay, or ignores the request.
func (a *vmAPI) Shutdown(ctx context.Context, id string, timeout time.Duration) error {
	h := a.host()
	wait, err := a.requestShutdown(id, timeout)
	if err != nil || timeout <= 0 {
		return err
	}
	if err := h.dc.clock.Sleep(ctx, wait); err != nil {
		return fmt.Errorf("shutdown vm %s on %s: %w", id, h, err)
	}
	if err := h.lock("shutdown"); err != nil {
		return err
	}
	defer h.mu.Unlock()
	v, err := h.find(id)
	if err != nil {
		return err
	}
	if v.state.Active() {
		return fmt.Errorf("shutdown vm %s on %s: still %s after %v: %w",
			v.spec.Name, h, v.state, timeout, context.DeadlineExceeded)
	}
	return nil
}

// requestShutdown delivers the ACPI request and schedules the power-off; it
// returns how long Shutdown should wait.
func (a *vmAPI) requestShutdown(id string, timeout time.Duration) (time.Duration, error) {
	h := a.host()
	if err := h.lock("shutdown"); err != nil {
		return 0, err
	}
	defer h.mu.Unlock()
	v, err := h.find(id)
	if err != nil {
		return 0, err
	}
	if err := h.allow(v, "shutdown", backends.StateRunning, backends.StateShuttingDown); err != nil {
		return 0, err
	}
	w := v.workload(h.dc)
	if w.IgnoresShutdown {
		return timeout, nil
	}
	if v.state == backends.StateRunning {
		if err := h.transition(v, backends.StateShuttingDown, backends.ReasonUser, ""); err != nil {
			return 0, err
		}
		v.off = h.dc.clock.AfterFunc(w.ShutdownDelay, func() { h.guestPoweredOff(v) })
	}
	return min(timeout, v.since.Add(w.ShutdownDelay).Sub(h.dc.clock.Now())), nil
}

// guestPoweredOff ends a graceful shutdown when the guest's delay has passed.
func (h *Host) guestPoweredOff(v *vm) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.vms[v.spec.UUID] != v || v.state != backends.StateShuttingDown {
		return
	}
	v.off = nil
	_ = h.transition(v, backends.StateOff, backends.ReasonShutdown, backends.EventShutdown)
}
