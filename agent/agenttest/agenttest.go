// Package agenttest starts node registries and agents in-process, over real
// loopback TLS, for tests: of the agent link, of the manager, and of
// anything that wants agent-backed hosts (backendtest.Run).
package agenttest

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/agent"
	"github.com/ferrum-virt/ferrum/agent/manager"
	"github.com/ferrum-virt/ferrum/backends"
)

// Clock is a manager.Clock that moves only when told.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock at start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Logger returns a logger for tests: debug output on stderr when
// FERRUM_TEST_LOG is set, nothing otherwise.
func Logger() *slog.Logger {
	if os.Getenv("FERRUM_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// A Manager is a node registry serving agents on a loopback port.
type Manager struct {
	*manager.Registry
	Addr string
	cfg  manager.Config
	stop context.CancelFunc
	done chan struct{}
}

// StartManager opens a registry in a temporary data dir with a MemStore,
// changed by mut, and serves it on 127.0.0.1. It stops when the test ends.
func StartManager(t testing.TB, mut ...func(*manager.Config)) *Manager {
	t.Helper()
	cfg := manager.Config{DataDir: t.TempDir(), Store: &manager.MemStore{}, Logger: Logger(), Version: "test"}
	for _, f := range mut {
		f(&cfg)
	}
	m := &Manager{cfg: cfg}
	m.start(t, "127.0.0.1:0")
	t.Cleanup(m.Stop)
	return m
}

func (m *Manager) start(t testing.TB, addr string) {
	t.Helper()
	reg, err := manager.Open(t.Context(), m.cfg)
	if err != nil {
		t.Fatalf("open registry: %v", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		_ = reg.Close()
		t.Fatalf("listen: %v", err)
	}
	ctx, stop := context.WithCancel(context.Background())
	m.Registry, m.Addr, m.stop, m.done = reg, ln.Addr().String(), stop, make(chan struct{})
	go func() {
		defer close(m.done)
		if err := reg.Serve(ctx, ln); err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
}

// Stop stops serving and closes the registry; it is safe to call twice.
func (m *Manager) Stop() {
	if m.stop == nil {
		return
	}
	m.stop()
	<-m.done
	_ = m.Registry.Close()
	m.stop = nil
}

// Restart stops the manager and opens it again on the same address, data
// dir and store, as a manager restart would.
func (m *Manager) Restart(t testing.TB) {
	t.Helper()
	m.Stop()
	m.start(t, m.Addr)
}

// An Agent is an agent running in-process against a Manager.
type Agent struct {
	*agent.Agent
	ID   string // the node's host UUID
	Host backends.Host
	Dir  string // state dir
	stop context.CancelFunc
	done chan error
	once sync.Once
	err  error
}

// StartAgent enrols an agent for host with a fresh join token, runs it
// with cfg changed by mut, and waits until the registry reports the node
// alive. The agent stops when the test ends.
func StartAgent(t testing.TB, m *Manager, host backends.Host, mut ...func(*agent.Config)) *Agent {
	t.Helper()
	ctx := t.Context()
	info, err := host.Info(ctx)
	if err != nil {
		t.Fatalf("Info: %v", err)
	}
	tok, err := m.NewJoinToken(time.Minute)
	if err != nil {
		t.Fatalf("NewJoinToken: %v", err)
	}
	cfg := agent.Config{Backend: host, Manager: m.Addr, StateDir: t.TempDir(), JoinToken: tok.Value,
		Heartbeat: 50 * time.Millisecond, Backoff: agent.Backoff{Initial: 5 * time.Millisecond, Max: 100 * time.Millisecond},
		Logger: Logger(), Version: "test"}
	for _, f := range mut {
		f(&cfg)
	}
	a, err := agent.New(cfg)
	if err != nil {
		t.Fatalf("agent.New: %v", err)
	}
	runCtx, stop := context.WithCancel(context.Background())
	ag := &Agent{Agent: a, ID: info.ID, Dir: cfg.StateDir, stop: stop, done: make(chan error, 1)}
	go func() { ag.done <- a.Run(runCtx) }()
	t.Cleanup(func() { _ = ag.Stop() })
	if err := WaitState(ctx, m.Registry, info.ID, manager.StateAlive); err != nil {
		t.Fatalf("agent for %s: %v", info.Hostname, err)
	}
	if ag.Host, err = m.Host(ctx, info.ID); err != nil {
		t.Fatalf("registry Host: %v", err)
	}
	return ag
}

// Stop stops the agent and returns what Run returned; it is safe to call
// twice.
func (a *Agent) Stop() error {
	a.once.Do(func() {
		a.stop()
		a.err = <-a.done
	})
	return a.err
}

// WaitState waits until node id is in state want, for at most 30 s.
func WaitState(ctx context.Context, r *manager.Registry, id string, want manager.State) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	events := r.Watch(ctx)
	for {
		if st, err := r.Node(ctx, id); err == nil && st.State == want && (want == manager.StateDead || st.Connected) {
			return nil
		}
		select {
		case <-events:
		case <-time.After(20 * time.Millisecond): // a node not yet enrolled sends no event
		case <-ctx.Done():
			st, _ := r.Node(context.Background(), id)
			return errors.Join(ctx.Err(), errors.New("node "+id+" stayed "+string(st.State)+", want "+string(want)))
		}
	}
}
