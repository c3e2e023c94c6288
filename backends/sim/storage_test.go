package sim_test

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/backends/sim"
)

func TestVolumeAllocationGrowsWithGuestWrites(t *testing.T) {
	dc := newDC(t, sim.Config{})
	h := dc.Host(0)
	ctx := t.Context()
	st := h.Storage()
	vol, err := st.CreateVolume(ctx, "default", backends.VolumeSpec{Name: "root.qcow2", Capacity: 20 * gib})
	ok(t, err)
	pool0, _ := st.GetPool(ctx, "default")
	vm := start(t, h, backends.VMSpec{Name: "a", VCPUs: 1, MemoryMiB: 512,
		Disks: []backends.DiskSpec{{Volume: &vol.Ref}}})
	var last uint64 = vol.Allocation
	for range 4 {
		dc.Advance(time.Hour)
		v, _ := st.GetVolume(ctx, vol.Ref)
		if v.Allocation <= last || v.Allocation > v.Capacity {
			t.Fatalf("allocation %d after %d: must grow and stay within %d", v.Allocation, last, v.Capacity)
		}
		last = v.Allocation
	}
	// 4 h at 1 MiB/s of random writes over 20 GiB: 20·(1−e^(−14400/20480)) GiB.
	want := 20 * gib * (1 - 0.4950)
	if d := float64(last-vol.Allocation) - want; d > 0.01*want || d < -0.01*want {
		t.Fatalf("grew %d bytes in 4 h, want about %.0f", last-vol.Allocation, want)
	}
	pool1, _ := st.GetPool(ctx, "default")
	if pool1.Allocation-pool0.Allocation != last-vol.Allocation || pool1.Available+pool1.Allocation != pool1.Capacity {
		t.Fatalf("pool %+v does not account the growth of %d bytes", pool1, last-vol.Allocation)
	}
	ok(t, h.VMs().Stop(ctx, vm.UUID))
	dc.Advance(time.Hour)
	if v, _ := st.GetVolume(ctx, vol.Ref); v.Allocation != last {
		t.Fatalf("a stopped guest's disk grew from %d to %d", last, v.Allocation)
	}
}

func TestVolumeRules(t *testing.T) {
	h := newDC(t, sim.Config{}).Host(0)
	ctx := t.Context()
	st := h.Storage()
	base, err := st.CreateVolume(ctx, "san", backends.VolumeSpec{Name: "golden.qcow2", Capacity: 10 * gib})
	ok(t, err)
	clone, err := st.CloneVolume(ctx, base.Ref, backends.CloneSpec{Name: "vm1.qcow2", Linked: true})
	ok(t, err)
	_, err = st.CreatePool(ctx, backends.PoolSpec{Name: "tiny", Type: backends.PoolDir, Path: "/srv/tiny", Capacity: mib})
	ok(t, err)
	written := filepath.Join(t.TempDir(), "written.img")
	ok(t, os.WriteFile(written, make([]byte, 2*mib), 0o644))
	define := func(name string, d backends.DiskSpec) error {
		_, err := h.VMs().Define(ctx, backends.VMSpec{Name: name, VCPUs: 1, MemoryMiB: 512, Disks: []backends.DiskSpec{d}})
		return err
	}
	tests := []struct {
		name string
		err  func() error
		want error
	}{
		{"a base with dependants cannot be attached writable",
			func() error { return define("w", backends.DiskSpec{Volume: &base.Ref}) }, backends.ErrConflict},
		{"a base with dependants can be attached read-only",
			func() error { return define("r", backends.DiskSpec{Volume: &base.Ref, ReadOnly: true}) }, nil},
		{"a volume is attached writable by one VM at a time", func() error {
			ok(t, define("x", backends.DiskSpec{Volume: &clone.Ref}))
			return define("y", backends.DiskSpec{Volume: &clone.Ref})
		}, backends.ErrConflict},
		{"a sparse volume may exceed its pool (thin provisioning)", func() error {
			_, err := st.CreateVolume(ctx, "tiny", backends.VolumeSpec{Name: "thin.raw", Capacity: 1 << 40, Format: backends.FormatRaw})
			return err
		}, nil},
		{"qcow2 metadata that does not fit the pool → ErrInsufficientResources", func() error {
			_, err := st.CreateVolume(ctx, "tiny", backends.VolumeSpec{Name: "huge.qcow2", Capacity: 1 << 50})
			return err
		}, backends.ErrInsufficientResources},
		{"an import whose data does not fit the pool → ErrInsufficientResources", func() error {
			_, err := st.ImportVolume(ctx, "tiny", "written.img", written)
			return err
		}, backends.ErrInsufficientResources},
		{"a pool of an unknown type → ErrUnsupported", func() error {
			_, err := st.CreatePool(ctx, backends.PoolSpec{Name: "i", Type: "iscsi", Path: "/dev/disk/by-path"})
			return err
		}, backends.ErrUnsupported},
		{"dir pools cannot exceed the local disks → ErrInsufficientResources", func() error {
			_, err := st.CreatePool(ctx, backends.PoolSpec{Name: "big", Type: backends.PoolDir, Path: "/srv/big", Capacity: 1 << 50})
			return err
		}, backends.ErrInsufficientResources},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.err()
			if tt.want == nil {
				ok(t, err)
				return
			}
			wantIs(t, err, tt.want)
		})
	}
}

func TestNetFSPoolsAreSharedBySource(t *testing.T) {
	dc := newDC(t, sim.Config{Hosts: 2})
	ctx := t.Context()
	spec := backends.PoolSpec{Name: "nfs", Type: backends.PoolNetFS, Path: "/mnt/nfs", Source: "filer:/vms"}
	for _, h := range dc.Hosts() {
		_, err := h.Storage().CreatePool(ctx, spec)
		ok(t, err)
	}
	v, err := dc.Host(0).Storage().CreateVolume(ctx, "nfs", backends.VolumeSpec{Name: "d.qcow2", Capacity: gib})
	ok(t, err)
	if got, err := dc.Host(1).Storage().GetVolume(ctx, v.Ref); err != nil || got.Path != v.Path {
		t.Fatalf("the other host sees %+v, %v", got, err)
	}
	other := spec
	other.Name = "nfs2"
	_, err = dc.Host(1).Storage().CreatePool(ctx, other)
	wantIs(t, err, backends.ErrConflict)
}

func TestImportReadsQCOW2VirtualSize(t *testing.T) {
	h := newDC(t, sim.Config{}).Host(0)
	path := filepath.Join(t.TempDir(), "disk.qcow2")
	hdr := make([]byte, 512)
	binary.BigEndian.PutUint32(hdr[0:], 0x514649fb)
	binary.BigEndian.PutUint32(hdr[4:], 3)
	binary.BigEndian.PutUint64(hdr[24:], 40*gib)
	ok(t, os.WriteFile(path, hdr, 0o644))
	v, err := h.Storage().ImportVolume(t.Context(), "default", "disk.qcow2", path)
	ok(t, err)
	if v.Format != backends.FormatQCOW2 || v.Capacity != 40*gib || v.Allocation > 4096 {
		t.Fatalf("imported %+v", v)
	}
	_, err = h.Storage().ImportVolume(t.Context(), "default", "x", filepath.Join(t.TempDir(), "missing"))
	wantIs(t, err, backends.ErrNotFound)
}

func TestFullCloneFlattensTheChain(t *testing.T) {
	dc := newDC(t, sim.Config{})
	h := dc.Host(0)
	ctx := t.Context()
	st := h.Storage()
	base, _ := st.CreateVolume(ctx, "default", backends.VolumeSpec{Name: "base", Capacity: 10 * gib})
	vm := start(t, h, backends.VMSpec{Name: "a", VCPUs: 1, MemoryMiB: 512, Disks: []backends.DiskSpec{{Volume: &base.Ref}}})
	dc.Advance(time.Hour)
	_, err := st.CloneVolume(ctx, base.Ref, backends.CloneSpec{Name: "busy"})
	wantIs(t, err, backends.ErrConflict) // a running guest is writing it
	ok(t, h.VMs().Stop(ctx, vm.UUID))
	ok(t, h.VMs().Undefine(ctx, vm.UUID))
	linked, err := st.CloneVolume(ctx, base.Ref, backends.CloneSpec{Name: "linked", Linked: true})
	ok(t, err)
	full, err := st.CloneVolume(ctx, linked.Ref, backends.CloneSpec{Name: "full", Pool: "san"})
	ok(t, err)
	b, _ := st.GetVolume(ctx, base.Ref)
	if full.Backing != nil || full.Allocation < b.Allocation-(1<<20) || full.Ref.Pool != "san" {
		t.Fatalf("full clone %+v of a chain holding %d bytes", full, b.Allocation)
	}
}
