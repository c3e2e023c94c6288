package main

import (
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// Embedded instances and parameters of the profiles' methods, as a client
// writes them: only the properties a request needs.

const (
	classSwitchSettings = "Ferrum_VirtualEthernetSwitchSettingData"
	classPortSettings   = "Ferrum_EthernetPortAllocationSettingData"
	classSwitch         = "Ferrum_VirtualEthernetSwitch"
	classPoolSettings   = "Ferrum_DiskPoolResourceAllocationSettingData"
	classVolSettings    = "Ferrum_StorageVolumeResourceAllocationSettingData"
	classJob            = "Ferrum_ConcreteJob"
)

func vssdRequest(name string) *cim.Instance {
	return cim.NewInstance(model.ClassVSSD).Set("ElementName", cim.String(name))
}

func procRequest(n uint64) *cim.Instance {
	return cim.NewInstance(model.ClassProcRASD).Set("ResourceType", cim.Uint16(3)).Set("VirtualQuantity", cim.Uint64(n))
}

func memRequest(mib uint64) *cim.Instance {
	return cim.NewInstance(model.ClassMemRASD).Set("ResourceType", cim.Uint16(4)).
		Set("VirtualQuantity", cim.Uint64(mib)).Set("AllocationUnits", cim.String("byte*2^20"))
}

// diskRequest asks for a new volume of gib GiB in pool of host.
func diskRequest(host, pool string, gib uint64) *cim.Instance {
	return cim.NewInstance(model.ClassDiskRASD).Set("ResourceType", cim.Uint16(17)).
		Set("PoolID", cim.String(model.PoolID(host, model.KindDisk, pool))).
		Set("VirtualQuantity", cim.Uint64(gib)).Set("AllocationUnits", cim.String("byte*2^30"))
}

func nicRequest(sw string) *cim.Instance {
	return cim.NewInstance(model.ClassNetRASD).Set("ResourceType", cim.Uint16(10)).Set("Connection", cim.StringArray(sw))
}

// embedded is an array of embedded instances.
func embedded(ins ...*cim.Instance) cim.Value {
	elems := make([]any, len(ins))
	for i, in := range ins {
		elems[i] = in
	}
	v, err := cim.NewArray(cim.TypeInstance, elems)
	if err != nil {
		panic(err)
	}
	return v
}

func defineParams(vssd *cim.Instance, rasds ...*cim.Instance) cim.Params {
	return cim.Params{{Name: "SystemSettings", Value: cim.Embedded(vssd)}, {Name: "ResourceSettings", Value: embedded(rasds...)}}
}

func rscParams(state uint16) cim.Params {
	return cim.Params{{Name: "RequestedState", Value: cim.Uint16(state)}}
}

func affected(system cim.ObjectPath) cim.Params {
	return cim.Params{{Name: "AffectedSystem", Value: cim.Ref(system)}}
}

func addParams(vm string, rasds ...*cim.Instance) cim.Params {
	return cim.Params{{Name: "AffectedConfiguration", Value: cim.Ref(model.VSSDPath(vm))}, {Name: "ResourceSettings", Value: embedded(rasds...)}}
}

func modifyParams(rasds ...*cim.Instance) cim.Params {
	return cim.Params{{Name: "ResourceSettings", Value: embedded(rasds...)}}
}

func removeParams(rasds ...cim.ObjectPath) cim.Params {
	return cim.Params{{Name: "ResourceSettings", Value: cim.RefArray(rasds...)}}
}

// quantity is an existing RASD, named by its InstanceID, with a new
// VirtualQuantity.
func quantity(rasd *cim.Instance, n uint64) *cim.Instance {
	out := cim.NewInstance(rasd.ClassName).Set("InstanceID", cim.String(rasd.Str("InstanceID"))).
		Set("ResourceType", cim.Uint16(uint16(mustProp(rasd, "ResourceType")))).Set("VirtualQuantity", cim.Uint64(n))
	if u := rasd.Str("AllocationUnits"); u != "" {
		out.Set("AllocationUnits", cim.String(u))
	}
	return out
}

func mustProp(in *cim.Instance, name string) uint64 {
	n, _ := prop(in, name)
	return n
}

func snapshotParams(vm cim.ObjectPath, name string) cim.Params {
	return cim.Params{{Name: "AffectedSystem", Value: cim.Ref(vm)}, {Name: "SnapshotType", Value: cim.Uint16(2)},
		{Name: "SnapshotSettings", Value: cim.Embedded(cim.NewInstance("CIM_SettingData").Set("ElementName", cim.String(name)))}}
}

func snapshotRef(snap cim.ObjectPath) cim.Params {
	return cim.Params{{Name: "Snapshot", Value: cim.Ref(snap)}}
}

// poolParams ask for a dir pool of gib GiB at path, from host's primordial
// disk pool.
func poolParams(host, name, path string, gib uint64) cim.Params {
	rasd := cim.NewInstance(classPoolSettings).Set("ResourceType", cim.Uint16(17)).Set("PoolType", cim.Uint16(1)).
		Set("Path", cim.String(path)).Set("VirtualQuantity", cim.Uint64(gib)).Set("AllocationUnits", cim.String("byte*2^30"))
	return cim.Params{{Name: "ElementName", Value: cim.String(name)}, {Name: "Settings", Value: embedded(rasd)},
		{Name: "ParentPool", Value: cim.RefArray(primordialDiskPool(host))}}
}

func primordialDiskPool(host string) cim.ObjectPath {
	return model.PoolPath(model.KindDisk, model.PoolID(host, model.KindDisk, ""))
}

func volumeParams(pool cim.ObjectPath, set func(*cim.Instance)) cim.Params {
	rasd := cim.NewInstance(classVolSettings).Set("ResourceType", cim.Uint16(31))
	set(rasd)
	return cim.Params{{Name: "Settings", Value: cim.Embedded(rasd)}, {Name: "Pool", Value: cim.Ref(pool)}}
}

func switchParams(name string) cim.Params {
	return cim.Params{{Name: "SystemSettings", Value: cim.Embedded(cim.NewInstance(classSwitchSettings).Set("ElementName", cim.String(name)))}}
}

func toHostParams(vm cim.ObjectPath, dest string, migrationType uint16) cim.Params {
	ps := cim.Params{{Name: "ComputerSystem", Value: cim.Ref(vm)}, {Name: "DestinationHost", Value: cim.String(dest)}}
	if migrationType != 0 {
		ps = append(ps, cim.Param{Name: "MigrationSettingData", Value: cim.Embedded(
			cim.NewInstance("Ferrum_VirtualSystemMigrationSettingData").Set("MigrationType", cim.Uint16(migrationType)))})
	}
	return ps
}
