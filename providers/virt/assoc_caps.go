package virt

import (
	"context"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/providers/provkit"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

func capsLink(element, caps cim.ObjectPath) *cim.Instance {
	return provkit.Link(model.AssocElementCaps, "ManagedElement", element, "Capabilities", caps)
}

// hostCapsLinks are a host's ElementCapabilities: the host and its
// management service to the management capabilities, the service to the
// job capabilities.
func (p *Provider) hostCapsLinks(host string) []*cim.Instance {
	out := []*cim.Instance{
		capsLink(model.HostPath(host), model.VSMCPath(host)),
		capsLink(model.VSMSPath(host), model.VSMCPath(host)),
	}
	if p.jobs != nil {
		out = append(out, capsLink(model.VSMSPath(host), p.jobs.CapabilitiesPath()))
	}
	return out
}

func poolCapsLink(v poolView) *cim.Instance {
	return capsLink(model.PoolPath(v.Kind, v.ID()), model.AllocCapsPath(v.ID()))
}

func (p *Provider) elementCapabilities() association {
	vmLink := func(vm string) *cim.Instance { return capsLink(model.VMPath(vm), model.ELECPath(vm)) }
	return association{
		roles: []string{"ManagedElement", "Capabilities"},
		enum: func(ctx context.Context, yield func(*cim.Instance) bool) error {
			for _, hr := range p.hosts(ctx) {
				if !provkit.YieldAll(p.hostCapsLinks(hr.ID), yield) {
					return nil
				}
			}
			more := true
			err := p.eachVM(ctx, func(_ hostRef, vm backends.VM) bool {
				more = yield(vmLink(vm.UUID))
				return more
			})
			if err != nil || !more {
				return err
			}
			return p.eachPool(ctx, 0, func(_ hostRef, _ backends.HostInfo, v poolView) bool { return yield(poolCapsLink(v)) })
		},
		refs: func(ctx context.Context, target cim.ObjectPath, yield func(*cim.Instance) bool) error {
			id := model.InstanceIDOf(target)
			if host, ok := model.HostOf(target); ok {
				return p.hostCaps(ctx, host, yield)
			}
			if host, ok := model.VSMSHostOf(target); ok {
				return p.hostCaps(ctx, host, yield)
			}
			if host, ok := model.ParseVSMCInstanceID(id); ok && model.Is(target, model.ClassVSMC) {
				return p.hostCaps(ctx, host, yield)
			}
			if model.Is(target, jobs.CapabilitiesClass) {
				for _, hr := range p.hosts(ctx) {
					if !provkit.YieldAll(p.hostCapsLinks(hr.ID), yield) {
						break
					}
				}
				return nil
			}
			vm, ok := model.VMOf(target)
			if !ok && model.Is(target, model.ClassELEC) {
				vm, ok = model.ParseELECInstanceID(id)
			}
			if ok {
				if _, _, err := p.findVM(ctx, vm); err != nil {
					return err
				}
				yield(vmLink(vm))
				return nil
			}
			if _, isPool := model.KindOfPoolClass(target.ClassName); isPool || model.Is(target, model.ClassAllocCaps) {
				_, v, err := p.pool(ctx, id)
				if err != nil {
					return err
				}
				yield(poolCapsLink(v))
			}
			return nil
		},
	}
}

func (p *Provider) hostCaps(ctx context.Context, host string, yield func(*cim.Instance) bool) error {
	if _, err := p.host(ctx, host); err != nil {
		return err
	}
	provkit.YieldAll(p.hostCapsLinks(host), yield)
	return nil
}

// sdcLinks are the SettingsDefineCapabilities of one pool.
func sdcLinks(v poolView, limits backends.Limits) []*cim.Instance {
	settings := capSettings(v, limits)
	out := make([]*cim.Instance, len(settings))
	for i, s := range settings {
		_, role, _ := model.ParseCapSettingID(s.Str("InstanceID"))
		vrole, vrange := sdcValues(role)
		out[i] = provkit.Link(model.AssocSettingsDefCaps,
			"GroupComponent", model.AllocCapsPath(v.ID()),
			"PartComponent", model.CapSettingPath(v.Kind, v.ID(), role),
			"PropertyPolicy", cim.Uint16(0), "ValueRole", cim.Uint16(vrole), "ValueRange", cim.Uint16(vrange))
	}
	return out
}

func (p *Provider) settingsDefineCapabilities() association {
	return association{
		roles: []string{"GroupComponent", "PartComponent"},
		enum: func(ctx context.Context, yield func(*cim.Instance) bool) error {
			return p.eachPool(ctx, 0, func(_ hostRef, info backends.HostInfo, v poolView) bool {
				return provkit.YieldAll(sdcLinks(v, info.Limits), yield)
			})
		},
		refs: func(ctx context.Context, target cim.ObjectPath, yield func(*cim.Instance) bool) error {
			poolID := model.InstanceIDOf(target)
			if !model.Is(target, model.ClassAllocCaps) {
				if _, ok := model.KindOfRASDClass(target.ClassName); !ok {
					return nil
				}
				var ok bool
				if poolID, _, ok = model.ParseCapSettingID(poolID); !ok {
					return nil
				}
			}
			hr, v, err := p.pool(ctx, poolID)
			if err != nil {
				return err
			}
			info, _ := p.hostInfo(ctx, hr)
			provkit.YieldAll(sdcLinks(v, info.Limits), yield)
			return nil
		},
	}
}
