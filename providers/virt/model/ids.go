package model

import (
	"strconv"
	"strings"
)

const orgPrefix = "Ferrum:"

// Device names within a VM.
const (
	DevProcessor = "proc"
	DevMemory    = "mem"
	DevGraphics  = "graphics"
	DevMouse     = "mouse"
	DevKeyboard  = "keyboard"
)

// Roles of the settings that define an allocation capability's range
// (DSP1043's Default, Minimum, Maximum and Increment).
const (
	RoleDefault   = "Default"
	RoleMinimum   = "Minimum"
	RoleMaximum   = "Maximum"
	RoleIncrement = "Increment"
)

// CapabilityRoles lists the four roles in their usual order.
var CapabilityRoles = []string{RoleDefault, RoleMinimum, RoleMaximum, RoleIncrement}

// VSSDInstanceID is the InstanceID of a VM's settings: "Ferrum:<vm>".
func VSSDInstanceID(vm string) string { return orgPrefix + vm }

// ParseVSSDInstanceID returns the VM of a VSSD InstanceID.
func ParseVSSDInstanceID(id string) (vm string, ok bool) {
	vm, ok = strings.CutPrefix(id, orgPrefix)
	return vm, ok && vm != "" && !strings.Contains(vm, "/")
}

// ElementID is the InstanceID of a VM's RASD and the DeviceID of a virtual
// device: "<vm>/<device>".
func ElementID(vm, dev string) string { return vm + "/" + dev }

// ParseElementID splits an ElementID into its VM and device.
func ParseElementID(id string) (vm, dev string, ok bool) {
	if strings.HasPrefix(id, orgPrefix) {
		return "", "", false
	}
	vm, dev, ok = strings.Cut(id, "/")
	return vm, dev, ok && vm != "" && dev != ""
}

// ProcessorDevice names the n-th virtual processor ("proc/0").
func ProcessorDevice(n int) string { return DevProcessor + "/" + strconv.Itoa(n) }

// ParseProcessorDevice returns n for "proc/<n>".
func ParseProcessorDevice(dev string) (int, bool) {
	s, ok := strings.CutPrefix(dev, DevProcessor+"/")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 0
}

// PoolID is the InstanceID of a pool: "Ferrum:<host>/<Kind>Pool" for the
// primordial pool (name ""), "Ferrum:<host>/<Kind>Pool/<name>" for a
// concrete one.
func PoolID(host string, k Kind, name string) string {
	id := orgPrefix + host + "/" + k.PoolName()
	if name != "" {
		id += "/" + name
	}
	return id
}

// ParsePoolID splits a PoolID.
func ParsePoolID(id string) (host string, k Kind, name string, ok bool) {
	rest, ok := strings.CutPrefix(id, orgPrefix)
	if !ok {
		return "", 0, "", false
	}
	host, rest, ok = strings.Cut(rest, "/")
	if !ok || host == "" {
		return "", 0, "", false
	}
	kindName, name, _ := strings.Cut(rest, "/")
	k, ok = KindOfPoolName(kindName)
	return host, k, name, ok && !strings.Contains(name, "#")
}

// CapSettingID is the InstanceID of one setting that defines the range of
// a pool's allocation capabilities.
func CapSettingID(poolID, role string) string { return poolID + "#" + role }

// ParseCapSettingID splits a CapSettingID.
func ParseCapSettingID(id string) (poolID, role string, ok bool) {
	poolID, role, ok = strings.Cut(id, "#")
	if !ok {
		return "", "", false
	}
	for _, r := range CapabilityRoles {
		if r == role {
			_, _, _, valid := ParsePoolID(poolID)
			return poolID, role, valid
		}
	}
	return "", "", false
}

// VSMCInstanceID is the InstanceID of a host's management capabilities.
func VSMCInstanceID(host string) string {
	return orgPrefix + host + "/VirtualSystemManagementCapabilities"
}

// ParseVSMCInstanceID returns the host of a VSMCInstanceID.
func ParseVSMCInstanceID(id string) (string, bool) {
	rest, ok := strings.CutPrefix(id, orgPrefix)
	if !ok {
		return "", false
	}
	host, ok := strings.CutSuffix(rest, "/VirtualSystemManagementCapabilities")
	return host, ok && host != ""
}

// ELECInstanceID is the InstanceID of a VM's state capabilities.
func ELECInstanceID(vm string) string { return orgPrefix + vm + "/EnabledLogicalElementCapabilities" }

// ParseELECInstanceID returns the VM of an ELECInstanceID.
func ParseELECInstanceID(id string) (string, bool) {
	rest, ok := strings.CutPrefix(id, orgPrefix)
	if !ok {
		return "", false
	}
	vm, ok := strings.CutSuffix(rest, "/EnabledLogicalElementCapabilities")
	return vm, ok && vm != ""
}

// VolumeDeviceID is the DeviceID of a storage volume: "<pool>/<name>".
func VolumeDeviceID(pool, name string) string { return pool + "/" + name }

// ParseVolumeDeviceID splits a VolumeDeviceID.
func ParseVolumeDeviceID(id string) (pool, name string, ok bool) {
	pool, name, ok = strings.Cut(id, "/")
	return pool, name, ok && pool != "" && name != ""
}
