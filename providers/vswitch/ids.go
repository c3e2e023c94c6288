package vswitch

import (
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// The classes this package serves in root/virt.
const (
	ClassSwitch          = "Ferrum_VirtualEthernetSwitch"
	ClassSwitchSettings  = "Ferrum_VirtualEthernetSwitchSettingData"
	ClassPortSettings    = "Ferrum_EthernetPortAllocationSettingData"
	ClassPort            = "Ferrum_EthernetSwitchPort"
	ClassVLANEndpoint    = "Ferrum_VLANEndpoint"
	ClassVLANSettings    = "Ferrum_VLANEndpointSettingData"
	AssocHostedAccessSAP = "Ferrum_HostedAccessPoint"
)

// ResourceType values of the switch's EthernetPortAllocationSettingData.
const (
	rtSwitchPort uint16 = 30 // a port of the switch
	rtConnection uint16 = 33 // the uplink to a host NIC
)

// Identity schemes, all in root/virt; a switch is named by its host and its
// name on that host (switch names hold no "/"):
//
//	switch              Ferrum_VirtualEthernetSwitch  Name = "<host>/<switch>"
//	switch settings     InstanceID "Ferrum:<host>/switch/<switch>"
//	port setting (30)   InstanceID "Ferrum:<host>/switch/<switch>/port/<mac>"
//	uplink setting (33) InstanceID "Ferrum:<host>/switch/<switch>/uplink"
//	VLAN setting        InstanceID "Ferrum:<host>/switch/<switch>/vlan/<mac>"
//	switch port         Ferrum_EthernetSwitchPort  SystemName = switch Name, DeviceID = <mac>
//	VLAN endpoint       Ferrum_VLANEndpoint        SystemName = switch Name, Name = <mac>
const (
	idPrefix   = "Ferrum:"
	idSwitch   = "/switch/"
	partPort   = "port"
	partUplink = "uplink"
	partVLAN   = "vlan"
)

// switchID names one switch of one host.
type switchID struct {
	Host, Switch string
}

// name is the switch's Name key.
func (s switchID) name() string { return s.Host + "/" + s.Switch }

// parseSwitchName splits a switch's Name key.
func parseSwitchName(name string) (switchID, bool) {
	host, sw, ok := strings.Cut(name, "/")
	return switchID{host, sw}, ok && host != "" && sw != "" && !strings.Contains(sw, "/")
}

func key(name, value string) cim.KeyBinding {
	return cim.KeyBinding{Name: name, Value: cim.String(value)}
}

// path names the switch.
func (s switchID) path() cim.ObjectPath {
	return cim.NewInstancePath(model.Namespace, ClassSwitch, key("CreationClassName", ClassSwitch), key("Name", s.name()))
}

// settingsID is the InstanceID of the switch's settings.
func (s switchID) settingsID() string { return idPrefix + s.Host + idSwitch + s.Switch }

// partID is the InstanceID of one part of the switch's settings.
func (s switchID) partID(part, mac string) string {
	id := s.settingsID() + "/" + part
	if mac != "" {
		id += "/" + mac
	}
	return id
}

func instanceIDPath(class, id string) cim.ObjectPath {
	return cim.NewInstancePath(model.Namespace, class, key("InstanceID", id))
}

func (s switchID) settingsPath() cim.ObjectPath {
	return instanceIDPath(ClassSwitchSettings, s.settingsID())
}

func (s switchID) portSettingPath(mac string) cim.ObjectPath {
	return instanceIDPath(ClassPortSettings, s.partID(partPort, mac))
}

func (s switchID) uplinkPath() cim.ObjectPath {
	return instanceIDPath(ClassPortSettings, s.partID(partUplink, ""))
}

func (s switchID) vlanSettingPath(mac string) cim.ObjectPath {
	return instanceIDPath(ClassVLANSettings, s.partID(partVLAN, mac))
}

// devicePath names a port device or VLAN endpoint of the switch: both are
// scoped by the switch and keyed by the MAC of the VM NIC on the port.
func (s switchID) devicePath(class, keyName, mac string) cim.ObjectPath {
	return cim.NewInstancePath(model.Namespace, class,
		key("SystemCreationClassName", ClassSwitch), key("SystemName", s.name()),
		key("CreationClassName", class), key(keyName, mac))
}

func (s switchID) portPath(mac string) cim.ObjectPath {
	return s.devicePath(ClassPort, "DeviceID", mac)
}

func (s switchID) endpointPath(mac string) cim.ObjectPath {
	return s.devicePath(ClassVLANEndpoint, "Name", mac)
}

// settingRef is a parsed settings InstanceID: the switch, and which part
// ("" for the switch settings themselves) of which port.
type settingRef struct {
	switchID
	Part, MAC string
}

// parseSettingID parses any InstanceID of this package.
func parseSettingID(id string) (settingRef, bool) {
	rest, ok := strings.CutPrefix(id, idPrefix)
	if !ok {
		return settingRef{}, false
	}
	host, rest, ok := strings.Cut(rest, idSwitch)
	if !ok || host == "" || strings.Contains(host, "/") {
		return settingRef{}, false
	}
	parts := strings.SplitN(rest, "/", 3)
	r := settingRef{switchID: switchID{Host: host, Switch: parts[0]}}
	if r.Switch == "" {
		return settingRef{}, false
	}
	switch {
	case len(parts) == 1:
		return r, true
	case len(parts) == 2 && parts[1] == partUplink:
		r.Part = partUplink
		return r, true
	case len(parts) == 3 && (parts[1] == partPort || parts[1] == partVLAN) && parts[2] != "":
		r.Part, r.MAC = parts[1], parts[2]
		return r, true
	}
	return settingRef{}, false
}

// switchOf returns the switch a switch path names; a path of another class
// (CIM_ComputerSystem) whose CreationClassName says so counts.
func switchOf(p cim.ObjectPath) (switchID, bool) {
	if !model.Is(p, ClassSwitch) && !strings.EqualFold(model.KeyString(p, "CreationClassName"), ClassSwitch) {
		return switchID{}, false
	}
	return parseSwitchName(model.KeyString(p, "Name"))
}

// scopedOf returns the switch and MAC of a port or VLAN endpoint path.
func scopedOf(p cim.ObjectPath, class, keyName string) (switchID, string, bool) {
	if !model.Is(p, class) || !strings.EqualFold(model.KeyString(p, "SystemCreationClassName"), ClassSwitch) {
		return switchID{}, "", false
	}
	s, ok := parseSwitchName(model.KeyString(p, "SystemName"))
	mac := model.KeyString(p, keyName)
	return s, mac, ok && mac != ""
}

// ownerOf returns the switch any object of this package belongs to.
func ownerOf(p cim.ObjectPath) (switchID, bool) {
	if s, ok := switchOf(p); ok {
		return s, true
	}
	if s, _, ok := scopedOf(p, ClassPort, "DeviceID"); ok {
		return s, true
	}
	if s, _, ok := scopedOf(p, ClassVLANEndpoint, "Name"); ok {
		return s, true
	}
	if r, ok := parseSettingID(model.InstanceIDOf(p)); ok {
		return r.switchID, true
	}
	return switchID{}, false
}
