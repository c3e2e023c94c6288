package virt

import (
	"context"
	"fmt"
	"strings"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
	"github.com/google/uuid"
)

// invokeVSMS serves the management service's methods on one host.
func (p *Provider) invokeVSMS(ctx context.Context, path cim.ObjectPath, m *cim.Method, in cim.Params) (cim.Value, cim.Params, error) {
	host, ok := model.VSMSHostOf(path)
	if !ok {
		return cim.Value{}, nil, notFound(path)
	}
	hr, err := p.host(ctx, host)
	if err != nil {
		return cim.Value{}, nil, err
	}
	c := methodCall{p: p, m: m, codes: model.VSMSCodes}
	switch strings.ToLower(m.Name) {
	case "definesystem":
		return p.defineSystem(ctx, c, hr, in)
	case "destroysystem":
		return p.destroySystem(ctx, c, hr, in)
	case "addresourcesettings":
		return p.addResourceSettings(ctx, c, in)
	case "modifyresourcesettings":
		return p.modifyResourceSettings(ctx, c, in)
	case "removeresourcesettings":
		return p.removeResourceSettings(ctx, c, in)
	case "modifysystemsettings":
		return p.modifySystemSettings(ctx, c, in)
	}
	return cim.Uint32(1), nil, nil // Not Supported
}

// vsmsSpec starts the job spec of a management-service method.
func vsmsSpec(hr hostRef, name, what, vm string, in cim.Params) jobs.Spec {
	return jobs.Spec{Name: name, Description: what, VM: vm, Host: hr.ID, OwningElement: model.VSMSPath(hr.ID), In: in}
}

// defineSystem serves DefineSystem: checks the settings at once (4 for a
// bad one), then defines the VM in a job that first creates or clones the
// volumes its disks need, undoing everything if a step fails.
// ResultingSystem is known from the start and returned with 4096.
func (p *Provider) defineSystem(ctx context.Context, c methodCall, hr hostRef, in cim.Params) (cim.Value, cim.Params, error) {
	plan, err := p.planDefine(ctx, hr, in)
	if err != nil {
		return c.fail(ctx, err)
	}
	vmPath := model.VMPath(plan.spec.UUID)
	spec := vsmsSpec(hr, "DefineSystem", "define vm "+plan.spec.Name, plan.spec.Name, in)
	spec.Affected = []jobs.Affected{{Path: vmPath, Effects: []uint16{jobs.EffectCreate}}}
	return c.run(ctx, Job{
		Spec: spec,
		Out:  cim.Params{{Name: "ResultingSystem", Value: cim.Ref(vmPath)}},
		Work: func(ctx context.Context, pr *jobs.Progress) (cim.Params, error) {
			if err := p.define(ctx, pr, hr, plan); err != nil {
				return nil, err
			}
			return cim.Params{{Name: "ResultingSystem", Value: cim.Ref(vmPath)}}, nil
		},
	})
}

// definePlan is a checked DefineSystem.
type definePlan struct {
	spec     backends.VMSpec
	settings *cim.Instance              // the VSSD, for the settings Ferrum keeps
	pending  map[int]volumeRequest      // disk index → volume to create
	clones   map[int]backends.VolumeRef // disk index → template volume to clone
	linked   bool
}

// planDefine turns DefineSystem's parameters into a spec and checks it.
func (p *Provider) planDefine(ctx context.Context, hr hostRef, in cim.Params) (definePlan, error) {
	sv, _ := in.Get("SystemSettings")
	ss, err := p.parseSystemSettings(sv)
	if err != nil {
		return definePlan{}, err
	}
	if ss.name == "" {
		return definePlan{}, invalid("SystemSettings.ElementName (the VM's name) is required")
	}
	owned, err := ownedFrom(ss.in)
	if err != nil {
		return definePlan{}, err
	}
	plan := definePlan{settings: owned, pending: map[int]volumeRequest{}, clones: map[int]backends.VolumeRef{}}
	if rv, ok := in.Get("ReferenceConfiguration"); ok && !rv.IsNull() {
		if err := p.fromTemplate(ctx, hr, rv, &plan); err != nil {
			return definePlan{}, err
		}
	}
	s := &plan.spec
	s.Name, s.UUID = ss.name, ss.uuid
	if s.UUID == "" {
		s.UUID = uuid.NewString()
	}
	if ss.boot != nil {
		s.BootOrder = ss.boot
	}
	rv, _ := in.Get("ResourceSettings")
	rs, err := p.parseResources(ctx, hr, rv)
	if err != nil {
		return definePlan{}, err
	}
	for _, r := range rs {
		if err := plan.apply(r); err != nil {
			return definePlan{}, err
		}
	}
	if err := p.checkSpec(ctx, hr, &plan); err != nil {
		return definePlan{}, err
	}
	return plan, nil
}

// apply adds one requested resource to a plan.
func (plan *definePlan) apply(r resource) error {
	s := &plan.spec
	switch r.kind {
	case model.KindProcessor:
		if r.vcpus > 0 {
			s.VCPUs = r.vcpus
		}
		if r.maxVCPUs > 0 {
			s.MaxVCPUs = r.maxVCPUs
		}
		if r.weight > 0 {
			s.Weight = r.weight
		}
	case model.KindMemory:
		if r.memMiB > 0 {
			s.MemoryMiB = r.memMiB
		}
		if r.maxMemMiB > 0 {
			s.MaxMemoryMiB = r.maxMemMiB
		}
	case model.KindDisk:
		if r.newVolume != nil {
			plan.pending[len(s.Disks)] = *r.newVolume
		}
		s.Disks = append(s.Disks, *r.disk)
	case model.KindNetwork:
		if r.nic.Switch == "" {
			return invalid("a NIC needs a switch: set Connection, NetworkName or PoolID")
		}
		s.NICs = append(s.NICs, *r.nic)
	case model.KindGraphics:
		s.Graphics = r.graphics
	}
	return nil
}

// checkSpec fills defaults and validates the spec against the host's
// limits, pools and switches before any job starts.
func (p *Provider) checkSpec(ctx context.Context, hr hostRef, plan *definePlan) error {
	info, err := hr.H.Info(ctx)
	if err != nil {
		return err
	}
	s := &plan.spec
	if s.VCPUs == 0 {
		s.VCPUs = defaultVCPUs
	}
	if s.MemoryMiB == 0 {
		s.MemoryMiB = min(max(defaultMemoryMiB, info.Limits.MinMemoryMiB), max(info.Limits.MaxMemoryMiB, defaultMemoryMiB))
	}
	check := cloneSpec(*s)
	for i := range plan.pending {
		check.Disks[i].Volume = &backends.VolumeRef{Pool: plan.pending[i].pool, Name: "pending"}
	}
	for i, src := range plan.clones {
		check.Disks[i].Volume = &src
	}
	check.Normalize()
	if err := check.Validate(info.Limits); err != nil {
		return err
	}
	for _, v := range plan.pending {
		if _, err := hr.H.Storage().GetPool(ctx, v.pool); err != nil {
			return invalid("storage pool %s: %w", v.pool, err)
		}
	}
	for _, n := range s.NICs {
		if _, err := hr.H.Switches().GetSwitch(ctx, n.Switch); err != nil {
			return invalid("switch %s: %w", n.Switch, err)
		}
	}
	return nil
}

// fromTemplate starts a plan from the VM a ReferenceConfiguration names
// (its VSSD): the same processors, memory, boot order, console and disks,
// with its writable volumes cloned (linked clones where the host can), and
// its NICs on the same switches with new MACs.
func (p *Provider) fromTemplate(ctx context.Context, hr hostRef, rv cim.Value, plan *definePlan) error {
	ref, isRef := rv.AsRef()
	vmID, ok := model.ParseVSSDInstanceID(model.InstanceIDOf(ref))
	if !isRef || !ok {
		return invalid("ReferenceConfiguration must name a %s", model.ClassVSSD)
	}
	thr, tvm, err := p.findVM(ctx, vmID)
	if err != nil {
		return invalid("ReferenceConfiguration: %w", err)
	}
	if thr.ID != hr.ID {
		return invalid("ReferenceConfiguration: template %s is on host %s, not %s", tvm.Name, thr.ID, hr.ID)
	}
	info, err := hr.H.Info(ctx)
	if err != nil {
		return err
	}
	plan.spec = cloneSpec(tvm.VMSpec)
	plan.linked = info.Caps.LinkedClone
	for i, d := range plan.spec.Disks {
		if d.Volume == nil || d.ReadOnly || d.Device == backends.DeviceCDROM {
			continue
		}
		if !info.Caps.VolumeClone && !info.Caps.LinkedClone {
			return model.Fail(model.NotSupported, "host %s cannot clone volume %s of the template", hr.ID, d.Volume)
		}
		plan.clones[i] = *d.Volume
	}
	for i := range plan.spec.NICs {
		plan.spec.NICs[i].MAC = ""
	}
	if g := plan.spec.Graphics; g != nil {
		g.Port = 0
	}
	return nil
}

// define does DefineSystem's work: volumes, clones, the definition, the
// settings Ferrum keeps; each step with its undo.
func (p *Provider) define(ctx context.Context, pr *jobs.Progress, hr hostRef, plan definePlan) error {
	s := cloneSpec(plan.spec)
	st := hr.H.Storage()
	steps := len(plan.pending) + len(plan.clones) + 2
	done := 0
	progress := func() { done++; pr.Set(done * 100 / steps) }
	for i, v := range plan.pending {
		name := v.name
		if name == "" {
			name = fmt.Sprintf("%s-disk%d", s.Name, i)
		}
		pr.Status("create volume %s/%s", v.pool, name)
		vol, err := st.CreateVolume(ctx, v.pool, backends.VolumeSpec{Name: name, Capacity: v.capacity})
		if err != nil {
			return fmt.Errorf("create volume %s/%s: %w", v.pool, name, err)
		}
		pr.Undo("delete volume "+vol.Ref.String(), func(ctx context.Context) error { return st.DeleteVolume(ctx, vol.Ref) })
		s.Disks[i].Volume = &vol.Ref
		progress()
	}
	for i, src := range plan.clones {
		name := fmt.Sprintf("%s-%s", s.Name, s.Disks[i].Target)
		if s.Disks[i].Target == "" {
			name = fmt.Sprintf("%s-disk%d", s.Name, i)
		}
		pr.Status("clone volume %s as %s", src, name)
		vol, err := st.CloneVolume(ctx, src, backends.CloneSpec{Name: name, Linked: plan.linked})
		if err != nil {
			return fmt.Errorf("clone volume %s: %w", src, err)
		}
		pr.Undo("delete volume "+vol.Ref.String(), func(ctx context.Context) error { return st.DeleteVolume(ctx, vol.Ref) })
		s.Disks[i].Volume = &vol.Ref
		progress()
	}
	pr.Status("define vm %s", s.Name)
	vm, err := hr.H.VMs().Define(ctx, s)
	if err != nil {
		return fmt.Errorf("define vm %s on host %s: %w", s.Name, hr.ID, err)
	}
	pr.Undo("undefine vm "+vm.Name, func(ctx context.Context) error { return hr.H.VMs().Undefine(ctx, vm.UUID) })
	p.index.put(vm.UUID, hr.ID)
	progress()
	old, err := p.settings.set(ctx, vm.UUID, plan.settings)
	if err != nil {
		return err
	}
	pr.Undo("forget settings of vm "+vm.Name, func(ctx context.Context) error { return p.settings.restore(ctx, vm.UUID, old) })
	progress()
	return nil
}

// destroySystem serves DestroySystem: a job that powers the VM off if it
// runs and removes its definition and Ferrum's settings for it. Its
// volumes stay (as with Hyper-V and libvirt-cim).
func (p *Provider) destroySystem(ctx context.Context, c methodCall, hr hostRef, in cim.Params) (cim.Value, cim.Params, error) {
	rv, _ := in.Get("AffectedSystem")
	ref, _ := rv.AsRef()
	id, ok := model.VMOf(ref)
	if !ok {
		return c.fail(ctx, invalid("AffectedSystem must name a %s", model.ClassVM))
	}
	vhr, vm, err := p.findVM(ctx, id)
	if err != nil {
		return c.fail(ctx, invalid("AffectedSystem: %w", err))
	}
	spec := vsmsSpec(hr, "DestroySystem", "destroy vm "+vm.Name, vm.Name, in)
	spec.Affected = []jobs.Affected{{Path: model.VMPath(vm.UUID), Effects: []uint16{jobs.EffectElementIntegrity}}}
	return c.run(ctx, Job{Spec: spec, Work: func(ctx context.Context, pr *jobs.Progress) (cim.Params, error) {
		return nil, p.destroy(ctx, pr, vhr, vm)
	}})
}

func (p *Provider) destroy(ctx context.Context, pr *jobs.Progress, hr hostRef, vm backends.VM) error {
	vms := hr.H.VMs()
	if vm.State.Active() {
		pr.Status("power off vm %s", vm.Name)
		if err := vms.Stop(ctx, vm.UUID); err != nil {
			return fmt.Errorf("power off vm %s: %w", vm.Name, err)
		}
		pr.Undo("start vm "+vm.Name+" again", func(ctx context.Context) error { return vms.Start(ctx, vm.UUID) })
		pr.Set(50)
	}
	pr.Status("undefine vm %s", vm.Name)
	if err := vms.Undefine(ctx, vm.UUID); err != nil {
		return fmt.Errorf("undefine vm %s: %w", vm.Name, err)
	}
	p.index.drop(vm.UUID)
	p.requested.Delete(vm.UUID)
	if err := p.settings.delete(ctx, vm.UUID); err != nil {
		pr.Log().Warn("settings of a destroyed vm left behind", "err", err)
	}
	return nil
}
