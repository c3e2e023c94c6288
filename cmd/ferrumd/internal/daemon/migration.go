package daemon

import (
	"context"

	"github.com/ferrum-virt/ferrum/providers/migration"
)

// registerMigration serves DSP1081 Virtual System Migration: one migration
// service per host, whose migrations run as jobs.
func registerMigration(ctx context.Context, d serviceDeps) error {
	_, err := migration.Register(ctx, d.e.d, d.e.interop, d.virt, d.jobs, migration.Options{
		Log: d.log.With("component", "migration"),
	})
	return err
}
