package virt

import (
	"context"
	"fmt"
	"slices"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
	"github.com/google/uuid"
)

// resultRefs is the ResultingResourceSettings output parameter.
func resultRefs(paths []cim.ObjectPath) cim.Params {
	return cim.Params{{Name: "ResultingResourceSettings", Value: cim.RefArray(paths...)}}
}

func vmAffected(vm string) []jobs.Affected {
	return []jobs.Affected{
		{Path: model.VMPath(vm), Effects: []uint16{jobs.EffectElementIntegrity}},
		{Path: model.VSSDPath(vm), Effects: []uint16{jobs.EffectElementIntegrity}},
	}
}

// addResourceSettings serves AddResourceSettings: disks (with a new volume
// when asked), NICs, and a console for a stopped VM that has none. It runs
// as a job; each device added is detached again if a later one fails.
// Hot-plugging is the backend's call: one that cannot fails the job with
// 1 Not Supported.
func (p *Provider) addResourceSettings(ctx context.Context, c methodCall, in cim.Params) (cim.Value, cim.Params, error) {
	cv, _ := in.Get("AffectedConfiguration")
	ref, _ := cv.AsRef()
	id, ok := model.ParseVSSDInstanceID(model.InstanceIDOf(ref))
	if !ok || !model.Is(ref, model.ClassVSSD) {
		return c.fail(ctx, invalid("AffectedConfiguration must name a %s", model.ClassVSSD))
	}
	hr, vm, err := p.findVM(ctx, id)
	if err != nil {
		return c.fail(ctx, invalid("AffectedConfiguration: %w", err))
	}
	rv, _ := in.Get("ResourceSettings")
	rs, err := p.parseResources(ctx, hr, rv)
	if err != nil {
		return c.fail(ctx, err)
	}
	for _, r := range rs {
		if err := checkAddable(vm, r); err != nil {
			return c.fail(ctx, err)
		}
	}
	spec := vsmsSpec(hr, "AddResourceSettings", "add resources to vm "+vm.Name, vm.Name, in)
	spec.Affected = vmAffected(vm.UUID)
	return c.run(ctx, Job{Spec: spec, Work: func(ctx context.Context, pr *jobs.Progress) (cim.Params, error) {
		var out []cim.ObjectPath
		for i, r := range rs {
			path, err := p.addResource(ctx, pr, hr, vm.UUID, r)
			if err != nil {
				return nil, err
			}
			out = append(out, path)
			pr.Affect(path, jobs.EffectCreate) // how a client finds it when the call returned 4096
			pr.Set((i + 1) * 100 / len(rs))
		}
		return resultRefs(out), nil
	}})
}

// checkAddable refuses what cannot be added: a second set of processors,
// memory or console, input devices, a NIC without a switch.
func checkAddable(vm backends.VM, r resource) error {
	switch r.kind {
	case model.KindDisk:
		return nil
	case model.KindNetwork:
		if r.nic.Switch == "" {
			return invalid("a NIC needs a switch: set Connection, NetworkName or PoolID")
		}
		return nil
	case model.KindGraphics:
		if vm.Graphics == nil {
			return nil
		}
	}
	return invalid("vm %s already has its %s; change it with ModifyResourceSettings", vm.Name, r.kind)
}

// addResource adds one device to a VM and returns its RASD's path.
func (p *Provider) addResource(ctx context.Context, pr *jobs.Progress, hr hostRef, id string, r resource) (cim.ObjectPath, error) {
	vms := hr.H.VMs()
	switch r.kind {
	case model.KindDisk:
		d := *r.disk
		if err := p.createVolume(ctx, pr, hr, id, r.newVolume, &d); err != nil {
			return cim.ObjectPath{}, err
		}
		got, err := vms.AttachDisk(ctx, id, d)
		if err != nil {
			return cim.ObjectPath{}, fmt.Errorf("attach disk: %w", err)
		}
		pr.Undo("detach disk "+got.Target, func(ctx context.Context) error { return vms.DetachDisk(ctx, id, got.Target) })
		return model.RASDPath(model.KindDisk, id, got.Target), nil
	case model.KindNetwork:
		got, err := vms.AttachNIC(ctx, id, *r.nic)
		if err != nil {
			return cim.ObjectPath{}, fmt.Errorf("attach nic: %w", err)
		}
		pr.Undo("detach nic "+got.MAC, func(ctx context.Context) error { return vms.DetachNIC(ctx, id, got.MAC) })
		return model.RASDPath(model.KindNetwork, id, got.MAC), nil
	}
	vm, err := vms.Get(ctx, id)
	if err != nil {
		return cim.ObjectPath{}, err
	}
	_, err = p.redefine(ctx, pr, hr, vm, "add a console", func(s *backends.VMSpec) error {
		s.Graphics = r.graphics
		return nil
	})
	return model.RASDPath(model.KindGraphics, id, model.DevGraphics), err
}

// createVolume creates the volume a disk asks for, if any, and points the
// disk at it.
func (p *Provider) createVolume(ctx context.Context, pr *jobs.Progress, hr hostRef, vm string, req *volumeRequest, d *backends.DiskSpec) error {
	if req == nil {
		return nil
	}
	name := req.name
	if name == "" {
		suffix := d.Target
		if suffix == "" {
			suffix = uuid.NewString()[:8]
		}
		name = vm + "-" + suffix
	}
	st := hr.H.Storage()
	vol, err := st.CreateVolume(ctx, req.pool, backends.VolumeSpec{Name: name, Capacity: req.capacity})
	if err != nil {
		return fmt.Errorf("create volume %s/%s: %w", req.pool, name, err)
	}
	pr.Undo("delete volume "+vol.Ref.String(), func(ctx context.Context) error { return st.DeleteVolume(ctx, vol.Ref) })
	d.Volume, d.Path = &vol.Ref, ""
	return nil
}

// existing resolves the VM element a RASD of a modify or remove names.
func (p *Provider) existing(ctx context.Context, instanceID string) (hostRef, backends.VM, element, error) {
	vmID, dev, ok := model.ParseElementID(instanceID)
	if !ok {
		return hostRef{}, backends.VM{}, element{}, invalid("InstanceID %q names no resource of a virtual system", instanceID)
	}
	hr, vm, err := p.findVM(ctx, vmID)
	if err != nil {
		return hostRef{}, backends.VM{}, element{}, invalid("%s: %w", instanceID, err)
	}
	e, ok := findElement(vm, dev)
	if !ok || e.Dev != dev {
		return hostRef{}, backends.VM{}, element{}, invalid("vm %s has no resource %s", vm.Name, dev)
	}
	return hr, vm, e, nil
}

// removeResourceSettings serves RemoveResourceSettings at once: disks and
// NICs are detached (hot where the backend can), a stopped VM's console
// removed; each is put back if a later one fails.
func (p *Provider) removeResourceSettings(ctx context.Context, c methodCall, in cim.Params) (cim.Value, cim.Params, error) {
	rv, _ := in.Get("ResourceSettings")
	type target struct {
		hr hostRef
		vm string
		e  element
	}
	var targets []target
	for _, e := range rv.Elems() {
		ref, _ := e.AsRef()
		hr, vm, el, err := p.existing(ctx, model.InstanceIDOf(ref))
		if err != nil {
			return c.fail(ctx, err)
		}
		if el.Disk == nil && el.NIC == nil && el.Kind != model.KindGraphics {
			return c.fail(ctx, invalid("the %s of vm %s cannot be removed", el.Kind, vm.Name))
		}
		targets = append(targets, target{hr, vm.UUID, el})
	}
	if len(targets) == 0 {
		return c.fail(ctx, invalid("ResourceSettings names nothing to remove"))
	}
	return c.inline(ctx, targets[0].vm, targets[0].hr.ID, func(ctx context.Context, pr *jobs.Progress) (cim.Params, error) {
		for _, t := range targets {
			if err := p.removeResource(ctx, pr, t.hr, t.vm, t.e); err != nil {
				return nil, err
			}
		}
		return nil, nil
	})
}

func (p *Provider) removeResource(ctx context.Context, pr *jobs.Progress, hr hostRef, id string, e element) error {
	vms := hr.H.VMs()
	switch {
	case e.Disk != nil:
		old := *e.Disk
		if err := vms.DetachDisk(ctx, id, old.Target); err != nil {
			return fmt.Errorf("detach disk %s: %w", old.Target, err)
		}
		pr.Undo("attach disk "+old.Target+" again", func(ctx context.Context) error {
			_, err := vms.AttachDisk(ctx, id, old)
			return err
		})
		return nil
	case e.NIC != nil:
		old := *e.NIC
		if err := vms.DetachNIC(ctx, id, old.MAC); err != nil {
			return fmt.Errorf("detach nic %s: %w", old.MAC, err)
		}
		pr.Undo("attach nic "+old.MAC+" again", func(ctx context.Context) error {
			_, err := vms.AttachNIC(ctx, id, old)
			return err
		})
		return nil
	}
	vm, err := vms.Get(ctx, id)
	if err != nil {
		return err
	}
	_, err = p.redefine(ctx, pr, hr, vm, "remove the console", func(s *backends.VMSpec) error {
		s.Graphics = nil
		return nil
	})
	return err
}

// modifySystemSettings serves ModifySystemSettings at once: the settings
// Ferrum keeps (automatic startup, shutdown and recovery actions, notes)
// in any state; the name and boot order of a stopped VM.
func (p *Provider) modifySystemSettings(ctx context.Context, c methodCall, in cim.Params) (cim.Value, cim.Params, error) {
	sv, _ := in.Get("SystemSettings")
	ss, err := p.parseSystemSettings(sv)
	if err != nil {
		return c.fail(ctx, err)
	}
	id, ok := model.ParseVSSDInstanceID(ss.in.Str("InstanceID"))
	if !ok {
		id = ss.uuid
	}
	hr, vm, err := p.findVM(ctx, id)
	if err != nil {
		return c.fail(ctx, invalid("SystemSettings names no virtual system: %w", err))
	}
	owned, err := ownedFrom(ss.in)
	if err != nil {
		return c.fail(ctx, err)
	}
	rename := ss.name != "" && ss.name != vm.Name
	reboot := ss.boot != nil && !slices.Equal(ss.boot, vm.BootOrder)
	return c.inline(ctx, vm.Name, hr.ID, func(ctx context.Context, pr *jobs.Progress) (cim.Params, error) {
		if rename || reboot {
			_, err := p.redefine(ctx, pr, hr, vm, "change name or boot order", func(s *backends.VMSpec) error {
				if rename {
					s.Name = ss.name
				}
				if reboot {
					s.BootOrder = ss.boot
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
		}
		if len(owned.Properties) == 0 {
			return nil, nil
		}
		old, err := p.settings.set(ctx, vm.UUID, owned)
		if err != nil {
			return nil, err
		}
		pr.Undo("restore settings of vm "+vm.Name, func(ctx context.Context) error { return p.settings.restore(ctx, vm.UUID, old) })
		return nil, nil
	})
}
