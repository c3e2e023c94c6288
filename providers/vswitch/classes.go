package vswitch

import (
	"context"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/provkit"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// perSwitch serves a class whose instances each belong to one switch: of
// builds them from the switch's view.
type perSwitch struct {
	p  *Provider
	of func(view) []*cim.Instance
}

func (s perSwitch) EnumerateInstances(ctx context.Context, _ string, _ *cim.Class, yield func(*cim.Instance) bool) error {
	return s.p.eachSwitch(ctx, func(v view) bool { return provkit.YieldAll(s.of(v), yield) })
}

func (s perSwitch) GetInstance(ctx context.Context, _ string, path cim.ObjectPath, _ *cim.Class) (*cim.Instance, error) {
	id, ok := ownerOf(path)
	if !ok {
		return nil, notFound(path)
	}
	_, v, err := s.p.lookup(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, in := range s.of(v) {
		if matches(in, path) {
			return in, nil
		}
	}
	return nil, notFound(path)
}

// vlanSettings adds ModifyInstance to the VLAN settings: AccessVLAN retags
// the port.
type vlanSettings struct{ perSwitch }

func (s vlanSettings) ModifyInstance(ctx context.Context, _ string, _ *cim.Class, path cim.ObjectPath, in *cim.Instance) error {
	return s.p.modifyVLANSetting(ctx, path, in)
}

func one(build func(view) *cim.Instance) func(view) []*cim.Instance {
	return func(v view) []*cim.Instance { return []*cim.Instance{build(v)} }
}

// classes returns the provider of every class this package serves itself.
func (p *Provider) classes() map[string]cimom.InstanceProvider {
	return map[string]cimom.InstanceProvider{
		ClassSwitch:          perSwitch{p, one(switchInstance)},
		ClassSwitchSettings:  perSwitch{p, one(settingsInstance)},
		ClassPortSettings:    perSwitch{p, portSettings},
		ClassPort:            perSwitch{p, func(v view) []*cim.Instance { return perPort(v, portInstance) }},
		ClassVLANEndpoint:    perSwitch{p, func(v view) []*cim.Instance { return perPort(v, endpointInstance) }},
		ClassVLANSettings:    vlanSettings{perSwitch{p, func(v view) []*cim.Instance { return perPort(v, vlanSettingInstance) }}},
		AssocHostedAccessSAP: association{p, hostedAccessPoints, nil},
	}
}

func notFound(path cim.ObjectPath) error { return cim.Errorf(cim.ErrNotFound, "no instance %s", path) }

// matches reports whether every key of path has the same value in in;
// reference keys compare as paths, ignoring hosts.
func matches(in *cim.Instance, path cim.ObjectPath) bool {
	for _, k := range path.Keys {
		v, ok := in.Get(k.Name)
		if !ok {
			return false
		}
		if r, isRef := v.AsRef(); isRef {
			kr, ok := k.Value.AsRef()
			if !ok || !provkit.Local(r, model.Namespace).Equal(provkit.Local(kr, model.Namespace)) {
				return false
			}
			continue
		}
		sameText := v.Type() == cim.TypeString && strings.EqualFold(v.Str(), k.Value.Str())
		if !cim.Equal(v, k.Value) && !sameText {
			return false
		}
	}
	return true
}
