package virt

import (
	"context"
	"net"
	"strconv"
	"strings"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
	"github.com/google/uuid"
)

func invalid(format string, args ...any) *model.Error {
	return model.Fail(model.InvalidParameter, format, args...)
}

// has reports whether in carries a non-null value for name.
func has(in *cim.Instance, name string) bool {
	v, ok := in.Get(name)
	return ok && !v.IsNull()
}

func uintProp(in *cim.Instance, name string) (uint64, bool) {
	v, ok := in.Get(name)
	if !ok || v.IsNull() {
		return 0, false
	}
	if n, ok := v.AsUint64(); ok {
		return n, true
	}
	if n, err := strconv.ParseUint(strings.TrimSpace(v.Str()), 10, 64); err == nil {
		return n, true
	}
	return 0, false
}

// firstString returns the first non-empty string of the named properties,
// taking element 0 of arrays.
func firstString(in *cim.Instance, names ...string) string {
	for _, n := range names {
		v, ok := in.Get(n)
		if !ok || v.IsNull() {
			continue
		}
		if v.IsArray() {
			if v.Len() > 0 && v.Index(0).Str() != "" {
				return v.Index(0).Str()
			}
			continue
		}
		if s := v.Str(); s != "" {
			return s
		}
	}
	return ""
}

// systemSettings is what an embedded VSSD asks for.
type systemSettings struct {
	in   *cim.Instance
	name string // "" when not given
	uuid string
	boot []backends.BootDevice // nil when not given
}

var bootDevices = map[string]backends.BootDevice{
	"hd": backends.BootDisk, "disk": backends.BootDisk, "harddisk": backends.BootDisk,
	"cdrom": backends.BootCDROM, "cd": backends.BootCDROM, "dvd": backends.BootCDROM,
	"network": backends.BootNetwork, "net": backends.BootNetwork, "pxe": backends.BootNetwork,
	"nbd": backends.BootNBD,
}

// parseSystemSettings reads an embedded VSSD.
func (p *Provider) parseSystemSettings(v cim.Value) (systemSettings, error) {
	in := v.AsInstance()
	if in == nil {
		return systemSettings{}, invalid("SystemSettings must be an embedded instance of CIM_VirtualSystemSettingData")
	}
	if !p.d.Repo.IsA(model.Namespace, in.ClassName, "CIM_VirtualSystemSettingData") {
		return systemSettings{}, invalid("SystemSettings is a %s, not a CIM_VirtualSystemSettingData", in.ClassName)
	}
	s := systemSettings{in: in, name: in.Str("ElementName")}
	if t := in.Str("VirtualSystemType"); t != "" && !strings.Contains(strings.ToLower(t), "kvm") {
		return s, invalid("VirtualSystemType %q is not supported; Ferrum defines %s systems", t, model.VirtualSystemType)
	}
	if id := in.Str("UUID"); id != "" {
		u, err := uuid.Parse(id)
		if err != nil {
			return s, invalid("UUID %q is not a UUID", id)
		}
		s.uuid = u.String()
	} else if u, err := uuid.Parse(in.Str("VirtualSystemIdentifier")); err == nil {
		s.uuid = u.String()
	}
	if bv, ok := in.Get("BootDevices"); ok && !bv.IsNull() {
		s.boot = []backends.BootDevice{}
		for _, e := range bv.Elems() {
			b, ok := bootDevices[strings.ToLower(e.Str())]
			if !ok {
				return s, invalid("boot device %q: want hd, cdrom, network or nbd", e.Str())
			}
			s.boot = append(s.boot, b)
		}
	}
	return s, nil
}

// resource is what one embedded RASD asks for. Fields left zero were not
// given.
type resource struct {
	in   *cim.Instance
	kind model.Kind
	rt   uint16
	// vm and dev name the existing resource, from the InstanceID.
	vm, dev string

	vcpus, maxVCPUs, weight int
	memMiB, maxMemMiB       uint64

	disk      *backends.DiskSpec
	readOnly  *bool
	newVolume *volumeRequest

	nic  *backends.NICSpec
	vlan *int

	graphics *backends.Graphics
}

// volumeRequest asks for a new volume for a disk.
type volumeRequest struct {
	pool, name string
	capacity   uint64
}

// parseResources reads embedded RASDs for host hr.
func (p *Provider) parseResources(ctx context.Context, hr hostRef, v cim.Value) ([]resource, error) {
	if v.IsNull() {
		return nil, nil
	}
	out := make([]resource, 0, v.Len())
	for i, e := range v.Elems() {
		in := e.AsInstance()
		if in == nil {
			return nil, invalid("ResourceSettings[%d] must be an embedded RASD instance", i)
		}
		r, err := p.parseResource(ctx, hr, in)
		if err != nil {
			return nil, invalid("ResourceSettings[%d] (%s): %w", i, in.ClassName, err)
		}
		out = append(out, r)
	}
	return mergeParents(out), nil
}

// parseResource reads one RASD.
func (p *Provider) parseResource(ctx context.Context, hr hostRef, in *cim.Instance) (resource, error) {
	r := resource{in: in}
	if rt, ok := uintProp(in, "ResourceType"); ok {
		r.rt = uint16(rt)
	} else if k, ok := model.KindOfRASDClass(in.ClassName); ok {
		r.rt = k.ResourceType()
	}
	k, ok := model.KindOfResourceType(r.rt)
	if !ok {
		return r, model.Fail(model.NotSupported, "resource type %d is not supported", r.rt)
	}
	r.kind = k
	if vm, dev, ok := model.ParseElementID(in.Str("InstanceID")); ok {
		r.vm, r.dev = vm, dev
	}
	var err error
	switch k {
	case model.KindProcessor:
		err = r.parseProcessor()
	case model.KindMemory:
		err = r.parseMemory()
	case model.KindDisk:
		err = p.parseDisk(ctx, hr, &r)
	case model.KindNetwork:
		err = p.parseNIC(hr, &r)
	case model.KindGraphics:
		err = r.parseGraphics()
	}
	return r, err
}

func (r *resource) parseProcessor() error {
	if n, ok := uintProp(r.in, "VirtualQuantity"); ok {
		if n == 0 || n > 1<<16 {
			return invalid("VirtualQuantity %d vCPUs", n)
		}
		r.vcpus = int(n)
	}
	if n, ok := uintProp(r.in, "Limit"); ok && n > 0 {
		r.maxVCPUs = int(min(n, 1<<16))
	}
	if n, ok := uintProp(r.in, "Weight"); ok && n > 0 {
		r.weight = int(min(n, 1<<20))
	}
	return nil
}

func (r *resource) parseMemory() error {
	units := firstString(r.in, "AllocationUnits", "VirtualQuantityUnits")
	conv := func(prop string) (uint64, bool, error) {
		n, ok := uintProp(r.in, prop)
		if !ok {
			return 0, false, nil
		}
		mib, ok := model.ToMiB(n, units)
		if !ok {
			return 0, false, invalid("AllocationUnits %q is not a unit of bytes", units)
		}
		return mib, true, nil
	}
	var err error
	var ok bool
	if r.memMiB, ok, err = conv("VirtualQuantity"); err != nil || ok && r.memMiB == 0 {
		return orInvalid(err, "VirtualQuantity of memory is 0")
	}
	r.maxMemMiB, _, err = conv("Limit")
	return err
}

func orInvalid(err error, msg string) error {
	if err != nil {
		return err
	}
	return invalid("%s", msg)
}

// parseGraphics reads a console: ResourceSubType vnc or spice, Address
// "listen:port" (port -1 or 0 for automatic).
func (r *resource) parseGraphics() error {
	g := &backends.Graphics{Type: backends.GraphicsType(strings.ToLower(r.in.Str("ResourceSubType")))}
	if g.Type == "" {
		g.Type = backends.GraphicsVNC
	}
	if g.Type != backends.GraphicsVNC && g.Type != backends.GraphicsSPICE {
		return invalid("graphics type %q: want vnc or spice", g.Type)
	}
	if addr := r.in.Str("Address"); addr != "" {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return invalid("graphics Address %q: want listen:port", addr)
		}
		n, err := strconv.Atoi(port)
		if err != nil || n > 65535 {
			return invalid("graphics port %q", port)
		}
		g.Listen, g.Port = host, max(n, 0)
	}
	r.graphics = g
	return nil
}

// mergeParents folds Hyper-V style pairs into one resource: a logical disk
// (31) whose Parent names a drive of the same request gives that drive its
// image, and an Ethernet connection (33) whose Parent names a NIC gives it
// its switch.
func mergeParents(rs []resource) []resource {
	out := rs[:0:0]
	for _, r := range rs {
		parent := r.in.Str("Parent")
		if parent == "" || (r.rt != model.RTLogicalDisk && r.rt != model.RTEthernetConnex) {
			out = append(out, r)
			continue
		}
		merged := false
		for i := range out {
			id := out[i].in.Str("InstanceID")
			if id == "" || !strings.Contains(parent, id) {
				continue
			}
			switch {
			case r.disk != nil && out[i].disk != nil:
				out[i].disk.Volume, out[i].disk.Path, out[i].newVolume = r.disk.Volume, r.disk.Path, r.newVolume
				merged = true
			case r.nic != nil && out[i].nic != nil && r.nic.Switch != "":
				out[i].nic.Switch = r.nic.Switch
				merged = true
			}
		}
		if !merged {
			out = append(out, r)
		}
	}
	return out
}
