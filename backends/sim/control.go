package sim

import (
	"fmt"

	"github.com/ferrum-virt/ferrum/backends"
)

// The methods in this file are the simulator's own levers, beyond the
// backends contract: what a guest does, and failures a test can inject.

// SetWorkload sets what VM id's guest does from now on; it travels with the
// VM when it migrates.
func (h *Host) SetWorkload(id string, w Workload) error {
	if err := w.validate(); err != nil {
		return err
	}
	if err := h.lock("set workload"); err != nil {
		return err
	}
	defer h.mu.Unlock()
	v, err := h.find(id)
	if err != nil {
		return err
	}
	now := h.dc.clock.Now()
	v.meter = v.meter.advanced(now.UnixNano(), v.workload(h.dc))
	v.load = &w
	if runsGuest(v.state) {
		h.rebalance(now)
	}
	return nil
}

// Crash makes a running or paused guest fail: it ends in StateCrashed and
// releases its memory.
func (h *Host) Crash(id string) error {
	if err := h.lock("crash"); err != nil {
		return err
	}
	defer h.mu.Unlock()
	v, err := h.find(id)
	if err != nil {
		return err
	}
	if !v.state.Active() {
		return &backends.StateError{VM: v.spec.UUID, Op: "crash", State: v.state}
	}
	return h.transition(v, backends.StateCrashed, backends.ReasonCrashed, backends.EventCrashed)
}

// Fail takes the host down as a hardware failure would: its guests crash,
// subscribers get a critical alert, and every call fails with
// ErrUnavailable until Repair.
func (h *Host) Fail(reason string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.down {
		return
	}
	for _, v := range h.vms {
		if v.state.Active() {
			_ = h.transition(v, backends.StateCrashed, backends.ReasonHostDown, backends.EventCrashed)
		}
	}
	h.publish(backends.Event{Type: backends.EventHostAlert, Detail: reason,
		Alert: &backends.Alert{Severity: backends.SeverityCritical, Component: "host", Message: reason}})
	h.down = true
	h.dc.log.Warn("sim host failed", "op", "fail", "host", h.String(), "reason", reason)
}

// Repair brings a failed host back; its crashed guests stay crashed.
func (h *Host) Repair() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.down {
		return
	}
	h.down = false
	h.publish(backends.Event{Type: backends.EventHostAlert, Detail: "repaired",
		Alert: &backends.Alert{Severity: backends.SeverityInfo, Component: "host", Message: "host is back"}})
}

// RaiseAlert publishes a host alert, e.g. a NIC losing its link.
func (h *Host) RaiseAlert(a backends.Alert) error {
	if err := h.lock("alert"); err != nil {
		return err
	}
	defer h.mu.Unlock()
	h.publish(backends.Event{Type: backends.EventHostAlert, Detail: fmt.Sprintf("%s: %s", a.Component, a.Message),
		Alert: &a})
	return nil
}
