package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// A migration is one step of the schema's history. Step i of the
// migrations list has version i+1; a database at version v has had steps
// 1..v applied, each recorded in schema_migrations by the transaction that
// applied it.
type migration struct {
	name string
	up   func(ctx context.Context, tx *sql.Tx) error
}

// execAll returns a migration body that runs the statements in order.
func execAll(stmts ...string) func(context.Context, *sql.Tx) error {
	return func(ctx context.Context, tx *sql.Tx) error {
		for _, q := range stmts {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("%.60s…: %w", q, err)
			}
		}
		return nil
	}
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at TEXT NOT NULL
)`

// migrate brings the database to len(steps), one transaction per step. Each
// transaction re-reads the version under the write lock, so two processes
// opening the same new file apply every step once.
func (s *Store) migrate(ctx context.Context, steps []migration) error {
	if _, err := s.w.ExecContext(ctx, createMigrationsTable); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	for {
		done, err := s.migrateOne(ctx, steps)
		if err != nil || done {
			return err
		}
	}
}

// migrateOne applies the next pending step, reporting done when there is
// none.
func (s *Store) migrateOne(ctx context.Context, steps []migration) (done bool, err error) {
	err = s.write(ctx, func(tx *sql.Tx) error {
		v, err := schemaVersion(ctx, tx)
		if err != nil {
			return err
		}
		if v > len(steps) {
			return fmt.Errorf("%w: the file is at version %d, this build knows versions up to %d; use a newer Ferrum or restore a backup",
				ErrSchemaTooNew, v, len(steps))
		}
		if v == len(steps) {
			done = true
			return nil
		}
		step := steps[v]
		if err := step.up(ctx, tx); err != nil {
			return fmt.Errorf("migration %d (%s): %w", v+1, step.name, err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
			v+1, step.name, s.now().UTC().Format(time.RFC3339Nano))
		if err != nil {
			return fmt.Errorf("record migration %d: %w", v+1, err)
		}
		s.log.InfoContext(ctx, "schema migrated", "op", "migrate", "version", v+1, "step", step.name)
		return nil
	})
	return done, err
}

// schemaVersion returns the highest applied migration, 0 for a new file.
func schemaVersion(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int, error) {
	var v int
	if err := q.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

// SchemaVersion returns the schema version of the open database: the
// number of migration steps applied.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	return schemaVersion(ctx, s.r)
}
