package conformance

import (
	"context"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// The fake's resource, migration and snapshot methods.

func (f *fake) addResources(_ context.Context, _ cim.ObjectPath, in cim.Params) (cim.Value, cim.Params, error) {
	vssd := refIn(in, "AffectedConfiguration")
	if f.broken("add") {
		return done()
	}
	var added []cim.ObjectPath
	for _, r := range instancesIn(in, "ResourceSettings") {
		added = append(added, f.addRASD(vssd, r))
	}
	return done(cim.Param{Name: "ResultingResourceSettings", Value: cim.RefArray(added...)})
}

func (f *fake) modifyResources(_ context.Context, _ cim.ObjectPath, in cim.Params) (cim.Value, cim.Params, error) {
	for _, r := range instancesIn(in, "ResourceSettings") {
		for _, o := range f.objs {
			if o.Instance.Str("InstanceID") == r.Str("InstanceID") && !f.broken("modify") {
				o.Instance.Set("VirtualQuantity", mustGet(r, "VirtualQuantity"))
			}
		}
	}
	return done()
}

func (f *fake) removeResources(_ context.Context, _ cim.ObjectPath, in cim.Params) (cim.Value, cim.Params, error) {
	v, _ := in.Get("ResourceSettings")
	if !f.broken("remove") {
		f.remove(refsOf(v)...)
	}
	return done()
}

// checkMigratable answers IsMigratable true; broken, a string.
func (f *fake) checkMigratable(context.Context, cim.ObjectPath, cim.Params) (cim.Value, cim.Params, error) {
	if f.broken("migratable") {
		return done(cim.Param{Name: "IsMigratable", Value: cim.String("perhaps")})
	}
	return done(cim.Param{Name: "IsMigratable", Value: cim.Bool(true)})
}

// createSnapshot makes a VSSD linked to the VM by
// CIM_SnapshotOfVirtualSystem (not linked, broken).
func (f *fake) createSnapshot(_ context.Context, _ cim.ObjectPath, in cim.Params) (cim.Value, cim.Params, error) {
	cs := refIn(in, "AffectedSystem")
	if !f.isDefined(cs) {
		return code(5)
	}
	snap := f.add(virt, cim.NewInstance("CIM_VirtualSystemSettingData").Set("InstanceID", cim.String(f.next("snap"))).
		Set("ElementName", cim.String("snapshot")), "InstanceID")
	if !f.broken("snapshot link") {
		f.assoc(virt, "CIM_SnapshotOfVirtualSystem", "Antecedent", cs, "Dependent", snap)
	}
	return done(cim.Param{Name: "ResultingSnapshot", Value: cim.Ref(snap)})
}

func (f *fake) applySnapshot(ctx context.Context, _ cim.ObjectPath, in cim.Params) (cim.Value, cim.Params, error) {
	if _, err := f.GetInstance(ctx, refIn(in, "Snapshot")); err != nil {
		return code(5)
	}
	return done()
}

func (f *fake) destroySnapshot(_ context.Context, _ cim.ObjectPath, in cim.Params) (cim.Value, cim.Params, error) {
	if !f.broken("destroy snapshot") {
		f.remove(refIn(in, "AffectedSnapshot"))
	}
	return done()
}
