package virt

import (
	"context"
	"strings"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/provkit"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

func notFound(path cim.ObjectPath) error { return cim.Errorf(cim.ErrNotFound, "no instance %s", path) }

func (p *Provider) hostProvider() instances {
	return instances{
		enum: func(ctx context.Context, yield func(*cim.Instance) bool) error {
			for _, hr := range p.hosts(ctx) {
				if !yield(p.hostInstance(ctx, hr)) {
					break
				}
			}
			return nil
		},
		get: func(ctx context.Context, path cim.ObjectPath) (*cim.Instance, error) {
			id, ok := model.HostOf(path)
			if !ok {
				return nil, notFound(path)
			}
			hr, err := p.host(ctx, id)
			if err != nil {
				return nil, err
			}
			return p.hostInstance(ctx, hr), nil
		},
	}
}

// vmGet resolves the VM a path names through key with parse.
func (p *Provider) vmGet(ctx context.Context, path cim.ObjectPath, vmOf func(cim.ObjectPath) (string, bool)) (hostRef, backends.VM, error) {
	id, ok := vmOf(path)
	if !ok {
		return hostRef{}, backends.VM{}, notFound(path)
	}
	return p.findVM(ctx, id)
}

// perVM serves a class with one instance per VM.
func (p *Provider) perVM(build func(backends.VM) *cim.Instance, vmOf func(cim.ObjectPath) (string, bool)) instances {
	return instances{
		enum: func(ctx context.Context, yield func(*cim.Instance) bool) error {
			return p.eachVM(ctx, func(_ hostRef, vm backends.VM) bool { return yield(build(vm)) })
		},
		get: func(ctx context.Context, path cim.ObjectPath) (*cim.Instance, error) {
			_, vm, err := p.vmGet(ctx, path, vmOf)
			if err != nil {
				return nil, err
			}
			return build(vm), nil
		},
	}
}

func byInstanceID(parse func(string) (string, bool)) func(cim.ObjectPath) (string, bool) {
	return func(path cim.ObjectPath) (string, bool) { return parse(model.InstanceIDOf(path)) }
}

func (p *Provider) vssdProvider() instances {
	return p.perVM(p.vssdInstance, byInstanceID(model.ParseVSSDInstanceID))
}

func (p *Provider) elecProvider() instances {
	return p.perVM(func(vm backends.VM) *cim.Instance { return p.elecInstance(vm.UUID) },
		byInstanceID(model.ParseELECInstanceID))
}

// perHost serves a class with one instance per host.
func (p *Provider) perHost(build func(string) *cim.Instance, hostOf func(cim.ObjectPath) (string, bool)) instances {
	return instances{
		enum: func(ctx context.Context, yield func(*cim.Instance) bool) error {
			for _, hr := range p.hosts(ctx) {
				if !yield(build(hr.ID)) {
					break
				}
			}
			return nil
		},
		get: func(ctx context.Context, path cim.ObjectPath) (*cim.Instance, error) {
			id, ok := hostOf(path)
			if !ok {
				return nil, notFound(path)
			}
			if _, err := p.host(ctx, id); err != nil {
				return nil, err
			}
			return build(id), nil
		},
	}
}

func (p *Provider) vsmcProvider() instances {
	return p.perHost(vsmcInstance, byInstanceID(model.ParseVSMCInstanceID))
}

func (p *Provider) vsmsProvider() withMethods {
	return withMethods{p.perHost(vsmsInstance, model.VSMSHostOf), p.invokeVSMS}
}

// rasdProvider serves the RASDs of kind k: those of every VM and the
// settings that define the pools' allocation capabilities.
func (p *Provider) rasdProvider(k model.Kind) instances {
	return instances{
		enum: func(ctx context.Context, yield func(*cim.Instance) bool) error {
			s := p.scope(ctx)
			err := p.eachVM(ctx, func(hr hostRef, vm backends.VM) bool {
				return provkit.YieldAll(s.rasdInstances(hr, vm, k), yield)
			})
			if err != nil {
				return err
			}
			return p.eachPool(ctx, k, func(hr hostRef, info backends.HostInfo, v poolView) bool {
				return provkit.YieldAll(capSettings(v, info.Limits), yield)
			})
		},
		get: func(ctx context.Context, path cim.ObjectPath) (*cim.Instance, error) {
			id := model.InstanceIDOf(path)
			if poolID, _, ok := model.ParseCapSettingID(id); ok {
				hr, v, err := p.pool(ctx, poolID)
				if err != nil || v.Kind != k {
					return nil, notFound(path)
				}
				info, _ := p.hostInfo(ctx, hr)
				return pick(capSettings(v, info.Limits), path)
			}
			vmID, dev, ok := model.ParseElementID(id)
			if !ok {
				return nil, notFound(path)
			}
			hr, vm, err := p.findVM(ctx, vmID)
			if err != nil {
				return nil, notFound(path)
			}
			e, ok := findElement(vm, dev)
			if !ok || e.Kind != k || e.Dev != dev {
				return nil, notFound(path)
			}
			return p.scope(ctx).rasdInstance(hr, vm, e), nil
		},
	}
}

// eachPool calls fn with every pool of kind k (every kind when k is 0) of
// every reachable host.
func (p *Provider) eachPool(ctx context.Context, k model.Kind, fn func(hostRef, backends.HostInfo, poolView) bool) error {
	for _, hr := range p.hosts(ctx) {
		info, err := hr.H.Info(ctx)
		if err != nil {
			p.log.Warn("skip pools of an unreachable host", "host", hr.ID, "err", err)
			continue
		}
		kinds := []model.Kind{k}
		if k == 0 {
			kinds = model.Kinds()
		}
		for _, kk := range kinds {
			views, err := p.pools(ctx, hr, kk)
			if err != nil {
				p.log.Warn("skip pools of host", "host", hr.ID, "kind", kk.String(), "err", err)
				continue
			}
			for _, v := range views {
				if !fn(hr, info, v) {
					return nil
				}
			}
		}
	}
	return ctx.Err()
}

func (p *Provider) poolProvider(k model.Kind) instances {
	return instances{
		enum: func(ctx context.Context, yield func(*cim.Instance) bool) error {
			return p.eachPool(ctx, k, func(_ hostRef, _ backends.HostInfo, v poolView) bool {
				return yield(poolInstance(v))
			})
		},
		get: func(ctx context.Context, path cim.ObjectPath) (*cim.Instance, error) {
			_, v, err := p.pool(ctx, model.InstanceIDOf(path))
			if err != nil || v.Kind != k {
				return nil, notFound(path)
			}
			return poolInstance(v), nil
		},
	}
}

func (p *Provider) allocCapsProvider() instances {
	return instances{
		enum: func(ctx context.Context, yield func(*cim.Instance) bool) error {
			return p.eachPool(ctx, 0, func(_ hostRef, info backends.HostInfo, v poolView) bool {
				return yield(allocCapsInstance(v, info.Caps))
			})
		},
		get: func(ctx context.Context, path cim.ObjectPath) (*cim.Instance, error) {
			hr, v, err := p.pool(ctx, model.InstanceIDOf(path))
			if err != nil {
				return nil, notFound(path)
			}
			info, _ := p.hostInfo(ctx, hr)
			return allocCapsInstance(v, info.Caps), nil
		},
	}
}

// deviceProvider serves the virtual devices of class class, which exist
// while their VM is active.
func (p *Provider) deviceProvider(k model.Kind, class string) instances {
	return instances{
		enum: func(ctx context.Context, yield func(*cim.Instance) bool) error {
			s := p.scope(ctx)
			return p.eachVM(ctx, func(hr hostRef, vm backends.VM) bool {
				return provkit.YieldAll(s.deviceInstancesOf(hr, vm, class), yield)
			})
		},
		get: func(ctx context.Context, path cim.ObjectPath) (*cim.Instance, error) {
			vmID, dev, ok := model.DeviceOf(path)
			if !ok {
				return nil, notFound(path)
			}
			hr, vm, err := p.findVM(ctx, vmID)
			if err != nil {
				return nil, notFound(path)
			}
			e, ok := findElement(vm, dev)
			if !ok || !strings.EqualFold(e.deviceClass(), class) {
				return nil, notFound(path)
			}
			return pick(p.scope(ctx).deviceInstances(hr, vm, e), path)
		},
	}
}

func (p *Provider) volumeProvider() instances {
	return instances{
		enum: func(ctx context.Context, yield func(*cim.Instance) bool) error {
			for _, hr := range p.hosts(ctx) {
				sps, err := hr.H.Storage().ListPools(ctx)
				if err != nil {
					p.log.Warn("skip volumes of host", "host", hr.ID, "err", err)
					continue
				}
				for _, sp := range sps {
					vols, err := hr.H.Storage().ListVolumes(ctx, sp.Name)
					if err != nil {
						continue
					}
					for _, v := range vols {
						if !yield(volumeInstance(hr.ID, v)) {
							return nil
						}
					}
				}
			}
			return nil
		},
		get: func(ctx context.Context, path cim.ObjectPath) (*cim.Instance, error) {
			pool, name, ok := model.ParseVolumeDeviceID(model.KeyString(path, "DeviceID"))
			if !ok {
				return nil, notFound(path)
			}
			hr, err := p.host(ctx, model.KeyString(path, "SystemName"))
			if err != nil {
				return nil, notFound(path)
			}
			v, err := hr.H.Storage().GetVolume(ctx, backends.VolumeRef{Pool: pool, Name: name})
			if err != nil {
				return nil, model.CIMError(err, "volume %s/%s", pool, name)
			}
			return volumeInstance(hr.ID, v), nil
		},
	}
}
