package agent

import (
	"context"

	"github.com/ferrum-virt/ferrum/agent/proto"
	"github.com/ferrum-virt/ferrum/backends"
)

// snapshotOps serve backends.Snapshots (protocol 1.1), for a backend that
// implements it.
func snapshotOps(sn backends.Snapshots) map[proto.Op]handler {
	return map[proto.Op]handler{
		proto.OpSnapshotCreate: call(func(ctx context.Context, _ backends.Host, a proto.CreateSnapshotArgs) (backends.Snapshot, error) {
			return sn.CreateSnapshot(ctx, a.ID, a.Spec)
		}),
		proto.OpSnapshotList: call(func(ctx context.Context, _ backends.Host, a proto.ID) ([]backends.Snapshot, error) {
			return sn.ListSnapshots(ctx, a.ID)
		}),
		proto.OpSnapshotGet: call(func(ctx context.Context, _ backends.Host, a proto.SnapshotArgs) (backends.Snapshot, error) {
			return sn.GetSnapshot(ctx, a.ID, a.Name)
		}),
		proto.OpSnapshotApply: do(func(ctx context.Context, _ backends.Host, a proto.SnapshotArgs) error {
			return sn.ApplySnapshot(ctx, a.ID, a.Name)
		}),
		proto.OpSnapshotDelete: do(func(ctx context.Context, _ backends.Host, a proto.SnapshotArgs) error {
			return sn.DeleteSnapshot(ctx, a.ID, a.Name)
		}),
	}
}
