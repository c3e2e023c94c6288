// Package model holds what every virtualization provider of Ferrum shares:
// the class names, the InstanceID and DeviceID schemes, builders and parsers
// of object paths, the resource kinds with their ResourceType values and
// units, the mapping of backend VM states to CIM states, and the one table
// that turns backend errors into method return codes and CIM status codes.
//
// Identity schemes (all in root/virt):
//
//	host                   Ferrum_HostSystem          Name = host UUID
//	virtual machine        Ferrum_ComputerSystem      Name = VM UUID
//	management service     Ferrum_VirtualSystemManagementService  SystemName = host UUID, Name = "Management Service"
//	VSSD                   InstanceID "Ferrum:<vm>"
//	RASD                   InstanceID "<vm>/<device>"
//	virtual device         DeviceID   "<vm>/<device>" (processors "<vm>/proc/<n>")
//	pool                   InstanceID "Ferrum:<host>/<Kind>Pool" (primordial)
//	                                  "Ferrum:<host>/<Kind>Pool/<name>" (concrete)
//	allocation caps        InstanceID = its pool's
//	capability setting     InstanceID "<pool id>#<Default|Minimum|Maximum|Increment>"
//	storage volume         DeviceID   "<pool>/<volume>", SystemName = host UUID
//
// Device names: "proc", "mem", "graphics", "mouse", "keyboard", a disk's
// guest target ("vda", "hdc") and a NIC's MAC ("52:54:00:12:34:56").
package model

import "github.com/ferrum-virt/ferrum/cimom"

// Namespace is where the virtualization classes live.
const Namespace = cimom.VirtNamespace

// Ferrum's classes in root/virt.
const (
	ClassHost        = "Ferrum_HostSystem"
	ClassVM          = "Ferrum_ComputerSystem"
	ClassVSMS        = "Ferrum_VirtualSystemManagementService"
	ClassVSMC        = "Ferrum_VirtualSystemManagementCapabilities"
	ClassVSSD        = "Ferrum_VirtualSystemSettingData"
	ClassELEC        = "Ferrum_EnabledLogicalElementCapabilities"
	ClassAllocCaps   = "Ferrum_AllocationCapabilities"
	ClassProcRASD    = "Ferrum_ProcessorResourceAllocationSettingData"
	ClassMemRASD     = "Ferrum_MemoryResourceAllocationSettingData"
	ClassDiskRASD    = "Ferrum_DiskResourceAllocationSettingData"
	ClassNetRASD     = "Ferrum_NetResourceAllocationSettingData"
	ClassGraphRASD   = "Ferrum_GraphicsResourceAllocationSettingData"
	ClassInputRASD   = "Ferrum_InputResourceAllocationSettingData"
	ClassProcessor   = "Ferrum_Processor"
	ClassMemory      = "Ferrum_Memory"
	ClassLogicalDisk = "Ferrum_LogicalDisk"
	ClassNetworkPort = "Ferrum_NetworkPort"
	ClassDisplay     = "Ferrum_DisplayController"
	ClassPointing    = "Ferrum_PointingDevice"
	ClassKeyboard    = "Ferrum_Keyboard"
	ClassVolume      = "Ferrum_StorageVolume"
	ClassProcPool    = "Ferrum_ProcessorPool"
	ClassMemPool     = "Ferrum_MemoryPool"
	ClassDiskPool    = "Ferrum_DiskPool"
	ClassNetPool     = "Ferrum_NetworkPool"
	ClassGraphPool   = "Ferrum_GraphicsPool"
	ClassInputPool   = "Ferrum_InputPool"
)

// Ferrum's association classes in root/virt.
const (
	AssocHostedDependency   = "Ferrum_HostedDependency"
	AssocHostedService      = "Ferrum_HostedService"
	AssocServiceAffects     = "Ferrum_ServiceAffectsElement"
	AssocHostedPool         = "Ferrum_HostedResourcePool"
	AssocElementCaps        = "Ferrum_ElementCapabilities"
	AssocSystemDevice       = "Ferrum_SystemDevice"
	AssocVSSDComponent      = "Ferrum_VirtualSystemSettingDataComponent"
	AssocSettingsDefState   = "Ferrum_SettingsDefineState"
	AssocElementSettingData = "Ferrum_ElementSettingData"
	AssocAllocatedFromPool  = "Ferrum_ElementAllocatedFromPool"
	AssocRASDFromPool       = "Ferrum_ResourceAllocationFromPool"
	AssocSettingsDefCaps    = "Ferrum_SettingsDefineCapabilities"
	AssocConcreteComponent  = "Ferrum_ConcreteComponent"
)

// VSMSName is the Name of every host's management service.
const VSMSName = "Management Service"

// VirtualSystemType is the VSSD.VirtualSystemType of Ferrum's VMs.
const VirtualSystemType = "DMTF:KVM"
