package virt

import (
	"slices"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// TestLifecycleThroughTheDispatcher defines a VM, starts, pauses, resumes,
// shuts down and destroys it, all through CIM operations, and checks its
// EnabledState after each step.
func TestLifecycleThroughTheDispatcher(t *testing.T) {
	f := newFixture(t, 2)
	h := f.host(1).ID()
	j, out := f.invokeJob(model.VSMSPath(h), "DefineSystem", defineParams(vssdRequest("app01"),
		procRequest(2), memRequest(1), newDiskRequest(h, "san", 10), nicRequest("external")))
	if j.State != jobs.Completed {
		t.Fatalf("define: %v %s", j.State, j.ErrorDescription)
	}
	vm := model.VMPath(resultingSystem(t, out))
	jobInst := f.get(f.jobs.Path(j.ID))
	if jo, _ := jobInst.Get("JobOutParameters"); jo.AsInstance() == nil || jo.AsInstance().Str("ResultingSystem") != vm.String() {
		t.Fatalf("JobOutParameters %v", jo)
	}
	steps := []struct {
		name    string
		state   uint16
		async   bool
		enabled uint16
	}{
		{"start", 2, false, 2},
		{"pause", 9, false, 9},
		{"resume", 2, false, 2},
		{"shut down", 4, true, 3},
	}
	for _, s := range steps {
		ret, out := f.invoke(vm, "RequestStateChange", rsc(s.state))
		switch {
		case s.async && ret == 4096:
			if j := f.finish(out); j.State != jobs.Completed || j.PercentComplete != 100 {
				t.Fatalf("%s: job %v %d%%", s.name, j.State, j.PercentComplete)
			}
		case s.async || ret != 0:
			t.Fatalf("%s returned %d", s.name, ret)
		}
		if got := uintOf(f.get(vm), "EnabledState"); got != uint64(s.enabled) {
			t.Fatalf("after %s EnabledState %d, want %d", s.name, got, s.enabled)
		}
	}
	j, _ = f.invokeJob(model.VSMSPath(h), "DestroySystem", cim.Params{{Name: "AffectedSystem", Value: cim.Ref(vm)}})
	if j.State != jobs.Completed {
		t.Fatalf("destroy: %v", j.State)
	}
	if _, err := f.d.GetInstance(f.ctx, ns, vm, cimom.InstanceOptions{}); cim.StatusOf(err) != cim.ErrNotFound {
		t.Fatalf("destroyed VM: %v", err)
	}
}

func TestProfilesAreRegisteredWithTheirCentralInstances(t *testing.T) {
	f := newFixture(t, 2)
	vm := f.define(0, f.webSpec(0, "web01"))
	var names []string
	for _, rp := range enumerateDeepIn(f, cimom.InteropNamespace, "CIM_RegisteredProfile") {
		names = append(names, rp.Str("RegisteredName")+" "+rp.Str("RegisteredVersion"))
	}
	for _, want := range []string{"System Virtualization 1.0.0", "Virtual System 1.0.0", "Resource Allocation 1.1.0",
		"Allocation Capabilities 1.0.0", "Generic Device Resource Virtualization 1.0.0", "Processor Resource Virtualization 1.0.0",
		"Memory Resource Virtualization 1.0.0", "Storage Resource Virtualization 1.0.0",
		"Ethernet Port Resource Virtualization 1.0.0", "Job Control 1.0.0"} {
		if !slices.Contains(names, want) {
			t.Errorf("profile %q not registered (have %v)", want, names)
		}
	}
	profile := func(id string) cim.ObjectPath {
		return cim.NewInstancePath(cimom.InteropNamespace, "Ferrum_RegisteredProfile",
			cim.KeyBinding{Name: "InstanceID", Value: cim.String("Ferrum:" + id)})
	}
	central := func(id string) []string {
		var out []string
		err := f.d.AssociatorNames(f.ctx, cimom.InteropNamespace, profile(id),
			cimom.AssocFilter{AssocClass: "CIM_ElementConformsToProfile"}, func(p cim.ObjectPath) bool {
				out = append(out, p.Canonical())
				return true
			})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(out)
		return out
	}
	if got := central(ProfileSystemVirtualization); !slices.Equal(got, canon(model.HostPath(f.host(0).ID()), model.HostPath(f.host(1).ID()))) {
		t.Errorf("DSP1042 central instances %v", got)
	}
	if got := central(ProfileVirtualSystem); !slices.Equal(got, canon(model.VMPath(vm.UUID))) {
		t.Errorf("DSP1057 central instances %v", got)
	}
	var refs []string
	err := f.d.AssociatorNames(f.ctx, cimom.InteropNamespace, profile(ProfileSystemVirtualization),
		cimom.AssocFilter{AssocClass: "CIM_ReferencedProfile", ResultRole: "Antecedent"}, func(p cim.ObjectPath) bool {
			refs = append(refs, model.InstanceIDOf(p))
			return true
		})
	if err != nil || len(refs) != 9 {
		t.Fatalf("DSP1042 references %v, %v", refs, err)
	}
	// from the VM back to its profile, across namespaces
	var back []string
	f.d.AssociatorNames(f.ctx, ns, model.VMPath(vm.UUID), cimom.AssocFilter{AssocClass: "CIM_ElementConformsToProfile"}, func(p cim.ObjectPath) bool {
		back = append(back, model.InstanceIDOf(p))
		return true
	})
	if !slices.Equal(back, []string{"Ferrum:" + ProfileVirtualSystem}) {
		t.Errorf("VM conforms to %v", back)
	}
}
