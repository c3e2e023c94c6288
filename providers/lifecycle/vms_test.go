package lifecycle

import (
	"slices"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// pair is a modification's previous and current EnabledState.
type pair struct{ prev, cur uint64 }

func enabled(s backends.State) uint64 { return uint64(model.EnabledState(s)) }

func TestVMLifecycleRaisesCreationModificationsDeletionInOrder(t *testing.T) {
	f := newFixture(t, 1, nil)
	vms := f.host(0).VMs()
	vm := f.define(0, smallSpec("web01", 512))
	// The settings are read when the event is handled: wait for them
	// before the VM goes away.
	f.rec.waitFor(t, "the VSSD's creation", func(got []*cim.Instance) bool {
		return len(about(got, model.ClassVSSD, "InstanceID", model.VSSDInstanceID(vm.UUID))) == 1
	})
	f.must(vms.Start(f.ctx, vm.UUID))
	f.must(vms.Pause(f.ctx, vm.UUID))
	f.must(vms.Resume(f.ctx, vm.UUID))
	f.must(vms.Stop(f.ctx, vm.UUID))
	f.must(vms.Undefine(f.ctx, vm.UUID))

	got := f.rec.waitFor(t, "the VM's deletion", func(got []*cim.Instance) bool {
		ks := kinds(vmIndications(got, vm.UUID))
		return len(ks) > 0 && ks[len(ks)-1] == "deletion"
	})
	inds := vmIndications(got, vm.UUID)
	want := []string{"creation", "modification", "modification", "modification", "modification", "deletion"}
	if ks := kinds(inds); !slices.Equal(ks, want) {
		t.Fatalf("indications %q, want %q:\n%s", ks, want, describeAll(inds))
	}
	if e := uintOf(source(inds[0]), "EnabledState"); e != enabled(backends.StateOff) {
		t.Errorf("created with EnabledState %d, want %d", e, enabled(backends.StateOff))
	}
	var pairs []pair
	for _, ind := range inds[1:5] {
		pairs = append(pairs, pair{uintOf(prev(ind), "EnabledState"), uintOf(source(ind), "EnabledState")})
	}
	off, run, paused := enabled(backends.StateOff), enabled(backends.StateRunning), enabled(backends.StatePaused)
	if wantPairs := []pair{{off, run}, {run, paused}, {paused, run}, {run, off}}; !slices.Equal(pairs, wantPairs) {
		t.Fatalf("EnabledState transitions %v, want %v", pairs, wantPairs)
	}
	if v, _ := inds[1].Get("ChangedPropertyNames"); !slices.Contains(strs(v), "EnabledState") {
		t.Errorf("ChangedPropertyNames %v lacks EnabledState", strs(v))
	}
	if p := inds[0].Str("SourceInstanceModelPath"); p == "" {
		t.Error("creation without SourceInstanceModelPath")
	}
	// The VSSD and the RASDs were created after the computer system and
	// deleted before it.
	vssd := about(got, model.ClassVSSD, "InstanceID", model.VSSDInstanceID(vm.UUID))
	if ks := kinds(vssd); !slices.Equal(ks, []string{"creation", "deletion"}) {
		t.Fatalf("VSSD indications %q, want creation, deletion:\n%s", ks, describeAll(got))
	}
	if index(got, vssd[0]) < index(got, inds[0]) || index(got, vssd[1]) > index(got, inds[5]) {
		t.Error("VSSD created before or deleted after its computer system")
	}
}

func TestGuestShutdownRaisesModification(t *testing.T) {
	f := newFixture(t, 1, nil)
	vms := f.host(0).VMs()
	vm := f.define(0, smallSpec("db01", 512))
	f.must(vms.Start(f.ctx, vm.UUID))
	f.must(vms.Shutdown(f.ctx, vm.UUID, 0)) // ACPI request; the guest powers off later
	f.dc.Advance(10 * time.Minute)
	off, run := enabled(backends.StateOff), enabled(backends.StateRunning)
	got := f.rec.waitFor(t, "the guest's power-off", func(got []*cim.Instance) bool {
		inds := vmIndications(got, vm.UUID)
		if len(inds) < 3 {
			return false
		}
		last := inds[len(inds)-1]
		return last.ClassName == "CIM_InstModification" && uintOf(source(last), "EnabledState") == off
	})
	inds := vmIndications(got, vm.UUID)
	last := inds[len(inds)-1]
	if p := uintOf(prev(last), "EnabledState"); p != run {
		t.Fatalf("power-off modification from EnabledState %d, want %d (running):\n%s", p, run, describeAll(inds))
	}
}

func TestAttachingANICCreatesItsRASD(t *testing.T) {
	f := newFixture(t, 1, nil)
	vms := f.host(0).VMs()
	vm := f.define(0, smallSpec("app01", 512))
	nic, err := vms.AttachNIC(f.ctx, vm.UUID, backends.NICSpec{Switch: "external", VLAN: 7})
	f.must(err)
	id := model.ElementID(vm.UUID, nic.MAC)
	got := f.rec.waitFor(t, "the NIC's RASD", func(got []*cim.Instance) bool {
		return len(about(got, model.ClassNetRASD, "InstanceID", id)) > 0
	})
	rasd := about(got, model.ClassNetRASD, "InstanceID", id)
	if rasd[0].ClassName != "CIM_InstCreation" {
		t.Fatalf("new NIC raised %s, want CIM_InstCreation", rasd[0].ClassName)
	}
	f.must(vms.DetachNIC(f.ctx, vm.UUID, nic.MAC))
	got = f.rec.waitFor(t, "the NIC's RASD deletion", func(got []*cim.Instance) bool {
		return len(about(got, model.ClassNetRASD, "InstanceID", id)) == 2
	})
	if ks := kinds(about(got, model.ClassNetRASD, "InstanceID", id)); !slices.Equal(ks, []string{"creation", "deletion"}) {
		t.Fatalf("NIC RASD indications %q, want creation, deletion", ks)
	}
	// The VM's other NIC (defined with it) raised its creation once, with
	// the VM, and nothing since.
	var others int
	for _, ind := range got {
		if src := source(ind); src != nil && src.ClassName == model.ClassNetRASD && src.Str("InstanceID") != id {
			others++
		}
	}
	if others != 1 {
		t.Fatalf("the first NIC's RASD raised %d indications, want 1 (its creation)", others)
	}
}

func index(got []*cim.Instance, ind *cim.Instance) int {
	return slices.Index(got, ind)
}

func strs(v cim.Value) []string {
	var out []string
	for _, e := range v.Elems() {
		out = append(out, e.Str())
	}
	return out
}

// TestMigratedVMIsModifiedNotRecreated moves a stopped VM to another host:
// it keeps its path, so subscribers see one modification, no deletion and
// no second creation.
func TestMigratedVMIsModifiedNotRecreated(t *testing.T) {
	f := newFixture(t, 2, nil)
	vm := f.define(0, smallSpec("mover", 256))
	f.rec.waitFor(t, "the creation", func(got []*cim.Instance) bool { return len(vmIndications(got, vm.UUID)) == 1 })
	if _, err := f.host(0).Migrate(f.ctx, vm.UUID, f.host(1), backends.MigrateOptions{Offline: true}); err != nil {
		t.Fatal(err)
	}
	f.p.NoteVMHost(vm.UUID, f.host(1).ID())
	got := f.rec.waitFor(t, "the migration's modification", func(got []*cim.Instance) bool { return len(vmIndications(got, vm.UUID)) >= 2 })
	time.Sleep(50 * time.Millisecond) // nothing else may follow
	if ks := kinds(vmIndications(f.rec.all(), vm.UUID)); !slices.Equal(ks, []string{"creation", "modification"}) {
		t.Fatalf("migration raised %q:\n%s", ks, describeAll(got))
	}
}
