package libvirt

import (
	"crypto/rand"
	"fmt"
	"slices"
	"strings"

	"github.com/ferrum-virt/ferrum/backends"
)

// prepareDisk checks a normalized disk for the VM owner against the host
// and names its target (used holds the VM's targets). It returns the image
// format libvirt must be told. A writable volume may be attached to one VM
// only, and never while other volumes are backed by it. Called with h.mu
// held.
func (h *Host) prepareDisk(disk *backends.DiskSpec, used []string, owner string, defs []definition) (string, error) {
	if disk.Target == "" {
		t, err := freeTarget(used, disk.Bus)
		if err != nil {
			return "", err
		}
		disk.Target = t
	} else if slices.Contains(used, disk.Target) {
		return "", fmt.Errorf("disk target %s in use: %w", disk.Target, backends.ErrConflict)
	}
	switch {
	case disk.Volume != nil:
		return h.prepareVolumeDisk(disk, owner, defs)
	case disk.Path == "":
		return "", nil // an empty CD-ROM drive
	case strings.HasPrefix(disk.Path, "/"):
		if v, err := h.l.StorageVolLookupByPath(disk.Path); err == nil {
			if _, x, err := h.volumeRaw(backends.VolumeRef{Pool: v.Pool, Name: v.Name}); err == nil {
				return x.format(), nil
			}
		}
	}
	return backends.FormatRaw, nil
}

func (h *Host) prepareVolumeDisk(disk *backends.DiskSpec, owner string, defs []definition) (string, error) {
	ref := *disk.Volume
	_, x, err := h.volumeRaw(ref)
	if err != nil {
		return "", err
	}
	if disk.ReadOnly {
		return x.format(), nil
	}
	for _, d := range defs {
		if d.spec.UUID == owner {
			continue
		}
		if slices.ContainsFunc(d.spec.Disks, func(o backends.DiskSpec) bool { return !o.ReadOnly && refersTo(o, ref, x.path()) }) {
			return "", fmt.Errorf("volume %s is attached writable to vm %s: %w", ref, d.spec.Name, backends.ErrConflict)
		}
	}
	all, err := h.allVolumes()
	if err != nil {
		return "", err
	}
	for _, e := range all {
		if e.x.BackingStore != nil && e.x.BackingStore.Path == x.path() {
			return "", fmt.Errorf("volume %s backs %s; attach it read-only: %w", ref, e.ref, backends.ErrConflict)
		}
	}
	return x.format(), nil
}

// prepareNIC checks a normalized NIC's switch and MAC, drawing a MAC when it
// has none, creates the VLAN segment it needs, and renders it. macs maps
// the MACs in use to their VMs; the NIC's is added. Called with h.mu held.
func (h *Host) prepareNIC(n *backends.NICSpec, macs map[string]string, owner string) (interfaceXML, error) {
	segmented, err := h.segmented(n.Switch)
	if err != nil {
		return interfaceXML{}, err
	}
	if n.MAC == "" {
		for {
			m, err := backends.RandomMAC(rand.Reader, backends.KVMOUI)
			if err != nil {
				return interfaceXML{}, err
			}
			if _, taken := macs[m.String()]; !taken {
				n.MAC = m.String()
				break
			}
		}
	} else if other, taken := macs[n.MAC]; taken {
		return interfaceXML{}, fmt.Errorf("mac %s in use by vm %s: %w", n.MAC, other, backends.ErrConflict)
	}
	if segmented && n.VLAN > 0 {
		if err := h.ensureSegment(n.Switch, n.VLAN); err != nil {
			return interfaceXML{}, err
		}
	}
	macs[n.MAC] = owner
	return nicElement(*n, segmented), nil
}

// diskByTarget finds a disk by its guest device name.
func (d *domainXML) diskByTarget(target string) int {
	return slices.IndexFunc(d.Devices.Disks, func(x diskXML) bool { return x.Target.Dev == target })
}

// nicByMAC finds an interface by MAC, in any spelling.
func (d *domainXML) nicByMAC(mac string) int {
	return slices.IndexFunc(d.Devices.Interfaces, func(x interfaceXML) bool {
		return x.MAC != nil && sameMAC(x.MAC.Address, mac)
	})
}

func sameMAC(a, b string) bool {
	ma, errA := backends.ParseMAC(a)
	mb, errB := backends.ParseMAC(b)
	return errA == nil && errB == nil && ma == mb
}
