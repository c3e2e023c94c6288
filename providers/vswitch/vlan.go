package vswitch

import (
	"context"
	"fmt"
	"strings"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// retag is one port VLAN change.
type retag struct {
	id       switchID
	mac      string
	from, to int
}

// modifyPorts serves ModifyResourceSettings on switch port settings: a
// port's PortVID retags it, live (0 untags it). Every setting is checked
// before anything changes; the retags run in a job and are undone if a
// later one fails. Ports are access ports: another DesiredVLANEndpointMode
// is not supported, and neither is changing an uplink.
func (p *Provider) modifyPorts(ctx context.Context, c call, in cim.Params) (cim.Value, cim.Params, bool, error) {
	rv, _ := in.Get("ResourceSettings")
	var changes []retag
	var paths []cim.ObjectPath
	for i, e := range rv.Elems() {
		ch, path, err := p.planRetag(ctx, c.hr, e.AsInstance())
		if err != nil {
			return c.fail(ctx, fmt.Errorf("ResourceSettings[%d]: %w", i, err))
		}
		paths = append(paths, path)
		if ch.from != ch.to {
			changes = append(changes, ch)
		}
	}
	out := cim.Params{{Name: "ResultingResourceSettings", Value: cim.RefArray(paths...)}}
	js := jobs.Spec{Description: fmt.Sprintf("retag %d switch ports", len(changes)), In: in}
	for _, ch := range changes {
		js.Affected = append(js.Affected, jobs.Affected{Path: ch.id.portPath(ch.mac), Effects: []uint16{jobs.EffectElementIntegrity}})
	}
	sws := c.hr.H.Switches()
	return c.run(ctx, js, out, func(ctx context.Context, pr *jobs.Progress) (cim.Params, error) {
		for n, ch := range changes {
			if err := sws.SetPortVLAN(ctx, ch.id.Switch, ch.mac, ch.to); err != nil {
				return nil, fmt.Errorf("set vlan of port %s on switch %s to %d: %w", ch.mac, ch.id.Switch, ch.to, err)
			}
			pr.Undo(fmt.Sprintf("set vlan of port %s back to %d", ch.mac, ch.from), func(ctx context.Context) error {
				return sws.SetPortVLAN(ctx, ch.id.Switch, ch.mac, ch.from)
			})
			pr.Set((n + 1) * 100 / len(changes))
		}
		return out, nil
	})
}

// planRetag checks one port setting of ModifyResourceSettings.
func (p *Provider) planRetag(ctx context.Context, hr hostRef, ri *cim.Instance) (retag, cim.ObjectPath, error) {
	if ri == nil {
		return retag{}, cim.ObjectPath{}, invalid("want an embedded Ethernet port allocation setting")
	}
	ref, ok := parseSettingID(ri.Str("InstanceID"))
	switch {
	case !ok:
		return retag{}, cim.ObjectPath{}, invalid("%s is not a switch setting; modify VM and switch settings in separate calls", ri.Str("InstanceID"))
	case ref.Host != hr.ID:
		return retag{}, cim.ObjectPath{}, invalid("switch %s is not on host %s, whose service was called", ref.name(), hr.ID)
	case ref.Part == partUplink:
		return retag{}, cim.ObjectPath{}, model.Fail(model.NotSupported, "the uplink of switch %s cannot be changed; define another switch", ref.Switch)
	case ref.Part != partPort:
		return retag{}, cim.ObjectPath{}, invalid("%s is not a switch port setting", ri.Str("InstanceID"))
	}
	_, v, err := p.lookup(ctx, ref.switchID)
	if err != nil {
		return retag{}, cim.ObjectPath{}, invalid("switch %s: %w", ref.Switch, err)
	}
	pt, ok := v.port(ref.MAC)
	if !ok {
		return retag{}, cim.ObjectPath{}, invalid("switch %s has no port %s", ref.Switch, ref.MAC)
	}
	if mv, ok := ri.Get("DesiredVLANEndpointMode"); ok && !mv.IsNull() {
		if n, _ := mv.AsUint64(); n != uint64(vlanModeAccess) {
			return retag{}, cim.ObjectPath{}, model.Fail(model.NotSupported, "DesiredVLANEndpointMode %d: ports are access ports (2)", n)
		}
	}
	ch := retag{id: ref.switchID, mac: pt.MAC, from: pt.VLAN, to: pt.VLAN}
	if vv, ok := ri.Get("PortVID"); ok && !vv.IsNull() {
		if ch.to, err = vlanOf(vv); err != nil {
			return retag{}, cim.ObjectPath{}, invalid("PortVID: %w", err)
		}
	}
	return ch, ref.portSettingPath(pt.MAC), nil
}

// vlanOf reads a VLAN ID, 0 (untagged) to backends.MaxVLAN.
func vlanOf(v cim.Value) (int, error) {
	n, ok := v.AsUint64()
	if !ok || n > backends.MaxVLAN {
		return 0, fmt.Errorf("%s is not a VLAN ID 0–%d", v.Text(), backends.MaxVLAN)
	}
	return int(n), nil
}

// modifyVLANSetting serves ModifyInstance of a port's VLAN settings: a new
// AccessVLAN retags the port live. Other properties must keep their
// values; a rejected request changes nothing.
func (p *Provider) modifyVLANSetting(ctx context.Context, path cim.ObjectPath, changes *cim.Instance) error {
	ref, ok := parseSettingID(model.InstanceIDOf(path))
	if !ok || ref.Part != partVLAN {
		return notFound(path)
	}
	hr, v, err := p.lookup(ctx, ref.switchID)
	if err != nil {
		return err
	}
	pt, ok := v.port(ref.MAC)
	if !ok {
		return notFound(path)
	}
	current := vlanSettingInstance(v, pt)
	vlan := pt.VLAN
	for _, pv := range changes.Properties {
		if old, _ := current.Get(pv.Name); cim.Equal(old, pv.Value) {
			continue
		}
		if !strings.EqualFold(pv.Name, "AccessVLAN") || pv.Value.IsNull() {
			return cim.Errorf(cim.ErrNotSupported, "%s of a port's VLAN settings cannot be changed; only AccessVLAN can", pv.Name)
		}
		if vlan, err = vlanOf(pv.Value); err != nil {
			return cim.Errorf(cim.ErrInvalidParameter, "AccessVLAN: %v", err)
		}
	}
	if vlan == pt.VLAN {
		return nil
	}
	if err := hr.H.Switches().SetPortVLAN(ctx, ref.Switch, pt.MAC, vlan); err != nil {
		return model.CIMError(fmt.Errorf("set vlan of port %s on switch %s to %d: %w", pt.MAC, ref.Switch, vlan, err), "modify %s", path)
	}
	p.log.InfoContext(ctx, "port retagged", "op", "ModifyInstance", "host", hr.ID, "switch", ref.Switch, "port", pt.MAC, "vlan", vlan)
	return nil
}
