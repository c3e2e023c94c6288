package sim_test

import (
	"testing"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/backends/sim"
)

func poolAlloc(t *testing.T, h *sim.Host, pool string) uint64 {
	t.Helper()
	p, err := h.Storage().GetPool(t.Context(), pool)
	ok(t, err)
	return p.Allocation
}

func TestSnapshotChargesItsVolumeUntilDeleted(t *testing.T) {
	h := newDC(t, sim.Config{Hosts: 1, Seed: 7}).Host(0)
	ctx := t.Context()
	vol, err := h.Storage().CreateVolume(ctx, "default", backends.VolumeSpec{Name: "root.qcow2", Capacity: 20 << 30})
	ok(t, err)
	vm, err := h.VMs().Define(ctx, backends.VMSpec{Name: "db", VCPUs: 1, MemoryMiB: 1024,
		Disks: []backends.DiskSpec{{Volume: &vol.Ref}}})
	ok(t, err)
	before := poolAlloc(t, h, "default")
	_, err = h.CreateSnapshot(ctx, vm.UUID, backends.SnapshotSpec{Name: "s1"})
	ok(t, err)
	offline := poolAlloc(t, h, "default") - before
	if offline == 0 || offline > 1<<20 {
		t.Fatalf("an offline snapshot of a 20 GiB qcow2 volume took %d bytes, want its metadata (under 1 MiB)", offline)
	}
	ok(t, h.VMs().Start(ctx, vm.UUID))
	mid := poolAlloc(t, h, "default")
	_, err = h.CreateSnapshot(ctx, vm.UUID, backends.SnapshotSpec{Name: "live"})
	ok(t, err)
	if live := poolAlloc(t, h, "default") - mid; live < 100<<20 {
		t.Fatalf("a checkpoint of a running 1 GiB guest took %d bytes, want its memory image too", live)
	}
	ok(t, h.VMs().Stop(ctx, vm.UUID))
	ok(t, h.DeleteSnapshot(ctx, vm.UUID, "live"))
	ok(t, h.DeleteSnapshot(ctx, vm.UUID, "s1"))
	if after := poolAlloc(t, h, "default"); after != before {
		t.Fatalf("pool allocation %d after deleting every snapshot, %d before", after, before)
	}
}

func TestSnapshotOfRawVolumeUnsupportedAndNamesDeterministic(t *testing.T) {
	h := newDC(t, sim.Config{Hosts: 1, Seed: 7}).Host(0)
	ctx := t.Context()
	raw, err := h.Storage().CreateVolume(ctx, "default", backends.VolumeSpec{Name: "raw.img", Capacity: 1 << 30, Format: backends.FormatRaw})
	ok(t, err)
	vm, err := h.VMs().Define(ctx, backends.VMSpec{Name: "rawvm", VCPUs: 1, MemoryMiB: 512,
		Disks: []backends.DiskSpec{{Volume: &raw.Ref}}})
	ok(t, err)
	_, err = h.CreateSnapshot(ctx, vm.UUID, backends.SnapshotSpec{})
	wantIs(t, err, backends.ErrUnsupported)
	plain, err := h.VMs().Define(ctx, backends.VMSpec{Name: "plain", VCPUs: 1, MemoryMiB: 512})
	ok(t, err)
	for _, want := range []string{"snapshot-1", "snapshot-2"} {
		s, err := h.CreateSnapshot(ctx, plain.UUID, backends.SnapshotSpec{})
		ok(t, err)
		if s.Name != want {
			t.Fatalf("chosen name %q, want %q", s.Name, want)
		}
	}
	list, err := h.ListSnapshots(ctx, vm.UUID)
	ok(t, err)
	if len(list) != 0 {
		t.Fatalf("a refused snapshot left %v", list)
	}
}

func TestApplySnapshotRestoresDevices(t *testing.T) {
	h := newDC(t, sim.Config{Hosts: 1, Seed: 9}).Host(0)
	ctx := t.Context()
	vm, err := h.VMs().Define(ctx, backends.VMSpec{Name: "web", VCPUs: 1, MemoryMiB: 512,
		NICs: []backends.NICSpec{{Switch: "internal"}}})
	ok(t, err)
	_, err = h.CreateSnapshot(ctx, vm.UUID, backends.SnapshotSpec{Name: "one-nic"})
	ok(t, err)
	_, err = h.VMs().AttachNIC(ctx, vm.UUID, backends.NICSpec{Switch: "external"})
	ok(t, err)
	ok(t, h.VMs().DetachNIC(ctx, vm.UUID, vm.NICs[0].MAC))
	ok(t, h.ApplySnapshot(ctx, vm.UUID, "one-nic"))
	got, err := h.VMs().Get(ctx, vm.UUID)
	ok(t, err)
	if len(got.NICs) != 1 || got.NICs[0].MAC != vm.NICs[0].MAC || got.NICs[0].Switch != "internal" {
		t.Fatalf("NICs after apply %+v, want %+v", got.NICs, vm.NICs)
	}
}
