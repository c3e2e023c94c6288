package main

import (
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// The VM's configuration, small enough for two runs at once on libvirt's
// test driver (a 3 GiB host whose own domain "test" holds 2 GiB).
const (
	initialVCPUs  = 1
	initialMemMiB = 256
	changedVCPUs  = 2
	changedMemMiB = 384
	maxVCPUs      = 4   // the processor setting's Limit
	maxMemMiB     = 512 // the memory setting's Limit
)

func (sc *scenario) define() {
	proc := procRequest(initialVCPUs).Set("Limit", cim.Uint64(maxVCPUs))
	mem := memRequest(initialMemMiB).Set("Limit", cim.Uint64(maxMemMiB))
	out, _ := sc.run(sc.vsms(), "DefineSystem", defineParams(vssdRequest(sc.name), proc, mem,
		diskRequest(sc.host, sc.pool, 1), nicRequest(sc.sw)))
	sc.vm = outRef(sc.t, out, "ResultingSystem")
	id, ok := model.VMOf(sc.vm)
	if !ok {
		sc.t.Fatalf("ResultingSystem %s is not a virtual system", sc.vm)
	}
	sc.vmID = id
	if got := sc.get(sc.vm); got.Str("ElementName") != sc.name {
		sc.t.Fatalf("defined VM is named %q", got.Str("ElementName"))
	}
	sc.requireState(sc.vm, 3)
	sc.requireLinked(sc.vm, model.AssocHostedDependency, model.HostPath(sc.host), true)
	sc.requireLinked(sc.vm, model.AssocSettingsDefState, model.VSSDPath(id), true)
	sc.requireQuantities(initialVCPUs, initialMemMiB)
	sc.requireDevices(1, 1)
}

// rasds returns the VM's settings by ResourceType, through
// VirtualSystemSettingDataComponent from its VSSD.
func (sc *scenario) rasds() map[uint64][]*cim.Instance {
	sc.t.Helper()
	out := map[uint64][]*cim.Instance{}
	for _, r := range sc.assocInstances(model.VSSDPath(sc.vmID), model.AssocVSSDComponent, "") {
		rt, _ := prop(r, "ResourceType")
		out[rt] = append(out[rt], r)
	}
	return out
}

// rasd returns the VM's one setting of ResourceType rt.
func (sc *scenario) rasd(rt uint64) *cim.Instance {
	sc.t.Helper()
	rs := sc.rasds()[rt]
	if len(rs) != 1 {
		sc.t.Fatalf("%d settings of ResourceType %d, want 1", len(rs), rt)
	}
	return rs[0]
}

// requireQuantities requires the VM's vCPU count and memory (in MiB).
func (sc *scenario) requireQuantities(vcpus, memMiB uint64) {
	sc.t.Helper()
	if got, _ := prop(sc.rasd(3), "VirtualQuantity"); got != vcpus {
		sc.t.Fatalf("processor VirtualQuantity %d, want %d", got, vcpus)
	}
	mem := sc.rasd(4)
	if got, _ := prop(mem, "VirtualQuantity"); got*unitMiB(sc, mem) != memMiB {
		sc.t.Fatalf("memory VirtualQuantity %d %s, want %d MiB", got, mem.Str("AllocationUnits"), memMiB)
	}
}

// unitMiB is how many MiB one unit of a memory RASD is.
func unitMiB(sc *scenario, mem *cim.Instance) uint64 {
	switch u := mem.Str("AllocationUnits"); u {
	case "byte*2^20", "byte * 2^20", "MegaBytes":
		return 1
	case "byte*2^30", "byte * 2^30", "GigaBytes":
		return 1024
	default:
		sc.t.Fatalf("memory AllocationUnits %q", u)
		return 0
	}
}

// requireDevices requires the VM's disk and NIC counts, both as settings
// and, while it is active, as devices (SystemDevice).
func (sc *scenario) requireDevices(disks, nics int) {
	sc.t.Helper()
	rs := sc.rasds()
	if len(rs[17]) != disks || len(rs[10]) != nics {
		sc.t.Fatalf("%d disk and %d NIC settings, want %d and %d", len(rs[17]), len(rs[10]), disks, nics)
	}
	if st := sc.enabledState(sc.vm); st != 2 && st != 9 {
		disks, nics = 0, 0 // a VM that is not active has no devices
	}
	if got := len(sc.assoc(sc.vm, model.AssocSystemDevice, model.ClassLogicalDisk)); got != disks {
		sc.t.Fatalf("%d logical disks, want %d", got, disks)
	}
	if got := len(sc.assoc(sc.vm, model.AssocSystemDevice, model.ClassNetworkPort)); got != nics {
		sc.t.Fatalf("%d network ports, want %d", got, nics)
	}
}

// changeState requests state and requires EnabledState want afterwards.
func (sc *scenario) changeState(state uint16, want uint64) {
	sc.run(sc.vm, "RequestStateChange", rscParams(state))
	sc.requireState(sc.vm, want)
}

// refusedState requires RequestStateChange(state) to answer code without
// changing EnabledState (still want).
func (sc *scenario) refusedState(state uint16, code uint32, want uint64) {
	sc.refused(sc.vm, "RequestStateChange", rscParams(state), code)
	sc.requireState(sc.vm, want)
}

// hotpluggable reports whether the host declares that resources of kind
// can be added and removed while the VM runs (SupportedAddStates of the
// kind's allocation capabilities holds 2).
func (sc *scenario) hotpluggable(kind model.Kind) bool {
	sc.t.Helper()
	caps := sc.get(model.AllocCapsPath(model.PoolID(sc.host, kind, "")))
	for _, st := range props(caps, "SupportedAddStates") {
		if st == 2 {
			return true
		}
	}
	return false
}

// whileChangeable runs change with the VM in a state where resources of
// every kind can change: running if the host declares them hot-pluggable,
// else stopped (and started again afterwards).
func (sc *scenario) whileChangeable(change func(), kinds ...model.Kind) {
	sc.t.Helper()
	hot := true
	for _, k := range kinds {
		hot = hot && sc.hotpluggable(k)
	}
	if !hot {
		sc.t.Logf("the host does not declare %v hot-pluggable: changing them with the VM stopped", kinds)
		sc.changeState(3, 3)
		defer sc.changeState(2, 2)
	}
	change()
}

func (sc *scenario) addDevices() {
	sc.whileChangeable(func() {
		out, _ := sc.run(sc.vsms(), "AddResourceSettings", addParams(sc.vmID, nicRequest(sc.sw), diskRequest(sc.host, sc.pool, 1)))
		if v, _ := out.Get("ResultingResourceSettings"); !v.IsNull() && v.Len() != 2 {
			sc.t.Fatalf("ResultingResourceSettings %v, want 2", v)
		}
		sc.requireDevices(2, 2)
	}, model.KindNetwork, model.KindDisk)
}

func (sc *scenario) modifyQuantities() {
	sc.whileChangeable(func() {
		sc.run(sc.vsms(), "ModifyResourceSettings", modifyParams(quantity(sc.rasd(4), memIn(sc, changedMemMiB)), quantity(sc.rasd(3), changedVCPUs)))
		sc.requireQuantities(changedVCPUs, changedMemMiB)
	}, model.KindMemory, model.KindProcessor)
}

// memIn converts mib to the units of the VM's memory setting.
func memIn(sc *scenario, mib uint64) uint64 { return mib / unitMiB(sc, sc.rasd(4)) }

func (sc *scenario) removeDevice() {
	sc.whileChangeable(func() {
		nics := sc.rasds()[10]
		sc.run(sc.vsms(), "RemoveResourceSettings", removeParams(rasdPath(nics[len(nics)-1])))
		sc.requireDevices(2, 1)
	}, model.KindNetwork)
}

// rasdPath names a RASD read from the server by its class and InstanceID.
func rasdPath(r *cim.Instance) cim.ObjectPath {
	return cim.NewInstancePath(model.Namespace, r.ClassName, cim.KeyBinding{Name: "InstanceID", Value: cim.String(r.Str("InstanceID"))})
}

func (sc *scenario) destroy() {
	disks := sc.rasds()[17]
	sc.run(sc.vsms(), "DestroySystem", affected(sc.vm))
	sc.gone(sc.vm)
	sc.gone(model.VSSDPath(sc.vmID))
	for _, d := range disks {
		sc.gone(rasdPath(d))
	}
	sc.refused(sc.vsms(), "DestroySystem", affected(sc.vm), 4)
}
