package agent_test

import (
	"crypto/tls"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/agent"
	"github.com/ferrum-virt/ferrum/agent/agenttest"
	"github.com/ferrum-virt/ferrum/agent/manager"
	"github.com/ferrum-virt/ferrum/agent/pki"
	"github.com/ferrum-virt/ferrum/agent/proto"
	"github.com/ferrum-virt/ferrum/backends/sim"
)

func simHost(t *testing.T, seed int64, idx int) *sim.Host {
	t.Helper()
	dc, err := sim.NewDataCenter(sim.Config{Hosts: idx + 1, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	return dc.Host(idx)
}

func run(t *testing.T, cfg agent.Config) error {
	t.Helper()
	a, err := agent.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a.Run(t.Context())
}

func TestEnrolmentKeepsTheNodeKeyPrivate(t *testing.T) {
	m := agenttest.StartManager(t)
	a := agenttest.StartAgent(t, m, simHost(t, 1, 0))
	for name, want := range map[string]os.FileMode{"node.key": 0o600, ".": 0o700} {
		fi, err := os.Stat(filepath.Join(a.Dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s has mode %v, want %v", name, fi.Mode().Perm(), want)
		}
	}
}

func TestAgentStartRefusals(t *testing.T) {
	m := agenttest.StartManager(t)
	enrolled := agenttest.StartAgent(t, m, simHost(t, 2, 0))
	if err := enrolled.Stop(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cfg  agent.Config
		want func(error) bool
	}{
		{"no credentials and no join token → ErrNotEnrolled",
			agent.Config{Backend: simHost(t, 3, 0), Manager: m.Addr, StateDir: t.TempDir()},
			func(err error) bool { return errors.Is(err, agent.ErrNotEnrolled) }},
		{"a malformed join token → ErrBadToken",
			agent.Config{Backend: simHost(t, 3, 0), Manager: m.Addr, StateDir: t.TempDir(), JoinToken: "swarm-token"},
			func(err error) bool { return errors.Is(err, pki.ErrBadToken) }},
		{"a state dir of another host is refused",
			agent.Config{Backend: simHost(t, 2, 1), Manager: m.Addr, StateDir: enrolled.Dir},
			func(err error) bool { return err != nil && strings.Contains(err.Error(), "identity of node") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := run(t, tt.cfg); !tt.want(err) {
				t.Fatalf("Run = %v", err)
			}
		})
	}
}

// TestAManagerOfAnotherMajorStopsTheAgent runs the agent against a manager
// that speaks protocol 2.x: Run must end with ErrIncompatibleVersion rather
// than retry for ever.
func TestAManagerOfAnotherMajorStopsTheAgent(t *testing.T) {
	dataDir := t.TempDir()
	m := agenttest.StartManager(t, func(c *manager.Config) { c.DataDir = dataDir })
	a := agenttest.StartAgent(t, m, simHost(t, 4, 0))
	if err := a.Stop(); err != nil {
		t.Fatal(err)
	}
	addr := futureManager(t, filepath.Join(dataDir, "agent-ca"))
	err := run(t, agent.Config{Backend: simHost(t, 4, 0), Manager: addr, StateDir: a.Dir,
		Backoff: agent.Backoff{Initial: time.Millisecond, Max: time.Millisecond}})
	if !errors.Is(err, proto.ErrIncompatibleVersion) || !strings.Contains(err.Error(), "protocol 2.0") {
		t.Fatalf("Run = %v, want the manager's refusal of protocol %s", err, proto.Current)
	}
}

// futureManager serves one refusal per connection, as a manager of
// protocol 2.0 with the CA in caDir would.
func futureManager(t *testing.T, caDir string) string {
	t.Helper()
	ca, err := pki.LoadOrCreateCA(caDir)
	if err != nil {
		t.Fatal(err)
	}
	server, err := ca.ServerCertificate([]string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	cfg := pki.ManagerTLS(ca, server, proto.ALPNAgent, proto.ALPNJoin, func(string, string) error { return nil })
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go refuseHello(c)
		}
	}()
	return ln.Addr().String()
}

func refuseHello(c net.Conn) {
	defer c.Close()
	f, err := proto.ReadFrame(c, proto.MaxFrame)
	var h proto.Hello
	if err != nil || f.Decode(&h) != nil {
		return
	}
	err = proto.Check("manager", proto.Version{Major: 2}, h.Version)
	_ = proto.WriteFrame(c, proto.FrameRefuse, proto.WireError(err))
}
