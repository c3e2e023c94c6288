package conformance

import (
	"context"
	"strings"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/conformance/client"
)

const interop, virt = "root/interop", "root/virt"

// conforming returns a fake server that meets every requirement checked.
func conforming() *fake {
	f := &fake{rscReply: func(s uint64) uint64 {
		if s == 2 || s == 3 {
			return 0
		}
		return 4097
	}}
	prof := func(id, name, version string) cim.ObjectPath {
		return f.add(interop, cim.NewInstance("CIM_RegisteredProfile").Set("InstanceID", cim.String(id)).
			Set("RegisteredOrganization", cim.Uint16(2)).Set("RegisteredName", cim.String(name)).
			Set("RegisteredVersion", cim.String(version)).Set("AdvertiseTypes", cim.Uint16Array(2)), "InstanceID")
	}
	cs := func(class, name string) cim.ObjectPath {
		return f.add(virt, cim.NewInstance(class).Set("CreationClassName", cim.String(class)).Set("Name", cim.String(name)).
			Set("EnabledState", cim.Uint16(2)).Set("RequestedState", cim.Uint16(12)), "CreationClassName", "Name")
	}
	p1033, p1042, p1057 := prof("x:1033", "Profile Registration", "1.0.0"), prof("x:1042", "System Virtualization", "1.0.0"), prof("x:1057", "Virtual System", "1.0.0")
	p1041, p1045 := prof("x:1041", "Resource Allocation", "1.1.0"), prof("x:1045", "Memory Resource Virtualization", "1.0.0")
	om := f.add(interop, cim.NewInstance("CIM_ObjectManager").Set("Name", cim.String("om")), "Name")
	host, vm := cs("CIM_ComputerSystem", "host"), cs("CIM_ComputerSystem", "vm")
	vsms := f.add(virt, cim.NewInstance("CIM_VirtualSystemManagementService").Set("SystemCreationClassName", cim.String("CIM_ComputerSystem")).
		Set("SystemName", cim.String("host")).Set("CreationClassName", cim.String("CIM_VirtualSystemManagementService")).Set("Name", cim.String("vsms")),
		"SystemCreationClassName", "SystemName", "CreationClassName", "Name")
	vsmc := f.add(virt, cim.NewInstance("CIM_VirtualSystemManagementCapabilities").Set("InstanceID", cim.String("vsmc")).
		Set("SynchronousMethodsSupported", cim.Uint16Array(2, 3)), "InstanceID")
	pool := f.add(virt, cim.NewInstance("CIM_ResourcePool").Set("InstanceID", cim.String("mem")).Set("ResourceType", cim.Uint16(4)).
		Set("Primordial", cim.Bool(true)).Set("AllocationUnits", cim.String("byte*2^20")), "InstanceID")
	vssd := f.add(virt, cim.NewInstance("CIM_VirtualSystemSettingData").Set("InstanceID", cim.String("vssd")).Set("ElementName", cim.String("vm")), "InstanceID")
	rasd := f.add(virt, cim.NewInstance("CIM_ResourceAllocationSettingData").Set("InstanceID", cim.String("rasd")).Set("ResourceType", cim.Uint16(4)), "InstanceID")
	elec := f.add(virt, cim.NewInstance("CIM_EnabledLogicalElementCapabilities").Set("InstanceID", cim.String("elec")).
		Set("RequestedStatesSupported", cim.Uint16Array(2, 3)), "InstanceID")
	for _, e := range [][2]cim.ObjectPath{{p1033, om}, {p1042, host}, {p1057, vm}} {
		f.assoc(interop, "CIM_ElementConformsToProfile", "ConformantStandard", e[0], "ManagedElement", e[1])
	}
	for _, p := range []cim.ObjectPath{p1041, p1045} { // scoped by DSP1042, no ECTP
		f.assoc(interop, "CIM_ReferencedProfile", "Antecedent", p, "Dependent", p1042)
	}
	f.assoc(virt, "CIM_HostedService", "Antecedent", host, "Dependent", vsms)
	f.assoc(virt, "CIM_ElementCapabilities", "ManagedElement", vsms, "Capabilities", vsmc)
	f.assoc(virt, "CIM_HostedDependency", "Antecedent", host, "Dependent", vm)
	f.assoc(virt, "CIM_HostedResourcePool", "GroupComponent", host, "PartComponent", pool)
	f.assoc(virt, "CIM_SettingsDefineState", "ManagedElement", vm, "SettingData", vssd)
	f.assoc(virt, "CIM_VirtualSystemSettingDataComponent", "GroupComponent", vssd, "PartComponent", rasd)
	f.assoc(virt, "CIM_ElementCapabilities", "ManagedElement", vm, "Capabilities", elec)
	return f
}

func checkNamed(t *testing.T, name string) Check {
	t.Helper()
	for _, c := range Checks() {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no check named %q", name)
	return Check{}
}

func dropClass(class string) func(*fake) {
	return func(f *fake) {
		f.drop(func(o client.Object) bool { return strings.EqualFold(o.Path.ClassName, class) })
	}
}

func setProp(class, prop string, v cim.Value) func(*fake) {
	return func(f *fake) { f.find(class).Instance.Set(prop, v) }
}

// TestEachCheckFailsOnABrokenServer runs each check on a conforming fake
// (PASS) and on a fake that violates exactly the requirement it checks (FAIL).
func TestEachCheckFailsOnABrokenServer(t *testing.T) {
	tests := []struct {
		check string
		brk   func(*fake)
	}{
		{"an Interop namespace holds CIM_RegisteredProfile", dropClass("CIM_RegisteredProfile")},
		{"RegisteredProfile required properties", setProp("CIM_RegisteredProfile", "RegisteredVersion", cim.String("1.0"))},
		{"RegisteredProfile required properties", setProp("CIM_RegisteredProfile", "AdvertiseTypes", cim.Uint16Array(9))},
		{"every profile has central instances", func(f *fake) { dropClass("CIM_ReferencedProfile")(f); f.noGCI = true }},
		{"ReferencedProfile ends are registered profiles", func(f *fake) {
			f.find("CIM_ReferencedProfile").Instance.Set("Dependent", cim.Ref(cim.NewInstancePath(interop, "CIM_RegisteredProfile",
				cim.KeyBinding{Name: "InstanceID", Value: cim.String("gone")})))
		}},
		{"keys consistent between paths and instances", setProp("CIM_RegisteredProfile", "InstanceID", cim.String("other"))},
		{"GetInstance with a missing key → CIM_ERR_INVALID_PARAMETER or NOT_FOUND", func(f *fake) { f.badKeyOK = true }},
		{"host is a ComputerSystem with its keys", setProp("CIM_ComputerSystem", "Name", cim.String(""))},
		{"VirtualSystemManagementService hosted on the host", dropClass("CIM_HostedService")},
		{"VirtualSystemManagementService hosted on the host", setProp("CIM_VirtualSystemManagementService", "SystemName", cim.Null(cim.TypeString))},
		{"VirtualSystemManagementCapabilities", setProp("CIM_VirtualSystemManagementCapabilities", "SynchronousMethodsSupported", cim.Uint16Array(11))},
		{"VirtualSystemManagementCapabilities", dropClass("CIM_VirtualSystemManagementCapabilities")},
		{"virtual system state and ValueMaps", func(f *fake) { vmSet(f, "EnabledState", cim.Uint16(12)) }},
		{"VirtualSystemSettingData via SettingsDefineState", dropClass("CIM_SettingsDefineState")},
		{"VirtualSystemSettingData via SettingsDefineState", setProp("CIM_VirtualSystemSettingData", "ElementName", cim.Null(cim.TypeString))},
		{"RASDs via VirtualSystemSettingDataComponent", setProp("CIM_ResourceAllocationSettingData", "ResourceType", cim.Uint16(36))},
		{"RASDs via VirtualSystemSettingDataComponent", dropClass("CIM_VirtualSystemSettingDataComponent")},
		{"EnabledLogicalElementCapabilities.RequestedStatesSupported", setProp("CIM_EnabledLogicalElementCapabilities", "RequestedStatesSupported", cim.Uint16Array(2, 5))},
		{"resource pools and primordial pools", setProp("CIM_ResourcePool", "Primordial", cim.Bool(false))},
		{"Memory primordial pool", setProp("CIM_ResourcePool", "ResourceType", cim.Uint16(3))},
		{"memory AllocationUnits is a programmatic unit", setProp("CIM_ResourcePool", "AllocationUnits", cim.String("lots"))},
		{"RequestStateChange refuses a state outside RequestedStatesSupported", func(f *fake) { f.rscReply = func(uint64) uint64 { return 0 } }},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.check, func(t *testing.T) {
			c := checkNamed(t, tt.check)
			good := conforming()
			if res := run(ctx, c, good, Discover(ctx, good)); res.Status != Pass {
				t.Fatalf("conforming server: %s %s", res.Status, res.Reason)
			}
			bad := conforming()
			tt.brk(bad)
			if res := run(ctx, c, bad, Discover(ctx, bad)); res.Status != Fail {
				t.Errorf("broken server: %s %s, want FAIL", res.Status, res.Reason)
			}
		})
	}
}

// vmSet sets a property of the virtual system (the second ComputerSystem).
func vmSet(f *fake, prop string, v cim.Value) {
	for _, o := range f.objs {
		if o.Instance != nil && o.Instance.Str("Name") == "vm" && o.Path.ClassName == "CIM_ComputerSystem" {
			o.Instance.Set(prop, v)
		}
	}
}

// TestAnIdleServerHasNoJobsAndStillConforms: DSP1103's central jobs exist
// only while there is work, so an advertised Job Control profile without
// jobs passes, while an autonomous profile without central instances fails.
func TestAnIdleServerHasNoJobsAndStillConforms(t *testing.T) {
	ctx := context.Background()
	c := checkNamed(t, "every profile has central instances")
	f := conforming()
	f.add(interop, cim.NewInstance("CIM_RegisteredProfile").Set("InstanceID", cim.String("x:1103")).
		Set("RegisteredOrganization", cim.Uint16(2)).Set("RegisteredName", cim.String("Job Control")).
		Set("RegisteredVersion", cim.String("1.0.0")).Set("AdvertiseTypes", cim.Uint16Array(2)), "InstanceID")
	if res := run(ctx, c, f, Discover(ctx, f)); res.Status != Pass {
		t.Errorf("Job Control with no jobs: %s %s, want PASS", res.Status, res.Reason)
	}
	f.add(interop, cim.NewInstance("CIM_RegisteredProfile").Set("InstanceID", cim.String("x:1081")).
		Set("RegisteredOrganization", cim.Uint16(2)).Set("RegisteredName", cim.String("Virtual System Migration")).
		Set("RegisteredVersion", cim.String("1.0.0")).Set("AdvertiseTypes", cim.Uint16Array(2)), "InstanceID")
	if res := run(ctx, c, f, Discover(ctx, f)); res.Status != Fail {
		t.Errorf("Virtual System Migration with no service: %s %s, want FAIL", res.Status, res.Reason)
	}
}
