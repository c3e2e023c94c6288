package virt

import (
	"context"
	"fmt"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// modifyResourceSettings serves ModifyResourceSettings as a job. Each RASD
// names the resource it changes by its InstanceID; properties it leaves out
// keep their values. vCPU and memory counts change through the backend
// (hot where it can), a disk or NIC is detached and attached again with its
// new settings (a NIC whose VLAN alone changes is retagged in place), and
// what the backends cannot change otherwise — maximum vCPUs or memory,
// weight, console — is applied to a stopped VM by redefining it. Every
// change is undone if a later one fails.
func (p *Provider) modifyResourceSettings(ctx context.Context, c methodCall, in cim.Params) (cim.Value, cim.Params, error) {
	rv, _ := in.Get("ResourceSettings")
	type change struct {
		hr hostRef
		r  resource
	}
	var changes []change
	for i, e := range rv.Elems() {
		ri := e.AsInstance()
		if ri == nil {
			return c.fail(ctx, invalid("ResourceSettings[%d] must be an embedded RASD instance", i))
		}
		hr, vm, el, err := p.existing(ctx, ri.Str("InstanceID"))
		if err != nil {
			return c.fail(ctx, err)
		}
		r, err := p.parseResource(ctx, hr, ri)
		if err != nil {
			return c.fail(ctx, invalid("ResourceSettings[%d]: %w", i, err))
		}
		if r.kind != el.Kind {
			return c.fail(ctx, invalid("ResourceSettings[%d] is a %s setting but %s of vm %s is a %s", i, r.kind, el.Dev, vm.Name, el.Kind))
		}
		changes = append(changes, change{hr, r})
	}
	if len(changes) == 0 {
		return c.fail(ctx, invalid("ResourceSettings is empty"))
	}
	first := changes[0]
	spec := vsmsSpec(first.hr, "ModifyResourceSettings", "modify resources of vm "+first.r.vm, first.r.vm, in)
	spec.Affected = vmAffected(first.r.vm)
	return c.run(ctx, Job{Spec: spec, Work: func(ctx context.Context, pr *jobs.Progress) (cim.Params, error) {
		var out []cim.ObjectPath
		for i, ch := range changes {
			path, err := p.modifyResource(ctx, pr, ch.hr, ch.r)
			if err != nil {
				return nil, err
			}
			out = append(out, path)
			pr.Set((i + 1) * 100 / len(changes))
		}
		return resultRefs(out), nil
	}})
}

// modifyResource applies one RASD to the VM as it is now and returns the
// RASD's path afterwards (a disk's target or a NIC's MAC may change).
func (p *Provider) modifyResource(ctx context.Context, pr *jobs.Progress, hr hostRef, r resource) (cim.ObjectPath, error) {
	vms := hr.H.VMs()
	vm, err := vms.Get(ctx, r.vm)
	if err != nil {
		return cim.ObjectPath{}, err
	}
	e, ok := findElement(vm, r.dev)
	if !ok {
		return cim.ObjectPath{}, invalid("vm %s has no resource %s", vm.Name, r.dev)
	}
	switch r.kind {
	case model.KindProcessor, model.KindMemory:
		return e.rasdPath(vm.UUID), p.modifyQuantity(ctx, pr, hr, vm, r)
	case model.KindDisk:
		return p.modifyDisk(ctx, pr, hr, vm, *e.Disk, r)
	case model.KindNetwork:
		return p.modifyNIC(ctx, pr, hr, vm, *e.NIC, r)
	case model.KindGraphics:
		if *r.graphics == *vm.Graphics {
			return e.rasdPath(vm.UUID), nil
		}
		_, err := p.redefine(ctx, pr, hr, vm, "change the console", func(s *backends.VMSpec) error {
			s.Graphics = r.graphics
			return nil
		})
		return e.rasdPath(vm.UUID), err
	}
	return e.rasdPath(vm.UUID), nil // input devices have nothing to change
}

// modifyQuantity changes vCPUs or memory, and the maximums and weight of a
// stopped VM.
func (p *Provider) modifyQuantity(ctx context.Context, pr *jobs.Progress, hr hostRef, vm backends.VM, r resource) error {
	vms := hr.H.VMs()
	id := vm.UUID
	if r.vcpus > 0 && r.vcpus != vm.VCPUs {
		if err := vms.SetVCPUs(ctx, id, r.vcpus); err != nil {
			return fmt.Errorf("set vcpus of vm %s to %d: %w", vm.Name, r.vcpus, err)
		}
		old := vm.VCPUs
		pr.Undo(fmt.Sprintf("set vcpus of vm %s back to %d", vm.Name, old), func(ctx context.Context) error { return vms.SetVCPUs(ctx, id, old) })
	}
	if r.memMiB > 0 && r.memMiB != vm.MemoryMiB {
		if err := vms.SetMemory(ctx, id, r.memMiB); err != nil {
			return fmt.Errorf("set memory of vm %s to %d MiB: %w", vm.Name, r.memMiB, err)
		}
		old := vm.MemoryMiB
		pr.Undo(fmt.Sprintf("set memory of vm %s back to %d MiB", vm.Name, old), func(ctx context.Context) error { return vms.SetMemory(ctx, id, old) })
	}
	redef := r.maxVCPUs > 0 && r.maxVCPUs != vm.MaxVCPUs || r.weight > 0 && r.weight != vm.Weight ||
		r.maxMemMiB > 0 && r.maxMemMiB != vm.MaxMemoryMiB
	if !redef {
		return nil
	}
	now, err := vms.Get(ctx, id)
	if err != nil {
		return err
	}
	_, err = p.redefine(ctx, pr, hr, now, "change maximums or weight", func(s *backends.VMSpec) error {
		if r.maxVCPUs > 0 {
			s.MaxVCPUs = r.maxVCPUs
		}
		if r.weight > 0 {
			s.Weight = r.weight
		}
		if r.maxMemMiB > 0 {
			s.MaxMemoryMiB = r.maxMemMiB
		}
		return nil
	})
	return err
}

// modifyDisk replaces a disk by one with the new settings.
func (p *Provider) modifyDisk(ctx context.Context, pr *jobs.Progress, hr hostRef, vm backends.VM, old backends.DiskSpec, r resource) (cim.ObjectPath, error) {
	next := old
	if old.Volume != nil {
		ref := *old.Volume
		next.Volume = &ref
	}
	if r.disk.Target != "" {
		next.Target = r.disk.Target
	}
	if r.disk.Bus != "" {
		next.Bus = r.disk.Bus
	}
	if r.readOnly != nil {
		next.ReadOnly = *r.readOnly
	}
	if r.disk.Volume != nil || r.disk.Path != "" || r.newVolume != nil {
		next.Volume, next.Path = r.disk.Volume, r.disk.Path
	}
	if err := p.createVolume(ctx, pr, hr, vm.UUID, r.newVolume, &next); err != nil {
		return cim.ObjectPath{}, err
	}
	if sameDisk(old, next) {
		return model.RASDPath(model.KindDisk, vm.UUID, old.Target), nil
	}
	vms, id := hr.H.VMs(), vm.UUID
	if err := vms.DetachDisk(ctx, id, old.Target); err != nil {
		return cim.ObjectPath{}, fmt.Errorf("detach disk %s: %w", old.Target, err)
	}
	pr.Undo("attach disk "+old.Target+" again", func(ctx context.Context) error {
		_, err := vms.AttachDisk(ctx, id, old)
		return err
	})
	got, err := vms.AttachDisk(ctx, id, next)
	if err != nil {
		return cim.ObjectPath{}, fmt.Errorf("attach changed disk %s: %w", next.Target, err)
	}
	pr.Undo("detach changed disk "+got.Target, func(ctx context.Context) error { return vms.DetachDisk(ctx, id, got.Target) })
	return model.RASDPath(model.KindDisk, id, got.Target), nil
}

func sameDisk(a, b backends.DiskSpec) bool {
	sameVol := (a.Volume == nil) == (b.Volume == nil) && (a.Volume == nil || *a.Volume == *b.Volume)
	return sameVol && a.Path == b.Path && a.Target == b.Target && a.Bus == b.Bus && a.ReadOnly == b.ReadOnly && a.Device == b.Device
}

// modifyNIC retags a NIC whose VLAN alone changes, and replaces one whose
// switch, model or MAC changes.
func (p *Provider) modifyNIC(ctx context.Context, pr *jobs.Progress, hr hostRef, vm backends.VM, old backends.NICSpec, r resource) (cim.ObjectPath, error) {
	next := old
	if r.nic.Switch != "" {
		next.Switch = r.nic.Switch
	}
	if r.nic.Model != "" {
		next.Model = r.nic.Model
	}
	if r.nic.MAC != "" {
		next.MAC = r.nic.MAC
	}
	if r.vlan != nil {
		next.VLAN = *r.vlan
	}
	id := vm.UUID
	switch {
	case next == old:
		return model.RASDPath(model.KindNetwork, id, old.MAC), nil
	case next.Switch == old.Switch && next.Model == old.Model && next.MAC == old.MAC:
		sw := hr.H.Switches()
		if err := sw.SetPortVLAN(ctx, old.Switch, old.MAC, next.VLAN); err != nil {
			return cim.ObjectPath{}, fmt.Errorf("set vlan of nic %s: %w", old.MAC, err)
		}
		pr.Undo("set vlan of nic "+old.MAC+" back", func(ctx context.Context) error {
			return sw.SetPortVLAN(ctx, old.Switch, old.MAC, old.VLAN)
		})
		return model.RASDPath(model.KindNetwork, id, old.MAC), nil
	}
	vms := hr.H.VMs()
	if err := vms.DetachNIC(ctx, id, old.MAC); err != nil {
		return cim.ObjectPath{}, fmt.Errorf("detach nic %s: %w", old.MAC, err)
	}
	pr.Undo("attach nic "+old.MAC+" again", func(ctx context.Context) error {
		_, err := vms.AttachNIC(ctx, id, old)
		return err
	})
	got, err := vms.AttachNIC(ctx, id, next)
	if err != nil {
		return cim.ObjectPath{}, fmt.Errorf("attach changed nic: %w", err)
	}
	pr.Undo("detach changed nic "+got.MAC, func(ctx context.Context) error { return vms.DetachNIC(ctx, id, got.MAC) })
	return model.RASDPath(model.KindNetwork, id, got.MAC), nil
}
