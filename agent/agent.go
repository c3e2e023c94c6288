package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"sync/atomic"
	"time"

	"github.com/ferrum-virt/ferrum/agent/proto"
	"github.com/ferrum-virt/ferrum/backends"
)

// DefaultHeartbeat is how often an agent tells the manager it is alive.
const DefaultHeartbeat = time.Second

// Config configures an Agent.
type Config struct {
	// Backend is the host the agent serves. Required.
	Backend backends.Host
	// Resolver finds migration destinations; nil means the backend can
	// only be asked to migrate to itself (which it refuses).
	Resolver Resolver
	// Manager is the manager's agent listener, host:port. Required.
	Manager string
	// Dial opens the connection to Manager that TLS then runs over; nil
	// means TCP. An in-process manager passes its inproc.Listener's Dial.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// StateDir keeps the node's key (0600), certificate and the pinned CA.
	// Required.
	StateDir string
	// JoinToken enrols the node when StateDir holds no credentials.
	JoinToken string
	// Heartbeat is the heartbeat interval; 0 means DefaultHeartbeat.
	Heartbeat time.Duration
	// MigrationURI is how other hosts reach this one for a migration.
	MigrationURI string
	// Backoff paces reconnection attempts.
	Backoff Backoff
	// Version is the agent's software version, reported in the Hello.
	Version string
	Logger  *slog.Logger // nil discards
}

// Backoff is exponential with ±20% jitter: Initial, doubling up to Max.
// Zero fields mean 500 ms and 30 s.
type Backoff struct {
	Initial, Max time.Duration
}

func (b Backoff) next(prev time.Duration) time.Duration {
	if b.Initial <= 0 {
		b.Initial = 500 * time.Millisecond
	}
	if b.Max <= 0 {
		b.Max = 30 * time.Second
	}
	return min(max(2*prev, b.Initial), b.Max)
}

func jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// An Agent serves one host to the manager.
type Agent struct {
	cfg       Config
	log       *slog.Logger
	connected atomic.Bool
}

// New checks cfg and returns an agent; Run starts it.
func New(cfg Config) (*Agent, error) {
	switch {
	case cfg.Backend == nil:
		return nil, errors.New("agent: no backend")
	case cfg.Manager == "":
		return nil, errors.New("agent: no manager address")
	case cfg.StateDir == "":
		return nil, errors.New("agent: no state dir")
	case cfg.Heartbeat < 0:
		return nil, fmt.Errorf("agent: heartbeat %v: must be positive", cfg.Heartbeat)
	}
	if cfg.Heartbeat == 0 {
		cfg.Heartbeat = DefaultHeartbeat
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Agent{cfg: cfg, log: cfg.Logger}, nil
}

// Connected reports whether the agent has a link to the manager now.
func (a *Agent) Connected() bool { return a.connected.Load() }

// Run enrols if needed, then keeps a link to the manager until ctx ends,
// reconnecting with backoff whenever it breaks. It returns nil when ctx
// ends, and an error when it cannot go on: enrolment failed, or the
// manager speaks an incompatible protocol.
func (a *Agent) Run(ctx context.Context) error {
	info, err := a.cfg.Backend.Info(ctx)
	if err != nil {
		return fmt.Errorf("agent: backend inventory: %w", err)
	}
	a.log = a.log.With("host", info.ID)
	creds, err := a.credentialsFor(ctx, info)
	if err != nil {
		return err
	}
	srv := newServer(a.cfg.Backend, a.cfg.Resolver, info.ID)
	var wait time.Duration
	for {
		up, err := a.runOnce(ctx, creds, srv)
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, proto.ErrIncompatibleVersion) {
			return err
		}
		if up {
			wait = 0
		}
		wait = a.cfg.Backoff.next(wait)
		d := jitter(wait)
		a.log.Warn("no link to the manager; retrying", "manager", a.cfg.Manager, "in", d.Round(time.Millisecond),
			"err", explain(err))
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(d):
		}
	}
}

// explain adds a hint to the errors a person can act on.
func explain(err error) error {
	if err != nil && containsAny(err.Error(), "bad certificate", "certificate required",
		"unknown certificate authority", "certificate revoked") {
		return fmt.Errorf("%w (the manager refused this node's certificate: it may be revoked or "+
			"enrolled again elsewhere; enrol with a new join token)", err)
	}
	return err
}
