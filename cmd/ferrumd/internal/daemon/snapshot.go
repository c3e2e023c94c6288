package daemon

import (
	"context"

	"github.com/ferrum-virt/ferrum/providers/snapshot"
)

// registerSnapshot registers the snapshot service of every host whose
// backend takes snapshots, the snapshots as settings of the virtualization
// provider, and the Virtual System Snapshot profile. Its methods run as
// jobs of the virtualization provider's job manager.
func registerSnapshot(ctx context.Context, d serviceDeps) error {
	_, err := snapshot.Register(ctx, d.e.d, d.e.interop, d.virt, d.log.With("component", "snapshot"))
	return err
}
