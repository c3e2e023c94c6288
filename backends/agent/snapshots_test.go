package agent_test

import (
	"errors"
	"testing"

	"github.com/ferrum-virt/ferrum/agent/agenttest"
	"github.com/ferrum-virt/ferrum/backends"
)

// noSnapshots hides the simulator's Snapshots, as a node whose backend
// has none (or an agent of protocol 1.0) would: the backend's Info still
// declares snapshots.
type noSnapshots struct{ backends.Host }

func TestNodeWithoutSnapshotsDeclaresNoneAndRefusesTheCalls(t *testing.T) {
	a := agenttest.StartAgent(t, agenttest.StartManager(t), noSnapshots{newDC(t, 1).Host(0)})
	info, err := a.Host.Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if info.Caps.Snapshots || info.Caps.LiveSnapshots {
		t.Fatalf("caps %+v declare snapshots the node's agent does not serve", info.Caps)
	}
	s, ok := a.Host.(backends.Snapshots)
	if !ok {
		t.Fatalf("%T does not implement backends.Snapshots", a.Host)
	}
	vm, err := a.Host.VMs().Define(t.Context(), backends.VMSpec{Name: "old", VCPUs: 1, MemoryMiB: 512})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateSnapshot(t.Context(), vm.UUID, backends.SnapshotSpec{Name: "x"}); !errors.Is(err, backends.ErrUnsupported) {
		t.Fatalf("CreateSnapshot through an agent without snapshots: %v, want ErrUnsupported", err)
	}
	if err := s.ApplySnapshot(t.Context(), vm.UUID, "x"); !errors.Is(err, backends.ErrUnsupported) {
		t.Fatalf("ApplySnapshot: %v, want ErrUnsupported", err)
	}
	if _, err := a.Host.VMs().Get(t.Context(), vm.UUID); err != nil {
		t.Fatalf("older calls still work: %v", err)
	}
}

func TestSnapshotsTravelTheLinkWithTheirConfig(t *testing.T) {
	a := agenttest.StartAgent(t, agenttest.StartManager(t), newDC(t, 1).Host(0))
	s := a.Host.(backends.Snapshots)
	ctx := t.Context()
	vm, err := a.Host.VMs().Define(ctx, backends.VMSpec{Name: "wire", VCPUs: 2, MemoryMiB: 768,
		Graphics: &backends.Graphics{Type: backends.GraphicsVNC}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateSnapshot(ctx, vm.UUID, backends.SnapshotSpec{Name: "one", Description: "över the wire"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetSnapshot(ctx, vm.UUID, "one")
	if err != nil {
		t.Fatal(err)
	}
	if got.Description != "över the wire" || got.Config.VCPUs != 2 || got.Config.MemoryMiB != 768 ||
		got.Config.Graphics == nil || got.Created.IsZero() || !got.Current || got.VM != vm.UUID {
		t.Fatalf("snapshot through the agent %+v", got)
	}
}
