package virt

import (
	"context"
	"fmt"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// VSMC method numbers (SynchronousMethodsSupported and
// AsynchronousMethodsSupported).
const (
	vsmcDefineSystem   uint16 = 2
	vsmcDestroySystem  uint16 = 3
	vsmcModifyResource uint16 = 5
	vsmcModifySystem   uint16 = 6
	vsmcRemoveResource uint16 = 7
	vsmcAddResource    uint16 = 10
)

// Which VSMS methods return 4096 and a job, and which complete at once.
var (
	asyncMethods = []uint16{vsmcDefineSystem, vsmcDestroySystem, vsmcModifyResource, vsmcAddResource}
	syncMethods  = []uint16{vsmcModifySystem, vsmcRemoveResource}
)

// hostInfo returns hr's hardware, falling back on the last answer when the
// host cannot be reached now (the error tells).
func (p *Provider) hostInfo(ctx context.Context, hr hostRef) (backends.HostInfo, error) {
	info, err := hr.H.Info(ctx)
	if err == nil {
		p.lastInfo.Store(hr.ID, info)
		return info, nil
	}
	if last, ok := p.lastInfo.Load(hr.ID); ok {
		return last.(backends.HostInfo), fmt.Errorf("host %s: %w", hr.ID, err)
	}
	return backends.HostInfo{ID: hr.ID}, fmt.Errorf("host %s: %w", hr.ID, err)
}

// hostInstance builds a Ferrum_HostSystem; a host that does not answer is
// shown with OperationalStatus {13 Lost Communication}.
func (p *Provider) hostInstance(ctx context.Context, hr hostRef) *cim.Instance {
	info, err := p.hostInfo(ctx, hr)
	name := info.Hostname
	if name == "" {
		name = hr.ID
	}
	in := cim.NewInstance(model.ClassHost).
		Set("CreationClassName", cim.String(model.ClassHost)).
		Set("Name", cim.String(hr.ID)).
		Set("NameFormat", cim.String("UUID")).
		Set("ElementName", cim.String(name)).
		Set("Caption", cim.String(name)).
		Set("Dedicated", cim.Uint16Array(0)).
		Set("RequestedState", cim.Uint16(model.RequestedNotApplic)).
		Set("EnabledDefault", cim.Uint16(model.Enabled)).
		Set("OtherIdentifyingInfo", cim.StringArray(hr.ID, name)).
		Set("IdentifyingDescriptions", cim.StringArray("CIM:GUID", "CIM:DNS Name"))
	if err != nil {
		return in.Set("EnabledState", cim.Uint16(model.EnabledUnknown)).
			Set("HealthState", cim.Uint16(model.EnabledUnknown)).
			Set("OperationalStatus", cim.Uint16Array(model.OpStatusLostComms)).
			Set("Status", cim.String("Lost Comm"))
	}
	return in.Set("EnabledState", cim.Uint16(model.Enabled)).
		Set("HealthState", cim.Uint16(model.HealthOK)).
		Set("OperationalStatus", cim.Uint16Array(model.OpStatusOK)).
		Set("Description", cim.String(fmt.Sprintf("%s, %d threads, %d MiB, %s %s",
			info.CPU.Model, info.CPU.Threads(), info.MemoryMiB, info.Hypervisor.Name, info.Hypervisor.Version)))
}

// vsmsInstance builds a host's management service.
func vsmsInstance(host string) *cim.Instance {
	return cim.NewInstance(model.ClassVSMS).
		Set("SystemCreationClassName", cim.String(model.ClassHost)).
		Set("SystemName", cim.String(host)).
		Set("CreationClassName", cim.String(model.ClassVSMS)).
		Set("Name", cim.String(model.VSMSName)).
		Set("ElementName", cim.String("Virtual system management service")).
		Set("Caption", cim.String(model.VSMSName)).
		Set("EnabledState", cim.Uint16(model.Enabled)).
		Set("RequestedState", cim.Uint16(model.RequestedNotApplic)).
		Set("EnabledDefault", cim.Uint16(model.Enabled)).
		Set("HealthState", cim.Uint16(model.HealthOK)).
		Set("OperationalStatus", cim.Uint16Array(model.OpStatusOK)).
		Set("Started", cim.Bool(true)).
		Set("StartMode", cim.String("Automatic"))
}

// vsmcInstance builds a host's management capabilities.
func vsmcInstance(host string) *cim.Instance {
	return cim.NewInstance(model.ClassVSMC).
		Set("InstanceID", cim.String(model.VSMCInstanceID(host))).
		Set("ElementName", cim.String("Virtual system management capabilities")).
		Set("VirtualSystemTypesSupported", cim.StringArray(model.VirtualSystemType)).
		Set("SynchronousMethodsSupported", cim.Uint16Array(syncMethods...)).
		Set("AsynchronousMethodsSupported", cim.Uint16Array(asyncMethods...)).
		Set("IndicationsSupported", cim.Uint16Array()).
		Set("ElementNameEditSupported", cim.Bool(true)).
		Set("MaxElementNameLen", cim.Uint16(maxNameLen))
}

// volumeInstance builds a Ferrum_StorageVolume.
func volumeInstance(host string, v backends.Volume) *cim.Instance {
	return cim.NewInstance(model.ClassVolume).
		Set("SystemCreationClassName", cim.String(model.ClassHost)).
		Set("SystemName", cim.String(host)).
		Set("CreationClassName", cim.String(model.ClassVolume)).
		Set("DeviceID", cim.String(model.VolumeDeviceID(v.Ref.Pool, v.Ref.Name))).
		Set("ElementName", cim.String(v.Ref.Name)).
		Set("Caption", cim.String(v.Ref.String())).
		Set("Name", cim.String(v.Path)).
		Set("Purpose", cim.String(v.Format)).
		Set("BlockSize", cim.Uint64(1)).
		Set("NumberOfBlocks", cim.Uint64(v.Capacity)).
		Set("ConsumableBlocks", cim.Uint64(v.Capacity)).
		Set("ThinlyProvisioned", cim.Bool(v.Allocation < v.Capacity)).
		Set("Primordial", cim.Bool(false)).
		Set("HealthState", cim.Uint16(model.HealthOK)).
		Set("OperationalStatus", cim.Uint16Array(model.OpStatusOK))
}
