package sim

import (
	"context"
	"fmt"

	"github.com/ferrum-virt/ferrum/backends"
)

// peer resolves a migration destination: another host of this data center.
func (h *Host) peer(dest backends.Host) (*Host, error) {
	d, ok := dest.(*Host)
	switch {
	case !ok || d.dc != h.dc:
		return nil, fmt.Errorf("migrate from %s to %T outside its data center: %w", h, dest, backends.ErrUnsupported)
	case d == h:
		return nil, fmt.Errorf("migrate from %s to itself: %w", h, backends.ErrInvalidArgument)
	}
	return d, nil
}

// lockBoth locks two hosts in index order, so two migrations in opposite
// directions cannot deadlock.
func lockBoth(a, b *Host) {
	if b.idx < a.idx {
		a, b = b, a
	}
	a.mu.Lock()
	b.mu.Lock()
}

// lockPair locks two hosts; it fails if either is down.
func lockPair(a, b *Host) error {
	lockBoth(a, b)
	for _, h := range []*Host{a, b} {
		if h.down {
			unlockPair(a, b)
			return fmt.Errorf("migrate: %s: %w", h, backends.ErrUnavailable)
		}
	}
	return nil
}

func unlockPair(a, b *Host) { a.mu.Unlock(); b.mu.Unlock() }

// CheckMigration reports whether VM id could move to dest now.
func (h *Host) CheckMigration(ctx context.Context, id string, dest backends.Host) (backends.MigrationCheck, error) {
	d, err := h.peer(dest)
	if err != nil {
		return backends.MigrationCheck{}, err
	}
	if err := lockPair(h, d); err != nil {
		return backends.MigrationCheck{}, err
	}
	defer unlockPair(h, d)
	v, err := h.find(id)
	if err != nil {
		return backends.MigrationCheck{}, err
	}
	return h.check(v, d, v.state.Active()), nil
}

// check answers the migration questions for v. Called with both locks held.
func (h *Host) check(v *vm, d *Host, live bool) backends.MigrationCheck {
	c := backends.MigrationCheck{MemoryFits: true, CPUCompatible: true, StorageShared: true, NetworksPresent: true}
	if free := d.freeMiB(); live && v.spec.MemoryMiB > free {
		c.MemoryFits = false
		c.Reasons = append(c.Reasons, fmt.Sprintf("needs %d MiB, %s has %d MiB free", v.spec.MemoryMiB, d, free))
	}
	if a, b := h.info.CPU.Vendor, d.info.CPU.Vendor; live && a != b {
		c.CPUCompatible = false
		c.Reasons = append(c.Reasons, fmt.Sprintf("cpu family %s here, %s on %s", a, b, d))
	}
	for _, disk := range v.spec.Disks {
		if why := h.diskReachable(disk, d); why != "" {
			c.StorageShared = false
			c.Reasons = append(c.Reasons, why)
		}
	}
	for _, n := range v.spec.NICs {
		mine, theirs := h.switches[n.Switch], d.switches[n.Switch]
		if mine == nil || theirs == nil || theirs.spec.Kind != mine.spec.Kind {
			c.NetworksPresent = false
			c.Reasons = append(c.Reasons, fmt.Sprintf("switch %q missing on %s", n.Switch, d))
		}
	}
	if _, ok := d.names[v.spec.Name]; ok {
		c.Reasons = append(c.Reasons, fmt.Sprintf("name %q in use on %s", v.spec.Name, d))
	}
	c.OK = len(c.Reasons) == 0
	return c
}

// diskReachable explains why d cannot reach a disk, or returns "".
func (h *Host) diskReachable(disk backends.DiskSpec, d *Host) string {
	switch {
	case disk.IsNBD() || (disk.Volume == nil && disk.Path == ""):
		return ""
	case disk.Volume == nil:
		for _, p := range h.pools {
			if p.shared && d.pools[p.spec.Name] == p && len(disk.Path) > len(p.spec.Path) &&
				disk.Path[:len(p.spec.Path)+1] == p.spec.Path+"/" {
				return ""
			}
		}
		return fmt.Sprintf("disk %s: path %s is not on storage %s shares", disk.Target, disk.Path, d)
	}
	h.dc.stor.Lock()
	defer h.dc.stor.Unlock()
	vol, err := h.volume(*disk.Volume)
	if err != nil {
		return fmt.Sprintf("disk %s: %v", disk.Target, err)
	}
	for c := vol; c != nil; c = c.backing {
		if !c.pool.shared || d.pools[c.pool.spec.Name] != c.pool {
			return fmt.Sprintf("disk %s: volume %s/%s is not on storage %s shares",
				disk.Target, c.pool.spec.Name, c.name, d)
		}
	}
	return ""
}

// refusal turns a failed check into an error of the right kind.
func refusal(c backends.MigrationCheck) error {
	kind := backends.ErrIncompatible
	switch {
	case !c.MemoryFits:
		kind = backends.ErrInsufficientResources
	case c.CPUCompatible && c.StorageShared && c.NetworksPresent:
		kind = backends.ErrConflict // a name clash
	}
	return fmt.Errorf("%v: %w", c.Reasons, kind)
}
