package vswitch

import (
	"slices"
	"strconv"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// VirtualSystemType is the VirtualSystemType of a switch's settings.
const VirtualSystemType = "Ferrum:VirtualEthernetSwitch"

// CIM values the builders use.
const (
	dedicatedEthernetSwitch uint16 = 38
	stateEnabled            uint16 = 2
	stateNotApplicable      uint16 = 12
	healthOK                uint16 = 5
	statusOK                uint16 = 2
	evbVEB                  uint16 = 2
	vlanModeAccess          uint16 = 2
)

// describe says what kind of switch v is.
func describe(v view) string {
	if v.sw.Kind == backends.SwitchExternal {
		return "external virtual switch bridged to " + v.sw.Uplink
	}
	return "internal virtual switch"
}

func enabled(in *cim.Instance) *cim.Instance {
	return in.Set("EnabledState", cim.Uint16(stateEnabled)).
		Set("RequestedState", cim.Uint16(stateNotApplicable)).
		Set("HealthState", cim.Uint16(healthOK)).
		Set("OperationalStatus", cim.Uint16Array(statusOK))
}

// switchInstance builds the switch itself.
func switchInstance(v view) *cim.Instance {
	in := cim.NewInstance(ClassSwitch).
		Set("CreationClassName", cim.String(ClassSwitch)).
		Set("Name", cim.String(v.id.name())).
		Set("ElementName", cim.String(v.sw.Name)).
		Set("Caption", cim.String("Virtual switch "+v.sw.Name)).
		Set("Description", cim.String(describe(v))).
		Set("Dedicated", cim.Uint16Array(dedicatedEthernetSwitch)).
		Set("EnabledDefault", cim.Uint16(stateEnabled))
	return enabled(in)
}

// poolPath names the network pool package virt serves for the switch.
func poolPath(id switchID) cim.ObjectPath {
	return model.PoolPath(model.KindNetwork, model.PoolID(id.Host, model.KindNetwork, id.Switch))
}

// settingsInstance builds the switch's settings: the VLANs its ports
// carry, its network pool, its mode (a bridge is a VEB).
func settingsInstance(v view) *cim.Instance {
	var vlans []string
	for _, pt := range v.ports {
		if s := strconv.Itoa(pt.VLAN); pt.VLAN > 0 && !slices.Contains(vlans, s) {
			vlans = append(vlans, s)
		}
	}
	slices.Sort(vlans)
	in := cim.NewInstance(ClassSwitchSettings).
		Set("InstanceID", cim.String(v.id.settingsID())).
		Set("ElementName", cim.String(v.sw.Name)).
		Set("Description", cim.String(describe(v))).
		Set("VirtualSystemIdentifier", cim.String(v.id.name())).
		Set("VirtualSystemType", cim.String(VirtualSystemType)).
		Set("AssociatedResourcePool", cim.StringArray(poolPath(v.id).String())).
		Set("EVBMode", cim.Uint16(evbVEB))
	if vlans != nil {
		in.Set("VLANConnection", cim.StringArray(vlans...))
	} else {
		in.Set("VLANConnection", cim.StringArray())
	}
	return in
}

// portSettingInstance builds the allocation of a port to a VM NIC.
func portSettingInstance(v view, pt backends.Port) *cim.Instance {
	in := cim.NewInstance(ClassPortSettings).
		Set("InstanceID", cim.String(v.id.partID(partPort, pt.MAC))).
		Set("ElementName", cim.String("Port "+pt.MAC)).
		Set("ResourceType", cim.Uint16(rtSwitchPort)).
		Set("Address", cim.String(pt.MAC)).
		Set("Parent", cim.String(model.RASDPath(model.KindNetwork, pt.VM, pt.MAC).String())).
		Set("HostResource", cim.StringArray(v.id.path().String())).
		Set("Connection", cim.StringArray(v.sw.Name)).
		Set("PoolID", cim.String(model.PoolID(v.id.Host, model.KindNetwork, v.id.Switch))).
		Set("AllocationUnits", cim.String("count")).
		Set("VirtualQuantity", cim.Uint64(1))
	if pt.VLAN > 0 {
		in.Set("PortVID", cim.Uint16(uint16(pt.VLAN))).Set("DesiredVLANEndpointMode", cim.Uint16(vlanModeAccess))
	}
	return in
}

// uplinkInstance builds the connection of an external switch to its host
// NIC; internal switches have none.
func uplinkInstance(v view) *cim.Instance {
	if v.sw.Kind != backends.SwitchExternal {
		return nil
	}
	return cim.NewInstance(ClassPortSettings).
		Set("InstanceID", cim.String(v.id.partID(partUplink, ""))).
		Set("ElementName", cim.String("Uplink "+v.sw.Uplink)).
		Set("ResourceType", cim.Uint16(rtConnection)).
		Set("HostResource", cim.StringArray(v.sw.Uplink)).
		Set("Connection", cim.StringArray(v.sw.Uplink)).
		Set("AllocationUnits", cim.String("count")).
		Set("VirtualQuantity", cim.Uint64(1))
}

// portSettings returns the switch's RASDs: its ports, then its uplink.
func portSettings(v view) []*cim.Instance {
	var out []*cim.Instance
	for _, pt := range v.ports {
		out = append(out, portSettingInstance(v, pt))
	}
	if u := uplinkInstance(v); u != nil {
		out = append(out, u)
	}
	return out
}

// portInstance builds the port device of a VM NIC.
func portInstance(v view, pt backends.Port) *cim.Instance {
	in := cim.NewInstance(ClassPort).
		Set("SystemCreationClassName", cim.String(ClassSwitch)).
		Set("SystemName", cim.String(v.id.name())).
		Set("CreationClassName", cim.String(ClassPort)).
		Set("DeviceID", cim.String(pt.MAC)).
		Set("ElementName", cim.String("Port "+pt.MAC)).
		Set("NetworkAddresses", cim.StringArray(pt.MAC)).
		Set("PVID", cim.Uint16(uint16(pt.VLAN)))
	return enabled(in)
}

// endpointInstance builds the VLAN endpoint of a port: an access port on
// its VLAN (0: untagged).
func endpointInstance(v view, pt backends.Port) *cim.Instance {
	in := cim.NewInstance(ClassVLANEndpoint).
		Set("SystemCreationClassName", cim.String(ClassSwitch)).
		Set("SystemName", cim.String(v.id.name())).
		Set("CreationClassName", cim.String(ClassVLANEndpoint)).
		Set("Name", cim.String(pt.MAC)).
		Set("ElementName", cim.String("VLAN of port "+pt.MAC)).
		Set("DesiredEndpointMode", cim.Uint16(vlanModeAccess)).
		Set("OperationalEndpointMode", cim.Uint16(vlanModeAccess))
	return enabled(in)
}

// vlanSettingInstance builds the VLAN settings of a port; AccessVLAN 0
// means untagged.
func vlanSettingInstance(v view, pt backends.Port) *cim.Instance {
	return cim.NewInstance(ClassVLANSettings).
		Set("InstanceID", cim.String(v.id.partID(partVLAN, pt.MAC))).
		Set("ElementName", cim.String("VLAN of port "+pt.MAC)).
		Set("AccessVLAN", cim.Uint16(uint16(pt.VLAN)))
}

// perPort builds one instance per port of v with build.
func perPort(v view, build func(view, backends.Port) *cim.Instance) []*cim.Instance {
	out := make([]*cim.Instance, 0, len(v.ports))
	for _, pt := range v.ports {
		out = append(out, build(v, pt))
	}
	return out
}
