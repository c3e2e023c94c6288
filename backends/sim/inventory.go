package sim

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/google/uuid"
)

func (a *vmAPI) host() *Host { return (*Host)(a) }

// find resolves a VM ID. Called with h.mu held.
func (h *Host) find(id string) (*vm, error) {
	v, ok := h.vms[id]
	if !ok {
		if u, err := uuid.Parse(id); err == nil {
			v, ok = h.vms[u.String()]
		}
	}
	if !ok {
		return nil, fmt.Errorf("vm %s on %s: %w", id, h, backends.ErrNotFound)
	}
	return v, nil
}

// Define creates a stopped VM from spec.
func (a *vmAPI) Define(ctx context.Context, spec backends.VMSpec) (backends.VM, error) {
	h := a.host()
	spec = cloneSpec(spec)
	spec.Normalize()
	if err := spec.Validate(h.info.Limits); err != nil {
		return backends.VM{}, fmt.Errorf("define on %s: %w", h, err)
	}
	if err := h.lock("define"); err != nil {
		return backends.VM{}, err
	}
	defer h.mu.Unlock()
	v, err := h.define(spec)
	if err != nil {
		return backends.VM{}, fmt.Errorf("define %q on %s: %w", spec.Name, h, err)
	}
	h.logOp("define", v)
	h.publishVM(v, backends.EventDefined, "")
	return v.view(h.info.ID), nil
}

// define registers a validated spec. Called with h.mu held.
func (h *Host) define(spec backends.VMSpec) (*vm, error) {
	if _, ok := h.names[spec.Name]; ok {
		return nil, fmt.Errorf("name in use: %w", backends.ErrConflict)
	}
	if err := h.claimUUID(&spec); err != nil {
		return nil, err
	}
	v := &vm{spec: spec, state: backends.StateOff, reason: backends.ReasonDefined, since: h.dc.clock.Now(),
		auto: spec.Graphics != nil && spec.Graphics.Port == 0}
	v.spec.Disks, v.spec.NICs = nil, nil
	for _, d := range spec.Disks {
		if _, err := h.attachDisk(v, d); err != nil {
			h.release(v)
			return nil, err
		}
	}
	for _, n := range spec.NICs {
		if _, err := h.attachNIC(v, n); err != nil {
			h.release(v)
			return nil, err
		}
	}
	h.vms[v.spec.UUID], h.names[v.spec.Name] = v, v
	return v, nil
}

// claimUUID reserves spec's UUID data-center wide, drawing one if empty.
func (h *Host) claimUUID(spec *backends.VMSpec) error {
	if spec.UUID != "" {
		return h.dc.claimVM(spec.UUID, h)
	}
	for {
		u, err := uuid.NewRandomFromReader(readerOf(h.rng))
		if err != nil {
			return fmt.Errorf("draw uuid: %w", err)
		}
		if h.dc.claimVM(u.String(), h) == nil {
			spec.UUID = u.String()
			return nil
		}
	}
}

// release drops everything v holds outside itself: volume references,
// ports, MACs and its UUID. Called with h.mu held.
func (h *Host) release(v *vm) {
	for len(v.spec.Disks) > 0 {
		h.detachDisk(v, len(v.spec.Disks)-1)
	}
	for len(v.spec.NICs) > 0 {
		h.detachNIC(v, len(v.spec.NICs)-1)
	}
	h.dc.moveVM(v.spec.UUID, nil)
}

// Undefine removes a VM that is not running.
func (a *vmAPI) Undefine(ctx context.Context, id string) error {
	h := a.host()
	if err := h.lock("undefine"); err != nil {
		return err
	}
	defer h.mu.Unlock()
	v, err := h.find(id)
	if err != nil {
		return err
	}
	if err := h.allow(v, "undefine", backends.StateOff, backends.StateCrashed, backends.StateSaved); err != nil {
		return err
	}
	h.dropSnapshots(v)
	h.release(v)
	delete(h.vms, v.spec.UUID)
	delete(h.names, v.spec.Name)
	h.logOp("undefine", v)
	h.publishVM(v, backends.EventUndefined, "")
	return nil
}

// Get reports one VM.
func (a *vmAPI) Get(ctx context.Context, id string) (backends.VM, error) {
	h := a.host()
	if err := h.lock("get vm"); err != nil {
		return backends.VM{}, err
	}
	defer h.mu.Unlock()
	v, err := h.find(id)
	if err != nil {
		return backends.VM{}, err
	}
	return v.view(h.info.ID), nil
}

// List reports every VM on the host, by name.
func (a *vmAPI) List(ctx context.Context) ([]backends.VM, error) {
	h := a.host()
	if err := h.lock("list vms"); err != nil {
		return nil, err
	}
	defer h.mu.Unlock()
	out := make([]backends.VM, 0, len(h.vms))
	for _, v := range h.vms {
		out = append(out, v.view(h.info.ID))
	}
	slices.SortFunc(out, func(x, y backends.VM) int { return strings.Compare(x.Name, y.Name) })
	return out, nil
}

// Stats reports a VM's counters.
func (a *vmAPI) Stats(ctx context.Context, id string) (backends.VMStats, error) {
	h := a.host()
	if err := h.lock("vm stats"); err != nil {
		return backends.VMStats{}, err
	}
	defer h.mu.Unlock()
	v, err := h.find(id)
	if err != nil {
		return backends.VMStats{}, err
	}
	return v.stats(h.dc.clock.Now(), v.workload(h.dc)), nil
}

// allow fails with a *StateError unless v is in one of states and idle.
func (h *Host) allow(v *vm, op string, states ...backends.State) error {
	if v.busy != "" {
		return fmt.Errorf("%s vm %s on %s: busy with %s: %w", op, v.spec.Name, h, v.busy, backends.ErrConflict)
	}
	if !slices.Contains(states, v.state) {
		return fmt.Errorf("on %s: %w", h, &backends.StateError{VM: v.spec.UUID, Op: op, State: v.state})
	}
	return nil
}
