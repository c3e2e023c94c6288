package conformance

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

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
		Set("RequestedStatesSupported", cim.Uint16Array(2, 3, 4, 9)), "InstanceID")
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
	addPools(f, prof, p1042, host, pool)
	addSecondHost(f, p1042, vsmc, pool)
	addServices(f, prof, host)
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
	shortDeadlines(t)
	ctx := context.Background()
	for _, tt := range brokenServers {
		t.Run(tt.check, func(t *testing.T) { failsOnTheBrokenServer(ctx, t, tt.check, tt.brk) })
	}
}

// TestEveryCheckHasABrokenServer: each check of the suite has a case in
// brokenServers.
func TestEveryCheckHasABrokenServer(t *testing.T) {
	for _, c := range Checks() {
		if !slices.ContainsFunc(brokenServers, func(b brokenServer) bool { return b.check == c.Name }) {
			t.Errorf("check %q has no broken-server case", c.Name)
		}
	}
}

// A brokenServer breaks the conforming fake in exactly the requirement of
// one check.
type brokenServer struct {
	check string
	brk   func(*fake)
}

var brokenServers = []brokenServer{
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
	{"resource pools and primordial pools", poolSet(0, "Primordial", cim.Bool(false))},
	{"Memory primordial pool", setProp("CIM_ResourcePool", "ResourceType", cim.Uint16(3))},
	{"memory AllocationUnits is a programmatic unit", setProp("CIM_ResourcePool", "AllocationUnits", cim.String("lots"))},
	{"RequestStateChange refuses a state outside RequestedStatesSupported", func(f *fake) { f.rscReply = func(uint64) uint64 { return 0 } }},
	{"Profile Registration registers itself", func(f *fake) {
		f.find("CIM_RegisteredProfile").Instance.Set("RegisteredName", cim.String("Profile Registry"))
	}},
	{"ElementConformsToProfile traversable in both directions", func(f *fake) { f.oneWay = "CIM_ElementConformsToProfile" }},
	{"central instances exist", dropClass("CIM_IndicationService")},
	{"GetInstance of an absent instance → CIM_ERR_NOT_FOUND", brokenIn("absent instance")},
	{"EnumerateInstances of an unknown class → CIM_ERR_INVALID_CLASS", brokenIn("unknown class")},
	{"HostedDependency between host and virtual systems", func(f *fake) { f.oneWay = "CIM_HostedDependency" }},
	{"AllocationCapabilities of each pool", setProp("CIM_AllocationCapabilities", "ResourceType", cim.Uint16(99))},
	{"AllocationCapabilities of each pool", dropClass("CIM_AllocationCapabilities")},
	{"Processor primordial pool", poolSet(3, "Primordial", cim.Bool(false))},
	{"Storage primordial pool", poolSet(17, "Primordial", cim.Bool(false))},
	{"Ethernet primordial pool", poolSet(10, "ResourceType", cim.Uint16(11))},
	{"virtual switch is a dedicated ComputerSystem", csSet("sw", "Dedicated", cim.Uint16Array(0))},
	{"CIM_VirtualSystemMigrationService with its capabilities", setProp("CIM_VirtualSystemMigrationService", "SystemName", cim.Null(cim.TypeString))},
	{"CIM_VirtualSystemSnapshotService with its capabilities", dropClass("CIM_VirtualSystemSnapshotServiceCapabilities")},
	{"CIM_IndicationService with its capabilities", dropClass("CIM_IndicationServiceCapabilities")},
	{"virtual system lifecycle: define, start, pause, resume, shut down, destroy", brokenIn("pause")},
	{"virtual system lifecycle: define, start, pause, resume, shut down, destroy", brokenIn("destroy")},
	{"virtual system lifecycle: define, start, pause, resume, shut down, destroy", brokenIn("job")},
	{"resource settings added, modified and removed", brokenIn("add")},
	{"resource settings added, modified and removed", brokenIn("modify")},
	{"resource settings added, modified and removed", brokenIn("remove")},
	{"CheckVirtualSystemIsMigratableToHost answers IsMigratable", brokenIn("migratable")},
	{"snapshot created, applied and destroyed", brokenIn("snapshot link")},
	{"snapshot created, applied and destroyed", brokenIn("destroy snapshot")},
	{"RequestStateChange of an absent virtual system → CIM_ERR_NOT_FOUND", brokenIn("absent system")},
	{"DefineSystem with a malformed SystemSettings is refused", brokenIn("malformed define")},
}

// failsOnTheBrokenServer runs the check named name on a conforming fake
// (PASS, leaving no more than its jobs behind) and on one broken by brk (FAIL).
func failsOnTheBrokenServer(ctx context.Context, t *testing.T, name string, brk func(*fake)) {
	c := checkNamed(t, name)
	good := conforming()
	before := len(good.objs)
	if res := run(ctx, c, good, Discover(ctx, good)); res.Status != Pass {
		t.Fatalf("conforming server: %s %s", res.Status, res.Reason)
	}
	if c.Destructive && len(good.objs) != before+jobsOf(good) {
		t.Errorf("the check left %d instances on a server that had %d (and %d jobs)", len(good.objs), before, jobsOf(good))
	}
	bad := conforming()
	brk(bad)
	res := run(ctx, c, bad, Discover(ctx, bad))
	if res.Status != Fail {
		t.Errorf("broken server: %s %s, want FAIL", res.Status, res.Reason)
	}
	t.Logf("broken server: %s", res.Reason)
}

// shortDeadlines lets a fake's state that never comes fail at once.
func shortDeadlines(t *testing.T) {
	j, s, d, p := jobDeadline, stateDeadline, shutdownDeadline, pollInterval
	jobDeadline, stateDeadline, shutdownDeadline, pollInterval = 50*time.Millisecond, 50*time.Millisecond, 20*time.Millisecond, time.Millisecond
	t.Cleanup(func() { jobDeadline, stateDeadline, shutdownDeadline, pollInterval = j, s, d, p })
}

// jobsOf counts the fake's jobs, which
// outlive the work they did (DSP1103 TimeBeforeRemoval).
func jobsOf(f *fake) int {
	n := 0
	for _, o := range f.objs {
		if o.Path.ClassName == "CIM_ConcreteJob" {
			n++
		}
	}
	return n
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
	f.add(interop, cim.NewInstance("CIM_RegisteredProfile").Set("InstanceID", cim.String("x:1081-unserved")).
		Set("RegisteredOrganization", cim.Uint16(2)).Set("RegisteredName", cim.String("Virtual System Migration")).
		Set("RegisteredVersion", cim.String("1.0.0")).Set("AdvertiseTypes", cim.Uint16Array(2)), "InstanceID")
	if res := run(ctx, c, f, Discover(ctx, f)); res.Status != Fail {
		t.Errorf("Virtual System Migration with no service: %s %s, want FAIL", res.Status, res.Reason)
	}
}
