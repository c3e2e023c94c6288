package agent

import (
	"context"
	"fmt"

	"github.com/ferrum-virt/ferrum/agent/proto"
	"github.com/ferrum-virt/ferrum/backends"
)

// A MigratingHost is a Host whose agent can migrate virtual servers to
// another agent-backed host. The source node resolves the destination from
// its host ID and migration URI, so both nodes must reach each other (for
// libvirt, the destination's migration URI).
type MigratingHost struct{ *Host }

var _ backends.Migrator = (*MigratingHost)(nil)

// agentHost lets Host and MigratingHost name their node as a destination.
func (h *Host) agentHost() *Host { return h }

// target names dest for the source node; dest must be agent-backed.
func target(dest backends.Host) (proto.Target, error) {
	d, ok := dest.(interface{ agentHost() *Host })
	if !ok {
		return proto.Target{}, fmt.Errorf("migrate to %T: an agent-backed host migrates only to agent-backed hosts: %w",
			dest, backends.ErrUnsupported)
	}
	h := d.agentHost()
	hello := h.Hello()
	return proto.Target{HostID: h.id, Hostname: hello.Host.Hostname, URI: hello.MigrationURI}, nil
}

// CheckMigration asks the source node whether VM id could move to dest now.
func (m *MigratingHost) CheckMigration(ctx context.Context, id string, dest backends.Host) (backends.MigrationCheck, error) {
	t, err := target(dest)
	if err != nil {
		return backends.MigrationCheck{}, err
	}
	return call[backends.MigrationCheck](ctx, m.Host, proto.OpMigrateCheck, proto.CheckMigrationArgs{ID: id, Dest: t})
}

// Migrate has the source node migrate VM id to dest. opts.Progress is
// called on the calling goroutine as the node reports each round.
func (m *MigratingHost) Migrate(ctx context.Context, id string, dest backends.Host, opts backends.MigrateOptions) (backends.MigrationResult, error) {
	var res backends.MigrationResult
	t, err := target(dest)
	if err != nil {
		return res, err
	}
	s, err := m.session()
	if err != nil {
		return res, err
	}
	args := proto.MigrateArgs{ID: id, Dest: t, Options: proto.WireOptions(opts), Progress: opts.Progress != nil}
	var progress func(proto.Frame)
	if opts.Progress != nil {
		progress = func(f proto.Frame) {
			var p backends.MigrationProgress
			if err := f.Decode(&p); err == nil {
				opts.Progress(p)
			}
		}
	}
	err = s.Call(ctx, proto.OpMigrate, args, &res, progress)
	return res, err
}
