package snapshot_test

import (
	"context"
	"slices"
	"testing"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/snapshot"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// TestRefusedCallsChangeNothing: each bad call answers its code at once,
// starts no job and leaves the VM and its snapshots as they were.
func TestRefusedCallsChangeNothing(t *testing.T) {
	f := newFixture(t, 2)
	h0 := f.Host(0).ID()
	svc := snapshot.ServicePath(h0)
	vm := f.define(0, "app01")
	other := f.define(1, "elsewhere")
	f.InvokeCompleted(svc, "CreateSnapshot", createParams(vm.UUID, "base", 2))
	const unknown = "00000000-0000-4000-8000-00000000dead"
	ref := func(name string, p cim.ObjectPath) cim.Params { return cim.Params{{Name: name, Value: cim.Ref(p)}} }
	tests := []struct {
		name   string
		method string
		in     cim.Params
		want   uint32
	}{
		{"CreateSnapshot of an unknown VM → 4 Invalid Parameter", "CreateSnapshot", createParams(unknown, "x", 2), 4},
		{"CreateSnapshot with SnapshotType 3 (Disk) → 6 Invalid Type", "CreateSnapshot", createParams(vm.UUID, "disk", 3), 6},
		{"CreateSnapshot with a vendor SnapshotType → 6 Invalid Type", "CreateSnapshot", createParams(vm.UUID, "v", 32768), 6},
		{"CreateSnapshot without AffectedSystem → 4", "CreateSnapshot", cim.Params{{Name: "SnapshotType", Value: cim.Uint16(2)}}, 4},
		{"CreateSnapshot with a name in use → 4", "CreateSnapshot", createParams(vm.UUID, "base", 2), 4},
		{"CreateSnapshot with a / in the name → 4", "CreateSnapshot", createParams(vm.UUID, "a/b", 2), 4},
		{"CreateSnapshot of a VM of another host → 4", "CreateSnapshot", createParams(other.UUID, "x", 2), 4},
		{"ApplySnapshot of an unknown snapshot → 4", "ApplySnapshot", ref("Snapshot", snapshot.SnapshotPath(vm.UUID, "nope")), 4},
		{"ApplySnapshot of the VM's own VSSD → 4", "ApplySnapshot", ref("Snapshot", model.VSSDPath(vm.UUID)), 4},
		{"ApplySnapshot of a snapshot of an unknown VM → 4", "ApplySnapshot", ref("Snapshot", snapshot.SnapshotPath(unknown, "base")), 4},
		{"DestroySnapshot of an unknown snapshot → 4", "DestroySnapshot", ref("AffectedSnapshot", snapshot.SnapshotPath(vm.UUID, "nope")), 4},
		{"DestroySnapshot without AffectedSnapshot → 4", "DestroySnapshot", nil, 4},
	}
	before := f.vm(0, vm.UUID)
	jobsBefore := len(f.Jobs.List())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, _ := f.Invoke(svc, tt.method, tt.in); code != tt.want {
				t.Fatalf("%s returned %d, want %d", tt.method, code, tt.want)
			}
		})
	}
	if n := len(f.Jobs.List()); n != jobsBefore {
		t.Fatalf("refused calls started %d jobs", n-jobsBefore)
	}
	snaps := f.snapshots(0, vm.UUID)
	if len(snaps) != 1 || snaps[0].Name != "base" || !snaps[0].Current {
		t.Fatalf("snapshots after refused calls: %+v", snaps)
	}
	if got := f.vm(0, vm.UUID); got.MemoryMiB != before.MemoryMiB || got.State != before.State {
		t.Fatalf("vm changed: %+v", got)
	}
	if n := len(f.snapshots(1, other.UUID)); n != 0 {
		t.Fatalf("the other host's vm has %d snapshots", n)
	}
}

func TestSavedVMIsInvalidStateAndCapabilitiesSaySo(t *testing.T) {
	f := newFixture(t, 1)
	h := f.Host(0)
	svc := snapshot.ServicePath(h.ID())
	vm := f.define(0, "saved01")
	caps := snapshot.CapsPath(vm.UUID)
	if got := f.associators(model.VMPath(vm.UUID), via(model.AssocElementCaps)); !slices.Contains(got, caps.Canonical()) || !slices.Contains(got, model.ELECPath(vm.UUID).Canonical()) {
		t.Fatalf("capabilities of the vm: %v", got)
	}
	if got := f.associators(caps, via(model.AssocElementCaps)); !slices.Equal(got, canon(model.VMPath(vm.UUID))) {
		t.Fatalf("vm of the snapshot capabilities: %v", got)
	}
	if v, _ := f.Get(caps).Get("SnapshotTypesEnabled"); !slices.Equal(u16s(v), []uint16{2}) {
		t.Fatalf("SnapshotTypesEnabled of a stopped vm: %v", v)
	}
	f.InvokeCompleted(svc, "CreateSnapshot", createParams(vm.UUID, "cold", 2))
	for _, step := range []func(context.Context, string) error{h.VMs().Start, h.VMs().Save} {
		if err := step(f.Ctx, vm.UUID); err != nil {
			t.Fatal(err)
		}
	}
	if v, _ := f.Get(caps).Get("SnapshotTypesEnabled"); len(u16s(v)) != 0 {
		t.Fatalf("SnapshotTypesEnabled of a saved vm: %v", v)
	}
	if code, _ := f.Invoke(svc, "CreateSnapshot", createParams(vm.UUID, "hot", 2)); code != 5 {
		t.Fatalf("CreateSnapshot of a saved vm: %d, want 5 Invalid State", code)
	}
	if code, _ := f.Invoke(svc, "ApplySnapshot", cim.Params{{Name: "Snapshot", Value: cim.Ref(snapshot.SnapshotPath(vm.UUID, "cold"))}}); code != 5 {
		t.Fatalf("ApplySnapshot to a saved vm: %d, want 5 Invalid State", code)
	}
	if got := f.vm(0, vm.UUID); got.State != backends.StateSaved || len(f.snapshots(0, vm.UUID)) != 1 {
		t.Fatalf("vm %s with %d snapshots after refused calls", got.State, len(f.snapshots(0, vm.UUID)))
	}
}

func TestRunningVMCheckpointAppliesBackToRunning(t *testing.T) {
	f := newFixture(t, 1)
	h := f.Host(0)
	svc := snapshot.ServicePath(h.ID())
	vm := f.define(0, "live01")
	if err := h.VMs().Start(f.Ctx, vm.UUID); err != nil {
		t.Fatal(err)
	}
	f.InvokeCompleted(svc, "CreateSnapshot", createParams(vm.UUID, "hot", 2))
	if err := h.VMs().Stop(f.Ctx, vm.UUID); err != nil {
		t.Fatal(err)
	}
	f.InvokeCompleted(svc, "ApplySnapshot", cim.Params{{Name: "Snapshot", Value: cim.Ref(snapshot.SnapshotPath(vm.UUID, "hot"))}})
	if got := f.vm(0, vm.UUID); got.State != backends.StateRunning {
		t.Fatalf("vm after applying a checkpoint: %s", got.State)
	}
}
