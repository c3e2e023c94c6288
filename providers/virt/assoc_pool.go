package virt

import (
	"context"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/provkit"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// allocLinks are the ElementAllocatedFromPool of vm: each virtual device
// of an active VM to the concrete pool it is allocated from.
func allocLinks(hr hostRef, vm backends.VM, onlyPool string) []*cim.Instance {
	var out []*cim.Instance
	for _, e := range elements(vm) {
		pid := e.poolID(hr.ID)
		if pid == "" || onlyPool != "" && pid != onlyPool {
			continue
		}
		for _, d := range e.devicePaths(vm) {
			out = append(out, provkit.Link(model.AssocAllocatedFromPool, "Antecedent", model.PoolPath(e.Kind, pid), "Dependent", d))
		}
	}
	return out
}

// childLink links a concrete pool to the primordial pool of its kind.
func childLink(v poolView) *cim.Instance {
	return provkit.Link(model.AssocAllocatedFromPool,
		"Antecedent", model.PoolPath(v.Kind, model.PoolID(v.Host, v.Kind, "")),
		"Dependent", model.PoolPath(v.Kind, v.ID()))
}

func (p *Provider) allocatedFromPool() association {
	byVM := p.byVM(nil, func(hr hostRef, vm backends.VM) []*cim.Instance { return allocLinks(hr, vm, "") }, ownerVM, nil)
	return association{
		roles: []string{"Dependent", "Antecedent"},
		enum: func(ctx context.Context, yield func(*cim.Instance) bool) error {
			more := true
			err := p.eachPool(ctx, 0, func(_ hostRef, _ backends.HostInfo, v poolView) bool {
				if !v.Primordial() {
					more = yield(childLink(v))
				}
				return more
			})
			if err != nil || !more {
				return err
			}
			return byVM.enum(ctx, yield)
		},
		refs: func(ctx context.Context, target cim.ObjectPath, yield func(*cim.Instance) bool) error {
			if _, ok := model.KindOfPoolClass(target.ClassName); !ok {
				return byVM.refs(ctx, target, yield)
			}
			hr, v, err := p.pool(ctx, model.InstanceIDOf(target))
			if err != nil {
				return err
			}
			if !v.Primordial() {
				if !yield(childLink(v)) {
					return nil
				}
				_, err := p.eachVMOn(ctx, hr, func(hr hostRef, vm backends.VM) bool {
					return provkit.YieldAll(allocLinks(hr, vm, v.ID()), yield)
				})
				return model.CIMError(err, "vms of host %s", hr.ID)
			}
			views, err := p.pools(ctx, hr, v.Kind)
			if err != nil {
				return model.CIMError(err, "pools of host %s", hr.ID)
			}
			for _, c := range views {
				if !c.Primordial() && !yield(childLink(c)) {
					break
				}
			}
			return nil
		},
	}
}

// rasdPoolLinks are the ResourceAllocationFromPool of vm's RASDs.
func rasdPoolLinks(hr hostRef, vm backends.VM, onlyPool string) []*cim.Instance {
	var out []*cim.Instance
	for _, e := range elements(vm) {
		pid := e.poolID(hr.ID)
		if pid == "" || onlyPool != "" && pid != onlyPool {
			continue
		}
		out = append(out, provkit.Link(model.AssocRASDFromPool,
			"Antecedent", model.PoolPath(e.Kind, pid), "Dependent", e.rasdPath(vm.UUID)))
	}
	return out
}

func (p *Provider) rasdFromPool() association {
	byVM := p.byVM(nil, func(hr hostRef, vm backends.VM) []*cim.Instance { return rasdPoolLinks(hr, vm, "") }, ownerVM, nil)
	return association{
		roles: []string{"Dependent", "Antecedent"},
		enum:  byVM.enum,
		refs: func(ctx context.Context, target cim.ObjectPath, yield func(*cim.Instance) bool) error {
			if _, ok := model.KindOfPoolClass(target.ClassName); !ok {
				return byVM.refs(ctx, target, yield)
			}
			hr, v, err := p.pool(ctx, model.InstanceIDOf(target))
			if err != nil || v.Primordial() {
				return err
			}
			_, err = p.eachVMOn(ctx, hr, func(hr hostRef, vm backends.VM) bool {
				return provkit.YieldAll(rasdPoolLinks(hr, vm, v.ID()), yield)
			})
			return model.CIMError(err, "vms of host %s", hr.ID)
		},
	}
}

// concreteComponent links each concrete disk pool to the storage volumes
// it holds.
func (p *Provider) concreteComponent() association {
	volLinks := func(ctx context.Context, hr hostRef, pool string) ([]*cim.Instance, error) {
		vols, err := hr.H.Storage().ListVolumes(ctx, pool)
		if err != nil {
			return nil, model.CIMError(err, "volumes of pool %s", pool)
		}
		pp := model.PoolPath(model.KindDisk, model.PoolID(hr.ID, model.KindDisk, pool))
		out := make([]*cim.Instance, len(vols))
		for i, v := range vols {
			out[i] = provkit.Link(model.AssocConcreteComponent, "GroupComponent", pp,
				"PartComponent", model.VolumePath(hr.ID, v.Ref.Pool, v.Ref.Name))
		}
		return out, nil
	}
	return association{
		roles: []string{"PartComponent", "GroupComponent"},
		enum: func(ctx context.Context, yield func(*cim.Instance) bool) error {
			return p.eachPool(ctx, model.KindDisk, func(hr hostRef, _ backends.HostInfo, v poolView) bool {
				if v.Primordial() {
					return true
				}
				links, err := volLinks(ctx, hr, v.Name)
				return err != nil || provkit.YieldAll(links, yield)
			})
		},
		refs: func(ctx context.Context, target cim.ObjectPath, yield func(*cim.Instance) bool) error {
			var host, pool string
			switch {
			case model.Is(target, model.ClassDiskPool):
				h, _, name, ok := model.ParsePoolID(model.InstanceIDOf(target))
				if !ok || name == "" {
					return nil
				}
				host, pool = h, name
			case model.Is(target, model.ClassVolume):
				var ok bool
				if pool, _, ok = model.ParseVolumeDeviceID(model.KeyString(target, "DeviceID")); !ok {
					return nil
				}
				host = model.KeyString(target, "SystemName")
			default:
				return nil
			}
			hr, err := p.host(ctx, host)
			if err != nil {
				return err
			}
			links, err := volLinks(ctx, hr, pool)
			if err != nil {
				return err
			}
			provkit.YieldAll(links, yield)
			return nil
		},
	}
}
