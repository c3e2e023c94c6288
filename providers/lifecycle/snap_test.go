package lifecycle

import (
	"testing"

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
