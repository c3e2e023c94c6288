package sim

import (
	"context"
	"fmt"

	"github.com/ferrum-virt/ferrum/backends"
)

// ApplySnapshot reverts VM id to snapshot name: an active VM is powered off,
// its configuration and disks go back to the snapshot's, and it ends in the
// snapshot's state (Off, or Running or Paused for a checkpoint).
func (h *Host) ApplySnapshot(ctx context.Context, id, name string) error {
	return h.withSnapshots("apply snapshot", id, func(v *vm) error {
		s, err := h.lookupSnapshot(v, name)
		if err != nil {
			return err
		}
		if err := h.allow(v, "apply snapshot", reconfigurable...); err != nil {
			return err
		}
		free := h.freeMiB()
		if v.state.Active() {
			free += v.spec.MemoryMiB
		}
		if s.state.Active() && s.spec.MemoryMiB > free {
			return fmt.Errorf("apply snapshot %q: vm %s needs %d MiB, %s has %d MiB free: %w",
				name, v.spec.Name, s.spec.MemoryMiB, h, free, backends.ErrInsufficientResources)
		}
		prev := v.state
		if prev.Active() {
			if err := h.transition(v, backends.StateOff, backends.ReasonDestroyed, backends.EventStopped); err != nil {
				return err
			}
		}
		if err := h.revertSpec(v, s.spec); err != nil {
			if prev.Active() {
				_ = h.transition(v, prev, backends.ReasonRestored, backends.EventRestored)
			}
			return fmt.Errorf("apply snapshot %q to vm %s on %s: %w", name, v.spec.Name, h, err)
		}
		v.cur = name
		h.logOp("apply snapshot", v, "snapshot", name)
		h.publishVM(v, backends.EventModified, "reverted to snapshot "+name)
		if s.state.Active() {
			return h.transition(v, s.state, backends.ReasonRestored, backends.EventRestored)
		}
		return nil
	})
}

// revertSpec replaces a stopped VM's configuration with spec, keeping its
// name and UUID; on failure the old configuration stays. Called with h.mu
// held.
func (h *Host) revertSpec(v *vm, spec backends.VMSpec) error {
	old := v.definedSpec()
	if err := h.respec(v, spec); err != nil {
		if rerr := h.respec(v, old); rerr != nil {
			return fmt.Errorf("%w (and restoring the old configuration: %v)", err, rerr)
		}
		return err
	}
	return nil
}

// respec swaps v's devices and resources for spec's.
func (h *Host) respec(v *vm, spec backends.VMSpec) error {
	for len(v.spec.Disks) > 0 {
		h.detachDisk(v, len(v.spec.Disks)-1)
	}
	for len(v.spec.NICs) > 0 {
		h.detachNIC(v, len(v.spec.NICs)-1)
	}
	next := cloneSpec(spec)
	next.Name, next.UUID = v.spec.Name, v.spec.UUID
	next.Disks, next.NICs = nil, nil
	v.spec, v.auto = next, next.Graphics != nil && next.Graphics.Port == 0
	for _, d := range spec.Disks {
		if _, err := h.attachDisk(v, d); err != nil {
			return err
		}
	}
	for _, n := range spec.NICs {
		if _, err := h.attachNIC(v, n); err != nil {
			return err
		}
	}
	return nil
}

// chargeSnapshot charges s's internal snapshots to the writable volumes of
// v: each keeps a copy of its L1 table in a new cluster, and a checkpoint
// also stores the guest's memory in the first. A raw volume cannot hold an
// internal snapshot. Called with h.mu held.
func (h *Host) chargeSnapshot(v *vm, s *snapshot) error {
	h.dc.stor.Lock()
	defer h.dc.stor.Unlock()
	now := h.dc.clock.Now().UnixNano()
	var charges []charge
	need := map[*pool]uint64{}
	for _, d := range v.spec.Disks {
		if d.Volume == nil || d.ReadOnly || d.Device == backends.DeviceCDROM {
			continue
		}
		vol, err := h.volume(*d.Volume)
		if err != nil {
			return err
		}
		if vol.format != backends.FormatQCOW2 {
			return fmt.Errorf("disk %s is a %s volume, which holds no snapshots: %w", d.Target, vol.format, backends.ErrUnsupported)
		}
		c := charge{vol: vol, bytes: snapshotOverhead(vol.capacity)}
		if len(charges) == 0 && s.state.Active() {
			c.bytes += uint64(float64(v.spec.MemoryMiB<<20) * v.workload(h.dc).MemoryUtil)
		}
		charges = append(charges, c)
		need[vol.pool] += c.bytes
	}
	for p, n := range need {
		if avail := p.available(now); n > avail {
			return fmt.Errorf("snapshot needs %d bytes in pool %s, which has %d: %w", n, p.spec.Name, avail, backends.ErrInsufficientResources)
		}
	}
	for _, c := range charges {
		c.vol.checkpoint(now)
		c.vol.alloc += c.bytes
		c.vol.pool.settled += c.bytes
	}
	s.charges = charges
	return nil
}

// releaseCharges gives back the space s holds in volumes that still exist.
// Called with h.mu held.
func (h *Host) releaseCharges(s *snapshot) {
	h.dc.stor.Lock()
	defer h.dc.stor.Unlock()
	now := h.dc.clock.Now().UnixNano()
	for _, c := range s.charges {
		if c.vol.pool.vols[c.vol.name] != c.vol {
			continue
		}
		c.vol.checkpoint(now)
		n := min(c.bytes, c.vol.alloc)
		c.vol.alloc -= n
		c.vol.pool.settled -= n
	}
	s.charges = nil
}

// snapshotOverhead is what an internal qcow2 snapshot of a capacity-byte
// image costs before the guest writes: its header entry and a copy of the
// L1 table, in 64 KiB clusters.
func snapshotOverhead(capacity uint64) uint64 {
	const cluster = 64 << 10
	l1 := (capacity + (512<<20 - 1)) / (512 << 20) * 8
	return cluster + (l1+cluster-1)/cluster*cluster
}
