package migration

import (
	"context"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/providers/provkit"
	"github.com/ferrum-virt/ferrum/providers/virt"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// extensions are the links this package adds to the virtualization
// provider's association classes: host → service (HostedService), service →
// capabilities and job capabilities (ElementCapabilities), capabilities →
// default settings (SettingsDefineCapabilities).
func (p *Provider) extensions() map[string]virt.Extension {
	return map[string]virt.Extension{
		model.AssocHostedService: p.perHost(func(host string) []*cim.Instance {
			return []*cim.Instance{provkit.Link(model.AssocHostedService, "Antecedent", model.HostPath(host), "Dependent", ServicePath(host))}
		}),
		model.AssocElementCaps: p.perHost(func(host string) []*cim.Instance {
			out := []*cim.Instance{provkit.Link(model.AssocElementCaps, "ManagedElement", ServicePath(host), "Capabilities", CapsPath(host))}
			if p.jobs != nil {
				out = append(out, provkit.Link(model.AssocElementCaps, "ManagedElement", ServicePath(host), "Capabilities", p.jobs.CapabilitiesPath()))
			}
			return out
		}),
		model.AssocSettingsDefCaps: p.perHost(func(host string) []*cim.Instance {
			return []*cim.Instance{provkit.Link(model.AssocSettingsDefCaps, "GroupComponent", CapsPath(host), "PartComponent", SettingsPath(host),
				"PropertyPolicy", cim.Uint16(0), "ValueRole", cim.Uint16(0), "ValueRange", cim.Uint16(0))}
		}),
	}
}

// perHost serves links that each belong to one host.
func (p *Provider) perHost(links func(host string) []*cim.Instance) virt.Extension {
	refs := func(ctx context.Context, target cim.ObjectPath, yield func(*cim.Instance) bool) error {
		for _, host := range p.targetHosts(ctx, target) {
			if !provkit.YieldAll(links(host), yield) {
				return nil
			}
		}
		return nil
	}
	return virt.Extension{
		Enumerate: func(ctx context.Context, yield func(*cim.Instance) bool) error {
			for _, h := range p.hosts(ctx) {
				if !provkit.YieldAll(links(h.id), yield) {
					return nil
				}
			}
			return ctx.Err()
		},
		References: refs,
		Get: func(ctx context.Context, path cim.ObjectPath) (*cim.Instance, error) {
			var found *cim.Instance
			for _, k := range path.Keys {
				target, ok := k.Value.AsRef()
				if !ok || found != nil {
					continue
				}
				err := refs(ctx, target, func(in *cim.Instance) bool {
					if matches(in, path) {
						found = in
					}
					return found == nil
				})
				if err != nil {
					return nil, err
				}
			}
			return found, nil
		},
	}
}

// targetHosts returns the hosts whose links may refer to target: the host
// of a host, service, capabilities or settings path that exists, every
// host for the job capabilities.
func (p *Provider) targetHosts(ctx context.Context, target cim.ObjectPath) []string {
	if model.Is(target, jobs.CapabilitiesClass) {
		var out []string
		for _, h := range p.hosts(ctx) {
			out = append(out, h.id)
		}
		return out
	}
	for _, of := range []func(cim.ObjectPath) (string, bool){model.HostOf, serviceHost, capsHost, settingsHost} {
		if host, ok := of(target); ok {
			if _, err := p.host(ctx, host); err != nil {
				return nil
			}
			return []string{host}
		}
	}
	return nil
}

// matches reports whether every key of path has the same value in in,
// comparing references without their hosts.
func matches(in *cim.Instance, path cim.ObjectPath) bool {
	for _, k := range path.Keys {
		v, ok := in.Get(k.Name)
		if !ok {
			return false
		}
		a, aRef := v.AsRef()
		b, bRef := k.Value.AsRef()
		switch {
		case aRef && bRef:
			if !provkit.Local(a, model.Namespace).Equal(provkit.Local(b, model.Namespace)) {
				return false
			}
		case !cim.Equal(v, k.Value):
			return false
		}
	}
	return true
}
