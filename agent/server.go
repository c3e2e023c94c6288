package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"time"

	"github.com/ferrum-virt/ferrum/agent/link"
	"github.com/ferrum-virt/ferrum/agent/proto"
	"github.com/ferrum-virt/ferrum/backends"
)

// errReplied tells dispatch that the handler has answered already (a
// subscription replies before it streams).
var errReplied = errors.New("replied")

func newServer(h backends.Host, r Resolver, selfID string) *server {
	s := &server{host: h, resolver: r, selfID: selfID, ops: map[proto.Op]handler{
		proto.OpEvents:     serveEvents,
		proto.OpWatchStats: serveStats,
	}}
	for _, m := range []map[proto.Op]handler{hostOps(), vmOps(), storageOps(), switchOps()} {
		maps.Copy(s.ops, m)
	}
	if _, ok := h.(backends.Migrator); ok {
		s.ops[proto.OpMigrateCheck] = serveCheckMigration
		s.ops[proto.OpMigrate] = serveMigrate
	}
	if sn, ok := h.(backends.Snapshots); ok {
		maps.Copy(s.ops, snapshotOps(sn))
	}
	return s
}

// handler returns the link.Handler that serves s's ops, logging each with
// the keys host, op (and vm when the call names one).
func (s *server) handler(log *slog.Logger) link.Handler {
	return func(ctx context.Context, req proto.Request, c *link.Call) {
		h, ok := s.ops[req.Op]
		if !ok {
			_ = c.Reply(nil, fmt.Errorf("op %q: not served by this agent (protocol %s): %w",
				req.Op, proto.Current, backends.ErrUnsupported))
			return
		}
		start := time.Now()
		res, err := h(ctx, s, req.Args, c)
		if errors.Is(err, errReplied) {
			return
		}
		_ = c.Reply(res, err)
		if log.Enabled(ctx, slog.LevelDebug) {
			log.Debug("call", "op", req.Op, "vm", vmOf(req.Args), "took", time.Since(start), "err", err)
		}
	}
}

// vmOf extracts the VM ID of a call's arguments, for logs.
func vmOf(raw proto.RawMessage) string {
	var a proto.ID
	if proto.Unmarshal(raw, &a) == nil {
		return a.ID
	}
	return ""
}
