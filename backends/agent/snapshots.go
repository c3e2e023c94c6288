package agent

import (
	"context"
	"fmt"

	"github.com/ferrum-virt/ferrum/agent/proto"
	"github.com/ferrum-virt/ferrum/backends"
)

var _ backends.Snapshots = (*Host)(nil)

// snapshotsServed fails with ErrUnsupported unless the node's agent said
// it serves the snapshot ops (protocol 1.1 with a backend that has them).
func (h *Host) snapshotsServed(op string) error {
	if !h.Hello().Features.Snapshots {
		return fmt.Errorf("%s on %s: the node's agent serves no snapshots: %w", op, h, backends.ErrUnsupported)
	}
	return nil
}

// CreateSnapshot has the node snapshot VM id.
func (h *Host) CreateSnapshot(ctx context.Context, id string, spec backends.SnapshotSpec) (backends.Snapshot, error) {
	if err := h.snapshotsServed("create snapshot"); err != nil {
		return backends.Snapshot{}, err
	}
	return call[backends.Snapshot](ctx, h, proto.OpSnapshotCreate, proto.CreateSnapshotArgs{ID: id, Spec: spec})
}

// ListSnapshots lists VM id's snapshots on the node.
func (h *Host) ListSnapshots(ctx context.Context, id string) ([]backends.Snapshot, error) {
	if err := h.snapshotsServed("list snapshots"); err != nil {
		return nil, err
	}
	return call[[]backends.Snapshot](ctx, h, proto.OpSnapshotList, proto.ID{ID: id})
}

// GetSnapshot reports one snapshot of VM id.
func (h *Host) GetSnapshot(ctx context.Context, id, name string) (backends.Snapshot, error) {
	if err := h.snapshotsServed("get snapshot"); err != nil {
		return backends.Snapshot{}, err
	}
	return call[backends.Snapshot](ctx, h, proto.OpSnapshotGet, proto.SnapshotArgs{ID: id, Name: name})
}

// ApplySnapshot has the node revert VM id to snapshot name.
func (h *Host) ApplySnapshot(ctx context.Context, id, name string) error {
	if err := h.snapshotsServed("apply snapshot"); err != nil {
		return err
	}
	return do(ctx, h, proto.OpSnapshotApply, proto.SnapshotArgs{ID: id, Name: name})
}

// DeleteSnapshot has the node delete snapshot name of VM id.
func (h *Host) DeleteSnapshot(ctx context.Context, id, name string) error {
	if err := h.snapshotsServed("delete snapshot"); err != nil {
		return err
	}
	return do(ctx, h, proto.OpSnapshotDelete, proto.SnapshotArgs{ID: id, Name: name})
}
