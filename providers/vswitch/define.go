package vswitch

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// defineSwitch serves DefineSystem with a switch setting: ElementName (or
// VirtualSystemIdentifier) names the switch; a switch port allocation with
// ResourceType 33 among ResourceSettings, whose HostResource[0] (or
// Connection[0]) is a host NIC, makes it external. The request is checked
// at once (4 for a bad one, nothing created); the switch is created in a
// job and returned as ResultingSystem.
func (p *Provider) defineSwitch(ctx context.Context, c call, in cim.Params) (cim.Value, cim.Params, bool, error) {
	spec, err := p.planSwitch(ctx, c.hr, in)
	if err != nil {
		return c.fail(ctx, err)
	}
	id := switchID{Host: c.hr.ID, Switch: spec.Name}
	out := cim.Params{{Name: "ResultingSystem", Value: cim.Ref(id.path())}}
	js := jobs.Spec{Description: "define " + describeSpec(spec) + " " + spec.Name, In: in,
		Affected: []jobs.Affected{{Path: id.path(), Effects: []uint16{jobs.EffectCreate}}}}
	sws := c.hr.H.Switches()
	return c.run(ctx, js, out, func(ctx context.Context, pr *jobs.Progress) (cim.Params, error) {
		if _, err := sws.CreateSwitch(ctx, spec); err != nil {
			return nil, fmt.Errorf("create switch %s: %w", spec.Name, err)
		}
		pr.Undo("delete switch "+spec.Name, func(ctx context.Context) error { return sws.DeleteSwitch(ctx, spec.Name) })
		return out, nil
	})
}

func describeSpec(s backends.SwitchSpec) string {
	if s.Kind == backends.SwitchExternal {
		return "external switch (uplink " + s.Uplink + ")"
	}
	return "internal switch"
}

// planSwitch turns DefineSystem's parameters into a switch spec and checks
// it against the host: the name free, the uplink a host NIC no switch
// bridges yet.
func (p *Provider) planSwitch(ctx context.Context, hr hostRef, in cim.Params) (backends.SwitchSpec, error) {
	sv, _ := in.Get("SystemSettings")
	ss := sv.AsInstance()
	name := ss.Str("ElementName")
	if name == "" {
		name = ss.Str("VirtualSystemIdentifier")
	}
	if name == "" || strings.ContainsAny(name, "/\x00 ") {
		return backends.SwitchSpec{}, invalid("SystemSettings.ElementName %q is not a switch name (non-empty, no '/' or spaces)", name)
	}
	if rv, ok := in.Get("ReferenceConfiguration"); ok && !rv.IsNull() {
		return backends.SwitchSpec{}, invalid("ReferenceConfiguration is not supported for virtual switches")
	}
	spec := backends.SwitchSpec{Name: name, Kind: backends.SwitchInternal}
	rv, _ := in.Get("ResourceSettings")
	for i, e := range rv.Elems() {
		uplink, err := uplinkOf(e.AsInstance())
		if err != nil {
			return backends.SwitchSpec{}, invalid("ResourceSettings[%d]: %w", i, err)
		}
		if spec.Uplink != "" {
			return backends.SwitchSpec{}, invalid("ResourceSettings[%d]: a switch has at most one uplink", i)
		}
		spec.Kind, spec.Uplink = backends.SwitchExternal, uplink
	}
	if err := p.checkSpec(ctx, hr, spec); err != nil {
		return backends.SwitchSpec{}, err
	}
	return spec, nil
}

// uplinkOf reads the host NIC of an uplink setting.
func uplinkOf(ri *cim.Instance) (string, error) {
	if ri == nil {
		return "", errors.New("want an embedded Ethernet port allocation setting")
	}
	rt, _ := ri.Get("ResourceType")
	if n, _ := rt.AsUint64(); n != uint64(rtConnection) {
		return "", fmt.Errorf("ResourceType %s: a new switch takes only its uplink (33 Ethernet Connection); its ports are VM NICs", rt.Text())
	}
	for _, prop := range []string{"HostResource", "Connection"} {
		if v, ok := ri.Get(prop); ok && v.Len() > 0 && v.Index(0).Str() != "" {
			return v.Index(0).Str(), nil
		}
	}
	return "", errors.New("the uplink names no host NIC in HostResource or Connection")
}

// checkSpec refuses what CreateSwitch would refuse, before any job starts.
func (p *Provider) checkSpec(ctx context.Context, hr hostRef, spec backends.SwitchSpec) error {
	sws, err := hr.H.Switches().ListSwitches(ctx)
	if err != nil {
		return fmt.Errorf("switches of host %s: %w", hr.ID, err)
	}
	for _, sw := range sws {
		if sw.Name == spec.Name {
			return invalid("switch %s already exists on host %s", spec.Name, hr.ID)
		}
		if spec.Uplink != "" && sw.Uplink == spec.Uplink {
			return invalid("host NIC %s is already the uplink of switch %s", spec.Uplink, sw.Name)
		}
	}
	if spec.Uplink == "" {
		return nil
	}
	info, err := hr.H.Info(ctx)
	if err != nil {
		return fmt.Errorf("host %s: %w", hr.ID, err)
	}
	if !slices.ContainsFunc(info.NICs, func(n backends.HostNIC) bool { return n.Name == spec.Uplink }) {
		return invalid("%s is not a NIC of host %s", spec.Uplink, hr.ID)
	}
	return nil
}

// destroySwitch serves DestroySystem on a switch: refused with 5 (Invalid
// State) while VM NICs remain on it, 4 when it is not a switch of this
// host; otherwise deleted in a job.
func (p *Provider) destroySwitch(ctx context.Context, c call, in cim.Params) (cim.Value, cim.Params, bool, error) {
	av, _ := in.Get("AffectedSystem")
	ref, _ := av.AsRef()
	id, _ := switchOf(ref)
	if id.Host != c.hr.ID {
		return c.fail(ctx, invalid("switch %s is not on host %s, whose service was called", id.name(), c.hr.ID))
	}
	_, v, err := p.lookup(ctx, id)
	if err != nil {
		return c.fail(ctx, invalid("AffectedSystem: %w", err))
	}
	if len(v.ports) > 0 {
		return c.fail(ctx, model.Fail(model.InvalidState, "switch %s has %d ports: remove or move their VM NICs first", id.Switch, len(v.ports)))
	}
	js := jobs.Spec{Description: "destroy switch " + id.Switch, In: in,
		Affected: []jobs.Affected{{Path: id.path(), Effects: []uint16{jobs.EffectElementIntegrity}}}}
	sws := c.hr.H.Switches()
	spec := v.sw.SwitchSpec
	return c.run(ctx, js, nil, func(ctx context.Context, pr *jobs.Progress) (cim.Params, error) {
		if err := sws.DeleteSwitch(ctx, id.Switch); err != nil {
			return nil, fmt.Errorf("delete switch %s: %w", id.Switch, err)
		}
		pr.Undo("create switch "+id.Switch+" again", func(ctx context.Context) error {
			_, err := sws.CreateSwitch(ctx, spec)
			return err
		})
		return nil, nil
	})
}
