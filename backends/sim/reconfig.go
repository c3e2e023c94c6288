package sim

import (
	"context"
	"fmt"
	"slices"

	"github.com/ferrum-virt/ferrum/backends"
)

// reconfigurable are the states a VM's resources can change in: cold when
// stopped, hot when running or paused.
var reconfigurable = states(backends.StateOff, backends.StateCrashed, backends.StateRunning, backends.StatePaused)

// modify runs f on an idle VM in a reconfigurable state, then reschedules a
// running VM and publishes EventModified with f's description.
func (a *vmAPI) modify(id, op string, f func(h *Host, v *vm, hot bool) (string, error)) error {
	h := a.host()
	if err := h.lock(op); err != nil {
		return err
	}
	defer h.mu.Unlock()
	v, err := h.find(id)
	if err != nil {
		return err
	}
	if err := h.allow(v, op, reconfigurable...); err != nil {
		return err
	}
	detail, err := f(h, v, v.state.Active())
	if err != nil {
		return fmt.Errorf("%s vm %s on %s: %w", op, v.spec.Name, h, err)
	}
	if runsGuest(v.state) {
		h.rebalance(h.dc.clock.Now())
	}
	h.logOp(op, v, "change", detail)
	h.publishVM(v, backends.EventModified, detail)
	return nil
}

func hotUnsupported(what string) error {
	return fmt.Errorf("hot-plugging %s: %w", what, backends.ErrUnsupported)
}

// SetVCPUs changes the vCPU count, hot up to MaxVCPUs.
func (a *vmAPI) SetVCPUs(ctx context.Context, id string, n int) error {
	return a.modify(id, "set vcpus", func(h *Host, v *vm, hot bool) (string, error) {
		limit := h.info.Limits.MaxVCPUs
		if hot {
			if !h.info.Caps.HotplugVCPU {
				return "", hotUnsupported("vcpus")
			}
			limit = v.spec.MaxVCPUs
		}
		if n < 1 || n > limit {
			return "", fmt.Errorf("%d vcpus outside 1–%d: %w", n, limit, backends.ErrInvalidArgument)
		}
		v.spec.VCPUs, v.spec.MaxVCPUs = n, max(v.spec.MaxVCPUs, n)
		return fmt.Sprintf("vcpus %d", n), nil
	})
}

// SetMemory changes the memory; on a running VM it moves the balloon, up to
// MaxMemoryMiB and within the host's free memory.
func (a *vmAPI) SetMemory(ctx context.Context, id string, mib uint64) error {
	return a.modify(id, "set memory", func(h *Host, v *vm, hot bool) (string, error) {
		limit := h.info.Limits.MaxMemoryMiB
		if hot {
			if !h.info.Caps.HotplugMemory {
				return "", hotUnsupported("memory")
			}
			limit = v.spec.MaxMemoryMiB
		}
		if mib < h.info.Limits.MinMemoryMiB || mib > limit {
			return "", fmt.Errorf("%d MiB outside %d–%d: %w", mib, h.info.Limits.MinMemoryMiB, limit,
				backends.ErrInvalidArgument)
		}
		if hot {
			if grow := mib - min(mib, v.spec.MemoryMiB); grow > h.freeMiB() {
				return "", fmt.Errorf("balloon +%d MiB, %d MiB free: %w", grow, h.freeMiB(),
					backends.ErrInsufficientResources)
			}
			h.usedMiB = h.usedMiB - v.spec.MemoryMiB + mib
		}
		v.spec.MemoryMiB, v.spec.MaxMemoryMiB = mib, max(v.spec.MaxMemoryMiB, mib)
		return fmt.Sprintf("memory %d MiB", mib), nil
	})
}

// hotplugBus reports whether a disk on bus can be added or removed live.
func hotplugBus(b backends.DiskBus) bool { return b == backends.BusVirtio || b == backends.BusSCSI }

// AttachDisk adds a disk; live only on virtio or SCSI.
func (a *vmAPI) AttachDisk(ctx context.Context, id string, d backends.DiskSpec) (backends.DiskSpec, error) {
	d.Normalize()
	if err := d.Validate(); err != nil {
		return d, err
	}
	err := a.modify(id, "attach disk", func(h *Host, v *vm, hot bool) (string, error) {
		if hot && (!h.info.Caps.HotplugDisk || !hotplugBus(d.Bus)) {
			return "", hotUnsupported("a disk on bus " + string(d.Bus))
		}
		if len(v.spec.Disks) >= h.info.Limits.MaxDisks {
			return "", fmt.Errorf("already %d disks: %w", len(v.spec.Disks), backends.ErrInvalidArgument)
		}
		var err error
		d, err = h.attachDisk(v, d)
		return "attach disk " + d.Target, err
	})
	return d, err
}

// DetachDisk removes the disk with the given target.
func (a *vmAPI) DetachDisk(ctx context.Context, id, target string) error {
	return a.modify(id, "detach disk", func(h *Host, v *vm, hot bool) (string, error) {
		i := slices.IndexFunc(v.spec.Disks, func(d backends.DiskSpec) bool { return d.Target == target })
		if i < 0 {
			return "", fmt.Errorf("disk %s: %w", target, backends.ErrNotFound)
		}
		if hot && (!h.info.Caps.HotplugDisk || !hotplugBus(v.spec.Disks[i].Bus)) {
			return "", hotUnsupported("a disk on bus " + string(v.spec.Disks[i].Bus))
		}
		if runsGuest(v.state) {
			h.quiesce(v, h.dc.clock.Now()) // stop writes to the volume before it goes
		}
		h.detachDisk(v, i)
		return "detach disk " + target, nil
	})
}

// AttachNIC adds a NIC, drawing its MAC if none is given.
func (a *vmAPI) AttachNIC(ctx context.Context, id string, n backends.NICSpec) (backends.NICSpec, error) {
	n.Normalize()
	if err := n.Validate(); err != nil {
		return n, err
	}
	err := a.modify(id, "attach nic", func(h *Host, v *vm, hot bool) (string, error) {
		if hot && !h.info.Caps.HotplugNIC {
			return "", hotUnsupported("a nic")
		}
		if len(v.spec.NICs) >= h.info.Limits.MaxNICs {
			return "", fmt.Errorf("already %d nics, at most %d: %w", len(v.spec.NICs), h.info.Limits.MaxNICs,
				backends.ErrInvalidArgument)
		}
		var err error
		n, err = h.attachNIC(v, n)
		return "attach nic " + n.MAC, err
	})
	return n, err
}

// DetachNIC removes the NIC with the given MAC and frees the MAC.
func (a *vmAPI) DetachNIC(ctx context.Context, id, mac string) error {
	m, err := backends.ParseMAC(mac)
	if err != nil {
		return err
	}
	return a.modify(id, "detach nic", func(h *Host, v *vm, hot bool) (string, error) {
		i := slices.IndexFunc(v.spec.NICs, func(n backends.NICSpec) bool { return n.MAC == m.String() })
		if i < 0 {
			return "", fmt.Errorf("nic %s: %w", mac, backends.ErrNotFound)
		}
		if hot && !h.info.Caps.HotplugNIC {
			return "", hotUnsupported("a nic")
		}
		h.detachNIC(v, i)
		return "detach nic " + m.String(), nil
	})
}
