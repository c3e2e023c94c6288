package libvirt

import (
	"context"
	"encoding/xml"
	"fmt"
	"slices"
	"strconv"
	"strings"

	golibvirt "github.com/digitalocean/go-libvirt"

	"github.com/ferrum-virt/ferrum/backends"
)

// Ferrum's switches are libvirt networks (formatnetwork.html). An internal
// switch is an isolated network: a bridge with no forwarding and no
// addresses, so its ports reach only each other. An external switch
// attaches its ports to a host NIC in macvtap bridge mode. Networks Ferrum
// did not create show as external when they forward (nat, route, bridge),
// internal otherwise.
//
// libvirt tags ports with a VLAN only on Open vSwitch, SR-IOV and macvtap
// passthrough networks, not on the Linux bridges internal switches are. An
// internal switch is therefore segmented: VLAN n of switch "sw" is an
// isolated network of its own, "sw#n", created when a port first needs it,
// so ports see exactly the ports of their VLAN, and a running VM's port
// moves between segments when it is retagged. Segments are not listed as
// switches and go when their switch does.

// vlanSep separates a switch name from the VLAN of one of its segments.
const vlanSep = "#"

// segmentName names the network of VLAN vlan of switch sw.
func segmentName(sw string, vlan int) string { return sw + vlanSep + strconv.Itoa(vlan) }

// splitSegment tells a segment network's switch and VLAN.
func splitSegment(name string) (sw string, vlan int, ok bool) {
	i := strings.LastIndex(name, vlanSep)
	if i <= 0 {
		return "", 0, false
	}
	vlan, err := strconv.Atoi(name[i+1:])
	if err != nil || vlan < 1 || vlan > backends.MaxVLAN || strconv.Itoa(vlan) != name[i+1:] {
		return "", 0, false
	}
	return name[:i], vlan, true
}

// segmented tells whether switch sw is segmented (internal), failing with
// ErrNotFound for an unknown switch.
func (h *Host) segmented(sw string) (bool, error) {
	n, err := h.l.NetworkLookupByName(sw)
	if err != nil {
		return false, wrap(err, "switch %q on %s", sw, h)
	}
	spec, err := h.switchSpec(n)
	return spec.Kind == backends.SwitchInternal, err
}

// ensureSegment creates and starts the network of VLAN vlan of switch sw
// unless it runs already. Called with h.mu held.
func (h *Host) ensureSegment(sw string, vlan int) error {
	name := segmentName(sw, vlan)
	n, err := h.l.NetworkLookupByName(name)
	if err != nil {
		text, _ := xml.Marshal(networkXMLOf(backends.SwitchSpec{Name: name, Kind: backends.SwitchInternal}))
		if n, err = h.l.NetworkDefineXML(string(text)); err != nil {
			return wrap(err, "define vlan segment %q on %s", name, h)
		}
		if err := h.l.NetworkSetAutostart(n, 1); err != nil {
			return wrap(err, "autostart vlan segment %q on %s", name, h)
		}
	}
	if active, _ := h.l.NetworkIsActive(n); active != 1 {
		return wrap(h.l.NetworkCreate(n), "start vlan segment %q on %s", name, h)
	}
	return nil
}

// removeNetwork stops and undefines a network.
func (h *Host) removeNetwork(n golibvirt.Network) error {
	if active, _ := h.l.NetworkIsActive(n); active == 1 {
		if err := h.l.NetworkDestroy(n); err != nil {
			return wrap(err, "stop switch %q on %s", n.Name, h)
		}
	}
	return wrap(h.l.NetworkUndefine(n), "undefine switch %q on %s", n.Name, h)
}

// networkXML is the part of a network document Ferrum reads and writes.
type networkXML struct {
	XMLName xml.Name    `xml:"network"`
	Name    string      `xml:"name"`
	Forward *forwardXML `xml:"forward"`
	Bridge  *bridgeXML  `xml:"bridge"`
}

type forwardXML struct {
	Mode       string         `xml:"mode,attr,omitempty"`
	Dev        string         `xml:"dev,attr,omitempty"`
	Interfaces []ifaceDevAttr `xml:"interface"`
}

type ifaceDevAttr struct {
	Dev string `xml:"dev,attr"`
}

type bridgeXML struct {
	Name  string `xml:"name,attr,omitempty"`
	STP   string `xml:"stp,attr,omitempty"`
	Delay string `xml:"delay,attr,omitempty"`
}

// networkXMLOf renders a switch spec.
func networkXMLOf(spec backends.SwitchSpec) networkXML {
	x := networkXML{Name: spec.Name}
	if spec.Kind == backends.SwitchExternal {
		x.Forward = &forwardXML{Mode: "bridge", Interfaces: []ifaceDevAttr{{Dev: spec.Uplink}}}
	} else {
		x.Bridge = &bridgeXML{STP: "on", Delay: "0"}
	}
	return x
}

// switchSpecOf reads a network back as a switch spec.
func switchSpecOf(x networkXML) backends.SwitchSpec {
	spec := backends.SwitchSpec{Name: x.Name, Kind: backends.SwitchInternal}
	if f := x.Forward; f != nil && f.Mode != "none" {
		spec.Kind = backends.SwitchExternal
		spec.Uplink = f.Dev
		if len(f.Interfaces) > 0 {
			spec.Uplink = f.Interfaces[0].Dev
		}
	}
	return spec
}

func (s *switchAPI) host() *Host { return (*Host)(s) }

// switchSpec reads one network.
func (h *Host) switchSpec(n golibvirt.Network) (backends.SwitchSpec, error) {
	text, err := h.l.NetworkGetXMLDesc(n, 0)
	if err != nil {
		return backends.SwitchSpec{}, wrap(err, "get xml of switch %q on %s", n.Name, h)
	}
	var x networkXML
	if err := xml.Unmarshal([]byte(text), &x); err != nil {
		return backends.SwitchSpec{}, fmt.Errorf("parse switch %q on %s: %w", n.Name, h, err)
	}
	return switchSpecOf(x), nil
}

// ports lists the VM NICs on the switch named sw, by MAC.
func ports(sw string, defs []definition) []backends.Port {
	var out []backends.Port
	for _, d := range defs {
		for _, n := range d.spec.NICs {
			if n.Switch == sw {
				out = append(out, backends.Port{Switch: sw, VM: d.spec.UUID, MAC: n.MAC, VLAN: n.VLAN, Model: n.Model})
			}
		}
	}
	slices.SortFunc(out, func(a, b backends.Port) int { return strings.Compare(a.MAC, b.MAC) })
	return out
}

// ListSwitches lists the host's switches by name.
func (s *switchAPI) ListSwitches(ctx context.Context) ([]backends.Switch, error) {
	h := s.host()
	if err := h.alive(ctx); err != nil {
		return nil, err
	}
	nets, _, err := h.l.ConnectListAllNetworks(1, 0)
	if err != nil {
		return nil, wrap(err, "list switches on %s", h)
	}
	defs, err := h.definitions()
	if err != nil {
		return nil, err
	}
	out := make([]backends.Switch, 0, len(nets))
	for _, n := range nets {
		if _, _, ok := splitSegment(n.Name); ok {
			continue
		}
		spec, err := h.switchSpec(n)
		if isCode(err, golibvirt.ErrNoNetwork) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, backends.Switch{SwitchSpec: spec, Ports: len(ports(spec.Name, defs))})
	}
	slices.SortFunc(out, func(a, b backends.Switch) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// GetSwitch reports one switch.
func (s *switchAPI) GetSwitch(ctx context.Context, name string) (backends.Switch, error) {
	h := s.host()
	if err := h.alive(ctx); err != nil {
		return backends.Switch{}, err
	}
	n, err := h.l.NetworkLookupByName(name)
	if err != nil {
		return backends.Switch{}, wrap(err, "switch %q on %s", name, h)
	}
	spec, err := h.switchSpec(n)
	if err != nil {
		return backends.Switch{}, err
	}
	defs, err := h.definitions()
	if err != nil {
		return backends.Switch{}, err
	}
	return backends.Switch{SwitchSpec: spec, Ports: len(ports(name, defs))}, nil
}

// CreateSwitch defines, starts and autostarts a network: isolated for an
// internal switch, macvtap bridge mode on the uplink NIC for an external
// one.
func (s *switchAPI) CreateSwitch(ctx context.Context, spec backends.SwitchSpec) (backends.Switch, error) {
	h := s.host()
	if err := h.alive(ctx); err != nil {
		return backends.Switch{}, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.checkSwitchSpec(spec); err != nil {
		return backends.Switch{}, fmt.Errorf("create switch %q on %s: %w", spec.Name, h, err)
	}
	text, _ := xml.Marshal(networkXMLOf(spec))
	n, err := h.l.NetworkDefineXML(string(text))
	if err != nil {
		return backends.Switch{}, wrap(err, "define switch %q on %s", spec.Name, h)
	}
	if err := h.l.NetworkCreate(n); err != nil {
		_ = h.l.NetworkUndefine(n)
		return backends.Switch{}, wrap(err, "start switch %q on %s", spec.Name, h)
	}
	if err := h.l.NetworkSetAutostart(n, 1); err != nil {
		return backends.Switch{}, wrap(err, "autostart switch %q on %s", spec.Name, h)
	}
	h.log.Debug("libvirt create switch", "op", "create-switch", "host", h.static.Hostname, "switch", spec.Name)
	return backends.Switch{SwitchSpec: spec}, nil
}

// checkSwitchSpec validates a new switch against the host's. Called with
// h.mu held.
func (h *Host) checkSwitchSpec(spec backends.SwitchSpec) error {
	if spec.Name == "" || strings.ContainsAny(spec.Name, "/\x00 "+vlanSep) {
		return fmt.Errorf("name %q: %w", spec.Name, backends.ErrInvalidArgument)
	}
	if _, err := h.l.NetworkLookupByName(spec.Name); err == nil {
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
	nics, _ := h.hostDevices()
	if !slices.ContainsFunc(nics, func(n backends.HostNIC) bool { return n.Name == spec.Uplink }) {
		return fmt.Errorf("uplink %q is not a NIC of the host: %w", spec.Uplink, backends.ErrNotFound)
	}
	nets, _, err := h.l.ConnectListAllNetworks(1, 0)
	if err != nil {
		return wrap(err, "list switches")
	}
	for _, n := range nets {
		if other, err := h.switchSpec(n); err == nil && other.Uplink == spec.Uplink {
			return fmt.Errorf("uplink %s already bridged by %q: %w", spec.Uplink, other.Name, backends.ErrConflict)
		}
	}
	return nil
}

// DeleteSwitch stops and undefines a switch without ports.
func (s *switchAPI) DeleteSwitch(ctx context.Context, name string) error {
	h := s.host()
	if err := h.alive(ctx); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	n, err := h.l.NetworkLookupByName(name)
	if err != nil {
		return wrap(err, "switch %q on %s", name, h)
	}
	defs, err := h.definitions()
	if err != nil {
		return err
	}
	if p := ports(name, defs); len(p) > 0 {
		return fmt.Errorf("delete switch %q on %s: %d ports remain: %w", name, h, len(p), backends.ErrConflict)
	}
	nets, _, err := h.l.ConnectListAllNetworks(1, 0)
	if err != nil {
		return wrap(err, "list switches on %s", h)
	}
	for _, seg := range nets {
		if sw, _, ok := splitSegment(seg.Name); ok && sw == name {
			if err := h.removeNetwork(seg); err != nil {
				return err
			}
		}
	}
	return h.removeNetwork(n)
}

// ListPorts lists the VM NICs on a switch, by MAC.
func (s *switchAPI) ListPorts(ctx context.Context, name string) ([]backends.Port, error) {
	h := s.host()
	if err := h.alive(ctx); err != nil {
		return nil, err
	}
	if _, err := h.l.NetworkLookupByName(name); err != nil {
		return nil, wrap(err, "switch %q on %s", name, h)
	}
	defs, err := h.definitions()
	if err != nil {
		return nil, err
	}
	return ports(name, defs), nil
}

// SetPortVLAN retags the port of the NIC with the given MAC, live when its
// VM runs. On an internal switch the port moves to the VLAN's segment; on
// other networks libvirt's <vlan> tag is set, which libvirt refuses (as
// ErrUnsupported) live, or at the VM's next start, where the network cannot
// tag.
func (s *switchAPI) SetPortVLAN(ctx context.Context, sw, mac string, vlan int) error {
	if vlan < 0 || vlan > backends.MaxVLAN {
		return fmt.Errorf("vlan %d outside 0–%d: %w", vlan, backends.MaxVLAN, backends.ErrInvalidArgument)
	}
	if _, err := backends.ParseMAC(mac); err != nil {
		return err
	}
	h := s.host()
	if err := h.alive(ctx); err != nil {
		return err
	}
	id, err := h.portOwner(sw, mac)
	if err != nil {
		return err
	}
	segmented, err := h.segmented(sw)
	if err != nil {
		return err
	}
	retag := func(doc *domainXML) (interfaceXML, error) {
		i := doc.nicByMAC(mac)
		if i < 0 {
			return interfaceXML{}, fmt.Errorf("port %s: %w", mac, backends.ErrNotFound)
		}
		if segmented && vlan > 0 {
			if err := h.ensureSegment(sw, vlan); err != nil {
				return interfaceXML{}, err
			}
		}
		doc.Devices.Interfaces[i].setVLAN(sw, vlan, segmented)
		return doc.Devices.Interfaces[i], nil
	}
	return h.reconfigure(ctx, id, change{op: "set-port-vlan",
		cold: func(doc *domainXML) error {
			_, err := retag(doc)
			return err
		},
		hot: func(d golibvirt.Domain, live *domainXML) error {
			x, err := retag(live)
			if err != nil {
				return err
			}
			text, err := marshalDevice(x)
			if err != nil {
				return err
			}
			return classify(h.l.DomainUpdateDeviceFlags(d, text, golibvirt.DomainDeviceModifyFlags(liveAndConfig)))
		}})
}

// portOwner finds the VM whose NIC with the MAC is on switch sw.
func (h *Host) portOwner(sw, mac string) (string, error) {
	if _, err := h.l.NetworkLookupByName(sw); err != nil {
		return "", wrap(err, "switch %q on %s", sw, h)
	}
	defs, err := h.definitions()
	if err != nil {
		return "", err
	}
	for _, p := range ports(sw, defs) {
		if sameMAC(p.MAC, mac) {
			return p.VM, nil
		}
	}
	return "", fmt.Errorf("port %s on switch %q of %s: %w", mac, sw, h, backends.ErrNotFound)
}
