package sim

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/ferrum-virt/ferrum/backends"
)

// snapshot is one snapshot of a simulated VM: an internal qcow2 snapshot
// of each writable disk, whose metadata (and, for a checkpoint of a running
// VM, its memory image) it charges to the volumes it lives in.
type snapshot struct {
	name, desc string
	parent     string
	created    time.Time
	spec       backends.VMSpec // as defined: a chosen graphics port is 0
	state      backends.State  // StateOff, StateRunning or StatePaused
	charges    []charge
}

// charge is space a snapshot holds in one volume.
type charge struct {
	vol   *volume
	bytes uint64
}

func (v *vm) snapshot(name string) *snapshot {
	for _, s := range v.snaps {
		if s.name == name {
			return s
		}
	}
	return nil
}

func (s *snapshot) view(v *vm) backends.Snapshot {
	return backends.Snapshot{Name: s.name, Description: s.desc, VM: v.spec.UUID, Parent: s.parent,
		Created: s.created, Config: cloneSpec(s.spec), State: s.state, Current: v.cur == s.name}
}

// definedSpec is v's configuration without the run-time graphics port.
func (v *vm) definedSpec() backends.VMSpec {
	s := cloneSpec(v.spec)
	if v.auto && s.Graphics != nil {
		s.Graphics.Port = 0
	}
	return s
}

// snapshotName picks the next free "snapshot-N" of v.
func (v *vm) snapshotName() string {
	for {
		v.snapN++
		if n := fmt.Sprintf("snapshot-%d", v.snapN); v.snapshot(n) == nil {
			return n
		}
	}
}

// snapshotStates are the states a VM can be snapshotted in on h.
func (h *Host) snapshotStates() []backends.State {
	s := states(backends.StateOff, backends.StateCrashed)
	if h.info.Caps.LiveSnapshots {
		s = append(s, backends.StateRunning, backends.StatePaused)
	}
	return s
}

// withSnapshots runs f on VM id holding h.mu.
func (h *Host) withSnapshots(op, id string, f func(v *vm) error) error {
	if err := h.lock(op); err != nil {
		return err
	}
	defer h.mu.Unlock()
	v, err := h.find(id)
	if err != nil {
		return err
	}
	return f(v)
}

// lookupSnapshot returns v's snapshot name or ErrNotFound.
func (h *Host) lookupSnapshot(v *vm, name string) (*snapshot, error) {
	s := v.snapshot(name)
	if s == nil {
		return nil, fmt.Errorf("snapshot %q of vm %s on %s: %w", name, v.spec.Name, h, backends.ErrNotFound)
	}
	return s, nil
}

// CreateSnapshot snapshots VM id: offline when it is stopped, a checkpoint
// with its memory when it runs or is paused.
func (h *Host) CreateSnapshot(ctx context.Context, id string, spec backends.SnapshotSpec) (backends.Snapshot, error) {
	if err := backends.ValidateSnapshotName(spec.Name); err != nil {
		return backends.Snapshot{}, fmt.Errorf("snapshot vm %s on %s: %w", id, h, err)
	}
	var out backends.Snapshot
	err := h.withSnapshots("create snapshot", id, func(v *vm) error {
		if err := h.allow(v, "snapshot", h.snapshotStates()...); err != nil {
			return err
		}
		name := spec.Name
		if name == "" {
			name = v.snapshotName()
		} else if v.snapshot(name) != nil {
			return fmt.Errorf("snapshot %q of vm %s on %s exists: %w", name, v.spec.Name, h, backends.ErrConflict)
		}
		s := &snapshot{name: name, desc: spec.Description, parent: v.cur, created: h.dc.clock.Now(),
			spec: v.definedSpec(), state: backends.StateOff}
		if v.state.Active() {
			s.state = v.state
		}
		if err := h.chargeSnapshot(v, s); err != nil {
			return fmt.Errorf("snapshot vm %s on %s: %w", v.spec.Name, h, err)
		}
		v.snaps, v.cur = append(v.snaps, s), name
		h.logOp("snapshot", v, "snapshot", name, "state", s.state)
		out = s.view(v)
		return nil
	})
	return out, err
}

// ListSnapshots lists VM id's snapshots, oldest first.
func (h *Host) ListSnapshots(ctx context.Context, id string) ([]backends.Snapshot, error) {
	var out []backends.Snapshot
	err := h.withSnapshots("list snapshots", id, func(v *vm) error {
		out = make([]backends.Snapshot, 0, len(v.snaps))
		for _, s := range v.snaps {
			out = append(out, s.view(v))
		}
		return nil
	})
	return out, err
}

// GetSnapshot reports one snapshot of VM id.
func (h *Host) GetSnapshot(ctx context.Context, id, name string) (backends.Snapshot, error) {
	var out backends.Snapshot
	err := h.withSnapshots("get snapshot", id, func(v *vm) error {
		s, err := h.lookupSnapshot(v, name)
		if err == nil {
			out = s.view(v)
		}
		return err
	})
	return out, err
}

// DeleteSnapshot removes a snapshot, re-parenting its children to its
// parent and releasing the space it held.
func (h *Host) DeleteSnapshot(ctx context.Context, id, name string) error {
	return h.withSnapshots("delete snapshot", id, func(v *vm) error {
		s, err := h.lookupSnapshot(v, name)
		if err != nil {
			return err
		}
		if v.busy != "" {
			return fmt.Errorf("delete snapshot of vm %s on %s: busy with %s: %w", v.spec.Name, h, v.busy, backends.ErrConflict)
		}
		for _, c := range v.snaps {
			if c.parent == name {
				c.parent = s.parent
			}
		}
		if v.cur == name {
			v.cur = s.parent
		}
		h.releaseCharges(s)
		v.snaps = slices.DeleteFunc(v.snaps, func(x *snapshot) bool { return x == s })
		h.logOp("delete snapshot", v, "snapshot", name)
		return nil
	})
}

// dropSnapshots discards every snapshot of v, as undefining does. Called
// with h.mu held.
func (h *Host) dropSnapshots(v *vm) {
	for _, s := range v.snaps {
		h.releaseCharges(s)
	}
	v.snaps, v.cur = nil, ""
}
