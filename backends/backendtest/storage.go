package backendtest

import (
	"path/filepath"
	"testing"

	"github.com/ferrum-virt/ferrum/backends"
)

const gib = 1 << 30

func testStorage(t *testing.T, mk func(*testing.T) *fixture) {
	testPools(t, mk)
	t.Run("CreateVolume is sparse and counts in its pool", func(t *testing.T) {
		f := mk(t)
		p := f.pool()
		v := f.volume(p, 10*gib)
		if v.Capacity != 10*gib || v.Allocation >= v.Capacity || v.Format == "" {
			t.Fatalf("volume %+v is not a sparse 10 GiB image", v)
		}
		pool, err := f.h.Storage().GetPool(f.ctx, p)
		must(t, "GetPool", err)
		if pool.Volumes < 1 {
			t.Fatalf("pool %+v does not count the volume", pool)
		}
		_, err = f.h.Storage().CreateVolume(f.ctx, p, backends.VolumeSpec{Name: v.Ref.Name, Capacity: gib})
		wantErr(t, "CreateVolume with a name in use", err, backends.ErrConflict)
	})
	t.Run("DeletePool with volumes → ErrConflict", func(t *testing.T) {
		f := mk(t)
		p := f.pool()
		f.volume(p, gib)
		wantErr(t, "DeletePool", f.h.Storage().DeletePool(f.ctx, p), backends.ErrConflict)
	})
	t.Run("ResizeVolume grows, shrinking → ErrInvalidArgument", func(t *testing.T) {
		f := mk(t)
		if !f.info.Caps.VolumeResize {
			t.Skip("host declares no volume resize")
		}
		v := f.volume(f.pool(), gib)
		must(t, "grow", f.h.Storage().ResizeVolume(f.ctx, v.Ref, 2*gib))
		got, err := f.h.Storage().GetVolume(f.ctx, v.Ref)
		must(t, "GetVolume", err)
		if got.Capacity != 2*gib {
			t.Fatalf("capacity after grow = %d", got.Capacity)
		}
		wantErr(t, "shrink", f.h.Storage().ResizeVolume(f.ctx, v.Ref, gib), backends.ErrInvalidArgument)
	})
	t.Run("DeleteVolume of a volume a VM uses → ErrConflict", func(t *testing.T) {
		f := mk(t)
		v := f.volume(f.pool(), gib)
		f.define(f.spec(func(s *backends.VMSpec) { s.Disks = []backends.DiskSpec{{Volume: &v.Ref}} }))
		wantErr(t, "DeleteVolume", f.h.Storage().DeleteVolume(f.ctx, v.Ref), backends.ErrConflict)
	})
	testClones(t, mk)
	testImportExport(t, mk)
}

func testClones(t *testing.T, mk func(*testing.T) *fixture) {
	t.Run("a linked clone is backed by its base, which cannot be deleted before it", func(t *testing.T) {
		f := mk(t)
		if !f.info.Caps.LinkedClone {
			t.Skip("host declares no linked clones")
		}
		p := f.pool()
		base := f.volume(p, 4*gib)
		clone, err := f.h.Storage().CloneVolume(f.ctx, base.Ref, backends.CloneSpec{Name: name("linked"), Linked: true})
		must(t, "CloneVolume", err)
		if clone.Backing == nil || *clone.Backing != base.Ref || clone.Capacity != base.Capacity {
			t.Fatalf("linked clone %+v of %+v", clone, base.Ref)
		}
		got, err := f.h.Storage().GetVolume(f.ctx, base.Ref)
		must(t, "GetVolume", err)
		if got.Dependants != 1 {
			t.Fatalf("base dependants = %d, want 1", got.Dependants)
		}
		wantErr(t, "DeleteVolume of the base", f.h.Storage().DeleteVolume(f.ctx, base.Ref), backends.ErrConflict)
		must(t, "DeleteVolume of the clone", f.h.Storage().DeleteVolume(f.ctx, clone.Ref))
		must(t, "DeleteVolume of the base", f.h.Storage().DeleteVolume(f.ctx, base.Ref))
	})
	t.Run("a full clone is independent of its source", func(t *testing.T) {
		f := mk(t)
		if !f.info.Caps.VolumeClone {
			t.Skip("host declares no volume clone")
		}
		p := f.pool()
		base := f.volume(p, 2*gib)
		clone, err := f.h.Storage().CloneVolume(f.ctx, base.Ref, backends.CloneSpec{Name: name("full")})
		must(t, "CloneVolume", err)
		t.Cleanup(func() { _ = f.h.Storage().DeleteVolume(f.ctx, clone.Ref) })
		if clone.Backing != nil || clone.Capacity != base.Capacity {
			t.Fatalf("full clone %+v", clone)
		}
		must(t, "DeleteVolume of the source", f.h.Storage().DeleteVolume(f.ctx, base.Ref))
	})
	t.Run("CloneVolume of an unknown volume → ErrNotFound", func(t *testing.T) {
		f := mk(t)
		if !f.info.Caps.VolumeClone {
			t.Skip("host declares no volume clone")
		}
		_, err := f.h.Storage().CloneVolume(f.ctx, backends.VolumeRef{Pool: f.pool(), Name: name("none")},
			backends.CloneSpec{Name: name("c")})
		wantErr(t, "CloneVolume", err, backends.ErrNotFound)
	})
}

func testImportExport(t *testing.T, mk func(*testing.T) *fixture) {
	t.Run("ExportVolume then ImportVolume keeps the capacity", func(t *testing.T) {
		f := mk(t)
		if !f.info.Caps.ImportExport {
			t.Skip("host declares no import/export")
		}
		p := f.pool()
		v := f.volume(p, gib)
		path := filepath.Join(t.TempDir(), "export.img")
		must(t, "ExportVolume", f.h.Storage().ExportVolume(f.ctx, v.Ref, path))
		wantErr(t, "ExportVolume over an existing file", f.h.Storage().ExportVolume(f.ctx, v.Ref, path), backends.ErrConflict)
		in, err := f.h.Storage().ImportVolume(f.ctx, p, name("imported"), path)
		must(t, "ImportVolume", err)
		t.Cleanup(func() { _ = f.h.Storage().DeleteVolume(f.ctx, in.Ref) })
		if in.Capacity != v.Capacity {
			t.Fatalf("imported capacity %d, exported %d", in.Capacity, v.Capacity)
		}
	})
}

func testPools(t *testing.T, mk func(*testing.T) *fixture) {
	t.Run("ListPools reports pools with consistent space", func(t *testing.T) {
		f := mk(t)
		pools, err := f.h.Storage().ListPools(f.ctx)
		must(t, "ListPools", err)
		for _, p := range pools {
			if p.Name == "" || p.Type == "" || p.Allocation > p.Capacity && p.Capacity > 0 {
				t.Fatalf("pool %+v", p)
			}
		}
	})
	t.Run("CreatePool with a name in use → ErrConflict", func(t *testing.T) {
		f := mk(t)
		p := f.pool()
		_, err := f.h.Storage().CreatePool(f.ctx, backends.PoolSpec{Name: p, Type: backends.PoolDir, Path: t.TempDir()})
		wantErr(t, "CreatePool", err, backends.ErrConflict)
	})
	t.Run("GetPool of an unknown pool → ErrNotFound", func(t *testing.T) {
		f := mk(t)
		_, err := f.h.Storage().GetPool(f.ctx, name("no-pool"))
		wantErr(t, "GetPool", err, backends.ErrNotFound)
	})
}
