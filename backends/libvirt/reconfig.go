package libvirt

import (
	"context"
	"fmt"
	"time"

	golibvirt "github.com/digitalocean/go-libvirt"

	"github.com/ferrum-virt/ferrum/backends"
)

// liveAndConfig applies a change to the running guest and its definition.
const liveAndConfig = uint32(golibvirt.DomainAffectLive | golibvirt.DomainAffectConfig)

// change is one reconfiguration: cold rewrites the definition of a stopped
// VM, hot applies it to a running or paused one, and to its definition too
// unless persist asks reconfigure to do that with cold afterwards (for the
// calls some drivers cannot apply to both at once).
type change struct {
	op      string
	cold    func(doc *domainXML) error
	hot     func(d golibvirt.Domain, live *domainXML) error
	persist bool
}

// reconfigure runs c on VM id in the way its state calls for. A saved VM is
// refused: its image holds the configuration it will resume with.
func (h *Host) reconfigure(ctx context.Context, id string, c change) error {
	if err := h.alive(ctx); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	d, err := h.lookup(id)
	if err != nil {
		return err
	}
	s, err := h.allow(d, c.op, backends.StateOff, backends.StateCrashed, backends.StateRunning, backends.StatePaused)
	if err != nil {
		return err
	}
	if !s.Active() {
		return h.redefine(d, c.op, c.cold)
	}
	doc, err := h.domainDoc(d, false)
	if err != nil {
		return err
	}
	if err := c.hot(d, doc); err != nil {
		return fmt.Errorf("%s vm %s on %s: %w", c.op, d.Name, h, err)
	}
	h.logOp(c.op, d.Name, "live", true)
	if c.persist {
		return h.redefine(d, c.op, c.cold)
	}
	return nil
}

// redefine applies change to a domain's persistent definition. Called with
// h.mu held.
func (h *Host) redefine(d golibvirt.Domain, op string, change func(*domainXML) error) error {
	doc, err := h.domainDoc(d, true)
	if err != nil {
		return err
	}
	if err := change(doc); err != nil {
		return fmt.Errorf("%s vm %s on %s: %w", op, d.Name, h, err)
	}
	text, err := doc.marshal()
	if err != nil {
		return err
	}
	if _, err := h.l.DomainDefineXML(text); err != nil {
		return wrap(err, "%s vm %s on %s", op, d.Name, h)
	}
	h.logOp(op, d.Name, "live", false)
	return nil
}

// SetVCPUs sets the vCPU count: cold up to the host limit (raising the
// VM's maximum), hot up to the VM's maximum.
func (a *vmAPI) SetVCPUs(ctx context.Context, id string, n int) error {
	h := a.host()
	if n < 1 || n > h.static.Limits.MaxVCPUs {
		return fmt.Errorf("set vcpus of %s to %d (host limit %d): %w", id, n, h.static.Limits.MaxVCPUs, backends.ErrInvalidArgument)
	}
	return h.reconfigure(ctx, id, change{op: "set-vcpus", persist: true,
		cold: func(doc *domainXML) error {
			_, maxN, err := doc.vcpus()
			if err != nil {
				return err
			}
			doc.setVCPUs(n, max(n, maxN))
			return nil
		},
		hot: func(d golibvirt.Domain, live *domainXML) error {
			if !h.static.Caps.HotplugVCPU {
				return fmt.Errorf("vcpu hot-plug: %w", backends.ErrUnsupported)
			}
			if _, maxN, err := live.vcpus(); err != nil || n > maxN {
				return fmt.Errorf("%d vcpus above the maximum %d: %w", n, maxN, backends.ErrInvalidArgument)
			}
			return classify(h.l.DomainSetVcpusFlags(d, uint32(n), uint32(golibvirt.DomainVCPULive)))
		}})
}

// SetMemory sets the current memory: cold up to the host limit (raising the
// VM's maximum), hot (the balloon) up to the VM's maximum and the host's
// free memory.
func (a *vmAPI) SetMemory(ctx context.Context, id string, mib uint64) error {
	h := a.host()
	l := h.static.Limits
	if mib < l.MinMemoryMiB || mib > l.MaxMemoryMiB {
		return fmt.Errorf("set memory of %s to %d MiB (host limits %d–%d): %w", id, mib, l.MinMemoryMiB, l.MaxMemoryMiB,
			backends.ErrInvalidArgument)
	}
	return h.reconfigure(ctx, id, change{op: "set-memory", persist: true,
		cold: func(doc *domainXML) error {
			_, maxMiB, err := doc.memory()
			if err != nil {
				return err
			}
			doc.setMemory(mib, max(mib, maxMiB))
			return nil
		},
		hot: func(d golibvirt.Domain, live *domainXML) error {
			if !h.static.Caps.HotplugMemory {
				return fmt.Errorf("memory ballooning: %w", backends.ErrUnsupported)
			}
			cur, maxMiB, err := live.memory()
			if err != nil {
				return err
			}
			if mib > maxMiB {
				return fmt.Errorf("%d MiB above the maximum %d: %w", mib, maxMiB, backends.ErrInvalidArgument)
			}
			if mib > cur {
				used, err := h.activeMemoryMiB()
				if err != nil {
					return err
				}
				if free := h.freeMiB(used); mib-cur > free {
					return fmt.Errorf("growing by %d MiB, %d MiB free: %w", mib-cur, free, backends.ErrInsufficientResources)
				}
			}
			return classify(h.l.DomainSetMemoryFlags(d, mib<<10, uint32(golibvirt.DomainMemLive)))
		}})
}

// unplugRetry is how long an unplug request stays unanswered before it is
// sent again.
const unplugRetry = 5 * time.Second

// awaitRemoval waits until a hot-unplugged device has left the running
// domain, calling again to repeat the request every unplugRetry. A guest
// releases a PCI device only when its OS acknowledges the request; when it
// has not within Options.DetachTimeout, the error wraps
// context.DeadlineExceeded and the removal stays pending (the definition
// no longer has the device).
func (h *Host) awaitRemoval(ctx context.Context, d golibvirt.Domain, what string, present func(*domainXML) bool,
	again func()) error {
	deadline := time.Now().Add(h.opts.DetachTimeout)
	retry := time.Now().Add(unplugRetry)
	for {
		doc, err := h.domainDoc(d, false)
		if err != nil {
			return err
		}
		if !present(doc) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: the guest has not released it after %v; removal is pending: %w",
				what, h.opts.DetachTimeout, context.DeadlineExceeded)
		}
		if time.Now().After(retry) {
			again()
			retry = time.Now().Add(unplugRetry)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w", what, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}
