package virt

import (
	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// EnabledState values in which resources can be added or removed
// (CIM_AllocationCapabilities.SupportedAddStates).
const (
	addEnabled  uint16 = 2
	addDisabled uint16 = 3
	addQuiesce  uint16 = 9
)

// changeStates returns the states in which resources of kind k can be
// added to or removed from a VM on a host with caps: always while the VM
// is off, also while it runs or is paused when the host hot-plugs them.
func changeStates(k model.Kind, caps backends.Capabilities) []uint16 {
	hot := map[model.Kind]bool{
		model.KindProcessor: caps.HotplugVCPU, model.KindMemory: caps.HotplugMemory,
		model.KindDisk: caps.HotplugDisk, model.KindNetwork: caps.HotplugNIC,
	}
	switch {
	case k == model.KindInput:
		return []uint16{}
	case hot[k]:
		return []uint16{addEnabled, addDisabled, addQuiesce}
	}
	return []uint16{addDisabled}
}

// allocCapsInstance builds the Ferrum_AllocationCapabilities of a pool.
func allocCapsInstance(v poolView, caps backends.Capabilities) *cim.Instance {
	request, sharing := uint16(3), uint16(3) // General, Shared
	switch v.Kind {
	case model.KindMemory:
		sharing = 2 // Dedicated
	case model.KindDisk:
		request, sharing = 4, 2 // Both, Dedicated
	case model.KindNetwork:
		request = 4
	}
	states := changeStates(v.Kind, caps)
	in := cim.NewInstance(model.ClassAllocCaps).
		Set("InstanceID", cim.String(v.ID())).
		Set("ElementName", cim.String(v.Kind.String()+" allocation capabilities")).
		Set("ResourceType", cim.Uint16(v.Kind.ResourceType())).
		Set("RequestTypesSupported", cim.Uint16(request)).
		Set("SharingMode", cim.Uint16(sharing)).
		Set("SupportedAddStates", cim.Uint16Array(states...)).
		Set("SupportedRemoveStates", cim.Uint16Array(states...))
	if v.SubType != "" {
		in.Set("ResourceSubType", cim.String(v.SubType))
	}
	return in
}

// capRange is a quantity's default, minimum, maximum and increment.
type capRange struct{ def, min, max, inc uint64 }

func (r capRange) value(role string) uint64 {
	switch role {
	case model.RoleMinimum:
		return r.min
	case model.RoleMaximum:
		return r.max
	case model.RoleIncrement:
		return r.inc
	}
	return r.def
}

// Defaults of new resources, when a DefineSystem does not give them.
const (
	defaultVCPUs     = 1
	defaultMemoryMiB = 1024
	defaultDiskBytes = 10 << 30
)

// capSettings returns the settings that give the range of a pool's
// allocations (SettingsDefineCapabilities): Default, Minimum, Maximum and
// Increment for the quantities (vCPUs and weight, memory, disk size), a
// Default template only for NICs, graphics and input.
func capSettings(v poolView, limits backends.Limits) []*cim.Instance {
	roles := model.CapabilityRoles
	var quantity, weight *capRange
	switch v.Kind {
	case model.KindProcessor:
		quantity = &capRange{defaultVCPUs, 1, uint64(max(limits.MaxVCPUs, 1)), 1}
		weight = &capRange{backends.DefaultWeight, 1, 65535, 1}
	case model.KindMemory:
		lo, hi := max(limits.MinMemoryMiB, 1), max(limits.MaxMemoryMiB, limits.MinMemoryMiB)
		quantity = &capRange{min(max(defaultMemoryMiB, lo), hi), lo, hi, 1}
	case model.KindDisk:
		hi := uint64(defaultDiskBytes)
		if v.Capacity != nil && *v.Capacity > 0 {
			hi = *v.Capacity
		}
		quantity = &capRange{min(defaultDiskBytes, hi), 1 << 20, hi, 1 << 20}
	default:
		roles = roles[:1]
	}
	out := make([]*cim.Instance, 0, len(roles))
	for _, role := range roles {
		in := cim.NewInstance(v.Kind.RASDClass()).
			Set("InstanceID", cim.String(model.CapSettingID(v.ID(), role))).
			Set("ElementName", cim.String(v.Kind.String()+" "+role)).
			Set("ResourceType", cim.Uint16(v.Kind.ResourceType())).
			Set("AllocationUnits", cim.String(v.Kind.AllocationUnits())).
			Set("PoolID", cim.String(v.ID()))
		if quantity != nil {
			in.Set("VirtualQuantity", cim.Uint64(quantity.value(role))).
				Set("VirtualQuantityUnits", cim.String(v.Kind.AllocationUnits()))
		}
		if weight != nil {
			in.Set("Weight", cim.Uint32(uint32(weight.value(role))))
		}
		templateDefaults(in, v)
		out = append(out, in)
	}
	return out
}

// templateDefaults fills what a new resource of v's kind gets by default.
func templateDefaults(in *cim.Instance, v poolView) {
	switch v.Kind {
	case model.KindDisk:
		in.Set("ResourceSubType", cim.String(string(backends.DeviceDisk))).
			Set("BusType", cim.String(string(backends.BusVirtio)))
	case model.KindNetwork:
		in.Set("ResourceSubType", cim.String("virtio"))
		if v.Switch != nil {
			in.Set("Connection", cim.StringArray(v.Switch.Name))
		}
	case model.KindGraphics:
		in.Set("ResourceSubType", cim.String(string(backends.GraphicsVNC)))
	case model.KindInput:
		in.Set("ResourceSubType", cim.String(model.DevMouse))
	}
}

// sdcValues returns the ValueRole and ValueRange of a capability setting's
// role (DSP1043: Default 0/0, Minimum 3/1, Maximum 3/2, Increment 3/3).
func sdcValues(role string) (valueRole, valueRange uint16) {
	switch role {
	case model.RoleMinimum:
		return 3, 1
	case model.RoleMaximum:
		return 3, 2
	case model.RoleIncrement:
		return 3, 3
	}
	return 0, 0
}
