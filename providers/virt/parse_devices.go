package virt

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// guestTarget matches the guest device names Ferrum accepts as targets.
var guestTarget = regexp.MustCompile(`^(vd|sd|hd|xvd)[a-z]+$`)

var diskBuses = map[string]backends.DiskBus{
	"virtio": backends.BusVirtio, "scsi": backends.BusSCSI, "ide": backends.BusIDE, "sata": backends.BusSATA,
}

// parseDisk reads a drive or disk RASD (libvirt-cim's one RASD per disk,
// or Hyper-V's drive and image pair). The image is HostResource[0] or
// Address: a volume's path, "pool/name", a Ferrum_StorageVolume path, or
// any other path (a file, a LUN, an nbd:// URL). Without an image, PoolID
// and VirtualQuantity ask for a new volume of that size in that pool
// (HostExtentName names it), and a CD drive is left empty.
func (p *Provider) parseDisk(ctx context.Context, hr hostRef, r *resource) error {
	in := r.in
	d := &backends.DiskSpec{Device: backends.DeviceDisk}
	switch {
	case r.rt == model.RTFloppy:
		return model.Fail(model.NotSupported, "floppy drives are not supported")
	case r.rt == model.RTCDDrive || r.rt == model.RTDVDDrive || strings.EqualFold(in.Str("ResourceSubType"), "cdrom"):
		d.Device = backends.DeviceCDROM
	}
	if t := firstString(in, "DevicePath", "AddressOnParent"); guestTarget.MatchString(t) {
		d.Target = t
	}
	if b := strings.ToLower(in.Str("BusType")); b != "" {
		bus, ok := diskBuses[b]
		if !ok {
			return invalid("BusType %q: want virtio, scsi, ide or sata", b)
		}
		d.Bus = bus
	}
	if access, ok := uintProp(in, "Access"); ok {
		ro := access == 1
		r.readOnly = &ro
		d.ReadOnly = ro
	}
	r.disk = d
	if source := firstString(in, "HostResource", "Address"); source != "" {
		ref, isVolume, err := p.resolveVolume(ctx, hr, source)
		if err != nil {
			return err
		}
		if isVolume {
			d.Volume = &ref
		} else {
			d.Path = source
		}
		return nil
	}
	poolID := in.Str("PoolID")
	if poolID == "" {
		return nil
	}
	host, k, pool, ok := model.ParsePoolID(poolID)
	if !ok || k != model.KindDisk || pool == "" || host != hr.ID {
		return invalid("PoolID %q is not a storage pool of host %s", poolID, hr.ID)
	}
	name := in.Str("HostExtentName")
	if name != "" {
		ref := backends.VolumeRef{Pool: pool, Name: name}
		if _, err := hr.H.Storage().GetVolume(ctx, ref); err == nil {
			d.Volume = &ref
			return nil
		}
	}
	size, err := diskSize(in)
	if err != nil {
		return err
	}
	if size == 0 {
		return invalid("a new disk in pool %s needs a VirtualQuantity", pool)
	}
	r.newVolume = &volumeRequest{pool: pool, name: name, capacity: size}
	return nil
}

// diskSize reads VirtualQuantity in bytes: blocks of
// VirtualResourceBlockSize for "count(fixed size block)", bytes of the
// given unit otherwise.
func diskSize(in *cim.Instance) (uint64, error) {
	q, ok := uintProp(in, "VirtualQuantity")
	if !ok {
		return 0, nil
	}
	units := firstString(in, "VirtualQuantityUnits", "AllocationUnits")
	if strings.HasPrefix(strings.ToLower(units), "count") {
		bs, ok := uintProp(in, "VirtualResourceBlockSize")
		if !ok || bs == 0 {
			bs = 1
		}
		return q * bs, nil
	}
	b, ok := model.ToBytes(q, units)
	if !ok {
		return 0, invalid("units %q are not units of bytes", units)
	}
	return b, nil
}

// resolveVolume tells whether source names a volume of hr and which.
func (p *Provider) resolveVolume(ctx context.Context, hr hostRef, source string) (backends.VolumeRef, bool, error) {
	if strings.Contains(source, model.ClassVolume) {
		path, err := cim.ParseObjectPath(source)
		if err != nil {
			return backends.VolumeRef{}, false, invalid("HostResource %q: %v", source, err)
		}
		pool, name, ok := model.ParseVolumeDeviceID(model.KeyString(path, "DeviceID"))
		if !ok {
			return backends.VolumeRef{}, false, invalid("HostResource %q names no volume", source)
		}
		return p.checkVolume(ctx, hr, backends.VolumeRef{Pool: pool, Name: name})
	}
	pools, err := hr.H.Storage().ListPools(ctx)
	if err != nil {
		return backends.VolumeRef{}, false, err
	}
	for _, sp := range pools {
		if sp.Path != "" {
			if name, ok := strings.CutPrefix(source, strings.TrimSuffix(sp.Path, "/")+"/"); ok && !strings.Contains(name, "/") {
				return p.checkVolume(ctx, hr, backends.VolumeRef{Pool: sp.Name, Name: name})
			}
		}
		if name, ok := strings.CutPrefix(source, sp.Name+"/"); ok && !strings.HasPrefix(source, "/") {
			return p.checkVolume(ctx, hr, backends.VolumeRef{Pool: sp.Name, Name: name})
		}
	}
	return backends.VolumeRef{}, false, nil
}

func (p *Provider) checkVolume(ctx context.Context, hr hostRef, ref backends.VolumeRef) (backends.VolumeRef, bool, error) {
	if _, err := hr.H.Storage().GetVolume(ctx, ref); err != nil {
		if errors.Is(err, backends.ErrNotFound) {
			return ref, false, invalid("no volume %s on host %s", ref, hr.ID)
		}
		return ref, false, err
	}
	return ref, true, nil
}

var nicModels = map[string]bool{"virtio": true, "e1000": true, "rtl8139": true, "pcnet": true}

// parseNIC reads a NIC RASD (10) or a Hyper-V style connection (33): the
// MAC in Address, the switch in Connection[0], NetworkName, HostResource[0]
// or the PoolID of a network pool, the model in ResourceSubType, the VLAN
// in PortVID.
func (p *Provider) parseNIC(hr hostRef, r *resource) error {
	in := r.in
	n := &backends.NICSpec{}
	if mac := in.Str("Address"); mac != "" {
		m, err := backends.ParseMAC(mac)
		if err != nil || m.Multicast() {
			return invalid("Address %q is not a unicast MAC", mac)
		}
		n.MAC = m.String()
	}
	n.Switch = firstString(in, "Connection", "NetworkName")
	if n.Switch == "" && r.rt == model.RTEthernetConnex {
		n.Switch = firstString(in, "HostResource")
	}
	if n.Switch == "" {
		if host, k, name, ok := model.ParsePoolID(in.Str("PoolID")); ok && k == model.KindNetwork && name != "" {
			if host != hr.ID {
				return invalid("PoolID %q is a network pool of another host", in.Str("PoolID"))
			}
			n.Switch = name
		}
	}
	if m := strings.ToLower(in.Str("ResourceSubType")); nicModels[m] {
		n.Model = m
	} else if m != "" && !strings.Contains(m, ":") {
		return invalid("NIC model %q: want virtio, e1000, rtl8139 or pcnet", m)
	}
	if vid, ok := uintProp(in, "PortVID"); ok {
		if vid > backends.MaxVLAN {
			return invalid("PortVID %d outside 0–%d", vid, backends.MaxVLAN)
		}
		v := int(vid)
		r.vlan, n.VLAN = &v, v
	}
	r.nic = n
	return nil
}
