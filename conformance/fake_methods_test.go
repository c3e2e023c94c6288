package conformance

import (
	"context"
	"fmt"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/conformance/client"
)

// A handler serves one extrinsic method of the fake.
type handler func(ctx context.Context, p cim.ObjectPath, in cim.Params) (cim.Value, cim.Params, error)

// invoke serves the methods of the fake's small in-memory VSMS, snapshot
// and migration services; ok is false for a method it leaves to
// InvokeMethod (the static VM's RequestStateChange among them).
func (f *fake) invoke(ctx context.Context, p cim.ObjectPath, method string, in cim.Params) (rv cim.Value, out cim.Params, err error, ok bool) {
	h := map[string]handler{
		"DefineSystem": f.defineSystem, "DestroySystem": f.destroySystem,
		"AddResourceSettings": f.addResources, "ModifyResourceSettings": f.modifyResources, "RemoveResourceSettings": f.removeResources,
		"CheckVirtualSystemIsMigratableToHost": f.checkMigratable,
		"CreateSnapshot":                       f.createSnapshot, "ApplySnapshot": f.applySnapshot, "DestroySnapshot": f.destroySnapshot,
	}[method]
	if method == "RequestStateChange" {
		switch _, gerr := f.GetInstance(ctx, p); {
		case gerr != nil && f.broken("absent system"):
			return cim.Uint32(4), nil, nil, true
		case gerr != nil:
			return cim.Value{}, nil, gerr, true
		case f.isDefined(p):
			h = f.changeState
		}
	}
	if h == nil {
		return cim.Value{}, nil, nil, false
	}
	rv, out, err = h(ctx, p, in)
	return rv, out, err, true
}

func done(out ...cim.Param) (cim.Value, cim.Params, error) { return cim.Uint32(0), out, nil }

func code(n uint32) (cim.Value, cim.Params, error) { return cim.Uint32(n), nil, nil }

func refIn(in cim.Params, name string) cim.ObjectPath {
	v, _ := in.Get(name)
	p, _ := v.AsRef()
	return p
}

func instancesIn(in cim.Params, name string) []*cim.Instance {
	v, _ := in.Get(name)
	var out []*cim.Instance
	for _, e := range v.Elems() {
		if inst := e.AsInstance(); inst != nil {
			out = append(out, inst)
		}
	}
	return out
}

func (f *fake) next(prefix string) string {
	f.seq++
	return fmt.Sprintf("%s-%d", prefix, f.seq)
}

func (f *fake) isDefined(p cim.ObjectPath) bool {
	inst, err := f.GetInstance(context.Background(), p)
	return err == nil && inst.Str("Description") == "defined by a check"
}

// hostOf returns the host of a service: the ComputerSystem its SystemName names.
func (f *fake) hostOf(svc cim.ObjectPath) cim.ObjectPath {
	for _, k := range svc.Keys {
		if k.Name == "SystemName" {
			for _, o := range f.objs {
				if o.Path.ClassName == "CIM_ComputerSystem" && o.Instance.Str("Name") == k.Value.Text() {
					return o.Path
				}
			}
		}
	}
	return cim.ObjectPath{}
}

// defineSystem creates a VM, its VSSD and RASDs, and answers 4096 with a
// job that has already completed (or ended in an exception, broken).
func (f *fake) defineSystem(_ context.Context, vsms cim.ObjectPath, in cim.Params) (cim.Value, cim.Params, error) {
	v, _ := in.Get("SystemSettings")
	req := v.AsInstance()
	if req == nil && !f.broken("malformed define") {
		return code(5)
	}
	if req == nil {
		req = cim.NewInstance("CIM_VirtualSystemSettingData")
	}
	id := f.next("def")
	cs := f.add(virt, cim.NewInstance("CIM_ComputerSystem").Set("CreationClassName", cim.String("CIM_ComputerSystem")).Set("Name", cim.String(id)).
		Set("ElementName", mustGet(req, "ElementName")).Set("Description", cim.String("defined by a check")).
		Set("EnabledState", cim.Uint16(3)).Set("RequestedState", cim.Uint16(12)), "CreationClassName", "Name")
	vssd := f.add(virt, cim.NewInstance("CIM_VirtualSystemSettingData").Set("InstanceID", cim.String("vssd-"+id)).
		Set("ElementName", mustGet(req, "ElementName")), "InstanceID")
	for _, r := range instancesIn(in, "ResourceSettings") {
		f.addRASD(vssd, r)
	}
	f.assoc(virt, "CIM_HostedDependency", "Antecedent", f.hostOf(vsms), "Dependent", cs)
	f.assoc(virt, "CIM_SettingsDefineState", "ManagedElement", cs, "SettingData", vssd)
	f.assoc(virt, "CIM_ElementCapabilities", "ManagedElement", cs, "Capabilities", f.find("CIM_EnabledLogicalElementCapabilities").Path)
	state := uint16(7)
	if f.broken("job") {
		state = 10
	}
	job := f.add(virt, cim.NewInstance("CIM_ConcreteJob").Set("InstanceID", cim.String(f.next("job"))).Set("JobState", cim.Uint16(state)), "InstanceID")
	f.assoc(virt, "CIM_AffectedJobElement", "AffectedElement", cs, "AffectingElement", job)
	return cim.Uint32(4096), cim.Params{{Name: "Job", Value: cim.Ref(job)}, {Name: "ResultingSystem", Value: cim.Ref(cs)}}, nil
}

func (f *fake) addRASD(vssd cim.ObjectPath, req *cim.Instance) cim.ObjectPath {
	p := f.add(virt, req.Clone().Set("InstanceID", cim.String(f.next("rasd"))), "InstanceID")
	f.assoc(virt, "CIM_VirtualSystemSettingDataComponent", "GroupComponent", vssd, "PartComponent", p)
	return p
}

// remove deletes the objects at paths and the associations that refer to them.
func (f *fake) remove(paths ...cim.ObjectPath) {
	f.drop(func(o client.Object) bool {
		if containsPath(paths, o.Path) {
			return true
		}
		for _, pv := range o.Instance.Properties {
			if r, ok := pv.Value.AsRef(); ok && containsPath(paths, r) {
				return true
			}
		}
		return false
	})
}

func (f *fake) destroySystem(ctx context.Context, _ cim.ObjectPath, in cim.Params) (cim.Value, cim.Params, error) {
	cs := refIn(in, "AffectedSystem")
	if !f.isDefined(cs) {
		return code(5)
	}
	if f.broken("destroy") {
		return done()
	}
	gone := []cim.ObjectPath{cs}
	vssds, _ := f.AssociatorNames(ctx, cs, client.AssocFilter{AssocClass: "CIM_SettingsDefineState"})
	for _, v := range vssds {
		rasds, _ := f.AssociatorNames(ctx, v, client.AssocFilter{AssocClass: "CIM_VirtualSystemSettingDataComponent"})
		gone = append(append(gone, v), rasds...)
	}
	f.remove(gone...)
	return done()
}

// changeState moves a defined VM: 2 from 3 or 9, 9 from 2, 3 or 4 from 2
// or 9; anything else is 4097 Invalid State Transition. Broken, a pause
// answers 0 and changes nothing.
func (f *fake) changeState(ctx context.Context, p cim.ObjectPath, in cim.Params) (cim.Value, cim.Params, error) {
	inst, _ := f.GetInstance(ctx, p)
	v, _ := in.Get("RequestedState")
	want, _ := uintValue(v)
	cur, _ := uintProp(inst, "EnabledState")
	next := map[[2]uint64]uint64{{3, 2}: 2, {9, 2}: 2, {2, 9}: 9, {2, 3}: 3, {9, 3}: 3, {2, 4}: 3, {9, 4}: 3}[[2]uint64{cur, want}]
	switch {
	case next == 0:
		return code(4097)
	case want == 9 && f.broken("pause"):
		return done()
	}
	inst.Set("EnabledState", cim.Uint16(uint16(next)))
	return done()
}
