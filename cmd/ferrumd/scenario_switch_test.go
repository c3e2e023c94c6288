package main

import (
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

const classSwitchPort = "Ferrum_EthernetSwitchPort"

// switches defines an internal switch, connects a VM's NIC to it on VLAN
// 10, retags the port to VLAN 20 and destroys both.
func (sc *scenario) switches() {
	name := sc.name + "-sw"
	out, _ := sc.run(sc.vsms(), "DefineSystem", switchParams(name))
	sw := outRef(sc.t, out, "ResultingSystem")
	if !samePath(sw, switchPath(sc.host, name)) {
		sc.t.Fatalf("ResultingSystem %s, want switch %s", sw, name)
	}
	if got := sc.get(sw); got.Str("ElementName") != name {
		sc.t.Fatalf("switch %v", got)
	}
	sc.requireLinked(sw, model.AssocHostedDependency, model.HostPath(sc.host), true)

	nic := nicRequest(name).Set("PortVID", cim.Uint16(10))
	out, _ = sc.run(sc.vsms(), "DefineSystem", defineParams(vssdRequest(sc.name+"-port"), memRequest(initialMemMiB), nic))
	vm := outRef(sc.t, out, "ResultingSystem")
	sc.requirePortVLAN(sw, 10)

	port := sc.portSetting(sw)
	retag := cim.NewInstance(classPortSettings).Set("InstanceID", cim.String(port.Str("InstanceID"))).
		Set("ResourceType", cim.Uint16(30)).Set("PortVID", cim.Uint16(20))
	sc.run(sc.vsms(), "ModifyResourceSettings", modifyParams(retag))
	sc.requirePortVLAN(sw, 20)

	badTag := cim.NewInstance(classPortSettings).Set("InstanceID", cim.String(port.Str("InstanceID"))).
		Set("ResourceType", cim.Uint16(30)).Set("PortVID", cim.Uint16(5000))
	sc.requireRefusals([]refusal{
		{name: "destroy a switch with a port", target: sc.vsms(), method: "DestroySystem", in: affected(sw), code: 5},
		{name: "VLAN 5000, outside 1..4094", target: sc.vsms(), method: "ModifyResourceSettings", in: modifyParams(badTag), code: 4},
		{name: "a second switch of the same name", target: sc.vsms(), method: "DefineSystem", in: switchParams(name), code: 4},
		{name: "PortVID as text", target: sc.vsms(), method: "ModifyResourceSettings",
			in: modifyParams(cim.NewInstance(classPortSettings).Set("InstanceID", cim.String(port.Str("InstanceID"))).
				Set("ResourceType", cim.Uint16(30)).Set("PortVID", cim.String("twenty"))), code: 4, status: cim.ErrInvalidParameter},
		{name: "DestroySystem of an unknown switch", target: sc.vsms(), method: "DestroySystem", in: affected(switchPath(sc.host, "no-such-switch")), code: 4},
	}, func() { sc.requirePortVLAN(sw, 20) })

	sc.run(sc.vsms(), "DestroySystem", affected(vm))
	sc.run(sc.vsms(), "DestroySystem", affected(sw))
	sc.gone(sw)
}

func switchPath(host, name string) cim.ObjectPath {
	return cim.NewInstancePath(model.Namespace, classSwitch,
		cim.KeyBinding{Name: "CreationClassName", Value: cim.String(classSwitch)},
		cim.KeyBinding{Name: "Name", Value: cim.String(host + "/" + name)})
}

// portSetting returns the switch's one port setting (ResourceType 30),
// aggregated by the switch's settings.
func (sc *scenario) portSetting(sw cim.ObjectPath) *cim.Instance {
	sc.t.Helper()
	settings := sc.assoc(sw, model.AssocSettingsDefState, classSwitchSettings)
	if len(settings) != 1 {
		sc.t.Fatalf("settings of switch %s: %v", sw, settings)
	}
	var ports []*cim.Instance
	for _, r := range sc.assocInstances(settings[0], model.AssocVSSDComponent, classPortSettings) {
		if rt, _ := prop(r, "ResourceType"); rt == 30 {
			ports = append(ports, r)
		}
	}
	if len(ports) != 1 {
		sc.t.Fatalf("%d port settings on switch %s, want 1", len(ports), sw)
	}
	return ports[0]
}

// requirePortVLAN requires the switch's one port, as a device and as a
// setting, on VLAN vlan.
func (sc *scenario) requirePortVLAN(sw cim.ObjectPath, vlan uint64) {
	sc.t.Helper()
	ports := sc.assocInstances(sw, model.AssocSystemDevice, classSwitchPort)
	if len(ports) != 1 {
		sc.t.Fatalf("%d ports on switch %s, want 1", len(ports), sw)
	}
	if got, _ := prop(ports[0], "PVID"); got != vlan {
		sc.t.Fatalf("port PVID %d, want %d", got, vlan)
	}
	if got, _ := prop(sc.portSetting(sw), "PortVID"); got != vlan {
		sc.t.Fatalf("port setting PortVID %d, want %d", got, vlan)
	}
}
