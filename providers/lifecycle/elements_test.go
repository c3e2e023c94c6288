package lifecycle

import (
	"context"
	"strings"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// TestPoolsAreDiffedAfterEachJob starts a VM (its host's memory pool now
// has more reserved) and finishes a job: the memory pool's modification
// follows (and those of the other pools the VM consumes from), and
// nothing for the disk pools, which did not change.
func TestPoolsAreDiffedAfterEachJob(t *testing.T) {
	f := newFixture(t, 1, nil)
	vm := f.define(0, smallSpec("mem", 2048))
	f.must(f.host(0).VMs().Start(f.ctx, vm.UUID))
	j, err := f.jobs.Start(f.ctx, jobs.Spec{Name: "Noop"}, func(context.Context, *jobs.Progress) (cim.Params, error) { return nil, nil })
	f.must(err)
	if _, err := f.jobs.Wait(f.ctx, j.ID); err != nil {
		t.Fatal(err)
	}
	got := f.rec.waitFor(t, "the memory pool's modification", func(got []*cim.Instance) bool {
		for _, ind := range got {
			if src := source(ind); src != nil && src.ClassName == model.ClassMemPool {
				return true
			}
		}
		return false
	})
	for _, ind := range got {
		src := source(ind)
		if src == nil || !strings.HasSuffix(src.ClassName, "Pool") {
			continue
		}
		if src.ClassName == model.ClassDiskPool || ind.ClassName != "CIM_InstModification" {
			t.Errorf("unexpected pool indication %s", describe(ind))
		}
		if v, _ := ind.Get("ChangedPropertyNames"); !contains(strs(v), "CurrentlyConsumedResource") {
			t.Errorf("%s changed %v, want CurrentlyConsumedResource among them", src.ClassName, strs(v))
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
