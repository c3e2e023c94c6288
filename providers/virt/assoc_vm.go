package virt

import (
	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/provkit"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// ownerVM returns the VM an object belongs to: the VM itself, its VSSD,
// one of its RASDs or virtual devices, or its state capabilities.
func ownerVM(target cim.ObjectPath) (string, bool) {
	if vm, ok := model.VMOf(target); ok {
		return vm, true
	}
	id := model.InstanceIDOf(target)
	switch {
	case model.Is(target, model.ClassVSSD):
		return model.ParseVSSDInstanceID(id)
	case model.Is(target, model.ClassELEC):
		return model.ParseELECInstanceID(id)
	}
	if _, ok := model.KindOfRASDClass(target.ClassName); ok {
		vm, _, ok := model.ParseElementID(id)
		return vm, ok
	}
	if _, ok := model.KindOfDeviceClass(target.ClassName); ok {
		vm, _, ok := model.DeviceOf(target)
		return vm, ok
	}
	return "", false
}

func (p *Provider) systemDevice() association {
	return p.byVM([]string{"PartComponent", "GroupComponent"}, func(_ hostRef, vm backends.VM) []*cim.Instance {
		var out []*cim.Instance
		for _, e := range elements(vm) {
			for _, d := range e.devicePaths(vm) {
				out = append(out, provkit.Link(model.AssocSystemDevice, "GroupComponent", model.VMPath(vm.UUID), "PartComponent", d))
			}
		}
		return out
	}, ownerVM, nil)
}

func (p *Provider) vssdComponent() association {
	return p.byVM([]string{"PartComponent", "GroupComponent"}, func(_ hostRef, vm backends.VM) []*cim.Instance {
		var out []*cim.Instance
		for _, e := range elements(vm) {
			out = append(out, provkit.Link(model.AssocVSSDComponent,
				"GroupComponent", model.VSSDPath(vm.UUID), "PartComponent", e.rasdPath(vm.UUID)))
		}
		return out
	}, ownerVM, nil)
}

// settingsDefineState links a VM to its VSSD and each virtual device of an
// active VM to its RASD.
func (p *Provider) settingsDefineState() association {
	return p.byVM([]string{"SettingData", "ManagedElement"}, func(_ hostRef, vm backends.VM) []*cim.Instance {
		out := []*cim.Instance{provkit.Link(model.AssocSettingsDefState,
			"ManagedElement", model.VMPath(vm.UUID), "SettingData", model.VSSDPath(vm.UUID))}
		for _, e := range elements(vm) {
			for _, d := range e.devicePaths(vm) {
				out = append(out, provkit.Link(model.AssocSettingsDefState, "ManagedElement", d, "SettingData", e.rasdPath(vm.UUID)))
			}
		}
		return out
	}, ownerVM, nil)
}

// elementSettingData links each VSSD and RASD to itself: the backends keep
// one configuration, so a VM's state settings are its defined settings,
// the default and the next (libvirt-cim does the same).
func (p *Provider) elementSettingData() association {
	self := func(path cim.ObjectPath) *cim.Instance {
		return provkit.Link(model.AssocElementSettingData, "ManagedElement", path, "SettingData", path,
			"IsDefault", cim.Uint16(1), "IsCurrent", cim.Uint16(1), "IsNext", cim.Uint16(1))
	}
	return p.byVM([]string{"SettingData", "ManagedElement"}, func(_ hostRef, vm backends.VM) []*cim.Instance {
		out := []*cim.Instance{self(model.VSSDPath(vm.UUID))}
		for _, e := range elements(vm) {
			out = append(out, self(e.rasdPath(vm.UUID)))
		}
		return out
	}, ownerVM, nil)
}
