package agent_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/agent"
	"github.com/ferrum-virt/ferrum/agent/agenttest"
	"github.com/ferrum-virt/ferrum/agent/inproc"
	"github.com/ferrum-virt/ferrum/agent/manager"
	"github.com/ferrum-virt/ferrum/agent/pki"
	"github.com/ferrum-virt/ferrum/backends"
)

// inprocManager opens a registry in dir and serves it on an in-memory
// listener until the test ends.
func inprocManager(t *testing.T, dir string) (*manager.Registry, *inproc.Listener) {
	t.Helper()
	reg, err := manager.Open(t.Context(), manager.Config{DataDir: dir, Store: &manager.MemStore{},
		Logger: agenttest.Logger(), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	ln := inproc.Listen()
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- reg.Serve(ctx, ln) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		_ = reg.Close()
	})
	return reg, ln
}

// runInproc runs an agent for host dialling through ln until stop is
// called; stop returns what Run returned.
func runInproc(t *testing.T, ln *inproc.Listener, host backends.Host, dir, token string) (stop func() error) {
	t.Helper()
	a, err := agent.New(agent.Config{Backend: host, Manager: "inproc", Dial: ln.Dial, StateDir: dir,
		JoinToken: token, Heartbeat: 50 * time.Millisecond, Logger: agenttest.Logger(), Version: "test",
		Backoff: agent.Backoff{Initial: 5 * time.Millisecond, Max: 100 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(cancel)
	return func() error { cancel(); return <-done }
}

// TestAgentEnrolsAndServesOverAnInMemoryListener: over inproc, an agent
// enrols with a join token, keeps a mutual TLS link with heartbeats, serves
// calls, and reconnects after a restart with its saved certificate alone.
func TestAgentEnrolsAndServesOverAnInMemoryListener(t *testing.T) {
	reg, ln := inprocManager(t, t.TempDir())
	host, dir := simHost(t, 7, 0), t.TempDir()
	info, err := host.Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	tok, err := reg.NewJoinToken(time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	stop := runInproc(t, ln, host, dir, tok.Value)
	if err := agenttest.WaitState(t.Context(), reg, info.ID, manager.StateAlive); err != nil {
		t.Fatal(err)
	}
	checkServes(t, reg, info)
	st, _ := reg.Node(t.Context(), info.ID)
	time.Sleep(150 * time.Millisecond)
	if now, _ := reg.Node(t.Context(), info.ID); !now.LastHeartbeat.After(st.LastHeartbeat) {
		t.Fatalf("no heartbeat over the in-memory link: last %v, then %v", st.LastHeartbeat, now.LastHeartbeat)
	}
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if err := agenttest.WaitState(t.Context(), reg, info.ID, manager.StateDead); err != nil {
		t.Fatal(err)
	}

	stop = runInproc(t, ln, host, dir, "") // enrolled: no token needed
	if err := agenttest.WaitState(t.Context(), reg, info.ID, manager.StateAlive); err != nil {
		t.Fatalf("restarted agent: %v", err)
	}
	checkServes(t, reg, info)
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

func checkServes(t *testing.T, reg *manager.Registry, want backends.HostInfo) {
	t.Helper()
	hosts := reg.Hosts(t.Context())
	if len(hosts) != 1 {
		t.Fatalf("registry hosts: %d, want 1", len(hosts))
	}
	got, err := hosts[0].Info(t.Context())
	if err != nil || got.ID != want.ID || got.Hostname != want.Hostname {
		t.Fatalf("Info through the agent: %+v, %v; want host %s", got.ID, err, want.ID)
	}
}

// TestInprocKeepsMutualTLS: an in-memory link authenticates as a TCP one
// does; a token of another manager does not enrol, and the agent stops.
func TestInprocKeepsMutualTLS(t *testing.T) {
	_, ln := inprocManager(t, t.TempDir())
	other, _ := inprocManager(t, t.TempDir())
	tok, err := other.NewJoinToken(time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	a, err := agent.New(agent.Config{Backend: simHost(t, 8, 0), Manager: "inproc", Dial: ln.Dial,
		StateDir: t.TempDir(), JoinToken: tok.Value, Logger: agenttest.Logger()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if err := a.Run(ctx); !errors.Is(err, pki.ErrUntrustedManager) {
		t.Fatalf("an agent enrolling with another manager's token: %v, want ErrUntrustedManager", err)
	}
}
