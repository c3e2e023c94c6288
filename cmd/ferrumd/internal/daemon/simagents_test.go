package daemon

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/ferrum-virt/ferrum/cmd/ferrumd/internal/config"
)

// openSimHosts opens the sim backend on dataDir and returns the IDs of the
// hosts it serves, closing it again.
func openSimHosts(t *testing.T, dataDir string) []string {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	e := &engine{}
	defer e.close()
	cfg := config.Config{DataDir: dataDir, Backend: "sim", SimHosts: 3, LogLevel: slog.LevelInfo}
	if err := openSim(ctx, cfg, e, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatalf("openSim: %v", err)
	}
	var ids []string
	for _, h := range e.inv.Hosts(ctx) {
		info, err := h.Info(ctx)
		if err != nil {
			t.Fatalf("Info through the agent: %v", err)
		}
		ids = append(ids, info.ID)
	}
	return ids
}

// TestSimAgentsEnrolAgainWhenTheRegistryForgetsThem: agents whose
// certificates the registry no longer knows (its node file removed, or its
// CA) enrol again at start instead of retrying for ever; a revoked node
// stays out.
func TestSimAgentsEnrolAgainWhenTheRegistryForgetsThem(t *testing.T) {
	data := t.TempDir()
	want := openSimHosts(t, data)
	if len(want) != 3 {
		t.Fatalf("hosts served: %v, want 3", want)
	}
	for _, lose := range []string{"agent-nodes.json", "agent-ca"} {
		if err := os.RemoveAll(filepath.Join(simAgentsDir(data), lose)); err != nil {
			t.Fatal(err)
		}
		if got := openSimHosts(t, data); len(got) != 3 || got[0] != want[0] {
			t.Fatalf("hosts after removing %s: %v, want %v", lose, got, want)
		}
	}

	ctx, cancel := context.WithCancel(t.Context())
	e := &engine{}
	cfg := config.Config{DataDir: data, Backend: "sim", SimHosts: 3, LogLevel: slog.LevelInfo}
	if err := openSim(ctx, cfg, e, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	if err := e.nodes.Revoke(ctx, want[0]); err != nil {
		t.Fatal(err)
	}
	e.close()
	cancel()
	if got := openSimHosts(t, data); len(got) != 2 {
		t.Fatalf("hosts after revoking %s: %v, want the other 2", want[0], got)
	}
}
