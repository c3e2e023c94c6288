package model

import "strings"

// ResourceType values (CIM_ResourceAllocationSettingData.ResourceType).
const (
	RTOther          uint16 = 1
	RTProcessor      uint16 = 3
	RTMemory         uint16 = 4
	RTEthernet       uint16 = 10
	RTIODevice       uint16 = 13
	RTFloppy         uint16 = 14
	RTCDDrive        uint16 = 15
	RTDVDDrive       uint16 = 16
	RTDiskDrive      uint16 = 17
	RTGraphics       uint16 = 24
	RTLogicalDisk    uint16 = 31
	RTEthernetConnex uint16 = 33
)

// Kind is a resource kind: one RASD class, one pool class, one family of
// virtual devices, one DSP profile.
type Kind uint8

// The resource kinds Ferrum virtualizes.
const (
	KindProcessor Kind = iota + 1
	KindMemory
	KindDisk
	KindNetwork
	KindGraphics
	KindInput
)

type kindInfo struct {
	name       string
	rasd, pool string
	rt         uint16
	units      string // AllocationUnits of its pools and RASDs
}

var kindTable = map[Kind]kindInfo{
	KindProcessor: {"Processor", ClassProcRASD, ClassProcPool, RTProcessor, "count"},
	KindMemory:    {"Memory", ClassMemRASD, ClassMemPool, RTMemory, UnitMiB},
	KindDisk:      {"Disk", ClassDiskRASD, ClassDiskPool, RTDiskDrive, UnitByte},
	KindNetwork:   {"Network", ClassNetRASD, ClassNetPool, RTEthernet, "count"},
	KindGraphics:  {"Graphics", ClassGraphRASD, ClassGraphPool, RTGraphics, "count"},
	KindInput:     {"Input", ClassInputRASD, ClassInputPool, RTIODevice, "count"},
}

// Kinds returns every kind, in a fixed order.
func Kinds() []Kind {
	return []Kind{KindProcessor, KindMemory, KindDisk, KindNetwork, KindGraphics, KindInput}
}

// String names the kind ("Processor").
func (k Kind) String() string { return kindTable[k].name }

// RASDClass is the class of the kind's settings.
func (k Kind) RASDClass() string { return kindTable[k].rasd }

// PoolClass is the class of the kind's pools.
func (k Kind) PoolClass() string { return kindTable[k].pool }

// PoolName is the pool part of its InstanceIDs ("ProcessorPool").
func (k Kind) PoolName() string { return k.String() + "Pool" }

// ResourceType is the kind's ResourceType (disks: 17 Disk Drive).
func (k Kind) ResourceType() uint16 { return kindTable[k].rt }

// AllocationUnits are the units of the kind's pools and settings.
func (k Kind) AllocationUnits() string { return kindTable[k].units }

// KindOfRASDClass returns the kind whose settings class is class.
func KindOfRASDClass(class string) (Kind, bool) {
	for k, ki := range kindTable {
		if strings.EqualFold(ki.rasd, class) {
			return k, true
		}
	}
	return 0, false
}

// KindOfPoolClass returns the kind whose pool class is class.
func KindOfPoolClass(class string) (Kind, bool) {
	for k, ki := range kindTable {
		if strings.EqualFold(ki.pool, class) {
			return k, true
		}
	}
	return 0, false
}

// KindOfPoolName returns the kind whose PoolName is name.
func KindOfPoolName(name string) (Kind, bool) {
	for k := range kindTable {
		if k.PoolName() == name {
			return k, true
		}
	}
	return 0, false
}

// KindOfResourceType returns the kind a RASD of ResourceType rt belongs to;
// drives of every type and logical disks are disks, Ethernet connections
// are network.
func KindOfResourceType(rt uint16) (Kind, bool) {
	switch rt {
	case RTProcessor:
		return KindProcessor, true
	case RTMemory:
		return KindMemory, true
	case RTFloppy, RTCDDrive, RTDVDDrive, RTDiskDrive, RTLogicalDisk:
		return KindDisk, true
	case RTEthernet, RTEthernetConnex:
		return KindNetwork, true
	case RTGraphics:
		return KindGraphics, true
	case RTIODevice:
		return KindInput, true
	}
	return 0, false
}

// DeviceClasses are the classes of the kind's virtual devices.
func (k Kind) DeviceClasses() []string {
	switch k {
	case KindProcessor:
		return []string{ClassProcessor}
	case KindMemory:
		return []string{ClassMemory}
	case KindDisk:
		return []string{ClassLogicalDisk}
	case KindNetwork:
		return []string{ClassNetworkPort}
	case KindGraphics:
		return []string{ClassDisplay}
	case KindInput:
		return []string{ClassPointing, ClassKeyboard}
	}
	return nil
}

// KindOfDeviceClass returns the kind of a virtual device class.
func KindOfDeviceClass(class string) (Kind, bool) {
	for _, k := range Kinds() {
		for _, c := range k.DeviceClasses() {
			if strings.EqualFold(c, class) {
				return k, true
			}
		}
	}
	return 0, false
}
