package sim

import (
	"fmt"
	"slices"

	"github.com/ferrum-virt/ferrum/backends"
)

// attachDisk adds a normalized disk to v's definition, referencing its
// volume and naming its target. A volume is attached writable by at most one
// VM and never while other volumes are backed by it. Called with h.mu held.
func (h *Host) attachDisk(v *vm, d backends.DiskSpec) (backends.DiskSpec, error) {
	if d.Target == "" {
		d.Target = freeTarget(v.spec.Disks, d.Bus)
	} else if slices.ContainsFunc(v.spec.Disks, func(x backends.DiskSpec) bool { return x.Target == d.Target }) {
		return d, fmt.Errorf("disk target %s in use: %w", d.Target, backends.ErrConflict)
	}
	if d.Volume != nil {
		ref := *d.Volume
		d.Volume = &ref
		if err := h.referVolume(v, d); err != nil {
			return d, err
		}
	}
	v.spec.Disks = append(v.spec.Disks, d)
	return d, nil
}

func (h *Host) referVolume(v *vm, d backends.DiskSpec) error {
	h.dc.stor.Lock()
	defer h.dc.stor.Unlock()
	vol, err := h.volume(*d.Volume)
	if err != nil {
		return err
	}
	id := v.spec.UUID
	switch {
	case slices.Contains(vol.users, id):
		return fmt.Errorf("volume %s attached twice: %w", d.Volume, backends.ErrConflict)
	case !d.ReadOnly && vol.dependants > 0:
		return fmt.Errorf("volume %s backs %d volumes; attach it read-only: %w", d.Volume, vol.dependants, backends.ErrConflict)
	case !d.ReadOnly && vol.rwUser != "":
		return fmt.Errorf("volume %s is attached writable to vm %s: %w", d.Volume, vol.rwUser, backends.ErrConflict)
	}
	vol.users = append(vol.users, id)
	if !d.ReadOnly {
		vol.rwUser = id
	}
	return nil
}

// detachDisk removes v's i-th disk and its volume reference. Called with
// h.mu held.
func (h *Host) detachDisk(v *vm, i int) {
	d := v.spec.Disks[i]
	v.spec.Disks = slices.Delete(v.spec.Disks, i, i+1)
	if d.Volume == nil {
		return
	}
	h.dc.stor.Lock()
	defer h.dc.stor.Unlock()
	if vol, err := h.volume(*d.Volume); err == nil {
		vol.users = slices.DeleteFunc(vol.users, func(u string) bool { return u == v.spec.UUID })
		if vol.rwUser == v.spec.UUID {
			vol.rwUser = ""
		}
	}
}

// freeTarget names the next guest device on a bus: vda, vdb… for virtio,
// sda… for SCSI and SATA, hda… for IDE.
func freeTarget(disks []backends.DiskSpec, bus backends.DiskBus) string {
	prefix := map[backends.DiskBus]string{backends.BusVirtio: "vd", backends.BusSCSI: "sd",
		backends.BusSATA: "sd", backends.BusIDE: "hd"}[bus]
	for c := 'a'; ; c++ {
		t := fmt.Sprintf("%s%c", prefix, c)
		if !slices.ContainsFunc(disks, func(d backends.DiskSpec) bool { return d.Target == t }) {
			return t
		}
	}
}

// writableVolume is the volume v's guest writes to: its first writable
// volume-backed disk. Called with h.mu held.
func (h *Host) writableVolume(v *vm) *volume {
	for _, d := range v.spec.Disks {
		if d.Volume != nil && !d.ReadOnly && d.Device == backends.DeviceDisk {
			h.dc.stor.Lock()
			vol, _ := h.volume(*d.Volume)
			h.dc.stor.Unlock()
			return vol
		}
	}
	return nil
}

// attachNIC adds a normalized NIC to v, drawing a MAC if it has none and
// claiming it data-center wide. Called with h.mu held.
func (h *Host) attachNIC(v *vm, n backends.NICSpec) (backends.NICSpec, error) {
	sw, err := h.vswitch(n.Switch)
	if err != nil {
		return n, err
	}
	if n.MAC == "" {
		m, err := h.drawMAC(v.spec.UUID)
		if err != nil {
			return n, err
		}
		n.MAC = m.String()
	} else {
		m, _ := backends.ParseMAC(n.MAC)
		if slices.ContainsFunc(v.spec.NICs, func(x backends.NICSpec) bool { return x.MAC == n.MAC }) {
			return n, fmt.Errorf("mac %s twice in vm: %w", n.MAC, backends.ErrConflict)
		}
		if err := h.dc.claimMAC(m, v.spec.UUID); err != nil {
			return n, err
		}
	}
	sw.ports++
	v.spec.NICs = append(v.spec.NICs, n)
	return n, nil
}

// drawMAC draws an unused MAC under the KVM prefix.
func (h *Host) drawMAC(owner string) (backends.MAC, error) {
	for {
		m, err := backends.RandomMAC(readerOf(h.rng), backends.KVMOUI)
		if err != nil {
			return m, err
		}
		if h.dc.claimMAC(m, owner) == nil {
			return m, nil
		}
	}
}

// detachNIC removes v's i-th NIC, its port and its MAC. Called with h.mu held.
func (h *Host) detachNIC(v *vm, i int) {
	n := v.spec.NICs[i]
	v.spec.NICs = slices.Delete(v.spec.NICs, i, i+1)
	if sw, ok := h.switches[n.Switch]; ok {
		sw.ports--
	}
	m, _ := backends.ParseMAC(n.MAC)
	h.dc.releaseMAC(m, v.spec.UUID)
}
