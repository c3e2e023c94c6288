package agent

import (
	"context"
	"fmt"

	"github.com/ferrum-virt/ferrum/agent/link"
	"github.com/ferrum-virt/ferrum/agent/proto"
	"github.com/ferrum-virt/ferrum/backends"
)

// A Resolver finds the backends.Host a migration target names, so the
// agent's backend can migrate to it: for the simulator, another host of the
// same in-process data center; for libvirt, a connection to the target's
// migration URI.
type Resolver interface {
	Resolve(ctx context.Context, t proto.Target) (backends.Host, error)
}

// ResolverFunc adapts a function to Resolver.
type ResolverFunc func(ctx context.Context, t proto.Target) (backends.Host, error)

// Resolve calls f.
func (f ResolverFunc) Resolve(ctx context.Context, t proto.Target) (backends.Host, error) {
	return f(ctx, t)
}

// dest resolves a migration target; the agent's own host resolves to its
// backend, so the backend can refuse a migration to itself.
func (s *server) dest(ctx context.Context, t proto.Target) (backends.Migrator, backends.Host, error) {
	m, ok := s.host.(backends.Migrator)
	if !ok {
		return nil, nil, fmt.Errorf("migrate: backend %T cannot migrate: %w", s.host, backends.ErrUnsupported)
	}
	if t.HostID == s.selfID {
		return m, s.host, nil
	}
	if s.resolver == nil {
		return nil, nil, fmt.Errorf("migrate to %s (%s): this agent resolves no migration targets: %w",
			t.Hostname, t.HostID, backends.ErrUnsupported)
	}
	d, err := s.resolver.Resolve(ctx, t)
	if err != nil {
		return nil, nil, fmt.Errorf("migrate: resolve %s (%s): %w", t.Hostname, t.HostID, err)
	}
	return m, d, nil
}

func serveCheckMigration(ctx context.Context, s *server, raw proto.RawMessage, _ *link.Call) (any, error) {
	var a proto.CheckMigrationArgs
	if err := proto.Unmarshal(raw, &a); err != nil {
		return nil, fmt.Errorf("%w: %w", backends.ErrInvalidArgument, err)
	}
	m, d, err := s.dest(ctx, a.Dest)
	if err != nil {
		return nil, err
	}
	return m.CheckMigration(ctx, a.ID, d)
}

// serveMigrate migrates and, when asked, reports each pre-copy round as a
// Progress frame.
func serveMigrate(ctx context.Context, s *server, raw proto.RawMessage, c *link.Call) (any, error) {
	var a proto.MigrateArgs
	if err := proto.Unmarshal(raw, &a); err != nil {
		return nil, fmt.Errorf("%w: %w", backends.ErrInvalidArgument, err)
	}
	m, d, err := s.dest(ctx, a.Dest)
	if err != nil {
		return nil, err
	}
	var progress func(backends.MigrationProgress)
	if a.Progress {
		progress = func(p backends.MigrationProgress) { _ = c.Progress(p) }
	}
	return m.Migrate(ctx, a.ID, d, a.Options.Backend(progress))
}
