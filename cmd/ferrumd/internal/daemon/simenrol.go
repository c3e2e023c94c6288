package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/ferrum-virt/ferrum/agent"
	"github.com/ferrum-virt/ferrum/agent/manager"
	"github.com/ferrum-virt/ferrum/agent/pki"
)

// errNodeRevoked reports a simulated host whose node an administrator
// revoked: it stays out until forgotten.
var errNodeRevoked = errors.New("node revoked")

// simJoinToken returns "" when the agent's state dir holds the credentials
// the registry knows for node id, and otherwise empties the dir and returns
// a fresh join token for it to enrol again (a first start, or a registry
// whose CA or node file was removed).
func simJoinToken(ctx context.Context, reg *manager.Registry, dir, id string) (string, error) {
	st, err := reg.Node(ctx, id)
	known := err == nil
	if known && st.Revoked() {
		return "", errNodeRevoked
	}
	cert, ca, err := agent.Enrolment(dir)
	if err == nil && known {
		node, _ := pki.NodeID(cert)
		if node == id && pki.Serial(cert) == st.CertSerial && ca.Equal(reg.CA().Cert) {
			return "", nil
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", fmt.Errorf("reset state dir: %w", err)
	}
	tok, err := reg.NewJoinToken(time.Minute)
	if err != nil {
		return "", err
	}
	return tok.Value, nil
}

// quietLogger is log for the in-process agents and their registry: their
// per-node info lines (enrolled, connected, alive), hundreds with many
// simulated hosts, show only when ferrumd logs at debug level. mute raises
// the bar to errors, for the shutdown, when every node going dead is
// expected.
func quietLogger(log *slog.Logger, level slog.Level) (quiet *slog.Logger, mute func()) {
	if level <= slog.LevelDebug {
		return log, func() {}
	}
	min := new(slog.LevelVar)
	min.Set(slog.LevelWarn)
	return slog.New(minLevel{Handler: log.Handler(), min: min}), func() { min.Set(slog.LevelError) }
}

// minLevel drops the records below min.
type minLevel struct {
	slog.Handler
	min slog.Leveler
}

// Enabled reports whether l is at least min and the handler takes it.
func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min.Level() && h.Handler.Enabled(ctx, l)
}

// WithAttrs keeps the minimum level.
func (h minLevel) WithAttrs(as []slog.Attr) slog.Handler {
	return minLevel{Handler: h.Handler.WithAttrs(as), min: h.min}
}

// WithGroup keeps the minimum level.
func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{Handler: h.Handler.WithGroup(name), min: h.min}
}
