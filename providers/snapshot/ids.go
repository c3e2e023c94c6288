package snapshot

import (
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// The classes this package serves, and the profile it registers.
const (
	ClassService     = "Ferrum_VirtualSystemSnapshotService"
	ClassServiceCaps = "Ferrum_VirtualSystemSnapshotServiceCapabilities"
	ClassCaps        = "Ferrum_VirtualSystemSnapshotCapabilities"
	AssocSnapshotOf  = "Ferrum_SnapshotOfVirtualSystem"
	AssocLastApplied = "Ferrum_LastAppliedSnapshot"

	ServiceName    = "Snapshot Service"
	ProfileID      = "VirtualSystemSnapshot"
	ProfileName    = "Virtual System Snapshot"
	ProfileVersion = "1.0.0"
)

// SnapshotType values of CreateSnapshot.
const (
	typeFull uint16 = 2
)

const org = "Ferrum:"

func idPath(class, id string) cim.ObjectPath {
	return cim.NewInstancePath(model.Namespace, class, cim.KeyBinding{Name: "InstanceID", Value: cim.String(id)})
}

// ServicePath names host's snapshot service.
func ServicePath(host string) cim.ObjectPath {
	return cim.NewInstancePath(model.Namespace, ClassService,
		cim.KeyBinding{Name: "SystemCreationClassName", Value: cim.String(model.ClassHost)},
		cim.KeyBinding{Name: "SystemName", Value: cim.String(host)},
		cim.KeyBinding{Name: "CreationClassName", Value: cim.String(ClassService)},
		cim.KeyBinding{Name: "Name", Value: cim.String(ServiceName)})
}

// serviceHostOf returns the host of a snapshot service path.
func serviceHostOf(p cim.ObjectPath) (string, bool) {
	if !model.Is(p, ClassService) || model.KeyString(p, "Name") != ServiceName {
		return "", false
	}
	h := model.KeyString(p, "SystemName")
	return h, h != ""
}

const serviceCapsSuffix = "/VirtualSystemSnapshotServiceCapabilities"
const capsSuffix = "/VirtualSystemSnapshotCapabilities"

// ServiceCapsPath names the capabilities of host's snapshot service.
func ServiceCapsPath(host string) cim.ObjectPath {
	return idPath(ClassServiceCaps, org+host+serviceCapsSuffix)
}

// CapsPath names VM vm's snapshot capabilities.
func CapsPath(vm string) cim.ObjectPath { return idPath(ClassCaps, org+vm+capsSuffix) }

// ownerOf returns what an InstanceID "Ferrum:<owner><suffix>" names.
func ownerOf(p cim.ObjectPath, class, suffix string) (string, bool) {
	if !model.Is(p, class) {
		return "", false
	}
	rest, ok := strings.CutPrefix(model.InstanceIDOf(p), org)
	id, ok2 := strings.CutSuffix(rest, suffix)
	return id, ok && ok2 && id != "" && !strings.Contains(id, "/")
}

// SnapshotID is the InstanceID of snapshot name of vm.
func SnapshotID(vm, name string) string { return org + vm + "/snapshot/" + name }

// SnapshotPath names snapshot name of vm.
func SnapshotPath(vm, name string) cim.ObjectPath {
	return idPath(model.ClassVSSD, SnapshotID(vm, name))
}

// parseID splits a snapshot VSSD InstanceID (dev "") or one of its RASDs'.
func parseID(id string) (vm, name, dev string, ok bool) {
	rest, ok := strings.CutPrefix(id, org)
	if !ok {
		return "", "", "", false
	}
	vm, rest, ok = strings.Cut(rest, "/snapshot/")
	if !ok || vm == "" || strings.Contains(vm, "/") {
		return "", "", "", false
	}
	name, dev, _ = strings.Cut(rest, "/")
	return vm, name, dev, name != ""
}

// snapshotOf returns the VM and name of a snapshot VSSD path.
func snapshotOf(p cim.ObjectPath) (vm, name string, ok bool) {
	if !model.Is(p, model.ClassVSSD) {
		return "", "", false
	}
	vm, name, dev, ok := parseID(model.InstanceIDOf(p))
	return vm, name, ok && dev == ""
}

// rasdOf returns the VM and snapshot of a snapshot RASD path.
func rasdOf(p cim.ObjectPath) (vm, name string, ok bool) {
	if _, isRASD := model.KindOfRASDClass(p.ClassName); !isRASD {
		return "", "", false
	}
	vm, name, dev, ok := parseID(model.InstanceIDOf(p))
	return vm, name, ok && dev != ""
}
