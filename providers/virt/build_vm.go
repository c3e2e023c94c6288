package virt

import (
	"context"
	"net"
	"strconv"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// scope memoises the backend lookups of one request.
type scope struct {
	p    *Provider
	ctx  context.Context
	vols map[string]*backends.Volume // host|pool/name → volume, nil when missing
}

func (p *Provider) scope(ctx context.Context) *scope {
	return &scope{p: p, ctx: ctx, vols: map[string]*backends.Volume{}}
}

// volume returns the volume ref names on hr, if it exists.
func (s *scope) volume(hr hostRef, ref backends.VolumeRef) *backends.Volume {
	k := hr.ID + "|" + ref.String()
	if v, ok := s.vols[k]; ok {
		return v
	}
	var out *backends.Volume
	if v, err := hr.H.Storage().GetVolume(s.ctx, ref); err == nil {
		out = &v
	}
	s.vols[k] = out
	return out
}

// requestedState is the last RequestedState asked of vm, 12 (Not
// Applicable) when none.
func (p *Provider) requestedState(vm string) uint16 {
	if v, ok := p.requested.Load(vm); ok {
		return v.(uint16)
	}
	return model.RequestedNotApplic
}

// vmInstance builds a Ferrum_ComputerSystem.
func (p *Provider) vmInstance(vm backends.VM) *cim.Instance {
	enabledDefault := model.Disabled
	if p.settings.startupAction(vm.UUID) == startupAlways {
		enabledDefault = model.Enabled
	}
	transitioning := model.TransitionNotApplic
	if vm.State == backends.StateShuttingDown {
		transitioning = model.Disabled
	}
	b := newBuilder(model.ClassVM, 20).
		add("CreationClassName", cim.String(model.ClassVM)).
		add("Name", cim.String(vm.UUID)).
		add("NameFormat", cim.String("UUID")).
		add("ElementName", cim.String(vm.Name)).
		add("Caption", cim.String(vm.Name)).
		add("Description", cim.String("Virtual machine "+vm.Name)).
		add("EnabledState", cim.Uint16(model.EnabledState(vm.State))).
		add("RequestedState", cim.Uint16(p.requestedState(vm.UUID))).
		add("EnabledDefault", cim.Uint16(enabledDefault)).
		add("TransitioningToState", cim.Uint16(transitioning)).
		add("HealthState", cim.Uint16(model.HealthState(vm.State))).
		add("OperationalStatus", cim.Uint16Array(model.OperationalStatus(vm.State)...)).
		add("AvailableRequestedStates", cim.Uint16Array(model.AvailableRequestedStates(vm.State)...)).
		add("Dedicated", cim.Uint16Array(0)).
		add("OtherIdentifyingInfo", cim.StringArray(vm.UUID)).
		add("IdentifyingDescriptions", cim.StringArray("CIM:GUID"))
	in := b.done()
	if !vm.Since.IsZero() {
		in.Set("TimeOfLastStateChange", cim.DateTimeValue(cim.NewTimestamp(vm.Since)))
	}
	return in
}

// bootNames spells a boot order for VSSD.BootDevices.
var bootNames = map[backends.BootDevice]string{
	backends.BootDisk: "hd", backends.BootCDROM: "cdrom", backends.BootNetwork: "network", backends.BootNBD: "nbd",
}

// vssdInstance builds a VM's Ferrum_VirtualSystemSettingData: both its
// state and its defined settings, since the backends keep one
// configuration.
func (p *Provider) vssdInstance(vm backends.VM) *cim.Instance {
	boot := make([]string, len(vm.BootOrder))
	for i, b := range vm.BootOrder {
		boot[i] = bootNames[b]
	}
	in := cim.NewInstance(model.ClassVSSD).
		Set("InstanceID", cim.String(model.VSSDInstanceID(vm.UUID))).
		Set("ElementName", cim.String(vm.Name)).
		Set("Caption", cim.String(vm.Name)).
		Set("VirtualSystemIdentifier", cim.String(vm.UUID)).
		Set("VirtualSystemType", cim.String(model.VirtualSystemType)).
		Set("UUID", cim.String(vm.UUID)).
		Set("BootDevices", cim.StringArray(boot...)).
		Set("ChangeableType", cim.Uint16(2)).
		Set("AutomaticStartupAction", cim.Uint16(startupNone)).
		Set("AutomaticShutdownAction", cim.Uint16(2)).
		Set("AutomaticRecoveryAction", cim.Uint16(2))
	if owned := p.settings.get(vm.UUID); owned != nil {
		for _, pv := range owned.Properties {
			if isOwnedSetting(pv.Name) {
				in.Set(pv.Name, pv.Value)
			}
		}
	}
	return in
}

// elecInstance builds a VM's Ferrum_EnabledLogicalElementCapabilities.
func (p *Provider) elecInstance(vm string) *cim.Instance {
	return cim.NewInstance(model.ClassELEC).
		Set("InstanceID", cim.String(model.ELECInstanceID(vm))).
		Set("ElementName", cim.String("State capabilities of "+vm)).
		Set("RequestedStatesSupported", cim.Uint16Array(model.RequestedStatesSupported...)).
		Set("ElementNameEditSupported", cim.Bool(true)).
		Set("MaxElementNameLen", cim.Uint16(maxNameLen))
}

// maxNameLen bounds a VM's display name.
const maxNameLen = 255

// rasd starts a RASD of kind k for element dev of vm.
func rasd(k model.Kind, vm, dev, name string) *cim.Instance {
	return cim.NewInstance(k.RASDClass()).
		Set("InstanceID", cim.String(model.ElementID(vm, dev))).
		Set("ElementName", cim.String(name)).
		Set("Caption", cim.String(name)).
		Set("ResourceType", cim.Uint16(k.ResourceType())).
		Set("ConsumerVisibility", cim.Uint16(3)).
		Set("AutomaticAllocation", cim.Bool(true)).
		Set("AutomaticDeallocation", cim.Bool(true)).
		Set("ChangeableType", cim.Uint16(2))
}

// rasdInstance builds the RASD of element e of vm on hr.
func (s *scope) rasdInstance(hr hostRef, vm backends.VM, e element) *cim.Instance {
	var in *cim.Instance
	switch {
	case e.Kind == model.KindProcessor:
		in = rasd(e.Kind, vm.UUID, e.Dev, "Processors").
			Set("AllocationUnits", cim.String("count")).
			Set("VirtualQuantity", cim.Uint64(uint64(vm.VCPUs))).
			Set("VirtualQuantityUnits", cim.String("count")).
			Set("Reservation", cim.Uint64(0)).
			Set("Limit", cim.Uint64(uint64(vm.MaxVCPUs))).
			Set("Weight", cim.Uint32(uint32(vm.Weight)))
	case e.Kind == model.KindMemory:
		in = rasd(e.Kind, vm.UUID, e.Dev, "Memory").
			Set("AllocationUnits", cim.String(model.UnitMiB)).
			Set("VirtualQuantity", cim.Uint64(vm.MemoryMiB)).
			Set("VirtualQuantityUnits", cim.String(model.UnitMiB)).
			Set("Reservation", cim.Uint64(vm.MemoryMiB)).
			Set("Limit", cim.Uint64(vm.MaxMemoryMiB))
	case e.Disk != nil:
		in = s.diskRASD(hr, vm, e)
	case e.NIC != nil:
		in = nicRASD(vm, e)
	case e.Kind == model.KindGraphics:
		in = graphicsRASD(vm)
	default:
		name := "PS/2 mouse"
		if e.Dev == model.DevKeyboard {
			name = "PS/2 keyboard"
		}
		in = rasd(e.Kind, vm.UUID, e.Dev, name).Set("ResourceSubType", cim.String(e.Dev))
	}
	if pid := e.poolID(hr.ID); pid != "" {
		in.Set("PoolID", cim.String(pid))
	}
	return in
}

func (s *scope) diskRASD(hr hostRef, vm backends.VM, e element) *cim.Instance {
	d := e.Disk
	rt, name := model.RTDiskDrive, "Disk "+d.Target
	if d.Device == backends.DeviceCDROM {
		rt, name = model.RTCDDrive, "CD-ROM "+d.Target
	}
	access := uint16(3)
	if d.ReadOnly {
		access = 1
	}
	in := rasd(e.Kind, vm.UUID, e.Dev, name).
		Set("ResourceType", cim.Uint16(rt)).
		Set("ResourceSubType", cim.String(string(d.Device))).
		Set("DevicePath", cim.String(d.Target)).
		Set("AddressOnParent", cim.String(d.Target)).
		Set("BusType", cim.String(string(d.Bus))).
		Set("Access", cim.Uint16(access)).
		Set("AllocationUnits", cim.String(model.UnitByte)).
		Set("VirtualQuantityUnits", cim.String(model.UnitByte))
	switch {
	case d.Volume != nil:
		in.Set("HostExtentName", cim.String(d.Volume.Name))
		if v := s.volume(hr, *d.Volume); v != nil {
			in.Set("HostResource", cim.StringArray(v.Path)).
				Set("DriverType", cim.String(v.Format)).
				Set("VirtualQuantity", cim.Uint64(v.Capacity)).
				Set("Limit", cim.Uint64(v.Capacity)).
				Set("Reservation", cim.Uint64(v.Allocation))
		}
	case d.Path != "":
		in.Set("HostResource", cim.StringArray(d.Path))
	}
	return in
}

func nicRASD(vm backends.VM, e element) *cim.Instance {
	n := e.NIC
	in := rasd(e.Kind, vm.UUID, e.Dev, "NIC "+n.MAC).
		Set("ResourceSubType", cim.String(n.Model)).
		Set("Address", cim.String(n.MAC)).
		Set("Connection", cim.StringArray(n.Switch)).
		Set("NetworkName", cim.String(n.Switch)).
		Set("NetworkType", cim.String("bridge")).
		Set("VirtualQuantity", cim.Uint64(1)).
		Set("AllocationUnits", cim.String("count"))
	if n.VLAN > 0 {
		in.Set("PortVID", cim.Uint16(uint16(n.VLAN))).Set("DesiredVLANEndpointMode", cim.Uint16(2))
	}
	return in
}

func graphicsRASD(vm backends.VM) *cim.Instance {
	g := vm.Graphics
	in := rasd(model.KindGraphics, vm.UUID, model.DevGraphics, string(g.Type)+" console").
		Set("ResourceSubType", cim.String(string(g.Type)))
	if g.Port > 0 || g.Listen != "" {
		port := "-1"
		if g.Port > 0 {
			port = strconv.Itoa(g.Port)
		}
		in.Set("Address", cim.String(net.JoinHostPort(g.Listen, port)))
	}
	return in
}

// rasdInstances builds the RASDs of vm (of kind k only, when k is not 0).
func (s *scope) rasdInstances(hr hostRef, vm backends.VM, k model.Kind) []*cim.Instance {
	var out []*cim.Instance
	for _, e := range elements(vm) {
		if k == 0 || e.Kind == k {
			out = append(out, s.rasdInstance(hr, vm, e))
		}
	}
	return out
}
