package vswitch

import (
	"context"
	"fmt"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// view is one switch as the backend reports it now, with its ports.
type view struct {
	id    switchID
	sw    backends.Switch
	ports []backends.Port
}

// port returns the port of the NIC with MAC mac.
func (v view) port(mac string) (backends.Port, bool) {
	m, err := backends.ParseMAC(mac)
	if err != nil {
		return backends.Port{}, false
	}
	for _, pt := range v.ports {
		if pt.MAC == m.String() {
			return pt, true
		}
	}
	return backends.Port{}, false
}

// viewOf reads one switch of hr and its ports.
func viewOf(ctx context.Context, hr hostRef, sw backends.Switch) (view, error) {
	ports, err := hr.H.Switches().ListPorts(ctx, sw.Name)
	if err != nil {
		return view{}, fmt.Errorf("ports of switch %s on host %s: %w", sw.Name, hr.ID, err)
	}
	return view{id: switchID{Host: hr.ID, Switch: sw.Name}, sw: sw, ports: ports}, nil
}

// lookup reads the switch id names, or fails with CIM_ERR_NOT_FOUND.
func (p *Provider) lookup(ctx context.Context, id switchID) (hostRef, view, error) {
	hr, err := p.host(ctx, id.Host)
	if err != nil {
		return hostRef{}, view{}, err
	}
	sw, err := hr.H.Switches().GetSwitch(ctx, id.Switch)
	if err != nil {
		return hostRef{}, view{}, model.CIMError(err, "switch %s on host %s", id.Switch, id.Host)
	}
	v, err := viewOf(ctx, hr, sw)
	if err != nil {
		return hostRef{}, view{}, model.CIMError(err, "switch %s on host %s", id.Switch, id.Host)
	}
	return hr, v, nil
}

// switchesOn calls fn with every switch of hr until fn returns false; it
// reports whether fn wanted more.
func (p *Provider) switchesOn(ctx context.Context, hr hostRef, fn func(view) bool) (bool, error) {
	sws, err := hr.H.Switches().ListSwitches(ctx)
	if err != nil {
		return true, fmt.Errorf("switches of host %s: %w", hr.ID, err)
	}
	for _, sw := range sws {
		v, err := viewOf(ctx, hr, sw)
		if err != nil {
			p.log.WarnContext(ctx, "skip switch", "op", "vswitch", "host", hr.ID, "switch", sw.Name, "err", err)
			continue
		}
		if !fn(v) {
			return false, nil
		}
	}
	return true, nil
}

// eachSwitch calls fn with every switch of every reachable host; hosts
// that fail are logged and skipped, as package virt skips them.
func (p *Provider) eachSwitch(ctx context.Context, fn func(view) bool) error {
	for _, hr := range p.hosts(ctx) {
		more, err := p.switchesOn(ctx, hr, fn)
		if err != nil {
			p.log.WarnContext(ctx, "skip switches of an unreachable host", "op", "vswitch", "host", hr.ID, "err", err)
		}
		if !more {
			return nil
		}
	}
	return ctx.Err()
}
