package lifecycle

import (
	"context"
	"testing"

	"github.com/ferrum-virt/ferrum/backends"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/indication"
	"github.com/ferrum-virt/ferrum/cimom/store"
)

// TestSnapshotKeepsAVMsInstancesExactlyAndSmall packs a real VM's computer
// system, VSSD and RASDs and unpacks them unchanged, in a fraction of
// their record size: the service keeps one snapshot per VM.
func TestSnapshotKeepsAVMsInstancesExactlyAndSmall(t *testing.T) {
	f := newFixture(t, 1, nil)
	vm := f.define(0, smallSpec("db01", 1024))
	cs, err := f.svc.computerSystem(f.ctx, vm.UUID)
	f.must(err)
	st := f.svc.readSettings(f.ctx, vm.UUID)
	if st.vssd == nil || len(st.rasds) < 3 {
		t.Fatalf("fixture VM has VSSD %v and %d RASDs, want a VSSD and several RASDs", st.vssd != nil, len(st.rasds))
	}
	snap, err := encodeSnapshot(cs, st)
	f.must(err)
	gotCS, gotST, err := snap.decode()
	f.must(err)
	same := func(what string, a, b *cim.Instance) {
		if diff := indication.ChangedProperties(a, b); len(a.Properties) != len(b.Properties) || len(diff) > 0 {
			t.Errorf("%s changed in the snapshot: %v", what, diff)
		}
	}
	same("computer system", cs, gotCS)
	same("VSSD", st.vssd, gotST.vssd)
	if len(gotST.rasds) != len(st.rasds) {
		t.Fatalf("%d RASDs back, want %d", len(gotST.rasds), len(st.rasds))
	}
	raw := 0
	for k, r := range st.rasds {
		g, ok := gotST.rasds[k]
		if !ok || !g.path.Equal(r.path) {
			t.Fatalf("RASD %s lost or moved", k)
		}
		same("RASD "+k, r.in, g.in)
		b, _ := store.EncodeInstance(r.in)
		raw += len(b)
	}
	for _, in := range []*cim.Instance{cs, st.vssd} {
		b, _ := store.EncodeInstance(in)
		raw += len(b)
	}
	if len(snap)*2 > raw {
		t.Errorf("snapshot is %d bytes for %d bytes of records: not compressed", len(snap), raw)
	}
	t.Logf("snapshot %d bytes for %d bytes of records (%d RASDs)", len(snap), raw, len(st.rasds))
	if _, _, err := snapshot(snap[:len(snap)/2]).decode(); err == nil {
		t.Error("a truncated snapshot decoded without an error")
	}
}

// TestViewBuildsWhatTheDispatcherServes: the baseline built from a host's
// listing (Config.Views) holds the same instances, under the same paths,
// as reading each VM through the Dispatcher — else the first event after
// start would report changes that did not happen.
func TestViewBuildsWhatTheDispatcherServes(t *testing.T) {
	f := newFixture(t, 1, func(c *Config) {})
	vm := f.define(0, smallSpec("web07", 768))
	h := f.host(0)
	hostID, err := f.p.HostID(f.ctx, h)
	f.must(err)
	listed, err := h.VMs().List(f.ctx)
	f.must(err)
	svc := &Service{cfg: Config{Dispatcher: f.d, Views: func(ctx context.Context, id string, h backends.Host) VMBuilder {
		return f.p.View(ctx, id, h)
	}}}
	viaView, viaDispatcher := svc.reader(f.ctx, hostID, h), (&Service{cfg: Config{Dispatcher: f.d, Log: quiet}}).reader(f.ctx, hostID, h)
	for _, l := range listed {
		if l.UUID != vm.UUID {
			continue
		}
		cs1, st1, ok1 := viaView(l)
		cs2, st2, ok2 := viaDispatcher(l)
		if !ok1 || !ok2 {
			t.Fatalf("read: view %v, dispatcher %v", ok1, ok2)
		}
		if d := indication.ChangedProperties(cs2, cs1); len(d) > 0 || len(cs1.Properties) != len(cs2.Properties) {
			t.Errorf("computer system differs in %v", d)
		}
		if d := indication.ChangedProperties(st2.vssd, st1.vssd); len(d) > 0 {
			t.Errorf("VSSD differs in %v", d)
		}
		if len(st1.rasds) != len(st2.rasds) || len(st1.rasds) < 3 {
			t.Fatalf("%d RASDs from the view, %d from the dispatcher", len(st1.rasds), len(st2.rasds))
		}
		for k, r := range st2.rasds {
			v, ok := st1.rasds[k]
			if !ok {
				t.Fatalf("the view lacks RASD %s (has %v)", k, st1.sortedKeys())
			}
			if d := indication.ChangedProperties(r.in, v.in); len(d) > 0 {
				t.Errorf("RASD %s differs in %v", k, d)
			}
		}
		return
	}
	t.Fatal("the defined VM is not listed")
}
