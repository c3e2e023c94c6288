package lifecycle

import (
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// TestGapResynchronises blocks the publisher so that the host's event
// stream overflows, then checks that the service noticed the gap and
// re-read the VMs: the final states, a VM defined and one undefined during
// the gap all reach the subscribers.
func TestGapResynchronises(t *testing.T) {
	f := newFixture(t, 1, func(c *Config) { c.WatchedClasses = []string{} })
	vms := f.host(0).VMs()
	gone := f.define(0, smallSpec("gone", 256))
	f.rec.waitFor(t, "the first VM's creation", func(got []*cim.Instance) bool { return len(vmIndications(got, gone.UUID)) == 1 })

	block := make(chan struct{})
	f.rec.mu.Lock()
	f.rec.block = block
	f.rec.mu.Unlock()
	busy := f.define(0, smallSpec("busy", 256))
	for range backends.DefaultEventBuffer {
		f.must(vms.Start(f.ctx, busy.UUID))
		f.must(vms.Stop(f.ctx, busy.UUID))
	}
	f.must(vms.Start(f.ctx, busy.UUID))
	f.must(vms.Undefine(f.ctx, gone.UUID))
	late := f.define(0, smallSpec("late", 256))
	f.rec.mu.Lock()
	f.rec.block = nil
	f.rec.mu.Unlock()
	close(block)

	running := enabled(backends.StateRunning)
	f.rec.waitFor(t, "the resynchronised states", func(got []*cim.Instance) bool {
		b := vmIndications(got, busy.UUID)
		g := vmIndications(got, gone.UUID)
		l := vmIndications(got, late.UUID)
		return len(b) > 0 && uintOf(source(b[len(b)-1]), "EnabledState") == running &&
			len(g) == 2 && g[1].ClassName == "CIM_InstDeletion" &&
			len(l) == 1 && l[0].ClassName == "CIM_InstCreation"
	})
	if st := f.svc.Stats(); st.Gaps == 0 || st.Resyncs < 2 {
		t.Fatalf("stats %+v: the gap went unnoticed", st)
	}
	// Nothing is published twice: once settled, another event raises
	// exactly one modification.
	n := len(f.rec.all())
	f.must(vms.Stop(f.ctx, busy.UUID))
	got := f.rec.waitFor(t, "the stop", func(got []*cim.Instance) bool { return len(got) > n })
	time.Sleep(50 * time.Millisecond)
	got = f.rec.all()[n:]
	if len(got) != 1 || uintOf(prev(got[0]), "EnabledState") != running {
		t.Fatalf("after resync, a stop raised:\n%s", describeAll(got))
	}
	// The gone VM's settings were retracted with it.
	vssd := about(f.rec.all(), model.ClassVSSD, "InstanceID", model.VSSDInstanceID(gone.UUID))
	if len(vssd) != 2 || vssd[1].ClassName != "CIM_InstDeletion" {
		t.Fatalf("gone VM's VSSD:\n%s", describeAll(vssd))
	}
}

// TestFollowsTheInventory drops a host from the inventory and adds it
// back, as the agents' registry does when a node dies and reconnects.
func TestFollowsTheInventory(t *testing.T) {
	f := newFixture(t, 2, nil)
	h1 := f.host(1)
	f.inv.mu.Lock()
	f.inv.hosts = f.inv.hosts[:1]
	f.inv.mu.Unlock()
	waitStat(t, f, func(s Stats) bool { return s.Hosts == 1 })
	vm := f.define(1, smallSpec("offline", 256)) // while not followed
	resyncs := f.svc.Stats().Resyncs
	f.inv.mu.Lock()
	f.inv.hosts = append(f.inv.hosts, h1)
	f.inv.mu.Unlock()
	// Followed again once subscribed and its baseline read: a start
	// before that would be part of the baseline, not an event.
	waitStat(t, f, func(s Stats) bool { return s.Hosts == 2 && s.Resyncs > resyncs })
	f.must(h1.VMs().Start(f.ctx, vm.UUID))
	got := f.rec.waitFor(t, "the VM's start", func(got []*cim.Instance) bool {
		return len(vmIndications(got, vm.UUID)) == 1
	})
	// The VMs a host brings when it joins are its baseline (see the
	// package doc): the start is a modification from that baseline.
	ind := vmIndications(got, vm.UUID)[0]
	if ind.ClassName != "CIM_InstModification" || uintOf(source(ind), "EnabledState") != enabled(backends.StateRunning) {
		t.Fatalf("start of a baseline VM raised %s", describe(ind))
	}
}

func waitStat(t *testing.T, f *fixture, pred func(Stats) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !pred(f.svc.Stats()) {
		if time.Now().After(deadline) {
			t.Fatalf("stats %+v", f.svc.Stats())
		}
		time.Sleep(2 * time.Millisecond)
	}
}
