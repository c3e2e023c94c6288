package virt

import (
	"context"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/provkit"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// association serves an association class: enum lists every instance,
// refs those that refer to one object (a superset is fine: the dispatcher
// keeps the exact matches). refs looks only at the neighbourhood of the
// target, so traversal from one VM never enumerates the data center.
type association struct {
	roles []string // the reference properties
	enum  func(ctx context.Context, yield func(*cim.Instance) bool) error
	refs  func(ctx context.Context, target cim.ObjectPath, yield func(*cim.Instance) bool) error
}

func (a association) EnumerateInstances(ctx context.Context, _ string, _ *cim.Class, yield func(*cim.Instance) bool) error {
	return a.enum(ctx, yield)
}

// GetInstance finds the instance through the neighbourhood of its first
// reference.
func (a association) GetInstance(ctx context.Context, _ string, path cim.ObjectPath, _ *cim.Class) (*cim.Instance, error) {
	v, _ := path.Key(a.roles[0])
	target, ok := v.AsRef()
	if !ok {
		return nil, notFound(path)
	}
	var found *cim.Instance
	err := a.refs(ctx, provkit.Local(target, model.Namespace), func(in *cim.Instance) bool {
		if matches(in, path) {
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

// References implements cimom.ReferenceProvider.
func (a association) References(ctx context.Context, _ string, _ *cim.Class, target cim.ObjectPath, _ string, yield func(*cim.Instance) bool) error {
	err := a.refs(ctx, provkit.Local(target, model.Namespace), yield)
	if cim.StatusOf(err) == cim.ErrNotFound {
		return nil // a target that does not exist has no associations
	}
	return err
}

func (p *Provider) associations() map[string]association {
	return map[string]association{
		model.AssocHostedDependency:   p.hostedDependency(),
		model.AssocHostedService:      p.hostedService(),
		model.AssocServiceAffects:     p.serviceAffects(),
		model.AssocHostedPool:         p.hostedPool(),
		model.AssocElementCaps:        p.elementCapabilities(),
		model.AssocSystemDevice:       p.systemDevice(),
		model.AssocVSSDComponent:      p.vssdComponent(),
		model.AssocSettingsDefState:   p.settingsDefineState(),
		model.AssocElementSettingData: p.elementSettingData(),
		model.AssocAllocatedFromPool:  p.allocatedFromPool(),
		model.AssocRASDFromPool:       p.rasdFromPool(),
		model.AssocSettingsDefCaps:    p.settingsDefineCapabilities(),
		model.AssocConcreteComponent:  p.concreteComponent(),
	}
}

// vmsOf calls fn with every VM of host id.
func (p *Provider) vmsOf(ctx context.Context, id string, fn func(hostRef, backends.VM) bool) error {
	hr, err := p.host(ctx, id)
	if err != nil {
		return err
	}
	_, err = p.eachVMOn(ctx, hr, fn)
	return model.CIMError(err, "vms of host %s", id)
}

// byVM serves an association whose instances each belong to one VM: all
// builds the instances of vm, ofHost chooses which to show for a host
// target (nil: none).
func (p *Provider) byVM(roles []string, all func(hostRef, backends.VM) []*cim.Instance,
	vmOf func(cim.ObjectPath) (string, bool), hostOf func(cim.ObjectPath) (string, bool)) association {
	return association{
		roles: roles,
		enum: func(ctx context.Context, yield func(*cim.Instance) bool) error {
			return p.eachVM(ctx, func(hr hostRef, vm backends.VM) bool { return provkit.YieldAll(all(hr, vm), yield) })
		},
		refs: func(ctx context.Context, target cim.ObjectPath, yield func(*cim.Instance) bool) error {
			if hostOf != nil {
				if id, ok := hostOf(target); ok {
					return p.vmsOf(ctx, id, func(hr hostRef, vm backends.VM) bool { return provkit.YieldAll(all(hr, vm), yield) })
				}
			}
			id, ok := vmOf(target)
			if !ok {
				return nil
			}
			hr, vm, err := p.findVM(ctx, id)
			if err != nil {
				return err
			}
			provkit.YieldAll(all(hr, vm), yield)
			return nil
		},
	}
}

func (p *Provider) hostedDependency() association {
	return p.byVM([]string{"Antecedent", "Dependent"}, func(hr hostRef, vm backends.VM) []*cim.Instance {
		return []*cim.Instance{provkit.Link(model.AssocHostedDependency,
			"Antecedent", model.HostPath(hr.ID), "Dependent", model.VMPath(vm.UUID))}
	}, model.VMOf, model.HostOf)
}

func (p *Provider) serviceAffects() association {
	return p.byVM([]string{"AffectingElement", "AffectedElement"}, func(hr hostRef, vm backends.VM) []*cim.Instance {
		return []*cim.Instance{provkit.Link(model.AssocServiceAffects,
			"AffectingElement", model.VSMSPath(hr.ID), "AffectedElement", model.VMPath(vm.UUID),
			"ElementEffects", cim.Uint16Array(5))} // Manages
	}, model.VMOf, model.VSMSHostOf)
}

// byHost serves an association whose instances each belong to one host.
func (p *Provider) byHost(roles []string, all func(string) []*cim.Instance, hostOf ...func(cim.ObjectPath) (string, bool)) association {
	return association{
		roles: roles,
		enum: func(ctx context.Context, yield func(*cim.Instance) bool) error {
			for _, hr := range p.hosts(ctx) {
				if !provkit.YieldAll(all(hr.ID), yield) {
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
	return p.byHost([]string{"Antecedent", "Dependent"}, func(host string) []*cim.Instance {
		return []*cim.Instance{provkit.Link(model.AssocHostedService,
			"Antecedent", model.HostPath(host), "Dependent", model.VSMSPath(host))}
	}, model.HostOf, model.VSMSHostOf)
}

func (p *Provider) hostedPool() association {
	one := func(v poolView) *cim.Instance {
		return provkit.Link(model.AssocHostedPool, "GroupComponent", model.HostPath(v.Host), "PartComponent", model.PoolPath(v.Kind, v.ID()))
	}
	return association{
		roles: []string{"GroupComponent", "PartComponent"},
		enum: func(ctx context.Context, yield func(*cim.Instance) bool) error {
			return p.eachPool(ctx, 0, func(_ hostRef, _ backends.HostInfo, v poolView) bool { return yield(one(v)) })
		},
		refs: func(ctx context.Context, target cim.ObjectPath, yield func(*cim.Instance) bool) error {
			if id, ok := model.HostOf(target); ok {
				hr, err := p.host(ctx, id)
				if err != nil {
					return err
				}
				views, err := p.hostPools(ctx, hr)
				if err != nil {
					return model.CIMError(err, "pools of host %s", id)
				}
				for _, v := range views {
					if !yield(one(v)) {
						break
					}
				}
				return nil
			}
			if _, ok := model.KindOfPoolClass(target.ClassName); ok {
				_, v, err := p.pool(ctx, model.InstanceIDOf(target))
				if err != nil {
					return err
				}
				yield(one(v))
			}
			return nil
		},
	}
}
