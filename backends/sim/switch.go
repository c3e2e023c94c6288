package sim

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ferrum-virt/ferrum/backends"
)

// vswitch is a virtual switch; its ports are the NICs of the host's VMs.
type vswitch struct {
	spec  backends.SwitchSpec
	ports int
}

func (s *switchAPI) host() *Host { return (*Host)(s) }

// vswitch resolves a switch name. Called with h.mu held.
func (h *Host) vswitch(name string) (*vswitch, error) {
	sw, ok := h.switches[name]
	if !ok {
		return nil, fmt.Errorf("switch %q on %s: %w", name, h, backends.ErrNotFound)
	}
	return sw, nil
}

func (sw *vswitch) view() backends.Switch {
	return backends.Switch{SwitchSpec: sw.spec, Ports: sw.ports}
}

// ListSwitches lists the host's switches by name.
func (s *switchAPI) ListSwitches(ctx context.Context) ([]backends.Switch, error) {
	h := s.host()
	if err := h.lock("list switches"); err != nil {
		return nil, err
	}
	defer h.mu.Unlock()
	out := make([]backends.Switch, 0, len(h.switches))
	for _, sw := range h.switches {
		out = append(out, sw.view())
	}
	slices.SortFunc(out, func(a, b backends.Switch) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// GetSwitch reports one switch.
func (s *switchAPI) GetSwitch(ctx context.Context, name string) (backends.Switch, error) {
	h := s.host()
	if err := h.lock("get switch"); err != nil {
		return backends.Switch{}, err
	}
	defer h.mu.Unlock()
	sw, err := h.vswitch(name)
	if err != nil {
		return backends.Switch{}, err
	}
	return sw.view(), nil
}

// CreateSwitch creates an internal switch, or an external one bridged to a
// host NIC no other switch uses.
func (s *switchAPI) CreateSwitch(ctx context.Context, spec backends.SwitchSpec) (backends.Switch, error) {
	h := s.host()
	if err := h.lock("create switch"); err != nil {
		return backends.Switch{}, err
	}
	defer h.mu.Unlock()
	if err := h.checkSwitchSpec(spec); err != nil {
		return backends.Switch{}, fmt.Errorf("create switch %q on %s: %w", spec.Name, h, err)
	}
	sw := &vswitch{spec: spec}
	h.switches[spec.Name] = sw
	return sw.view(), nil
}

// checkSwitchSpec validates a new switch. Called with h.mu held.
func (h *Host) checkSwitchSpec(spec backends.SwitchSpec) error {
	if spec.Name == "" || strings.ContainsAny(spec.Name, "/\x00 ") {
		return fmt.Errorf("name %q: %w", spec.Name, backends.ErrInvalidArgument)
	}
	if _, ok := h.switches[spec.Name]; ok {
		return fmt.Errorf("name in use: %w", backends.ErrConflict)
	}
	switch spec.Kind {
	case backends.SwitchInternal:
		if spec.Uplink != "" {
			return fmt.Errorf("internal switch with uplink %q: %w", spec.Uplink, backends.ErrInvalidArgument)
		}
		return nil
	case backends.SwitchExternal:
	default:
		return fmt.Errorf("switch kind %q: %w", spec.Kind, backends.ErrInvalidArgument)
	}
	if !slices.ContainsFunc(h.info.NICs, func(n backends.HostNIC) bool { return n.Name == spec.Uplink }) {
		return fmt.Errorf("uplink %q is not a NIC of the host: %w", spec.Uplink, backends.ErrNotFound)
	}
	for _, sw := range h.switches {
		if sw.spec.Uplink == spec.Uplink {
			return fmt.Errorf("uplink %s already bridged by %q: %w", spec.Uplink, sw.spec.Name, backends.ErrConflict)
		}
	}
	return nil
}

// DeleteSwitch removes a switch without ports.
func (s *switchAPI) DeleteSwitch(ctx context.Context, name string) error {
	h := s.host()
	if err := h.lock("delete switch"); err != nil {
		return err
	}
	defer h.mu.Unlock()
	sw, err := h.vswitch(name)
	if err != nil {
		return err
	}
	if sw.ports > 0 {
		return fmt.Errorf("delete switch %q on %s: %d ports remain: %w", name, h, sw.ports, backends.ErrConflict)
	}
	delete(h.switches, name)
	return nil
}

// ListPorts lists the VM NICs on a switch, by MAC.
func (s *switchAPI) ListPorts(ctx context.Context, name string) ([]backends.Port, error) {
	h := s.host()
	if err := h.lock("list ports"); err != nil {
		return nil, err
	}
	defer h.mu.Unlock()
	if _, err := h.vswitch(name); err != nil {
		return nil, err
	}
	var out []backends.Port
	for _, v := range h.vms {
		for _, n := range v.spec.NICs {
			if n.Switch == name {
				out = append(out, backends.Port{Switch: name, VM: v.spec.UUID, MAC: n.MAC, VLAN: n.VLAN, Model: n.Model})
			}
		}
	}
	slices.SortFunc(out, func(a, b backends.Port) int { return strings.Compare(a.MAC, b.MAC) })
	return out, nil
}

// SetPortVLAN retags the port of the NIC with the given MAC.
func (s *switchAPI) SetPortVLAN(ctx context.Context, name, mac string, vlan int) error {
	if vlan < 0 || vlan > backends.MaxVLAN {
		return fmt.Errorf("vlan %d outside 0–%d: %w", vlan, backends.MaxVLAN, backends.ErrInvalidArgument)
	}
	m, err := backends.ParseMAC(mac)
	if err != nil {
		return err
	}
	h := s.host()
	if err := h.lock("set port vlan"); err != nil {
		return err
	}
	defer h.mu.Unlock()
	v, i := h.nicByMAC(m.String())
	if v == nil || v.spec.NICs[i].Switch != name {
		return fmt.Errorf("port %s on switch %q of %s: %w", mac, name, h, backends.ErrNotFound)
	}
	v.spec.NICs[i].VLAN = vlan
	h.publishVM(v, backends.EventModified, fmt.Sprintf("nic %s vlan %d", mac, vlan))
	return nil
}

// nicByMAC finds the VM and NIC index holding a MAC. Called with h.mu held.
func (h *Host) nicByMAC(mac string) (*vm, int) {
	h.dc.mu.Lock()
	m, _ := backends.ParseMAC(mac)
	owner := h.dc.macs[m]
	h.dc.mu.Unlock()
	if v, ok := h.vms[owner]; ok {
		for i, n := range v.spec.NICs {
			if n.MAC == mac {
				return v, i
			}
		}
	}
	return nil, -1
}
