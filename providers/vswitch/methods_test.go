package vswitch

import (
	"slices"
	"testing"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// defineVMOn defines, through package virt's DefineSystem, a VM with one
// NIC on switch sw tagged vlan, and returns its UUID and the NIC's MAC.
func (f *fixture) defineVMOn(i int, name, sw string, vlan uint16) (string, string) {
	f.T.Helper()
	nic := cim.NewInstance(model.ClassNetRASD).Set("ResourceType", cim.Uint16(10)).
		Set("Connection", cim.StringArray(sw)).Set("PortVID", cim.Uint16(vlan))
	out := f.invokeJob(i, "DefineSystem", cim.Params{
		{Name: "SystemSettings", Value: cim.Embedded(cim.NewInstance(model.ClassVSSD).Set("ElementName", cim.String(name)))},
		{Name: "ResourceSettings", Value: embedded(nic)}})
	rv, _ := out.Get("ResultingSystem")
	ref, _ := rv.AsRef()
	id, ok := model.VMOf(ref)
	if !ok {
		f.T.Fatalf("ResultingSystem %v", rv)
	}
	vm, err := f.Host(i).VMs().Get(f.Ctx, id)
	if err != nil || len(vm.NICs) != 1 {
		f.T.Fatalf("vm %s: %+v, %v", id, vm, err)
	}
	return id, vm.NICs[0].MAC
}

// retagParams asks ModifyResourceSettings for a new PortVID on a port.
func retagParams(id switchID, mac string, vlan uint16) cim.Params {
	rs := cim.NewInstance(ClassPortSettings).Set("InstanceID", cim.String(id.partID(partPort, mac))).
		Set("ResourceType", cim.Uint16(30)).Set("PortVID", cim.Uint16(vlan))
	return cim.Params{{Name: "ResourceSettings", Value: embedded(rs)}}
}

func destroyParams(id switchID) cim.Params {
	return cim.Params{{Name: "AffectedSystem", Value: cim.Ref(id.path())}}
}

func TestDefineConnectRetagAndDestroyAnInternalSwitch(t *testing.T) {
	f := newFixture(t, 1)
	dmz := f.sw(0, "dmz")
	out := f.invokeJob(0, "DefineSystem", cim.Params{switchSettings("dmz")})
	if rv, _ := out.Get("ResultingSystem"); rv.String() == "" {
		t.Fatalf("no ResultingSystem in %v", out)
	} else if r, _ := rv.AsRef(); !r.Equal(dmz.path()) {
		t.Fatalf("ResultingSystem %s, want %s", r, dmz.path())
	}
	sw, err := f.Host(0).Switches().GetSwitch(f.Ctx, "dmz")
	if err != nil || sw.Kind != backends.SwitchInternal || sw.Uplink != "" {
		t.Fatalf("backend switch %+v, %v", sw, err)
	}
	if got := f.Get(dmz.path()); got.Str("ElementName") != "dmz" {
		t.Fatalf("switch %+v", got)
	}

	vm, mac := f.defineVMOn(0, "web", "dmz", 42)
	if err := f.Host(0).VMs().Start(f.Ctx, vm); err != nil {
		t.Fatal(err)
	}
	f.bothWays(dmz.path(), model.AssocSystemDevice, true, dmz.portPath(mac))
	if got := f.Get(dmz.portSettingPath(mac)); uintOf(got, "PortVID") != 42 {
		t.Fatalf("port setting %+v", got)
	}

	// Retag live through the port's setting.
	f.invokeJob(0, "ModifyResourceSettings", retagParams(dmz, mac, 43))
	if n := f.nic(0, vm, mac); n.VLAN != 43 {
		t.Fatalf("nic after retag: %+v", n)
	}
	if st := f.vmState(vm); st != backends.StateRunning {
		t.Fatalf("vm is %s after a live retag", st)
	}
	if got := f.Get(dmz.portPath(mac)); uintOf(got, "PVID") != 43 {
		t.Fatalf("port after retag %+v", got)
	}
	if got := f.Get(dmz.settingsPath()); !slices.Equal(strs(got, "VLANConnection"), []string{"43"}) {
		t.Fatalf("VLANConnection %v", strs(got, "VLANConnection"))
	}
	// And through its VLAN settings.
	mod := cim.NewInstance(ClassVLANSettings).Set("AccessVLAN", cim.Uint16(44))
	if err := f.D.ModifyInstance(f.Ctx, ns, dmz.vlanSettingPath(mac), mod, []string{"AccessVLAN"}); err != nil {
		t.Fatal(err)
	}
	if n := f.nic(0, vm, mac); n.VLAN != 44 {
		t.Fatalf("nic after ModifyInstance: %+v", n)
	}

	// In use: refused, nothing changes.
	if code, _ := f.invoke(0, "DestroySystem", destroyParams(dmz)); code != 5 {
		t.Fatalf("DestroySystem of a switch in use: %d, want 5", code)
	}
	if !slices.Contains(f.switches(0), "dmz") {
		t.Fatal("a refused DestroySystem deleted the switch")
	}

	// Free: deleted.
	f.invokeJob(0, "DestroySystem", cim.Params{{Name: "AffectedSystem", Value: cim.Ref(model.VMPath(vm))}})
	f.invokeJob(0, "DestroySystem", destroyParams(dmz))
	if slices.Contains(f.switches(0), "dmz") {
		t.Fatal("switch still there after DestroySystem")
	}
	if _, err := f.D.GetInstance(f.Ctx, ns, dmz.path(), cimom.InstanceOptions{}); cim.StatusOf(err) != cim.ErrNotFound {
		t.Fatalf("GetInstance of a destroyed switch: %v", err)
	}
}

func (f *fixture) vmState(id string) backends.State {
	f.T.Helper()
	vm, err := f.Host(0).VMs().Get(f.Ctx, id)
	if err != nil {
		f.T.Fatal(err)
	}
	return vm.State
}

func TestDefineAnExternalSwitch(t *testing.T) {
	f := newFixture(t, 1)
	info, _ := f.Host(0).Info(f.Ctx)
	nic := info.NICs[0].Name // the management NIC, bridged by no switch
	out := f.invokeJob(0, "DefineSystem", cim.Params{switchSettings("lan"), {Name: "ResourceSettings", Value: embedded(uplinkSetting(nic))}})
	if _, ok := out.Get("ResultingSystem"); !ok {
		t.Fatalf("no ResultingSystem in %v", out)
	}
	sw, err := f.Host(0).Switches().GetSwitch(f.Ctx, "lan")
	if err != nil || sw.Kind != backends.SwitchExternal || sw.Uplink != nic {
		t.Fatalf("backend switch %+v, %v", sw, err)
	}
	if up := f.Get(f.sw(0, "lan").uplinkPath()); !slices.Equal(strs(up, "HostResource"), []string{nic}) {
		t.Fatalf("uplink %+v", up)
	}
}

// TestRefusedRequestsChangeNothing: every bad request answers its return
// code or CIM error and leaves the switches and ports as they were.
func TestRefusedRequestsChangeNothing(t *testing.T) {
	f := newFixture(t, 2)
	vm := f.webVM(0, "web", "internal", 5)
	mac := vm.NICs[0].MAC
	info, _ := f.Host(0).Info(f.Ctx)
	before := f.switches(0)
	rs := func(ins ...*cim.Instance) cim.Param {
		return cim.Param{Name: "ResourceSettings", Value: embedded(ins...)}
	}
	other := f.sw(1, "internal")
	for _, c := range []struct {
		name, method string
		in           cim.Params
		want         uint32
	}{
		{"name in use", "DefineSystem", cim.Params{switchSettings("internal")}, 4},
		{"no name", "DefineSystem", cim.Params{switchSettings("")}, 4},
		{"bad name", "DefineSystem", cim.Params{switchSettings("a b")}, 4},
		{"unknown uplink", "DefineSystem", cim.Params{switchSettings("x"), rs(uplinkSetting("nosuch0"))}, 4},
		{"uplink taken", "DefineSystem", cim.Params{switchSettings("x"), rs(uplinkSetting(info.NICs[1].Name))}, 4},
		{"two uplinks", "DefineSystem", cim.Params{switchSettings("x"), rs(uplinkSetting(info.NICs[0].Name), uplinkSetting(info.NICs[0].Name))}, 4},
		{"a port", "DefineSystem", cim.Params{switchSettings("x"), rs(cim.NewInstance(ClassPortSettings).Set("ResourceType", cim.Uint16(30)))}, 4},
		{"destroy unknown", "DestroySystem", destroyParams(f.sw(0, "nosuch")), 4},
		{"destroy on another host", "DestroySystem", destroyParams(other), 4},
		{"destroy in use", "DestroySystem", destroyParams(f.sw(0, "internal")), 5},
		{"vlan out of range", "ModifyResourceSettings", retagParams(f.sw(0, "internal"), mac, 5000), 4},
		{"unknown port", "ModifyResourceSettings", retagParams(f.sw(0, "internal"), "52:54:00:00:00:99", 6), 4},
		{"trunk port", "ModifyResourceSettings", cim.Params{rs(cim.NewInstance(ClassPortSettings).
			Set("InstanceID", cim.String(f.sw(0, "internal").partID(partPort, mac))).Set("DesiredVLANEndpointMode", cim.Uint16(5)))}, 1},
		{"uplink change", "ModifyResourceSettings", cim.Params{rs(cim.NewInstance(ClassPortSettings).
			Set("InstanceID", cim.String(f.sw(0, "external").partID(partUplink, ""))))}, 1},
		{"add a port", "AddResourceSettings", cim.Params{{Name: "AffectedConfiguration", Value: cim.Ref(f.sw(0, "internal").settingsPath())}, rs(cim.NewInstance(ClassPortSettings))}, 1},
	} {
		if code, _ := f.invoke(0, c.method, c.in); code != c.want {
			t.Errorf("%s: %s returned %d, want %d", c.name, c.method, code, c.want)
		}
		if got := f.switches(0); !slices.Equal(got, before) {
			t.Fatalf("%s: switches %v, were %v", c.name, got, before)
		}
		if n := f.nic(0, vm.UUID, mac); n.VLAN != 5 || n.Switch != "internal" {
			t.Fatalf("%s: nic %+v", c.name, n)
		}
	}
	if got := f.switches(1); !slices.Equal(got, []string{"external", "internal"}) {
		t.Fatalf("host 1 switches %v", got)
	}

	vs := f.sw(0, "internal").vlanSettingPath(mac)
	for _, c := range []struct {
		name string
		mod  *cim.Instance
		want cim.Status
	}{
		{"vlan out of range", cim.NewInstance(ClassVLANSettings).Set("AccessVLAN", cim.Uint16(5000)), cim.ErrInvalidParameter},
		{"trunk", cim.NewInstance(ClassVLANSettings).Set("TrunkedVLANList", cim.Uint16Array(5, 6)), cim.ErrNotSupported},
	} {
		if err := f.D.ModifyInstance(f.Ctx, ns, vs, c.mod, nil); cim.StatusOf(err) != c.want {
			t.Errorf("%s: ModifyInstance: %v, want %s", c.name, err, c.want)
		}
		if n := f.nic(0, vm.UUID, mac); n.VLAN != 5 {
			t.Fatalf("%s: nic %+v", c.name, n)
		}
	}
	// Sending the instance back as it is changes nothing and succeeds.
	if err := f.D.ModifyInstance(f.Ctx, ns, vs, f.Get(vs), nil); err != nil {
		t.Errorf("ModifyInstance with the current values: %v", err)
	}
}

// TestVMMethodsStillReachVirt: the extension handles switch requests only.
func TestVMMethodsStillReachVirt(t *testing.T) {
	f := newFixture(t, 1)
	vm, mac := f.defineVMOn(0, "db", "internal", 0)
	// A NIC retag through the VM's own RASD is package virt's, and the
	// switch sees it.
	nic := cim.NewInstance(model.ClassNetRASD).Set("InstanceID", cim.String(model.ElementID(vm, mac))).
		Set("ResourceType", cim.Uint16(10)).Set("PortVID", cim.Uint16(9))
	f.invokeJob(0, "ModifyResourceSettings", cim.Params{{Name: "ResourceSettings", Value: embedded(nic)}})
	if got := f.Get(f.sw(0, "internal").portSettingPath(mac)); uintOf(got, "PortVID") != 9 {
		t.Fatalf("port setting after a NIC retag %+v", got)
	}
	// Mixing VM and switch settings in one call is refused.
	mixed := cim.Params{{Name: "ResourceSettings", Value: embedded(nic, cim.NewInstance(ClassPortSettings).
		Set("InstanceID", cim.String(f.sw(0, "internal").partID(partPort, mac))).Set("PortVID", cim.Uint16(3)))}}
	if code, _ := f.invoke(0, "ModifyResourceSettings", mixed); code != 4 {
		t.Fatalf("mixed ModifyResourceSettings: %d, want 4", code)
	}
	if n := f.nic(0, vm, mac); n.VLAN != 9 {
		t.Fatalf("nic after a refused call %+v", n)
	}
}

// TestWithoutJobsMethodsRunAtOnce: without a job manager, DefineSystem,
// ModifyResourceSettings and DestroySystem answer 0 when done.
func TestWithoutJobsMethodsRunAtOnce(t *testing.T) {
	f := newFixtureJobs(t, 1, false)
	code, out := f.invoke(0, "DefineSystem", cim.Params{switchSettings("lab")})
	if rv, _ := out.Get("ResultingSystem"); code != 0 || rv.IsNull() {
		t.Fatalf("DefineSystem: %d %v", code, out)
	}
	if !slices.Contains(f.switches(0), "lab") {
		t.Fatal("no switch lab after DefineSystem")
	}
	vm := f.webVM(0, "web", "lab", 3)
	mac := vm.NICs[0].MAC
	if code, _ := f.invoke(0, "ModifyResourceSettings", retagParams(f.sw(0, "lab"), mac, 4)); code != 0 {
		t.Fatalf("ModifyResourceSettings: %d", code)
	}
	if n := f.nic(0, vm.UUID, mac); n.VLAN != 4 {
		t.Fatalf("nic %+v", n)
	}
	if err := f.Host(0).VMs().Undefine(f.Ctx, vm.UUID); err != nil {
		t.Fatal(err)
	}
	if code, _ := f.invoke(0, "DestroySystem", destroyParams(f.sw(0, "lab"))); code != 0 {
		t.Fatalf("DestroySystem: %d", code)
	}
	if slices.Contains(f.switches(0), "lab") {
		t.Fatal("switch lab still there")
	}
}
