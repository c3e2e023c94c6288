package virt

import (
	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// defaultPool is the name of the one concrete pool of the kinds a host
// does not divide (processors, memory, graphics, input).
const defaultPool = "default"

// element is one allocated resource of a VM: one RASD and the virtual
// devices that realise it while the VM runs. Computing elements costs no
// backend call, so associations use them without building instances.
type element struct {
	Kind  model.Kind
	Dev   string // device name: "proc", "mem", "vda", a MAC, "graphics", "mouse", "keyboard"
	Disk  *backends.DiskSpec
	NIC   *backends.NICSpec
	Count int // processors: one device per vCPU
}

// elements lists vm's resources: processors, memory, each disk, each NIC,
// the graphical console if any, and the PS/2 mouse and keyboard every
// x86 guest has.
func elements(vm backends.VM) []element {
	out := []element{
		{Kind: model.KindProcessor, Dev: model.DevProcessor, Count: vm.VCPUs},
		{Kind: model.KindMemory, Dev: model.DevMemory},
	}
	for i := range vm.Disks {
		out = append(out, element{Kind: model.KindDisk, Dev: vm.Disks[i].Target, Disk: &vm.Disks[i]})
	}
	for i := range vm.NICs {
		out = append(out, element{Kind: model.KindNetwork, Dev: vm.NICs[i].MAC, NIC: &vm.NICs[i]})
	}
	if vm.Graphics != nil {
		out = append(out, element{Kind: model.KindGraphics, Dev: model.DevGraphics})
	}
	return append(out,
		element{Kind: model.KindInput, Dev: model.DevMouse},
		element{Kind: model.KindInput, Dev: model.DevKeyboard})
}

// findElement returns vm's element with device name dev.
func findElement(vm backends.VM, dev string) (element, bool) {
	if n, ok := model.ParseProcessorDevice(dev); ok && n < vm.VCPUs {
		dev = model.DevProcessor
	}
	for _, e := range elements(vm) {
		if e.Dev == dev {
			return e, true
		}
	}
	return element{}, false
}

// poolID returns the PoolID of the concrete pool e is allocated from, or
// "" for a disk that is a path rather than a volume.
func (e element) poolID(host string) string {
	switch {
	case e.Disk != nil:
		if e.Disk.Volume == nil {
			return ""
		}
		return model.PoolID(host, model.KindDisk, e.Disk.Volume.Pool)
	case e.NIC != nil:
		return model.PoolID(host, model.KindNetwork, e.NIC.Switch)
	}
	return model.PoolID(host, e.Kind, defaultPool)
}

// rasdPath names e's RASD.
func (e element) rasdPath(vm string) cim.ObjectPath { return model.RASDPath(e.Kind, vm, e.Dev) }

// deviceClass is the class of e's virtual devices.
func (e element) deviceClass() string {
	if e.Kind == model.KindInput && e.Dev == model.DevKeyboard {
		return model.ClassKeyboard
	}
	return e.Kind.DeviceClasses()[0]
}

// deviceNames are the device names of e's virtual devices.
func (e element) deviceNames() []string {
	if e.Kind != model.KindProcessor {
		return []string{e.Dev}
	}
	out := make([]string, e.Count)
	for i := range out {
		out[i] = model.ProcessorDevice(i)
	}
	return out
}

// devicePaths names e's virtual devices; a VM that is not active has none.
func (e element) devicePaths(vm backends.VM) []cim.ObjectPath {
	if !vm.State.Active() {
		return nil
	}
	names := e.deviceNames()
	out := make([]cim.ObjectPath, len(names))
	for i, n := range names {
		out[i] = model.DevicePath(e.deviceClass(), vm.UUID, n)
	}
	return out
}
