package snapshot

import (
	"context"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/provkit"
	"github.com/ferrum-virt/ferrum/providers/virt"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// association serves an association class: enum lists every instance,
// refs those that refer to target (a superset is fine).
type association struct {
	role string // the reference GetInstance resolves through
	enum func(ctx context.Context, yield func(*cim.Instance) bool) error
	refs func(ctx context.Context, target cim.ObjectPath, yield func(*cim.Instance) bool) error
}

func (a association) EnumerateInstances(ctx context.Context, _ string, _ *cim.Class, yield func(*cim.Instance) bool) error {
	return a.enum(ctx, yield)
}

func (a association) GetInstance(ctx context.Context, _ string, path cim.ObjectPath, _ *cim.Class) (*cim.Instance, error) {
	v, _ := path.Key(a.role)
	target, ok := v.AsRef()
	if !ok {
		return nil, notFound(path)
	}
	var found *cim.Instance
	err := a.refs(ctx, target, func(in *cim.Instance) bool {
		if sameLink(in, path) {
			found = in
			return false
		}
		return true
	})
	if err != nil && cim.StatusOf(err) != cim.ErrNotFound {
		return nil, err
	}
	if found == nil {
		return nil, notFound(path)
	}
	return found, nil
}

func (a association) References(ctx context.Context, _ string, _ *cim.Class, target cim.ObjectPath, _ string, yield func(*cim.Instance) bool) error {
	err := a.refs(ctx, target, yield)
	if cim.StatusOf(err) == cim.ErrNotFound {
		return nil
	}
	return err
}

// sameLink reports whether every reference key of path names what in's
// property of that name refers to.
func sameLink(in *cim.Instance, path cim.ObjectPath) bool {
	for _, k := range path.Keys {
		v, _ := in.Get(k.Name)
		a, ok1 := v.AsRef()
		b, ok2 := k.Value.AsRef()
		if !ok1 || !ok2 || !provkit.Local(a, model.Namespace).Equal(provkit.Local(b, model.Namespace)) {
			return false
		}
	}
	return true
}

// vmOfTarget returns the VM a target belongs to: the VM, one of its
// snapshots or snapshot RASDs, or its snapshot capabilities.
func vmOfTarget(target cim.ObjectPath) (string, bool) {
	if vm, ok := model.VMOf(target); ok {
		return vm, true
	}
	if vm, _, ok := snapshotOf(target); ok {
		return vm, true
	}
	if vm, _, ok := rasdOf(target); ok {
		return vm, true
	}
	return ownerOf(target, ClassCaps, capsSuffix)
}

// byVM serves an association whose instances each belong to one VM.
func (p *Provider) byVM(role string, all func(context.Context, snapHost, backends.VM, []backends.Snapshot) []*cim.Instance) association {
	return association{
		role: role,
		enum: func(ctx context.Context, yield func(*cim.Instance) bool) error {
			return p.each(ctx, func(h snapHost, vm backends.VM, s []backends.Snapshot) bool {
				return provkit.YieldAll(all(ctx, h, vm, s), yield)
			})
		},
		refs: func(ctx context.Context, target cim.ObjectPath, yield func(*cim.Instance) bool) error {
			id, ok := vmOfTarget(target)
			if !ok {
				return nil
			}
			h, vm, snaps, err := p.snapshotsOfVM(ctx, id)
			if err != nil {
				return err
			}
			provkit.YieldAll(all(ctx, h, vm, snaps), yield)
			return nil
		},
	}
}

func (p *Provider) snapshotOf() association {
	return p.byVM("Antecedent", func(_ context.Context, _ snapHost, vm backends.VM, snaps []backends.Snapshot) []*cim.Instance {
		var out []*cim.Instance
		for _, s := range snaps {
			out = append(out, provkit.Link(AssocSnapshotOf, "Antecedent", model.VMPath(vm.UUID), "Dependent", SnapshotPath(vm.UUID, s.Name)))
		}
		return out
	})
}

func (p *Provider) lastApplied() association {
	return p.byVM("Dependent", func(_ context.Context, _ snapHost, vm backends.VM, snaps []backends.Snapshot) []*cim.Instance {
		for _, s := range snaps {
			if s.Current {
				return []*cim.Instance{provkit.Link(AssocLastApplied, "Antecedent", SnapshotPath(vm.UUID, s.Name), "Dependent", model.VMPath(vm.UUID))}
			}
		}
		return nil
	})
}

// extensions are the instances this package adds to the virtualization
// provider's classes.
func (p *Provider) extensions() map[string]virt.Extension {
	x := map[string]virt.Extension{
		model.ClassVSSD: {Enumerate: p.snapshotVSSDs, Get: p.getSnapshotVSSD},
	}
	for _, k := range model.Kinds() {
		x[k.RASDClass()] = virt.Extension{Enumerate: p.snapshotRASDs(k.RASDClass()), Get: p.getSnapshotRASD}
	}
	for class, a := range map[string]association{
		model.AssocVSSDComponent:      p.components(),
		model.AssocElementSettingData: p.parentage(),
		model.AssocHostedService:      p.hostedService(),
		model.AssocElementCaps:        p.elementCaps(),
	} {
		x[class] = virt.Extension{Enumerate: a.enum, References: quiet(a.refs)}
	}
	return x
}

// quiet drops CIM_ERR_NOT_FOUND from an extension's References: a target
// that is not a snapshot's, or whose host takes none, simply has no links
// from this package, and the virtualization provider's own links must
// still be seen.
func quiet(refs func(context.Context, cim.ObjectPath, func(*cim.Instance) bool) error) func(context.Context, cim.ObjectPath, func(*cim.Instance) bool) error {
	return func(ctx context.Context, target cim.ObjectPath, yield func(*cim.Instance) bool) error {
		err := refs(ctx, target, yield)
		if cim.StatusOf(err) == cim.ErrNotFound {
			return nil
		}
		return err
	}
}

// components links each snapshot VSSD to its RASDs.
func (p *Provider) components() association {
	return p.byVM("GroupComponent", func(ctx context.Context, h snapHost, vm backends.VM, snaps []backends.Snapshot) []*cim.Instance {
		var out []*cim.Instance
		for _, s := range snaps {
			_, rasds := p.settings(ctx, h, vm, s)
			for _, r := range rasds {
				out = append(out, provkit.Link(model.AssocVSSDComponent, "GroupComponent", SnapshotPath(vm.UUID, s.Name),
					"PartComponent", idPath(r.ClassName, r.Str("InstanceID"))))
			}
		}
		return out
	})
}

// parentage links each snapshot (ManagedElement) to its parent
// (SettingData); see the package documentation.
func (p *Provider) parentage() association {
	not := cim.Uint16(2)
	return p.byVM("ManagedElement", func(_ context.Context, _ snapHost, vm backends.VM, snaps []backends.Snapshot) []*cim.Instance {
		var out []*cim.Instance
		for _, s := range snaps {
			if s.Parent != "" {
				out = append(out, provkit.Link(model.AssocElementSettingData, "ManagedElement", SnapshotPath(vm.UUID, s.Name),
					"SettingData", SnapshotPath(vm.UUID, s.Parent), "IsDefault", not, "IsCurrent", not, "IsNext", not))
			}
		}
		return out
	})
}

// byHost serves the links of each host's service.
func (p *Provider) byHost(all func(host string) []*cim.Instance, hostOf ...func(cim.ObjectPath) (string, bool)) association {
	return association{
		enum: func(ctx context.Context, yield func(*cim.Instance) bool) error {
			for _, h := range p.hosts(ctx) {
				if !provkit.YieldAll(all(h.ID), yield) {
					break
				}
			}
			return nil
		},
		refs: func(ctx context.Context, target cim.ObjectPath, yield func(*cim.Instance) bool) error {
			for _, of := range hostOf {
				if id, ok := of(target); ok {
					if _, err := p.host(ctx, id); err != nil {
						return err
					}
					provkit.YieldAll(all(id), yield)
					return nil
				}
			}
			return nil
		},
	}
}

func (p *Provider) hostedService() association {
	return p.byHost(func(host string) []*cim.Instance {
		return []*cim.Instance{provkit.Link(model.AssocHostedService, "Antecedent", model.HostPath(host), "Dependent", ServicePath(host))}
	}, model.HostOf, serviceHostOf)
}

// elementCaps links each service to its capabilities and each VM on a host
// that takes snapshots to its snapshot capabilities.
func (p *Provider) elementCaps() association {
	svc := p.byHost(func(host string) []*cim.Instance {
		return []*cim.Instance{provkit.Link(model.AssocElementCaps, "ManagedElement", ServicePath(host), "Capabilities", ServiceCapsPath(host))}
	}, serviceHostOf, func(t cim.ObjectPath) (string, bool) { return ownerOf(t, ClassServiceCaps, serviceCapsSuffix) })
	vms := p.byVM("ManagedElement", func(_ context.Context, _ snapHost, vm backends.VM, _ []backends.Snapshot) []*cim.Instance {
		return []*cim.Instance{provkit.Link(model.AssocElementCaps, "ManagedElement", model.VMPath(vm.UUID), "Capabilities", CapsPath(vm.UUID))}
	})
	return association{
		enum: func(ctx context.Context, yield func(*cim.Instance) bool) error {
			more := true
			wrapped := func(in *cim.Instance) bool { more = yield(in); return more }
			if err := svc.enum(ctx, wrapped); err != nil || !more {
				return err
			}
			return vms.enum(ctx, wrapped)
		},
		refs: func(ctx context.Context, target cim.ObjectPath, yield func(*cim.Instance) bool) error {
			if err := svc.refs(ctx, target, yield); err != nil {
				return err
			}
			if _, ok := model.VMOf(target); ok || model.Is(target, ClassCaps) {
				return vms.refs(ctx, target, yield)
			}
			return nil
		},
	}
}
