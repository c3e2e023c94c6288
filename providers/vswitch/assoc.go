package vswitch

import (
	"context"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/provkit"
	"github.com/ferrum-virt/ferrum/providers/virt"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// association serves the links of one association class: of builds those
// of one switch; hostOf, when set, names the host objects (the host, its
// management service) that are linked to all of a host's switches.
type association struct {
	p      *Provider
	of     func(view) []*cim.Instance
	hostOf func(cim.ObjectPath) (string, bool)
}

func (a association) EnumerateInstances(ctx context.Context, _ string, _ *cim.Class, yield func(*cim.Instance) bool) error {
	return a.enumerate(ctx, yield)
}

func (a association) GetInstance(ctx context.Context, _ string, path cim.ObjectPath, _ *cim.Class) (*cim.Instance, error) {
	in, err := a.get(ctx, path)
	if in == nil && err == nil {
		err = notFound(path)
	}
	return in, err
}

func (a association) References(ctx context.Context, _ string, _ *cim.Class, target cim.ObjectPath, _ string, yield func(*cim.Instance) bool) error {
	return a.references(ctx, target, yield)
}

func (a association) enumerate(ctx context.Context, yield func(*cim.Instance) bool) error {
	return a.p.eachSwitch(ctx, func(v view) bool { return provkit.YieldAll(a.of(v), yield) })
}

// references yields the links of the switch target belongs to, or of
// every switch of the host target is (a superset of target's links).
func (a association) references(ctx context.Context, target cim.ObjectPath, yield func(*cim.Instance) bool) error {
	target = provkit.Local(target, model.Namespace)
	if a.hostOf != nil {
		if id, ok := a.hostOf(target); ok {
			hr, err := a.p.host(ctx, id)
			if err != nil {
				return nil // no such host, no links
			}
			_, err = a.p.switchesOn(ctx, hr, func(v view) bool { return provkit.YieldAll(a.of(v), yield) })
			return model.CIMError(err, "switches of host %s", id)
		}
	}
	id, ok := ownerOf(target)
	if !ok {
		return nil
	}
	_, v, err := a.p.lookup(ctx, id)
	if err != nil {
		return nil // a switch that does not exist has no links
	}
	provkit.YieldAll(a.of(v), yield)
	return nil
}

// get finds an association instance through its references; (nil, nil)
// when it is not one of this package's.
func (a association) get(ctx context.Context, path cim.ObjectPath) (*cim.Instance, error) {
	for _, k := range path.Keys {
		ref, ok := k.Value.AsRef()
		if !ok {
			continue
		}
		var found *cim.Instance
		err := a.references(ctx, ref, func(in *cim.Instance) bool {
			if matches(in, path) {
				found = in
			}
			return found == nil
		})
		if err != nil || found != nil {
			return found, err
		}
	}
	return nil, nil
}

// extension makes a an extension of package virt's association class.
func (a association) extension() virt.Extension {
	return virt.Extension{Enumerate: a.enumerate, Get: a.get, References: a.references}
}

// eachPort builds one link per port of v.
func eachPort(v view, build func(backends.Port) *cim.Instance) []*cim.Instance {
	out := make([]*cim.Instance, 0, len(v.ports))
	for _, pt := range v.ports {
		out = append(out, build(pt))
	}
	return out
}

// extensions returns what this package adds to package virt's classes.
func (p *Provider) extensions() map[string]virt.Extension {
	assocs := map[string]association{
		model.AssocHostedDependency:   {p, hostedDependency, model.HostOf},
		model.AssocServiceAffects:     {p, serviceAffects, model.VSMSHostOf},
		model.AssocSystemDevice:       {p, systemDevices, nil},
		model.AssocVSSDComponent:      {p, settingsComponents, nil},
		model.AssocSettingsDefState:   {p, settingsDefineState, nil},
		model.AssocElementSettingData: {p, elementSettingData, nil},
	}
	out := map[string]virt.Extension{model.ClassVSMS: {Invoke: p.invokeVSMS}}
	for class, a := range assocs {
		out[class] = a.extension()
	}
	return out
}

// hostedDependency links the host to the switch (DSP1097: the switch is a
// virtual system hosted by the host system).
func hostedDependency(v view) []*cim.Instance {
	return []*cim.Instance{provkit.Link(model.AssocHostedDependency,
		"Antecedent", model.HostPath(v.id.Host), "Dependent", v.id.path())}
}

// serviceAffects links the host's management service to the switch it
// manages.
func serviceAffects(v view) []*cim.Instance {
	return []*cim.Instance{provkit.Link(model.AssocServiceAffects,
		"AffectingElement", model.VSMSPath(v.id.Host), "AffectedElement", v.id.path(),
		"ElementEffects", cim.Uint16Array(5))} // Manages
}

// systemDevices links the switch to its ports.
func systemDevices(v view) []*cim.Instance {
	return eachPort(v, func(pt backends.Port) *cim.Instance {
		return provkit.Link(model.AssocSystemDevice, "GroupComponent", v.id.path(), "PartComponent", v.id.portPath(pt.MAC))
	})
}

// settingsComponents links the switch's settings to its port and uplink
// settings.
func settingsComponents(v view) []*cim.Instance {
	var out []*cim.Instance
	for _, in := range portSettings(v) {
		out = append(out, provkit.Link(model.AssocVSSDComponent, "GroupComponent", v.id.settingsPath(),
			"PartComponent", instanceIDPath(ClassPortSettings, in.Str("InstanceID"))))
	}
	return out
}

// settingsDefineState links the switch to its settings and each port to
// its port setting.
func settingsDefineState(v view) []*cim.Instance {
	out := []*cim.Instance{provkit.Link(model.AssocSettingsDefState, "ManagedElement", v.id.path(), "SettingData", v.id.settingsPath())}
	return append(out, eachPort(v, func(pt backends.Port) *cim.Instance {
		return provkit.Link(model.AssocSettingsDefState, "ManagedElement", v.id.portPath(pt.MAC), "SettingData", v.id.portSettingPath(pt.MAC))
	})...)
}

// elementSettingData links the switch's settings and port settings to
// themselves, as package virt does for a VM (the backends keep one
// configuration: state, default and next at once), and each VLAN endpoint
// to its VLAN settings.
func elementSettingData(v view) []*cim.Instance {
	esd := func(elem, sd cim.ObjectPath) *cim.Instance {
		return provkit.Link(model.AssocElementSettingData, "ManagedElement", elem, "SettingData", sd,
			"IsDefault", cim.Uint16(1), "IsCurrent", cim.Uint16(1), "IsNext", cim.Uint16(1))
	}
	out := []*cim.Instance{esd(v.id.settingsPath(), v.id.settingsPath())}
	for _, in := range portSettings(v) {
		sp := instanceIDPath(ClassPortSettings, in.Str("InstanceID"))
		out = append(out, esd(sp, sp))
	}
	return append(out, eachPort(v, func(pt backends.Port) *cim.Instance {
		return esd(v.id.endpointPath(pt.MAC), v.id.vlanSettingPath(pt.MAC))
	})...)
}

// hostedAccessPoints links the switch to the VLAN endpoints of its ports.
func hostedAccessPoints(v view) []*cim.Instance {
	return eachPort(v, func(pt backends.Port) *cim.Instance {
		return provkit.Link(AssocHostedAccessSAP, "Antecedent", v.id.path(), "Dependent", v.id.endpointPath(pt.MAC))
	})
}
