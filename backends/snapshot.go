package backends

import (
	"context"
	"fmt"
	"time"
	"unicode"
)

// Snapshots takes, lists, applies and deletes snapshots of a host's virtual
// servers. A Host implements it when it can, and then declares
// Capabilities.Snapshots; check both (a host reached through an older agent
// may have the methods and answer ErrUnsupported).
//
// A snapshot records a VM's configuration (its VMSpec) and the contents of
// its disks at one moment. Snapshots of one VM form a tree: a new snapshot's
// Parent is the VM's current snapshot (the last one created or applied), and
// it becomes the current one. Names are unique per VM; an empty Name asks
// the backend to choose one. A name with '/' or a control character fails
// with ErrInvalidArgument, a name in use with ErrConflict.
//
// CreateSnapshot of a stopped VM (Off or Crashed) is an offline snapshot of
// its definition and disks (internal qcow2 snapshots on libvirt). A running
// or paused VM is snapshotted only when the host declares
// Capabilities.LiveSnapshots: the snapshot is then a full system checkpoint
// that also holds the guest's memory, as libvirt's internal snapshots of a
// running domain do. Otherwise, and in every other state (Saved,
// ShuttingDown), it fails with a *StateError. A disk the backend cannot
// snapshot (a writable raw volume) fails with ErrUnsupported; a pool
// without room for the snapshot's metadata with ErrInsufficientResources.
//
// ApplySnapshot reverts the VM's configuration and disks to the snapshot,
// which becomes current. Following libvirt's revert semantics the VM ends
// in the state it was snapshotted in: an offline snapshot leaves it Off
// (an active VM is powered off first, without asking the guest), a
// checkpoint of a running VM leaves it Running (paused: Paused). A saved VM
// fails with a *StateError. Applying never changes the VM's UUID, and the
// snapshots themselves are kept.
//
// DeleteSnapshot removes one snapshot's metadata and data; its children are
// re-parented to its parent (roots when it was a root), and when it was
// current its parent becomes current. The VM is not changed.
//
// Undefining a VM discards its snapshots. Unknown VMs and unknown snapshot
// names fail with ErrNotFound. ListSnapshots orders snapshots by creation,
// oldest first.
type Snapshots interface {
	CreateSnapshot(ctx context.Context, vmID string, spec SnapshotSpec) (Snapshot, error)
	ListSnapshots(ctx context.Context, vmID string) ([]Snapshot, error)
	GetSnapshot(ctx context.Context, vmID, name string) (Snapshot, error)
	ApplySnapshot(ctx context.Context, vmID, name string) error
	DeleteSnapshot(ctx context.Context, vmID, name string) error
}

// SnapshotSpec describes a snapshot to take.
type SnapshotSpec struct {
	Name        string // "" lets the backend choose
	Description string
}

// Snapshot is one snapshot of a virtual server.
type Snapshot struct {
	Name        string
	Description string
	VM          string    // UUID of the VM it belongs to
	Parent      string    // name of the parent snapshot; "" for a root
	Created     time.Time // on the backend's clock, to the second at least
	// Config is the VM's configuration when the snapshot was taken.
	Config VMSpec
	// State is the VM's run state when the snapshot was taken: StateOff for
	// an offline snapshot, StateRunning or StatePaused for a checkpoint.
	State State
	// Current reports whether this is the VM's current snapshot, the parent
	// of its next one.
	Current bool
}

// ValidateSnapshotName checks a snapshot name given to CreateSnapshot:
// empty (the backend chooses) or at most 255 bytes without '/' or control
// characters. It fails with ErrInvalidArgument.
func ValidateSnapshotName(name string) error {
	if len(name) > 255 {
		return fmt.Errorf("snapshot name of %d bytes, more than 255: %w", len(name), ErrInvalidArgument)
	}
	for _, r := range name {
		if r == '/' || unicode.IsControl(r) {
			return fmt.Errorf("snapshot name %q has %q: %w", name, r, ErrInvalidArgument)
		}
	}
	return nil
}
