package conformance

import (
	"context"
	"slices"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/conformance/client"
)

// checkSnapshot takes a snapshot of a defined VM, applies and destroys it
// (CIM_VirtualSystemSnapshotService CreateSnapshot, ApplySnapshot,
// DestroySnapshot; the snapshot is a VSSD linked by
// CIM_SnapshotOfVirtualSystem).
func checkSnapshot(ctx context.Context, t *T) {
	svcs := central(t, "Snapshot", 4)
	vm := defineTestVM(ctx, t)
	defer vm.cleanup(ctx, t)
	svc := hostedService(ctx, t, vm.host, "CIM_VirtualSystemSnapshotService", svcs)
	typ := snapshotType(ctx, t, svc)
	res, err := call(ctx, t.C, svc, "CreateSnapshot", cim.Params{
		{Name: "AffectedSystem", Value: cim.Ref(vm.path)}, {Name: "SnapshotType", Value: cim.Uint16(typ)}})
	if err != nil {
		t.Fatalf("%v", err)
	}
	snap, ok := outRef(ctx, t.C, res, "ResultingSnapshot", "CIM_VirtualSystemSettingData")
	if !ok {
		t.Fatalf("CreateSnapshot succeeded without a ResultingSnapshot (output or the job's CIM_AffectedJobElement)")
	}
	destroyed := false
	defer func() {
		if !destroyed {
			call(ctx, t.C, svc, "DestroySnapshot", cim.Params{{Name: "AffectedSnapshot", Value: cim.Ref(snap)}})
		}
	}()
	snaps, err := t.C.AssociatorNames(ctx, vm.path, assocTo("CIM_SnapshotOfVirtualSystem", "CIM_VirtualSystemSettingData"))
	if err != nil || !containsPath(snaps, snap) {
		t.Errorf("ResultingSnapshot %s is not a CIM_VirtualSystemSettingData of %s via CIM_SnapshotOfVirtualSystem (%v, %v)", snap, vm.path, snaps, err)
	}
	if back, err := t.C.AssociatorNames(ctx, snap, client.AssocFilter{AssocClass: "CIM_SnapshotOfVirtualSystem"}); err != nil || !containsPath(back, vm.path) {
		t.Errorf("the snapshot %s does not lead back to %s via CIM_SnapshotOfVirtualSystem (%v, %v)", snap, vm.path, back, err)
	}
	if _, err := call(ctx, t.C, svc, "ApplySnapshot", cim.Params{{Name: "Snapshot", Value: cim.Ref(snap)}}); err != nil {
		t.Errorf("%v", err)
	}
	if _, err := call(ctx, t.C, svc, "DestroySnapshot", cim.Params{{Name: "AffectedSnapshot", Value: cim.Ref(snap)}}); err != nil {
		t.Fatalf("%v", err)
	}
	destroyed = true
	if _, err := t.C.GetInstance(ctx, snap); client.StatusOf(err) != cim.ErrNotFound {
		t.Errorf("GetInstance of the destroyed snapshot %s: got %v, want CIM_ERR_NOT_FOUND", snap, err)
	}
}

// snapshotType returns 2 (Full Snapshot), or 3 (Disk Snapshot) when the
// service's capabilities list only that in SnapshotTypesSupported.
func snapshotType(ctx context.Context, t *T, svc cim.ObjectPath) uint16 {
	caps, err := t.C.Associators(ctx, svc, assocTo("CIM_ElementCapabilities", "CIM_VirtualSystemSnapshotServiceCapabilities"))
	if err != nil || len(caps) == 0 {
		return 2
	}
	types, ok := uintsProp(caps[0].Instance, "SnapshotTypesSupported")
	switch {
	case !ok || slices.Contains(types, 2):
		return 2
	case slices.Contains(types, 3):
		return 3
	}
	t.Skipf("SnapshotTypesSupported %v has neither 2 (Full) nor 3 (Disk)", types)
	return 0
}
