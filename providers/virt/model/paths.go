package model

import (
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

func key(name, value string) cim.KeyBinding {
	return cim.KeyBinding{Name: name, Value: cim.String(value)}
}

func instanceIDPath(class, id string) cim.ObjectPath {
	return cim.NewInstancePath(Namespace, class, key("InstanceID", id))
}

// HostPath names a host.
func HostPath(host string) cim.ObjectPath {
	return cim.NewInstancePath(Namespace, ClassHost, key("CreationClassName", ClassHost), key("Name", host))
}

// VMPath names a virtual machine.
func VMPath(vm string) cim.ObjectPath {
	return cim.NewInstancePath(Namespace, ClassVM, key("CreationClassName", ClassVM), key("Name", vm))
}

// VSMSPath names a host's management service.
func VSMSPath(host string) cim.ObjectPath {
	return cim.NewInstancePath(Namespace, ClassVSMS,
		key("SystemCreationClassName", ClassHost), key("SystemName", host),
		key("CreationClassName", ClassVSMS), key("Name", VSMSName))
}

// VSMCPath names a host's management capabilities.
func VSMCPath(host string) cim.ObjectPath { return instanceIDPath(ClassVSMC, VSMCInstanceID(host)) }

// VSSDPath names a VM's settings.
func VSSDPath(vm string) cim.ObjectPath { return instanceIDPath(ClassVSSD, VSSDInstanceID(vm)) }

// ELECPath names a VM's state capabilities.
func ELECPath(vm string) cim.ObjectPath { return instanceIDPath(ClassELEC, ELECInstanceID(vm)) }

// RASDPath names a VM's setting of kind k for device dev.
func RASDPath(k Kind, vm, dev string) cim.ObjectPath {
	return instanceIDPath(k.RASDClass(), ElementID(vm, dev))
}

// DevicePath names a virtual device of class class.
func DevicePath(class, vm, dev string) cim.ObjectPath {
	return cim.NewInstancePath(Namespace, class,
		key("SystemCreationClassName", ClassVM), key("SystemName", vm),
		key("CreationClassName", class), key("DeviceID", ElementID(vm, dev)))
}

// PoolPath names a pool of kind k.
func PoolPath(k Kind, poolID string) cim.ObjectPath { return instanceIDPath(k.PoolClass(), poolID) }

// AllocCapsPath names a pool's allocation capabilities.
func AllocCapsPath(poolID string) cim.ObjectPath { return instanceIDPath(ClassAllocCaps, poolID) }

// CapSettingPath names one setting of a pool's allocation capabilities.
func CapSettingPath(k Kind, poolID, role string) cim.ObjectPath {
	return instanceIDPath(k.RASDClass(), CapSettingID(poolID, role))
}

// VolumePath names a storage volume of a host.
func VolumePath(host, pool, name string) cim.ObjectPath {
	return cim.NewInstancePath(Namespace, ClassVolume,
		key("SystemCreationClassName", ClassHost), key("SystemName", host),
		key("CreationClassName", ClassVolume), key("DeviceID", VolumeDeviceID(pool, name)))
}

// KeyString returns the string value of key name in p.
func KeyString(p cim.ObjectPath, name string) string {
	v, _ := p.Key(name)
	return v.Str()
}

// Is reports whether p names an instance of exactly class.
func Is(p cim.ObjectPath, class string) bool { return strings.EqualFold(p.ClassName, class) }

// HostOf returns the host a host path names.
func HostOf(p cim.ObjectPath) (string, bool) {
	if !Is(p, ClassHost) {
		return "", false
	}
	id := KeyString(p, "Name")
	return id, id != ""
}

// VMOf returns the VM a path names: a Ferrum_ComputerSystem (or a path of
// another class whose CreationClassName says Ferrum_ComputerSystem, as
// clients send for CIM_ComputerSystem references).
func VMOf(p cim.ObjectPath) (string, bool) {
	if !Is(p, ClassVM) && !strings.EqualFold(KeyString(p, "CreationClassName"), ClassVM) {
		return "", false
	}
	id := KeyString(p, "Name")
	return id, id != ""
}

// VSMSHostOf returns the host of a management service path.
func VSMSHostOf(p cim.ObjectPath) (string, bool) {
	if !Is(p, ClassVSMS) {
		return "", false
	}
	id := KeyString(p, "SystemName")
	return id, id != "" && KeyString(p, "Name") == VSMSName
}

// DeviceOf returns the VM and device a virtual device path names.
func DeviceOf(p cim.ObjectPath) (vm, dev string, ok bool) {
	vm, dev, ok = ParseElementID(KeyString(p, "DeviceID"))
	return vm, dev, ok && KeyString(p, "SystemName") == vm
}

// InstanceIDOf returns the InstanceID key of p.
func InstanceIDOf(p cim.ObjectPath) string { return KeyString(p, "InstanceID") }
