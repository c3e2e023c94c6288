package snapshot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/providers/virt"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// call is one method call on host h's snapshot service.
type call struct {
	p *Provider
	h snapHost
	m *cim.Method
}

func (c call) fail(ctx context.Context, err error) (cim.Value, cim.Params, error) {
	return c.p.kit.Fail(ctx, c.m, err)
}

// invoke serves the snapshot service's methods.
func (p *Provider) invoke(ctx context.Context, path cim.ObjectPath, m *cim.Method, in cim.Params) (cim.Value, cim.Params, error) {
	host, ok := serviceHostOf(path)
	if !ok {
		return cim.Value{}, nil, notFound(path)
	}
	h, err := p.host(ctx, host)
	if err != nil {
		return cim.Value{}, nil, err
	}
	c := call{p: p, h: h, m: m}
	switch strings.ToLower(m.Name) {
	case "createsnapshot":
		return c.create(ctx, in)
	case "applysnapshot":
		return c.apply(ctx, in)
	case "destroysnapshot":
		return c.destroy(ctx, in)
	}
	return cim.Uint32(1), nil, nil // Not Supported
}

// spec starts the job spec of a snapshot method.
func (c call) spec(what string, vm backends.VM, in cim.Params) jobs.Spec {
	return jobs.Spec{Name: c.m.Name, Description: what, VM: vm.Name, Host: c.h.ID,
		OwningElement: ServicePath(c.h.ID), In: in}
}

func invalid(format string, args ...any) error {
	return model.Fail(model.InvalidParameter, format, args...)
}

// ref returns the reference parameter name.
func ref(in cim.Params, name string) (cim.ObjectPath, error) {
	v, ok := in.Get(name)
	r, isRef := v.AsRef()
	if !ok || v.IsNull() || !isRef {
		return cim.ObjectPath{}, invalid("%s is required and must be a reference", name)
	}
	return r, nil
}

// vmHere resolves a VM reference to a VM of the service's host.
func (c call) vmHere(ctx context.Context, r cim.ObjectPath) (backends.VM, error) {
	id, ok := model.VMOf(r)
	if !ok {
		return backends.VM{}, invalid("%s is not a Ferrum virtual system", r)
	}
	h, vm, err := c.p.kit.FindVM(ctx, id)
	if err != nil {
		return backends.VM{}, err
	}
	if h.ID != c.h.ID {
		return backends.VM{}, invalid("vm %s is on host %s, not on this service's host %s", vm.Name, h.ID, c.h.ID)
	}
	return vm, nil
}

// snapshotHere resolves a snapshot reference on the service's host.
func (c call) snapshotHere(ctx context.Context, in cim.Params, param string) (backends.VM, backends.Snapshot, error) {
	r, err := ref(in, param)
	if err != nil {
		return backends.VM{}, backends.Snapshot{}, err
	}
	id, name, ok := snapshotOf(r)
	if !ok {
		return backends.VM{}, backends.Snapshot{}, invalid("%s %s is not a Ferrum snapshot", param, r)
	}
	vm, err := c.vmHere(ctx, model.VMPath(id))
	if err != nil {
		return vm, backends.Snapshot{}, err
	}
	s, err := c.h.S.GetSnapshot(ctx, vm.UUID, name)
	return vm, s, err
}

// snapshotSpec reads SnapshotSettings: an embedded setting data whose
// ElementName names the snapshot and whose Description describes it.
func snapshotSpec(in cim.Params) (backends.SnapshotSpec, error) {
	v, ok := in.Get("SnapshotSettings")
	if !ok || v.IsNull() {
		return backends.SnapshotSpec{}, nil
	}
	inst := v.AsInstance()
	if inst == nil {
		return backends.SnapshotSpec{}, invalid("SnapshotSettings must be an embedded CIM_SettingData instance")
	}
	spec := backends.SnapshotSpec{Name: inst.Str("ElementName"), Description: inst.Str("Description")}
	if err := backends.ValidateSnapshotName(spec.Name); err != nil {
		return spec, invalid("SnapshotSettings.ElementName: %w", err)
	}
	return spec, nil
}

// snapshotType checks SnapshotType: 2 (Full Snapshot), the default.
func snapshotType(in cim.Params) error {
	v, ok := in.Get("SnapshotType")
	if !ok || v.IsNull() {
		return nil
	}
	if n, ok := v.AsUint64(); !ok || n != uint64(typeFull) {
		return model.Fail(model.Incompatible, "SnapshotType %v: Ferrum takes only 2 (Full Snapshot)", v)
	}
	return nil
}

// freeName picks "snapshot-N" not in use by vm's snapshots.
func (c call) freeName(ctx context.Context, vm backends.VM) (string, error) {
	snaps, err := c.h.S.ListSnapshots(ctx, vm.UUID)
	if err != nil {
		return "", err
	}
	used := map[string]bool{}
	for _, s := range snaps {
		used[s.Name] = true
	}
	for n := len(snaps) + 1; ; n++ {
		if name := fmt.Sprintf("snapshot-%d", n); !used[name] {
			return name, nil
		}
	}
}

// create serves CreateSnapshot. The snapshot's name (SnapshotSettings'
// ElementName, or a free "snapshot-N") is chosen before the job starts, so
// ResultingSnapshot is returned with 4096.
func (c call) create(ctx context.Context, in cim.Params) (cim.Value, cim.Params, error) {
	plan, vm, err := c.planCreate(ctx, in)
	if err != nil {
		return c.fail(ctx, err)
	}
	path := SnapshotPath(vm.UUID, plan.Name)
	out := cim.Params{{Name: "ResultingSnapshot", Value: cim.Ref(path)}}
	spec := c.spec(fmt.Sprintf("snapshot vm %s as %q", vm.Name, plan.Name), vm, in)
	spec.Affected = []jobs.Affected{{Path: path, Effects: []uint16{jobs.EffectCreate}}}
	return c.p.kit.Run(ctx, c.m, virt.Job{Spec: spec, Out: out,
		Work: func(ctx context.Context, pr *jobs.Progress) (cim.Params, error) {
			if _, err := c.h.S.CreateSnapshot(ctx, vm.UUID, plan); err != nil {
				return nil, fmt.Errorf("snapshot vm %s: %w", vm.Name, err)
			}
			return out, nil
		}})
}

// planCreate checks CreateSnapshot's parameters.
func (c call) planCreate(ctx context.Context, in cim.Params) (backends.SnapshotSpec, backends.VM, error) {
	r, err := ref(in, "AffectedSystem")
	if err != nil {
		return backends.SnapshotSpec{}, backends.VM{}, err
	}
	if err := snapshotType(in); err != nil {
		return backends.SnapshotSpec{}, backends.VM{}, err
	}
	spec, err := snapshotSpec(in)
	if err != nil {
		return spec, backends.VM{}, err
	}
	vm, err := c.vmHere(ctx, r)
	if err != nil {
		return spec, vm, err
	}
	if !canSnapshot(c.h.Caps, vm) {
		return spec, vm, model.Fail(model.InvalidState, "vm %s cannot be snapshotted while %s on host %s", vm.Name, vm.State, c.h.ID)
	}
	if spec.Name == "" {
		spec.Name, err = c.freeName(ctx, vm)
		return spec, vm, err
	}
	_, err = c.h.S.GetSnapshot(ctx, vm.UUID, spec.Name)
	switch {
	case err == nil:
		return spec, vm, invalid("vm %s has a snapshot %q already", vm.Name, spec.Name)
	case !errors.Is(err, backends.ErrNotFound):
		return spec, vm, err
	}
	return spec, vm, nil
}

// apply serves ApplySnapshot.
func (c call) apply(ctx context.Context, in cim.Params) (cim.Value, cim.Params, error) {
	vm, s, err := c.snapshotHere(ctx, in, "Snapshot")
	if err == nil && (vm.State == backends.StateSaved || vm.State == backends.StateShuttingDown) {
		err = model.Fail(model.InvalidState, "vm %s cannot be reverted while %s", vm.Name, vm.State)
	}
	if err != nil {
		return c.fail(ctx, err)
	}
	spec := c.spec(fmt.Sprintf("revert vm %s to snapshot %q", vm.Name, s.Name), vm, in)
	spec.Affected = []jobs.Affected{{Path: model.VMPath(vm.UUID), Effects: []uint16{jobs.EffectElementIntegrity}}}
	return c.p.kit.Run(ctx, c.m, virt.Job{Spec: spec,
		Work: func(ctx context.Context, pr *jobs.Progress) (cim.Params, error) {
			if err := c.h.S.ApplySnapshot(ctx, vm.UUID, s.Name); err != nil {
				return nil, fmt.Errorf("revert vm %s to snapshot %q: %w", vm.Name, s.Name, err)
			}
			return nil, nil
		}})
}

// destroy serves DestroySnapshot.
func (c call) destroy(ctx context.Context, in cim.Params) (cim.Value, cim.Params, error) {
	vm, s, err := c.snapshotHere(ctx, in, "AffectedSnapshot")
	if err != nil {
		return c.fail(ctx, err)
	}
	spec := c.spec(fmt.Sprintf("delete snapshot %q of vm %s", s.Name, vm.Name), vm, in)
	spec.Affected = []jobs.Affected{{Path: SnapshotPath(vm.UUID, s.Name), Effects: []uint16{jobs.EffectOther}}}
	return c.p.kit.Run(ctx, c.m, virt.Job{Spec: spec,
		Work: func(ctx context.Context, pr *jobs.Progress) (cim.Params, error) {
			if err := c.h.S.DeleteSnapshot(ctx, vm.UUID, s.Name); err != nil {
				return nil, fmt.Errorf("delete snapshot %q of vm %s: %w", s.Name, vm.Name, err)
			}
			return nil, nil
		}})
}
