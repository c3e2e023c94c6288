package libvirt

import (
	"context"
	"fmt"
	"time"

	golibvirt "github.com/digitalocean/go-libvirt"

	"github.com/ferrum-virt/ferrum/backends"
)

// transition runs one lifecycle call on VM id after checking its state is
// one of from.
func (h *Host) transition(ctx context.Context, id, op string, from []backends.State,
	call func(d golibvirt.Domain, s backends.State) error) error {
	if err := h.alive(ctx); err != nil {
		return err
	}
	d, err := h.lookup(id)
	if err != nil {
		return err
	}
	s, err := h.allow(d, op, from...)
	if err != nil {
		return err
	}
	if err := call(d, s); err != nil {
		return wrap(err, "%s vm %s on %s", op, d.Name, h)
	}
	h.logOp(op, d.Name, "from", s)
	return nil
}

func states(s ...backends.State) []backends.State { return s }

// Start boots a stopped VM, or resumes a saved one from its image. It fails
// with ErrInsufficientResources when the host lacks free memory for it.
func (a *vmAPI) Start(ctx context.Context, id string) error {
	h := a.host()
	return h.transition(ctx, id, "start", states(backends.StateOff, backends.StateCrashed, backends.StateSaved),
		func(d golibvirt.Domain, _ backends.State) error {
			if err := h.checkMemoryFor(d); err != nil {
				return err
			}
			if err := h.activateNetworks(d); err != nil {
				return err
			}
			return h.l.DomainCreate(d)
		})
}

// activateNetworks starts the inactive networks a domain's NICs are on: a
// switch exists once defined, though the daemon autostarts networks only
// after a host boot.
func (h *Host) activateNetworks(d golibvirt.Domain) error {
	doc, err := h.domainDoc(d, true)
	if err != nil {
		return err
	}
	for _, x := range doc.Devices.Interfaces {
		if x.Type != "network" || x.Source == nil || x.Source.Network == "" {
			continue
		}
		n, err := h.l.NetworkLookupByName(x.Source.Network)
		if err != nil {
			return err
		}
		if active, _ := h.l.NetworkIsActive(n); active != 1 {
			if err := h.l.NetworkCreate(n); err != nil && !isCode(err, golibvirt.ErrOperationInvalid) {
				return err
			}
		}
	}
	return nil
}

// checkMemoryFor fails with ErrInsufficientResources when the domain's
// current memory exceeds the host's free memory.
func (h *Host) checkMemoryFor(d golibvirt.Domain) error {
	_, _, memKiB, _, _, err := h.l.DomainGetInfo(d)
	if err != nil {
		return err
	}
	used, err := h.activeMemoryMiB()
	if err != nil {
		return err
	}
	if need, free := memKiB>>10, h.freeMiB(used); need > free {
		return fmt.Errorf("needs %d MiB, %d MiB free: %w", need, free, backends.ErrInsufficientResources)
	}
	return nil
}

// Stop powers a VM off at once.
func (a *vmAPI) Stop(ctx context.Context, id string) error {
	h := a.host()
	return h.transition(ctx, id, "stop", states(backends.StateRunning, backends.StatePaused, backends.StateShuttingDown),
		func(d golibvirt.Domain, _ backends.State) error { return h.l.DomainDestroy(d) })
}

// Pause freezes a running VM; it keeps its memory.
func (a *vmAPI) Pause(ctx context.Context, id string) error {
	h := a.host()
	return h.transition(ctx, id, "pause", states(backends.StateRunning),
		func(d golibvirt.Domain, _ backends.State) error { return h.l.DomainSuspend(d) })
}

// Resume unfreezes a paused VM.
func (a *vmAPI) Resume(ctx context.Context, id string) error {
	h := a.host()
	return h.transition(ctx, id, "resume", states(backends.StatePaused),
		func(d golibvirt.Domain, _ backends.State) error { return h.l.DomainResume(d) })
}

// Reboot asks the guest to restart (ACPI, or the guest agent when present).
func (a *vmAPI) Reboot(ctx context.Context, id string) error {
	h := a.host()
	return h.transition(ctx, id, "reboot", states(backends.StateRunning),
		func(d golibvirt.Domain, _ backends.State) error { return h.l.DomainReboot(d, 0) })
}

// Reset hard-resets the virtual hardware; a paused VM stays paused.
func (a *vmAPI) Reset(ctx context.Context, id string) error {
	h := a.host()
	return h.transition(ctx, id, "reset", states(backends.StateRunning, backends.StatePaused),
		func(d golibvirt.Domain, _ backends.State) error { return h.l.DomainReset(d, 0) })
}

// Save stores a VM's memory in libvirt's managed save image and stops it;
// Start or Restore resumes it running.
func (a *vmAPI) Save(ctx context.Context, id string) error {
	h := a.host()
	return h.transition(ctx, id, "save", states(backends.StateRunning, backends.StatePaused),
		func(d golibvirt.Domain, _ backends.State) error {
			return h.l.DomainManagedSave(d, uint32(golibvirt.DomainSaveRunning))
		})
}

// Restore resumes a saved VM from its image.
func (a *vmAPI) Restore(ctx context.Context, id string) error {
	h := a.host()
	return h.transition(ctx, id, "restore", states(backends.StateSaved),
		func(d golibvirt.Domain, _ backends.State) error {
			if err := h.activateNetworks(d); err != nil {
				return err
			}
			return h.l.DomainCreate(d)
		})
}

// Shutdown asks the guest to power off and waits up to timeout for it. A
// guest that has not powered off in time leaves the VM up and the error
// wraps context.DeadlineExceeded.
func (a *vmAPI) Shutdown(ctx context.Context, id string, timeout time.Duration) error {
	h := a.host()
	var dom golibvirt.Domain
	err := h.transition(ctx, id, "shutdown", states(backends.StateRunning, backends.StateShuttingDown),
		func(d golibvirt.Domain, _ backends.State) error {
			dom = d
			return h.l.DomainShutdown(d)
		})
	if err != nil || timeout <= 0 {
		return err
	}
	deadline := time.Now().Add(timeout)
	for {
		s, _, err := h.state(dom)
		if err != nil {
			return err
		}
		if !s.Active() {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("shutdown vm %s on %s: still %s after %v: %w", dom.Name, h, s, timeout, context.DeadlineExceeded)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("shutdown vm %s on %s: %w", dom.Name, h, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
