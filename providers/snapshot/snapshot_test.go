package snapshot_test

import (
	"slices"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/snapshot"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

func TestServicePerHostWithCapabilitiesAndProfile(t *testing.T) {
	f := newFixture(t, 2)
	services := f.Enumerate(snapshot.ClassService)
	if len(services) != 2 {
		t.Fatalf("%d snapshot services for 2 hosts", len(services))
	}
	h := f.Host(1).ID()
	svc := snapshot.ServicePath(h)
	if got := f.Get(svc); got.Str("SystemName") != h || got.Str("Name") != snapshot.ServiceName {
		t.Fatalf("service %v", got)
	}
	if got := f.associators(model.HostPath(h), via(model.AssocHostedService)); !slices.Contains(got, svc.Canonical()) || !slices.Contains(got, model.VSMSPath(h).Canonical()) {
		t.Fatalf("services hosted by %s: %v", h, got)
	}
	if got := f.associators(svc, via(model.AssocHostedService)); !slices.Equal(got, canon(model.HostPath(h))) {
		t.Fatalf("host of the service: %v", got)
	}
	caps := snapshot.ServiceCapsPath(h)
	if got := f.associators(svc, via(model.AssocElementCaps)); !slices.Equal(got, canon(caps)) {
		t.Fatalf("capabilities of the service: %v", got)
	}
	if got := f.associators(caps, via(model.AssocElementCaps)); !slices.Equal(got, canon(svc)) {
		t.Fatalf("element of the capabilities: %v", got)
	}
	c := f.Get(caps)
	if v, _ := c.Get("SnapshotTypesSupported"); !slices.Equal(u16s(v), []uint16{2}) {
		t.Fatalf("SnapshotTypesSupported %v", v)
	}
	var prof *cim.Instance
	for _, in := range f.EnumerateIn(cimom.InteropNamespace, "Ferrum_RegisteredProfile", cimom.InstanceOptions{}) {
		if in.Str("RegisteredName") == snapshot.ProfileName {
			prof = in
		}
	}
	if prof == nil || uintOf(prof, "RegisteredOrganization") != 2 {
		t.Fatalf("profile %v", prof)
	}
	central := f.associatorsIn(cimom.InteropNamespace, profilePath(prof), cimom.AssocFilter{AssocClass: "CIM_ElementConformsToProfile"})
	if !slices.Contains(central, svc.Canonical()) || len(central) != 2 {
		t.Fatalf("central instances of the snapshot profile: %v", central)
	}
}

func TestCreateApplyDestroyWithTreeAndLinks(t *testing.T) {
	f := newFixture(t, 1)
	h := f.Host(0)
	svc := snapshot.ServicePath(h.ID())
	vm := f.define(0, "db01")
	vmPath := model.VMPath(vm.UUID)

	out := f.InvokeCompleted(svc, "CreateSnapshot", createParams(vm.UUID, "before-upgrade", 2))
	rv, _ := out.Get("ResultingSnapshot")
	s1, _ := rv.AsRef()
	if want := snapshot.SnapshotPath(vm.UUID, "before-upgrade"); !s1.Equal(want) {
		t.Fatalf("ResultingSnapshot %v, want %v", s1, want)
	}
	vssd := f.Get(s1)
	if vssd.Str("ElementName") != "before-upgrade" || vssd.Str("Description") != "taken by a test" ||
		uintOf(vssd, "ChangeableType") != 0 || vssd.Str("InstanceID") == model.VSSDInstanceID(vm.UUID) {
		t.Fatalf("snapshot VSSD %v", vssd)
	}
	if v, _ := vssd.Get("CreationTime"); v.IsNull() {
		t.Fatal("snapshot VSSD without CreationTime")
	}
	rasds := f.associators(s1, via(model.AssocVSSDComponent))
	if len(rasds) < 4 {
		t.Fatalf("RASDs of the snapshot: %v", rasds)
	}
	mem := f.memRASD(s1)
	if uintOf(mem, "VirtualQuantity") != 2048 {
		t.Fatalf("snapshot memory RASD %v", mem)
	}

	if err := h.VMs().SetMemory(f.Ctx, vm.UUID, 3072); err != nil {
		t.Fatal(err)
	}
	out = f.InvokeCompleted(svc, "CreateSnapshot", createParams(vm.UUID, "", 2))
	rv, _ = out.Get("ResultingSnapshot")
	s2, _ := rv.AsRef()
	if want := snapshot.SnapshotPath(vm.UUID, "snapshot-2"); !s2.Equal(want) {
		t.Fatalf("unnamed snapshot %v, want %v", s2, want)
	}
	if uintOf(f.memRASD(s2), "VirtualQuantity") != 3072 {
		t.Fatal("second snapshot does not hold the new memory")
	}
	parent := cimom.AssocFilter{AssocClass: model.AssocElementSettingData, Role: "ManagedElement", ResultRole: "SettingData"}
	children := cimom.AssocFilter{AssocClass: model.AssocElementSettingData, Role: "SettingData", ResultRole: "ManagedElement"}
	if got := f.associators(s2, parent); !slices.Equal(got, canon(s1)) {
		t.Fatalf("parent of %v: %v", s2, got)
	}
	if got := f.associators(s1, children); !slices.Equal(got, canon(s2)) {
		t.Fatalf("children of %v: %v", s1, got)
	}
	if got := f.associators(vmPath, via(snapshot.AssocSnapshotOf)); !slices.Equal(got, canon(s1, s2)) {
		t.Fatalf("snapshots of the vm: %v", got)
	}
	if got := f.associators(s2, via(snapshot.AssocSnapshotOf)); !slices.Equal(got, canon(vmPath)) {
		t.Fatalf("vm of the snapshot: %v", got)
	}
	f.wantLastApplied(vmPath, s2)

	f.InvokeCompleted(svc, "ApplySnapshot", cim.Params{{Name: "Snapshot", Value: cim.Ref(s1)}})
	if got := f.vm(0, vm.UUID); got.MemoryMiB != 2048 {
		t.Fatalf("memory after applying the first snapshot: %d", got.MemoryMiB)
	}
	f.wantLastApplied(vmPath, s1)
	if got := f.associators(s1, via(snapshot.AssocLastApplied)); !slices.Equal(got, canon(vmPath)) {
		t.Fatalf("vm the snapshot was applied to: %v", got)
	}

	f.InvokeCompleted(svc, "DestroySnapshot", cim.Params{{Name: "AffectedSnapshot", Value: cim.Ref(s1)}})
	if got := f.associators(vmPath, via(snapshot.AssocSnapshotOf)); !slices.Equal(got, canon(s2)) {
		t.Fatalf("snapshots after destroying the first: %v", got)
	}
	if got := f.associators(s2, parent); len(got) != 0 {
		t.Fatalf("the re-parented snapshot still has parent %v", got)
	}
	if _, err := f.D.GetInstance(f.Ctx, ns, s1, cimom.InstanceOptions{}); cim.StatusOf(err) != cim.ErrNotFound {
		t.Fatalf("destroyed snapshot: %v", err)
	}
	ids := []string{}
	for _, in := range f.Enumerate(model.ClassVSSD) {
		ids = append(ids, in.Str("InstanceID"))
	}
	if !slices.Contains(ids, snapshot.SnapshotID(vm.UUID, "snapshot-2")) || !slices.Contains(ids, model.VSSDInstanceID(vm.UUID)) || len(ids) != 2 {
		t.Fatalf("VSSDs %v", ids)
	}
}

func (f *fixture) memRASD(snap cim.ObjectPath) *cim.Instance {
	f.T.Helper()
	for _, p := range f.associators(snap, cimom.AssocFilter{AssocClass: model.AssocVSSDComponent, ResultClass: model.ClassMemRASD}) {
		path, err := cim.ParseObjectPath(p)
		if err != nil {
			f.T.Fatal(err)
		}
		return f.Get(path)
	}
	f.T.Fatalf("snapshot %v has no memory RASD", snap)
	return nil
}

func (f *fixture) wantLastApplied(vm, snap cim.ObjectPath) {
	f.T.Helper()
	if got := f.associators(vm, via(snapshot.AssocLastApplied)); !slices.Equal(got, canon(snap)) {
		f.T.Fatalf("last applied snapshot of %v: %v, want %v", vm, got, snap)
	}
}
