package daemon

import (
	"context"

	"github.com/ferrum-virt/ferrum/providers/poolconfig"
)

// registerPoolConfig serves the storage pool configuration service
// (CreateChildResourcePool, CreateResourceInPool and their deletes) on
// every host.
func registerPoolConfig(ctx context.Context, d serviceDeps) error {
	_, err := poolconfig.Register(ctx, d.e.d, d.virt, d.jobs, poolconfig.Options{
		Inventory: d.e.inv,
		Log:       d.log.With("component", "poolconfig"),
	})
	return err
}
