package poolconfig

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/backends/sim"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
)

// failingResize is a host whose volumes cannot be resized.
type failingResize struct{ *sim.Host }

func (h failingResize) Storage() backends.StorageManager { return failingStorage{h.Host.Storage()} }

type failingStorage struct{ backends.StorageManager }

func (failingStorage) ResizeVolume(context.Context, backends.VolumeRef, uint64) error {
	return fmt.Errorf("resize: %w", errors.New("disk on fire"))
}

func TestFailedCloneIsRolledBack(t *testing.T) {
	f := newFixture(t, 1, true)
	pool := withPool(t, f)
	src, err := f.storage().CreateVolume(f.Ctx, "images", backends.VolumeSpec{Name: "src", Capacity: gib})
	if err != nil {
		t.Fatal(err)
	}
	f.Inv.Replace(f.host, failingResize{f.DC.Host(0)})
	before := f.state()
	code, out := f.invoke("CreateResourceInPool", createVolumeParams(pool, map[string]cim.Value{
		"VolumeName": cim.String("big"), "BackingPath": cim.String(src.Path), "VirtualQuantity": cim.Uint64(4 * gib)}))
	if code != 4096 {
		t.Fatalf("CreateResourceInPool returned %d", code)
	}
	j := f.Finish(out)
	if j.State != jobs.Exception || j.ErrorCode != 4 {
		t.Fatalf("job %v, ErrorCode %d (%s); want Exception with 4 Failed", j.State, j.ErrorCode, j.ErrorDescription)
	}
	if after := f.state(); after != before {
		t.Fatalf("the clone was left behind:\n%s\n→\n%s", before, after)
	}
	if _, err := f.storage().GetVolume(f.Ctx, backends.VolumeRef{Pool: "images", Name: "big"}); !errors.Is(err, backends.ErrNotFound) {
		t.Fatalf("clone after rollback: %v", err)
	}
}
