package manager_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ferrum-virt/ferrum/agent/agenttest"
	"github.com/ferrum-virt/ferrum/agent/manager"
	"github.com/ferrum-virt/ferrum/agent/proto"
	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/backends/sim"
)

func TestAgentReconnectsAfterTheManagerRestarts(t *testing.T) {
	m := agenttest.StartManager(t)
	dc, err := sim.NewDataCenter(sim.Config{Seed: 21})
	if err != nil {
		t.Fatal(err)
	}
	a := agenttest.StartAgent(t, m, dc.Host(0))
	ctx := t.Context()
	vm, err := a.Host.VMs().Define(ctx, backends.VMSpec{Name: "survivor", VCPUs: 1, MemoryMiB: 512})
	if err != nil {
		t.Fatal(err)
	}
	m.Stop()
	if _, err := a.Host.VMs().Get(ctx, vm.UUID); err == nil {
		t.Fatal("a call through a stopped manager's link succeeded")
	}
	m.Restart(t)
	if err := agenttest.WaitState(ctx, m.Registry, a.ID, manager.StateAlive); err != nil {
		t.Fatalf("after the restart: %v", err)
	}
	h, err := m.Host(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	got, err := h.VMs().Get(ctx, vm.UUID)
	if err != nil || got.Name != "survivor" {
		t.Fatalf("Get through the new link = %+v, %v", got, err)
	}
}

func TestNodesAndTheCAPersistAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	store := manager.NewFileStore(filepath.Join(dir, "nodes.json"))
	m := agenttest.StartManager(t, func(c *manager.Config) { c.DataDir, c.Store = dir, store })
	cert, ca := enrol(t, m, "node-p")
	enrol(t, m, "node-r")
	if err := m.Revoke(t.Context(), "node-r"); err != nil {
		t.Fatal(err)
	}
	fp := m.CA().Fingerprint()
	m.Stop()
	m2 := agenttest.StartManager(t, func(c *manager.Config) {
		c.DataDir, c.Store = dir, manager.NewFileStore(filepath.Join(dir, "nodes.json"))
	})
	if m2.CA().Fingerprint() != fp {
		t.Fatal("the CA changed across a restart: every node would have to enrol again")
	}
	if _, err := hello(m2.Addr, cert, ca, "node-p", proto.Current); err != nil {
		t.Fatalf("an enrolled node was refused after the restart: %v", err)
	}
	if st, err := m2.Node(t.Context(), "node-r"); err != nil || !st.Revoked() {
		t.Fatalf("revocation lost across the restart: %+v, %v", st, err)
	}
	for _, f := range []string{filepath.Join(dir, "nodes.json"), filepath.Join(dir, "agent-ca", "ca.key")} {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", f, fi.Mode().Perm())
		}
	}
}
