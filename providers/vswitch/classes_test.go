package vswitch

import (
	"slices"
	"testing"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// webVM defines a VM on host i with one NIC on sw tagged vlan.
func (f *fixture) webVM(i int, name, sw string, vlan int) backends.VM {
	f.T.Helper()
	vm, err := f.Host(i).VMs().Define(f.Ctx, backends.VMSpec{Name: name, VCPUs: 1, MemoryMiB: 1024,
		NICs: []backends.NICSpec{{Switch: sw, VLAN: vlan}}})
	if err != nil {
		f.T.Fatal(err)
	}
	return vm
}

func TestSwitchesAreDedicatedSystemsWithSettings(t *testing.T) {
	f := newFixture(t, 2)
	vm := f.webVM(0, "web", "external", 12)
	mac := vm.NICs[0].MAC
	ext := f.sw(0, "external")

	sws := f.enumerate(ns, ClassSwitch)
	if len(sws) != 4 {
		t.Fatalf("%d switches on 2 hosts, want 4", len(sws))
	}
	for _, in := range sws {
		if ded := in.Str("Dedicated"); !slices.Contains(u16s(in, "Dedicated"), 38) {
			t.Errorf("%s: Dedicated %s", in.Str("Name"), ded)
		}
	}
	got := f.Get(ext.path())
	if got.Str("ElementName") != "external" || uintOf(got, "EnabledState") != 2 {
		t.Fatalf("switch %+v", got)
	}
	// Every switch is also a CIM_ComputerSystem to clients enumerating
	// systems, next to the hosts and VMs.
	var names []string
	for _, in := range f.enumerate(ns, "CIM_ComputerSystem") {
		names = append(names, in.Str("Name"))
	}
	if !slices.Contains(names, ext.name()) || !slices.Contains(names, vm.UUID) {
		t.Fatalf("CIM_ComputerSystem names %v", names)
	}

	ss := f.Get(ext.settingsPath())
	if ss.Str("ElementName") != "external" || !slices.Equal(strs(ss, "VLANConnection"), []string{"12"}) ||
		ss.Str("VirtualSystemIdentifier") != ext.name() || uintOf(ss, "EVBMode") != 2 {
		t.Fatalf("switch settings %+v", ss)
	}
	if pools := strs(ss, "AssociatedResourcePool"); len(pools) != 1 || pools[0] != poolPath(ext).String() {
		t.Fatalf("AssociatedResourcePool %v", pools)
	}
	// The pool it names is the one package virt serves for the switch.
	f.Get(poolPath(ext))

	port := f.Get(ext.portSettingPath(mac))
	if uintOf(port, "ResourceType") != 30 || port.Str("Address") != mac || uintOf(port, "PortVID") != 12 ||
		port.Str("Parent") != model.RASDPath(model.KindNetwork, vm.UUID, mac).String() ||
		!slices.Equal(strs(port, "HostResource"), []string{ext.path().String()}) {
		t.Fatalf("port setting %+v", port)
	}
	up := f.Get(ext.uplinkPath())
	info, _ := f.Host(0).Info(f.Ctx)
	if uintOf(up, "ResourceType") != 33 || !slices.Equal(strs(up, "HostResource"), []string{info.NICs[1].Name}) {
		t.Fatalf("uplink %+v", up)
	}
	if dev := f.Get(ext.portPath(mac)); uintOf(dev, "PVID") != 12 || dev.Str("SystemName") != ext.name() {
		t.Fatalf("port %+v", dev)
	}
	if ep := f.Get(ext.endpointPath(mac)); uintOf(ep, "DesiredEndpointMode") != 2 {
		t.Fatalf("VLAN endpoint %+v", ep)
	}
	if vs := f.Get(ext.vlanSettingPath(mac)); uintOf(vs, "AccessVLAN") != 12 {
		t.Fatalf("VLAN setting %+v", vs)
	}
	// An internal switch has no uplink; its settings name no VLAN.
	in := f.sw(0, "internal")
	if _, err := f.D.GetInstance(f.Ctx, ns, in.uplinkPath(), cimom.InstanceOptions{}); cim.StatusOf(err) != cim.ErrNotFound {
		t.Fatalf("uplink of an internal switch: %v", err)
	}
	if v := strs(f.Get(in.settingsPath()), "VLANConnection"); len(v) != 0 {
		t.Fatalf("internal VLANConnection %v", v)
	}
}

// TestEveryInstanceRoundTrips gets each enumerated instance by its path and
// requires the same keys, and refuses paths of nothing.
func TestEveryInstanceRoundTrips(t *testing.T) {
	f := newFixture(t, 1)
	f.webVM(0, "web", "external", 0)
	f.webVM(0, "db", "internal", 7)
	counts := map[string]int{}
	for _, class := range []string{ClassSwitch, ClassSwitchSettings, ClassPortSettings, ClassPort,
		ClassVLANEndpoint, ClassVLANSettings, AssocHostedAccessSAP} {
		var paths []cim.ObjectPath
		err := f.D.EnumerateInstanceNames(f.Ctx, ns, class, func(p cim.ObjectPath) bool {
			paths = append(paths, p)
			return true
		})
		if err != nil {
			t.Fatalf("enumerate names of %s: %v", class, err)
		}
		for _, p := range paths {
			got := f.Get(p)
			if !matches(got, p) {
				t.Errorf("%s: GetInstance returned %+v", p, got)
			}
		}
		counts[class] = len(paths)
	}
	want := map[string]int{ClassSwitch: 2, ClassSwitchSettings: 2, ClassPortSettings: 3, ClassPort: 2,
		ClassVLANEndpoint: 2, ClassVLANSettings: 2, AssocHostedAccessSAP: 2}
	for class, n := range want {
		if counts[class] != n {
			t.Errorf("%d instances of %s, want %d", counts[class], class, n)
		}
	}
	h := f.Host(0).ID()
	for _, p := range []cim.ObjectPath{
		switchID{h, "nosuch"}.path(),
		switchID{"nohost", "external"}.path(),
		switchID{h, "external"}.portPath("52:54:00:00:00:99"),
		switchID{h, "external"}.vlanSettingPath("52:54:00:00:00:99"),
		instanceIDPath(ClassSwitchSettings, "Ferrum:garbage"),
	} {
		if _, err := f.D.GetInstance(f.Ctx, ns, p, cimom.InstanceOptions{}); cim.StatusOf(err) != cim.ErrNotFound {
			t.Errorf("GetInstance %s: %v, want NOT_FOUND", p, err)
		}
	}
}

func u16s(in *cim.Instance, name string) []uint16 {
	v, _ := in.Get(name)
	var out []uint16
	for _, e := range v.Elems() {
		n, _ := e.AsUint64()
		out = append(out, uint16(n))
	}
	return out
}
