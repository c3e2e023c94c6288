package conformance

import (
	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// The conforming fake's profiles beyond DSP1033/1042/1057/1041/1045: the
// other resource pools with their allocation capabilities and default
// settings, a second host, the service profiles and a virtual switch.

// profileFunc registers a profile and returns its path.
type profileFunc func(id, name, version string) cim.ObjectPath

func service(f *fake, class, host, name string) cim.ObjectPath {
	return f.add(virt, cim.NewInstance(class).Set("SystemCreationClassName", cim.String("CIM_ComputerSystem")).
		Set("SystemName", cim.String(host)).Set("CreationClassName", cim.String(class)).Set("Name", cim.String(name)),
		"SystemCreationClassName", "SystemName", "CreationClassName", "Name")
}

// addPools adds the processor, Ethernet and storage pools of host, the
// DSP1043 capabilities of every pool (memory's with Default, Increment and
// Maximum settings) and the profiles that scope them.
func addPools(f *fake, prof profileFunc, p1042, host, mem cim.ObjectPath) {
	p1043 := prof("x:1043", "Allocation Capabilities", "1.0.0")
	for _, p := range []cim.ObjectPath{prof("x:1044", "Processor Resource Virtualization", "1.0.0"),
		prof("x:1047", "Storage Resource Virtualization", "1.0.0"), prof("x:1050", "Ethernet Port Resource Virtualization", "1.0.0")} {
		f.assoc(interop, "CIM_ReferencedProfile", "Antecedent", p, "Dependent", p1042)
	}
	pools := map[uint16]cim.ObjectPath{4: mem}
	for _, rt := range []uint16{3, 10, 17} {
		pools[rt] = f.add(virt, cim.NewInstance("CIM_ResourcePool").Set("InstanceID", cim.String(cim.Uint16(rt).Text()+"-pool")).
			Set("ResourceType", cim.Uint16(rt)).Set("Primordial", cim.Bool(true)), "InstanceID")
		f.assoc(virt, "CIM_HostedResourcePool", "GroupComponent", host, "PartComponent", pools[rt])
	}
	defaults := map[uint16]*cim.Instance{
		3:  rasd(3).Set("VirtualQuantity", cim.Uint64(1)),
		4:  rasd(4).Set("VirtualQuantity", cim.Uint64(1024)).Set("AllocationUnits", cim.String("byte*2^20")),
		10: rasd(10).Set("Connection", cim.StringArray("sw")),
		17: rasd(17).Set("VirtualQuantity", cim.Uint64(10)).Set("AllocationUnits", cim.String("byte*2^30")),
	}
	for _, rt := range []uint16{4, 3, 10, 17} {
		ac := f.add(virt, cim.NewInstance("CIM_AllocationCapabilities").Set("InstanceID", cim.String("ac-"+cim.Uint16(rt).Text())).
			Set("ResourceType", cim.Uint16(rt)), "InstanceID")
		f.assoc(virt, "CIM_ElementCapabilities", "ManagedElement", pools[rt], "Capabilities", ac)
		f.assoc(interop, "CIM_ElementConformsToProfile", "ConformantStandard", p1043, "ManagedElement", ac)
		capSettingOf(f, ac, defaults[rt], "default", 0, 0)
		if rt == 4 {
			capSettingOf(f, ac, rasd(4).Set("VirtualQuantity", cim.Uint64(256)), "increment", 3, 3)
			capSettingOf(f, ac, rasd(4).Set("VirtualQuantity", cim.Uint64(4096)), "maximum", 3, 2)
		}
	}
}

func rasd(rt uint16) *cim.Instance {
	return cim.NewInstance("CIM_ResourceAllocationSettingData").Set("ResourceType", cim.Uint16(rt))
}

// capSettingOf links a setting to capabilities ac by
// CIM_SettingsDefineCapabilities with ValueRole and ValueRange.
func capSettingOf(f *fake, ac cim.ObjectPath, s *cim.Instance, role string, valueRole, valueRange uint16) {
	p := f.add(virt, s.Set("InstanceID", cim.String(ac.Keys[0].Value.Text()+"-"+role)), "InstanceID")
	inst := cim.NewInstance("CIM_SettingsDefineCapabilities").Set("GroupComponent", cim.Ref(ac)).Set("PartComponent", cim.Ref(p)).
		Set("ValueRole", cim.Uint16(valueRole)).Set("ValueRange", cim.Uint16(valueRange))
	f.add(virt, inst, "GroupComponent", "PartComponent")
}

// addSecondHost adds host2, with its VSMS (sharing the capabilities vsmc)
// and the memory pool.
func addSecondHost(f *fake, p1042, vsmc, mem cim.ObjectPath) {
	host2 := f.add(virt, cim.NewInstance("CIM_ComputerSystem").Set("CreationClassName", cim.String("CIM_ComputerSystem")).
		Set("Name", cim.String("host2")).Set("EnabledState", cim.Uint16(2)), "CreationClassName", "Name")
	vsms2 := service(f, "CIM_VirtualSystemManagementService", "host2", "vsms2")
	f.assoc(interop, "CIM_ElementConformsToProfile", "ConformantStandard", p1042, "ManagedElement", host2)
	f.assoc(virt, "CIM_HostedService", "Antecedent", host2, "Dependent", vsms2)
	f.assoc(virt, "CIM_ElementCapabilities", "ManagedElement", vsms2, "Capabilities", vsmc)
	f.assoc(virt, "CIM_HostedResourcePool", "GroupComponent", host2, "PartComponent", mem)
}

// addServices adds the migration, snapshot and indication services with
// their capabilities and profiles, and a virtual Ethernet switch (DSP1097).
func addServices(f *fake, prof profileFunc, host cim.ObjectPath) {
	for _, s := range []struct{ id, name, class, caps string }{
		{"x:1081", "Virtual System Migration", "CIM_VirtualSystemMigrationService", "CIM_VirtualSystemMigrationCapabilities"},
		{"x:snap", "Virtual System Snapshot", "CIM_VirtualSystemSnapshotService", "CIM_VirtualSystemSnapshotServiceCapabilities"},
		{"x:1054", "Indications", "CIM_IndicationService", "CIM_IndicationServiceCapabilities"},
	} {
		svc := service(f, s.class, "host", s.class+"-1")
		caps := f.add(virt, cim.NewInstance(s.caps).Set("InstanceID", cim.String(s.caps+"-1")).Set("SnapshotTypesSupported", cim.Uint16Array(2)), "InstanceID")
		f.assoc(interop, "CIM_ElementConformsToProfile", "ConformantStandard", prof(s.id, s.name, "1.0.0"), "ManagedElement", svc)
		f.assoc(virt, "CIM_ElementCapabilities", "ManagedElement", svc, "Capabilities", caps)
		f.assoc(virt, "CIM_HostedService", "Antecedent", host, "Dependent", svc)
	}
	sw := f.add(virt, cim.NewInstance("CIM_ComputerSystem").Set("CreationClassName", cim.String("CIM_ComputerSystem")).
		Set("Name", cim.String("sw")).Set("Dedicated", cim.Uint16Array(38)), "CreationClassName", "Name")
	f.assoc(interop, "CIM_ElementConformsToProfile", "ConformantStandard", prof("x:1097", "Virtual Ethernet Switch", "1.0.0"), "ManagedElement", sw)
}

// csSet sets a property of the ComputerSystem named name.
func csSet(name, prop string, v cim.Value) func(*fake) {
	return func(f *fake) {
		for _, o := range f.objs {
			if o.Path.ClassName == "CIM_ComputerSystem" && o.Instance.Str("Name") == name {
				o.Instance.Set(prop, v)
			}
		}
	}
}

// poolSet sets a property of the pools of ResourceType rt (every pool for 0).
func poolSet(rt uint64, prop string, v cim.Value) func(*fake) {
	return func(f *fake) {
		for _, o := range f.objs {
			if n, _ := uintProp(o.Instance, "ResourceType"); o.Path.ClassName == "CIM_ResourcePool" && (rt == 0 || n == rt) {
				o.Instance.Set(prop, v)
			}
		}
	}
}
