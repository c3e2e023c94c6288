package libvirt

import (
	"context"
	"fmt"
	"slices"
	"time"

	golibvirt "github.com/digitalocean/go-libvirt"

	"github.com/ferrum-virt/ferrum/backends"
)

var _ backends.Snapshots = (*Host)(nil)

// snapshotStates are the states CreateSnapshot accepts on h: stopped
// domains (an offline internal snapshot of their qcow2 disks), and running
// or paused ones where the driver takes checkpoints.
func (h *Host) snapshotStates() []backends.State {
	s := []backends.State{backends.StateOff, backends.StateCrashed}
	if h.static.Caps.LiveSnapshots {
		s = append(s, backends.StateRunning, backends.StatePaused)
	}
	return s
}

// CreateSnapshot takes an internal snapshot of VM id (virDomainSnapshotCreateXML).
func (h *Host) CreateSnapshot(ctx context.Context, id string, spec backends.SnapshotSpec) (backends.Snapshot, error) {
	if err := backends.ValidateSnapshotName(spec.Name); err != nil {
		return backends.Snapshot{}, fmt.Errorf("snapshot vm %s on %s: %w", id, h, err)
	}
	if err := h.alive(ctx); err != nil {
		return backends.Snapshot{}, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	d, err := h.lookup(id)
	if err != nil {
		return backends.Snapshot{}, err
	}
	if _, err := h.allow(d, "snapshot", h.snapshotStates()...); err != nil {
		return backends.Snapshot{}, err
	}
	if spec.Name, err = h.snapshotName(d, spec.Name); err != nil {
		return backends.Snapshot{}, err
	}
	doc, flags, err := h.snapshotRequest(d, spec)
	if err != nil {
		return backends.Snapshot{}, err
	}
	snap, err := h.l.DomainSnapshotCreateXML(d, doc, flags)
	if err != nil {
		return backends.Snapshot{}, wrap(err, "snapshot vm %s as %q on %s", d.Name, spec.Name, h)
	}
	h.logOp("snapshot", d.Name, "snapshot", spec.Name)
	return h.snapshot(d, snap)
}

// snapshotRequest is the document and flags that snapshot d. QEMU refuses
// a snapshot of a stopped domain with no disk to snapshot ("nothing
// selected"); its snapshot is then the definition alone, redefined as
// metadata with the current snapshot as parent. Called with h.mu held.
func (h *Host) snapshotRequest(d golibvirt.Domain, spec backends.SnapshotSpec) (string, uint32, error) {
	if h.driver != driverQEMU {
		doc, err := newSnapshotXML(spec.Name, spec.Description)
		return doc, 0, err
	}
	def, err := h.domainDoc(d, true)
	if err != nil {
		return "", 0, err
	}
	vs, err := specOf(def)
	if err != nil {
		return "", 0, fmt.Errorf("vm %s on %s: %w", d.Name, h, err)
	}
	if slices.ContainsFunc(vs.Disks, snapshottable) {
		doc, err := newSnapshotXML(spec.Name, spec.Description)
		return doc, 0, err
	}
	text, err := h.l.DomainGetXMLDesc(d, golibvirt.DomainXMLInactive|golibvirt.DomainXMLSecure)
	if err != nil {
		return "", 0, wrap(err, "get xml of vm %s on %s", d.Name, h)
	}
	parent := ""
	if has, err := h.l.DomainHasCurrentSnapshot(d, 0); err == nil && has == 1 {
		if cur, err := h.l.DomainSnapshotCurrent(d, 0); err == nil {
			parent = cur.Name
		}
	}
	doc, err := metadataSnapshotXML(spec.Name, spec.Description, parent, time.Now(), text)
	flags := golibvirt.DomainSnapshotCreateRedefine | golibvirt.DomainSnapshotCreateCurrent
	return doc, uint32(flags), err
}

// snapshottable reports whether libvirt takes an internal snapshot of a
// stopped domain's disk: a writable disk with a source.
func snapshottable(d backends.DiskSpec) bool {
	return !d.ReadOnly && d.Device != backends.DeviceCDROM && (d.Volume != nil || d.Path != "")
}

// snapshotName checks that name is free on d, or picks a free
// "snapshot-N" when it is empty. Called with h.mu held.
func (h *Host) snapshotName(d golibvirt.Domain, name string) (string, error) {
	snaps, _, err := h.l.DomainListAllSnapshots(d, 1, 0)
	if err != nil {
		return "", wrap(err, "list snapshots of vm %s on %s", d.Name, h)
	}
	used := map[string]bool{}
	for _, s := range snaps {
		used[s.Name] = true
	}
	if name != "" {
		if used[name] {
			return "", fmt.Errorf("snapshot %q of vm %s on %s exists: %w", name, d.Name, h, backends.ErrConflict)
		}
		return name, nil
	}
	for n := len(snaps) + 1; ; n++ {
		if name := fmt.Sprintf("snapshot-%d", n); !used[name] {
			return name, nil
		}
	}
}

// snapshot reads one snapshot of d.
func (h *Host) snapshot(d golibvirt.Domain, snap golibvirt.DomainSnapshot) (backends.Snapshot, error) {
	text, err := h.l.DomainSnapshotGetXMLDesc(snap, 0)
	if err != nil {
		return backends.Snapshot{}, wrap(err, "get snapshot %q of vm %s on %s", snap.Name, d.Name, h)
	}
	x, err := parseSnapshotXML(text)
	if err != nil {
		return backends.Snapshot{}, fmt.Errorf("snapshot %q of vm %s on %s: %w", snap.Name, d.Name, h, err)
	}
	cur, err := h.l.DomainSnapshotIsCurrent(snap, 0)
	if err != nil {
		return backends.Snapshot{}, wrap(err, "snapshot %q of vm %s on %s", snap.Name, d.Name, h)
	}
	return x.snapshot(domainID(d), cur == 1)
}

// ListSnapshots lists VM id's snapshots by creation time, parents before
// children within the same second.
func (h *Host) ListSnapshots(ctx context.Context, id string) ([]backends.Snapshot, error) {
	if err := h.alive(ctx); err != nil {
		return nil, err
	}
	d, err := h.lookup(id)
	if err != nil {
		return nil, err
	}
	snaps, _, err := h.l.DomainListAllSnapshots(d, 1, uint32(golibvirt.DomainSnapshotListTopological))
	if err != nil {
		return nil, wrap(err, "list snapshots of vm %s on %s", d.Name, h)
	}
	out := make([]backends.Snapshot, 0, len(snaps))
	for _, snap := range snaps {
		s, err := h.snapshot(d, snap)
		if isCode(err, golibvirt.ErrNoDomainSnapshot) {
			continue // deleted meanwhile
		}
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	slices.SortStableFunc(out, func(a, b backends.Snapshot) int { return a.Created.Compare(b.Created) })
	return out, nil
}

// lookupSnapshot finds snapshot name of VM id.
func (h *Host) lookupSnapshot(id, name string) (golibvirt.Domain, golibvirt.DomainSnapshot, error) {
	d, err := h.lookup(id)
	if err != nil {
		return d, golibvirt.DomainSnapshot{}, err
	}
	snap, err := h.l.DomainSnapshotLookupByName(d, name, 0)
	if err != nil {
		return d, snap, wrap(err, "snapshot %q of vm %s on %s", name, d.Name, h)
	}
	return d, snap, nil
}

// GetSnapshot reports one snapshot of VM id.
func (h *Host) GetSnapshot(ctx context.Context, id, name string) (backends.Snapshot, error) {
	if err := h.alive(ctx); err != nil {
		return backends.Snapshot{}, err
	}
	d, snap, err := h.lookupSnapshot(id, name)
	if err != nil {
		return backends.Snapshot{}, err
	}
	return h.snapshot(d, snap)
}

// ApplySnapshot reverts VM id to snapshot name (virDomainRevertToSnapshot):
// the domain ends in the state the snapshot was taken in.
func (h *Host) ApplySnapshot(ctx context.Context, id, name string) error {
	if err := h.alive(ctx); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	d, snap, err := h.lookupSnapshot(id, name)
	if err != nil {
		return err
	}
	if _, err := h.allow(d, "apply snapshot", backends.StateOff, backends.StateCrashed,
		backends.StateRunning, backends.StatePaused); err != nil {
		return err
	}
	if err := h.l.DomainRevertToSnapshot(snap, 0); err != nil {
		return wrap(err, "revert vm %s to snapshot %q on %s", d.Name, name, h)
	}
	h.logOp("apply snapshot", d.Name, "snapshot", name)
	return nil
}

// DeleteSnapshot deletes snapshot name of VM id; libvirt re-parents its
// children and makes its parent current when it was.
func (h *Host) DeleteSnapshot(ctx context.Context, id, name string) error {
	if err := h.alive(ctx); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	d, snap, err := h.lookupSnapshot(id, name)
	if err != nil {
		return err
	}
	if err := h.l.DomainSnapshotDelete(snap, 0); err != nil {
		return wrap(err, "delete snapshot %q of vm %s on %s", name, d.Name, h)
	}
	h.logOp("delete snapshot", d.Name, "snapshot", name)
	return nil
}
