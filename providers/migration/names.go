package migration

import (
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// The classes this package serves, in root/virt.
const (
	ClassService  = "Ferrum_VirtualSystemMigrationService"
	ClassCaps     = "Ferrum_VirtualSystemMigrationCapabilities"
	ClassSettings = "Ferrum_VirtualSystemMigrationSettingData"
)

// ServiceName is the Name of every host's migration service.
const ServiceName = "Migration Service"

// ProfileID is the registered profile's ID (DSP1081).
const ProfileID = "DSP1081"

const orgPrefix = "Ferrum:"

// ServicePath names host's migration service.
func ServicePath(host string) cim.ObjectPath {
	return cim.NewInstancePath(model.Namespace, ClassService,
		key("SystemCreationClassName", model.ClassHost), key("SystemName", host),
		key("CreationClassName", ClassService), key("Name", ServiceName))
}

// CapsPath names host's migration capabilities: InstanceID
// "Ferrum:<host>/MigrationCapabilities".
func CapsPath(host string) cim.ObjectPath {
	return instancePath(ClassCaps, orgPrefix+host+"/MigrationCapabilities")
}

// SettingsPath names host's default migration settings: InstanceID
// "Ferrum:<host>/MigrationSettingData/Default".
func SettingsPath(host string) cim.ObjectPath {
	return instancePath(ClassSettings, orgPrefix+host+"/MigrationSettingData/Default")
}

func key(name, value string) cim.KeyBinding {
	return cim.KeyBinding{Name: name, Value: cim.String(value)}
}

func instancePath(class, id string) cim.ObjectPath {
	return cim.NewInstancePath(model.Namespace, class, key("InstanceID", id))
}

// serviceHost returns the host of a migration service path.
func serviceHost(p cim.ObjectPath) (string, bool) {
	if !model.Is(p, ClassService) || model.KeyString(p, "Name") != ServiceName {
		return "", false
	}
	host := model.KeyString(p, "SystemName")
	return host, host != "" && strings.EqualFold(model.KeyString(p, "SystemCreationClassName"), model.ClassHost)
}

// capsHost returns the host of a capabilities path.
func capsHost(p cim.ObjectPath) (string, bool) {
	return hostOfID(p, ClassCaps, "/MigrationCapabilities")
}

// settingsHost returns the host of a default settings path.
func settingsHost(p cim.ObjectPath) (string, bool) {
	return hostOfID(p, ClassSettings, "/MigrationSettingData/Default")
}

func hostOfID(p cim.ObjectPath, class, suffix string) (string, bool) {
	if !model.Is(p, class) {
		return "", false
	}
	rest, ok := strings.CutPrefix(model.InstanceIDOf(p), orgPrefix)
	host, ok2 := strings.CutSuffix(rest, suffix)
	return host, ok && ok2 && host != "" && !strings.Contains(host, "/")
}

// destHostOf returns the host a DestinationSystem reference names: a
// Ferrum_HostSystem, or a path of a superclass whose CreationClassName
// says Ferrum_HostSystem.
func destHostOf(p cim.ObjectPath) (string, bool) {
	if !model.Is(p, model.ClassHost) && !strings.EqualFold(model.KeyString(p, "CreationClassName"), model.ClassHost) {
		return "", false
	}
	id := model.KeyString(p, "Name")
	return id, id != ""
}
