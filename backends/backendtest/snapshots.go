package backendtest

import (
	"errors"
	"testing"

	"github.com/ferrum-virt/ferrum/backends"
)

// snapshots returns the host's Snapshots, skipping a host that declares it
// takes none and failing one that declares it but does not implement it.
func (f *fixture) snapshots() backends.Snapshots {
	f.t.Helper()
	if !f.info.Caps.Snapshots {
		f.t.Skip("host declares no snapshots (Capabilities.Snapshots)")
	}
	s, ok := f.h.(backends.Snapshots)
	if !ok {
		f.t.Fatalf("host %T declares Capabilities.Snapshots but does not implement backends.Snapshots", f.h)
	}
	return s
}

func (f *fixture) snapshot(s backends.Snapshots, vm, name string) backends.Snapshot {
	f.t.Helper()
	snap, err := s.CreateSnapshot(f.ctx, vm, backends.SnapshotSpec{Name: name, Description: "test " + name})
	if err != nil {
		f.t.Fatalf("CreateSnapshot %q: %v", name, err)
	}
	return snap
}

// tree returns each snapshot of vm by name, checking List's order.
func (f *fixture) tree(s backends.Snapshots, vm string, want ...string) map[string]backends.Snapshot {
	f.t.Helper()
	list, err := s.ListSnapshots(f.ctx, vm)
	must(f.t, "ListSnapshots", err)
	out := map[string]backends.Snapshot{}
	var names []string
	for _, sn := range list {
		out[sn.Name] = sn
		names = append(names, sn.Name)
	}
	if len(names) != len(want) {
		f.t.Fatalf("snapshots %v, want %v", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			f.t.Fatalf("snapshots %v, want %v (oldest first)", names, want)
		}
	}
	return out
}

func wantParent(t *testing.T, tree map[string]backends.Snapshot, name, parent string) {
	t.Helper()
	if got := tree[name].Parent; got != parent {
		t.Fatalf("snapshot %s: parent %q, want %q", name, got, parent)
	}
}

func wantCurrent(t *testing.T, tree map[string]backends.Snapshot, name string) {
	t.Helper()
	for n, sn := range tree {
		if sn.Current != (n == name) {
			t.Fatalf("snapshot %s: current %v, want only %q current", n, sn.Current, name)
		}
	}
}

func testSnapshots(t *testing.T, mk func(*testing.T) *fixture) {
	t.Run("tree: a child's parent is the current snapshot, apply reverts the config, delete re-parents", func(t *testing.T) {
		testSnapshotTree(t, mk(t))
	})
	t.Run("deleting the current snapshot makes its parent current", func(t *testing.T) {
		f := mk(t)
		s := f.snapshots()
		vm := f.define(f.spec())
		f.snapshot(s, vm.UUID, "a")
		f.snapshot(s, vm.UUID, "b")
		must(t, "DeleteSnapshot b", s.DeleteSnapshot(f.ctx, vm.UUID, "b"))
		wantCurrent(t, f.tree(s, vm.UUID, "a"), "a")
		if c := f.snapshot(s, vm.UUID, "c"); c.Parent != "a" {
			t.Fatalf("snapshot after deleting the current one: parent %q, want a", c.Parent)
		}
	})
	t.Run("unknown VM or snapshot → ErrNotFound", func(t *testing.T) {
		f := mk(t)
		s := f.snapshots()
		vm := f.define(f.spec())
		f.snapshot(s, vm.UUID, "only")
		const unknown = "00000000-0000-4000-8000-00000000dead"
		_, err := s.CreateSnapshot(f.ctx, unknown, backends.SnapshotSpec{Name: "x"})
		wantErr(t, "CreateSnapshot of an unknown VM", err, backends.ErrNotFound)
		_, err = s.ListSnapshots(f.ctx, unknown)
		wantErr(t, "ListSnapshots of an unknown VM", err, backends.ErrNotFound)
		_, err = s.GetSnapshot(f.ctx, vm.UUID, "nope")
		wantErr(t, "GetSnapshot nope", err, backends.ErrNotFound)
		wantErr(t, "ApplySnapshot nope", s.ApplySnapshot(f.ctx, vm.UUID, "nope"), backends.ErrNotFound)
		wantErr(t, "DeleteSnapshot nope", s.DeleteSnapshot(f.ctx, vm.UUID, "nope"), backends.ErrNotFound)
		wantCurrent(t, f.tree(s, vm.UUID, "only"), "only")
	})
	t.Run("a name in use → ErrConflict, a name with / → ErrInvalidArgument, none → chosen", func(t *testing.T) {
		f := mk(t)
		s := f.snapshots()
		vm := f.define(f.spec())
		f.snapshot(s, vm.UUID, "dup")
		_, err := s.CreateSnapshot(f.ctx, vm.UUID, backends.SnapshotSpec{Name: "dup"})
		wantErr(t, "CreateSnapshot dup again", err, backends.ErrConflict)
		_, err = s.CreateSnapshot(f.ctx, vm.UUID, backends.SnapshotSpec{Name: "a/b"})
		wantErr(t, "CreateSnapshot a/b", err, backends.ErrInvalidArgument)
		auto, err := s.CreateSnapshot(f.ctx, vm.UUID, backends.SnapshotSpec{})
		must(t, "CreateSnapshot without a name", err)
		if auto.Name == "" || auto.Parent != "dup" {
			t.Fatalf("unnamed snapshot %+v: want a chosen name and parent dup", auto)
		}
		f.tree(s, vm.UUID, "dup", auto.Name)
	})
	t.Run("running VM: a checkpoint with LiveSnapshots, else a *StateError", func(t *testing.T) {
		testLiveSnapshot(t, mk(t))
	})
	t.Run("a VM with a qcow2 volume: snapshot, detach the disk, apply → the disk is back", func(t *testing.T) {
		testVolumeSnapshot(t, mk(t))
	})
	t.Run("undefine discards the snapshots", func(t *testing.T) {
		f := mk(t)
		s := f.snapshots()
		vm := f.define(f.spec())
		f.snapshot(s, vm.UUID, "gone")
		must(t, "Undefine", f.h.VMs().Undefine(f.ctx, vm.UUID))
		again := f.define(vm.VMSpec)
		f.tree(s, again.UUID)
	})
}

func testSnapshotTree(t *testing.T, f *fixture) {
	s := f.snapshots()
	vcpus := 1
	if f.info.Limits.MaxVCPUs >= 2 {
		vcpus = 2
	}
	vm := f.define(f.spec())
	first := f.snapshot(s, vm.UUID, "first")
	if first.Parent != "" || !first.Current || first.State != backends.StateOff || first.Created.IsZero() {
		t.Fatalf("first snapshot %+v: want a current offline root with a creation time", first)
	}
	if first.Config.MemoryMiB != f.memory() || first.Config.VCPUs != 1 || first.Description != "test first" {
		t.Fatalf("first snapshot: config %d MiB %d vCPUs, description %q", first.Config.MemoryMiB, first.Config.VCPUs, first.Description)
	}
	must(t, "SetMemory", f.h.VMs().SetMemory(f.ctx, vm.UUID, 2*f.memory()))
	must(t, "SetVCPUs", f.h.VMs().SetVCPUs(f.ctx, vm.UUID, vcpus))
	f.snapshot(s, vm.UUID, "middle")
	must(t, "SetMemory", f.h.VMs().SetMemory(f.ctx, vm.UUID, 3*f.memory()))
	f.snapshot(s, vm.UUID, "last")
	tree := f.tree(s, vm.UUID, "first", "middle", "last")
	wantParent(t, tree, "middle", "first")
	wantParent(t, tree, "last", "middle")
	wantCurrent(t, tree, "last")
	if c := tree["middle"].Config; c.MemoryMiB != 2*f.memory() || c.VCPUs != vcpus {
		t.Fatalf("middle snapshot config: %d MiB %d vCPUs", c.MemoryMiB, c.VCPUs)
	}

	must(t, "ApplySnapshot first", s.ApplySnapshot(f.ctx, vm.UUID, "first"))
	got := f.get(vm.UUID)
	if got.MemoryMiB != f.memory() || got.VCPUs != 1 || got.State != backends.StateOff || got.UUID != vm.UUID {
		t.Fatalf("after applying first: %d MiB %d vCPUs %s uuid %s", got.MemoryMiB, got.VCPUs, got.State, got.UUID)
	}
	wantCurrent(t, f.tree(s, vm.UUID, "first", "middle", "last"), "first")

	must(t, "DeleteSnapshot middle", s.DeleteSnapshot(f.ctx, vm.UUID, "middle"))
	tree = f.tree(s, vm.UUID, "first", "last")
	wantParent(t, tree, "last", "first")
	wantCurrent(t, tree, "first")
	if got := f.get(vm.UUID); got.MemoryMiB != f.memory() {
		t.Fatalf("deleting a snapshot changed the VM: %d MiB", got.MemoryMiB)
	}
	if next := f.snapshot(s, vm.UUID, "after"); next.Parent != "first" {
		t.Fatalf("snapshot after applying first: parent %q", next.Parent)
	}
}

func testLiveSnapshot(t *testing.T, f *fixture) {
	s := f.snapshots()
	vm := f.running()
	snap, err := s.CreateSnapshot(f.ctx, vm.UUID, backends.SnapshotSpec{Name: "live"})
	if !f.info.Caps.LiveSnapshots {
		var se *backends.StateError
		if !errors.As(err, &se) {
			t.Fatalf("snapshot of a running VM on a host without live snapshots: %v, want a *StateError", err)
		}
		f.tree(s, vm.UUID)
		return
	}
	must(t, "CreateSnapshot of a running VM", err)
	if snap.State != backends.StateRunning {
		t.Fatalf("checkpoint state %s, want running", snap.State)
	}
	must(t, "Stop", f.h.VMs().Stop(f.ctx, vm.UUID))
	must(t, "ApplySnapshot live", s.ApplySnapshot(f.ctx, vm.UUID, "live"))
	f.wantState(vm.UUID, backends.StateRunning)
}

func testVolumeSnapshot(t *testing.T, f *fixture) {
	s := f.snapshots()
	vol := f.volume(f.pool(), 1<<30)
	vm := f.define(f.spec(func(sp *backends.VMSpec) { sp.Disks = []backends.DiskSpec{{Volume: &vol.Ref}} }))
	disk := f.get(vm.UUID).Disks[0]
	snap := f.snapshot(s, vm.UUID, "with-disk")
	if len(snap.Config.Disks) != 1 || snap.Config.Disks[0].Volume == nil || *snap.Config.Disks[0].Volume != vol.Ref {
		t.Fatalf("snapshot disks %+v, want volume %s", snap.Config.Disks, vol.Ref)
	}
	must(t, "DetachDisk", f.h.VMs().DetachDisk(f.ctx, vm.UUID, disk.Target))
	if n := len(f.get(vm.UUID).Disks); n != 0 {
		t.Fatalf("%d disks after detaching", n)
	}
	must(t, "ApplySnapshot", s.ApplySnapshot(f.ctx, vm.UUID, "with-disk"))
	got := f.get(vm.UUID).Disks
	if len(got) != 1 || got[0].Target != disk.Target || got[0].Volume == nil || *got[0].Volume != vol.Ref {
		t.Fatalf("disks after applying %+v, want %+v", got, disk)
	}
	must(t, "DeleteSnapshot", s.DeleteSnapshot(f.ctx, vm.UUID, "with-disk"))
	f.tree(s, vm.UUID)
}
