package virt

import (
	"strings"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// device starts a virtual device of vm.
func device(class string, vm backends.VM, dev, name string) *cim.Instance {
	return cim.NewInstance(class).
		Set("SystemCreationClassName", cim.String(model.ClassVM)).
		Set("SystemName", cim.String(vm.UUID)).
		Set("CreationClassName", cim.String(class)).
		Set("DeviceID", cim.String(model.ElementID(vm.UUID, dev))).
		Set("ElementName", cim.String(name)).
		Set("Caption", cim.String(name)).
		Set("EnabledState", cim.Uint16(model.EnabledState(vm.State))).
		Set("RequestedState", cim.Uint16(model.RequestedNotApplic)).
		Set("HealthState", cim.Uint16(model.HealthOK)).
		Set("OperationalStatus", cim.Uint16Array(model.OpStatusOK))
}

// deviceInstances builds the virtual devices of element e of an active vm
// (none for a VM that is not active).
func (s *scope) deviceInstances(hr hostRef, vm backends.VM, e element) []*cim.Instance {
	if !vm.State.Active() {
		return nil
	}
	class := e.deviceClass()
	switch {
	case e.Kind == model.KindProcessor:
		out := make([]*cim.Instance, 0, e.Count)
		for i, name := range e.deviceNames() {
			out = append(out, device(class, vm, name, "vCPU "+name[len(model.DevProcessor)+1:]).
				Set("NumberOfEnabledCores", cim.Uint16(1)).
				Set("Role", cim.String("Central Processor")).
				Set("UniqueID", cim.String(model.ElementID(vm.UUID, model.ProcessorDevice(i)))))
		}
		return out
	case e.Kind == model.KindMemory:
		return []*cim.Instance{device(class, vm, e.Dev, "Memory").
			Set("BlockSize", cim.Uint64(1<<20)).
			Set("NumberOfBlocks", cim.Uint64(vm.MemoryMiB)).
			Set("ConsumableBlocks", cim.Uint64(vm.MemoryMiB)).
			Set("Access", cim.Uint16(3)).
			Set("Volatile", cim.Bool(true))}
	case e.Disk != nil:
		return []*cim.Instance{s.logicalDisk(hr, vm, e)}
	case e.NIC != nil:
		mac := strings.ToUpper(strings.ReplaceAll(e.NIC.MAC, ":", ""))
		return []*cim.Instance{device(class, vm, e.Dev, "NIC "+e.NIC.MAC).
			Set("PermanentAddress", cim.String(mac)).
			Set("NetworkAddresses", cim.StringArray(mac)).
			Set("LinkTechnology", cim.Uint16(2)).
			Set("PortType", cim.Uint16(0))}
	case e.Kind == model.KindGraphics:
		return []*cim.Instance{device(class, vm, e.Dev, string(vm.Graphics.Type)+" display").
			Set("VideoProcessor", cim.String(string(vm.Graphics.Type)))}
	case e.Dev == model.DevKeyboard:
		return []*cim.Instance{device(class, vm, e.Dev, "PS/2 keyboard")}
	default:
		return []*cim.Instance{device(class, vm, e.Dev, "PS/2 mouse").
			Set("PointingType", cim.Uint16(3)).
			Set("NumberOfButtons", cim.Uint8(3))}
	}
}

// logicalDisk builds the Ferrum_LogicalDisk of a disk element.
func (s *scope) logicalDisk(hr hostRef, vm backends.VM, e element) *cim.Instance {
	d := e.Disk
	access := uint16(3)
	if d.ReadOnly {
		access = 1
	}
	in := device(model.ClassLogicalDisk, vm, e.Dev, "Disk "+d.Target).
		Set("Name", cim.String(d.Target)).
		Set("Access", cim.Uint16(access)).
		Set("BlockSize", cim.Uint64(512))
	if d.Volume != nil {
		if v := s.volume(hr, *d.Volume); v != nil {
			in.Set("NumberOfBlocks", cim.Uint64(v.Capacity/512)).
				Set("ConsumableBlocks", cim.Uint64(v.Capacity/512)).
				Set("ThinlyProvisioned", cim.Bool(v.Allocation < v.Capacity))
		}
	}
	return in
}

// deviceInstancesOf builds vm's virtual devices of class class ("" for
// all).
func (s *scope) deviceInstancesOf(hr hostRef, vm backends.VM, class string) []*cim.Instance {
	if !vm.State.Active() {
		return nil
	}
	var out []*cim.Instance
	for _, e := range elements(vm) {
		if class == "" || strings.EqualFold(e.deviceClass(), class) {
			out = append(out, s.deviceInstances(hr, vm, e)...)
		}
	}
	return out
}
