package snapshot

import (
	"context"
	"slices"
	"strings"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// instances serves a class from two functions.
type instances struct {
	enum func(ctx context.Context, yield func(*cim.Instance) bool) error
	get  func(ctx context.Context, path cim.ObjectPath) (*cim.Instance, error)
}

func (s instances) EnumerateInstances(ctx context.Context, _ string, _ *cim.Class, yield func(*cim.Instance) bool) error {
	return s.enum(ctx, yield)
}

func (s instances) GetInstance(ctx context.Context, _ string, path cim.ObjectPath, _ *cim.Class) (*cim.Instance, error) {
	return s.get(ctx, path)
}

// withMethods adds extrinsic methods to a class's instances.
type withMethods struct {
	instances
	invoke func(ctx context.Context, path cim.ObjectPath, m *cim.Method, in cim.Params) (cim.Value, cim.Params, error)
}

func (w withMethods) InvokeMethod(ctx context.Context, _ string, path cim.ObjectPath, m *cim.Method, in cim.Params) (cim.Value, cim.Params, error) {
	return w.invoke(ctx, path, m, in)
}

func notFound(p cim.ObjectPath) error { return cim.Errorf(cim.ErrNotFound, "no instance %s", p) }

// withKeys starts an instance of path's class holding path's keys.
func withKeys(path cim.ObjectPath) *cim.Instance {
	in := cim.NewInstance(path.ClassName)
	for _, k := range path.Keys {
		in.Set(k.Name, k.Value)
	}
	return in
}

func serviceInstance(host string) *cim.Instance {
	return withKeys(ServicePath(host)).
		Set("ElementName", cim.String("Snapshot service of "+host)).
		Set("Caption", cim.String(ServiceName)).
		Set("EnabledState", cim.Uint16(model.Enabled)).
		Set("RequestedState", cim.Uint16(model.RequestedNotApplic)).
		Set("HealthState", cim.Uint16(5)).
		Set("OperationalStatus", cim.Uint16Array(2)).
		Set("Started", cim.Bool(true))
}

func (p *Provider) services(ctx context.Context, yield func(*cim.Instance) bool) error {
	for _, h := range p.hosts(ctx) {
		if !yield(serviceInstance(h.ID)) {
			break
		}
	}
	return nil
}

func (p *Provider) getService(ctx context.Context, path cim.ObjectPath) (*cim.Instance, error) {
	host, ok := serviceHostOf(path)
	if !ok || model.KeyString(path, "CreationClassName") != ClassService {
		return nil, notFound(path)
	}
	if _, err := p.host(ctx, host); err != nil {
		return nil, err
	}
	return serviceInstance(host), nil
}

// Snapshot methods, for the capabilities' method lists.
const (
	methodCreate  uint16 = 2
	methodDestroy uint16 = 3
	methodApply   uint16 = 4
)

func serviceCapsInstance(host string) *cim.Instance {
	return withKeys(ServiceCapsPath(host)).
		Set("ElementName", cim.String("Snapshot service capabilities of "+host)).
		Set("SynchronousMethodsSupported", cim.Uint16Array()).
		Set("AynchronousMethodsSupported", cim.Uint16Array(methodCreate, methodDestroy, methodApply)).
		Set("SnapshotTypesSupported", cim.Uint16Array(typeFull))
}

func (p *Provider) serviceCaps(ctx context.Context, yield func(*cim.Instance) bool) error {
	for _, h := range p.hosts(ctx) {
		if !yield(serviceCapsInstance(h.ID)) {
			break
		}
	}
	return nil
}

func (p *Provider) getServiceCaps(ctx context.Context, path cim.ObjectPath) (*cim.Instance, error) {
	host, ok := ownerOf(path, ClassServiceCaps, serviceCapsSuffix)
	if !ok {
		return nil, notFound(path)
	}
	if _, err := p.host(ctx, host); err != nil {
		return nil, err
	}
	return serviceCapsInstance(host), nil
}

// canSnapshot reports whether vm can be snapshotted now on a host with caps.
func canSnapshot(caps backends.Capabilities, vm backends.VM) bool {
	switch vm.State {
	case backends.StateOff, backends.StateCrashed:
		return true
	case backends.StateRunning, backends.StatePaused:
		return caps.LiveSnapshots
	}
	return false
}

func vmCapsInstance(h snapHost, vm backends.VM) *cim.Instance {
	var enabled []uint16
	if canSnapshot(h.Caps, vm) {
		enabled = []uint16{typeFull}
	}
	return withKeys(CapsPath(vm.UUID)).
		Set("ElementName", cim.String("Snapshot capabilities of "+vm.Name)).
		Set("SnapshotTypesEnabled", cim.Uint16Array(enabled...)).
		Set("GuestOSNotificationEnabled", cim.Bool(false))
}

func (p *Provider) vmCaps(ctx context.Context, yield func(*cim.Instance) bool) error {
	for _, h := range p.hosts(ctx) {
		vms, err := h.Host.VMs().List(ctx)
		if err != nil {
			p.log.WarnContext(ctx, "skip host whose VMs cannot be listed", "host", h.ID, "err", err)
			continue
		}
		for _, vm := range vms {
			if !yield(vmCapsInstance(h, vm)) {
				return nil
			}
		}
	}
	return nil
}

func (p *Provider) getVMCaps(ctx context.Context, path cim.ObjectPath) (*cim.Instance, error) {
	id, ok := ownerOf(path, ClassCaps, capsSuffix)
	if !ok {
		return nil, notFound(path)
	}
	h, vm, err := p.vm(ctx, id)
	if err != nil {
		return nil, err
	}
	return vmCapsInstance(h, vm), nil
}

// settings builds snapshot s of vm: its VSSD and RASDs.
func (p *Provider) settings(ctx context.Context, h snapHost, vm backends.VM, s backends.Snapshot) (*cim.Instance, []*cim.Instance) {
	cfg := backends.VM{VMSpec: s.Config, Host: h.ID, State: backends.StateOff}
	cfg.UUID = vm.UUID
	vssd, rasds := p.kit.Settings(ctx, h.KitHost, cfg, SnapshotID(vm.UUID, s.Name))
	vssd.Set("ElementName", cim.String(s.Name)).
		Set("Caption", cim.String(s.Name)).
		Set("Description", cim.String(s.Description)).
		Set("ConfigurationName", cim.String(s.Name)).
		Set("ChangeableType", cim.Uint16(0))
	if !s.Created.IsZero() {
		vssd.Set("CreationTime", cim.DateTimeValue(cim.NewTimestamp(s.Created)))
	}
	for _, r := range rasds {
		r.Set("ChangeableType", cim.Uint16(0))
	}
	return vssd, rasds
}

// snapshotVSSDs yields the VSSD of every snapshot.
func (p *Provider) snapshotVSSDs(ctx context.Context, yield func(*cim.Instance) bool) error {
	return p.each(ctx, func(h snapHost, vm backends.VM, snaps []backends.Snapshot) bool {
		for _, s := range snaps {
			vssd, _ := p.settings(ctx, h, vm, s)
			if !yield(vssd) {
				return false
			}
		}
		return true
	})
}

// getSnapshotVSSD returns a snapshot's VSSD, or (nil, nil) when path is no
// snapshot's.
func (p *Provider) getSnapshotVSSD(ctx context.Context, path cim.ObjectPath) (*cim.Instance, error) {
	vmID, name, ok := snapshotOf(path)
	if !ok {
		return nil, nil
	}
	h, vm, s, err := p.find(ctx, vmID, name)
	if err != nil {
		return nil, err
	}
	vssd, _ := p.settings(ctx, h, vm, s)
	return vssd, nil
}

// snapshotRASDs yields the RASDs of class of every snapshot.
func (p *Provider) snapshotRASDs(class string) func(ctx context.Context, yield func(*cim.Instance) bool) error {
	return func(ctx context.Context, yield func(*cim.Instance) bool) error {
		return p.each(ctx, func(h snapHost, vm backends.VM, snaps []backends.Snapshot) bool {
			for _, s := range snaps {
				_, rasds := p.settings(ctx, h, vm, s)
				for _, r := range rasds {
					if strings.EqualFold(r.ClassName, class) && !yield(r) {
						return false
					}
				}
			}
			return true
		})
	}
}

// getSnapshotRASD returns a snapshot's RASD, or (nil, nil) when path is
// no snapshot's.
func (p *Provider) getSnapshotRASD(ctx context.Context, path cim.ObjectPath) (*cim.Instance, error) {
	vmID, name, ok := rasdOf(path)
	if !ok {
		return nil, nil
	}
	h, vm, s, err := p.find(ctx, vmID, name)
	if err != nil {
		return nil, err
	}
	_, rasds := p.settings(ctx, h, vm, s)
	id := model.InstanceIDOf(path)
	i := slices.IndexFunc(rasds, func(r *cim.Instance) bool {
		return r.Str("InstanceID") == id && strings.EqualFold(r.ClassName, path.ClassName)
	})
	if i < 0 {
		return nil, notFound(path)
	}
	return rasds[i], nil
}
