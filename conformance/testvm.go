package conformance

import (
	"context"
	"crypto/rand"
	"encoding/hex"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/conformance/client"
)

// A testVM is a virtual system that a destructive check defined; its
// cleanup destroys it, so that the server is left as it was found.
type testVM struct {
	host, vsms cim.ObjectPath
	path       cim.ObjectPath // DefineSystem's ResultingSystem
	name       string
	gone       bool // destroyed by the check itself
}

// uniqueName returns "conformance-" and 8 random hex digits.
func uniqueName() string {
	b := make([]byte, 4)
	rand.Read(b)
	return "conformance-" + hex.EncodeToString(b)
}

// virtHost returns the first DSP1042 host with a
// CIM_VirtualSystemManagementService (DSP1042 §7.2, CIM_HostedService).
func virtHost(ctx context.Context, t *T) (host, vsms cim.ObjectPath) {
	for _, h := range central(t, "DSP1042", 4) {
		svcs, err := t.C.AssociatorNames(ctx, h, assocTo("CIM_HostedService", "CIM_VirtualSystemManagementService"))
		if err == nil && len(svcs) > 0 {
			return h, svcs[0]
		}
	}
	t.Fatalf("no DSP1042 host has a CIM_VirtualSystemManagementService via CIM_HostedService")
	return
}

// hostedService returns the service of class hosted on host, or any of
// the profile's central services.
func hostedService(ctx context.Context, t *T, host cim.ObjectPath, class string, central []cim.ObjectPath) cim.ObjectPath {
	if svcs, err := t.C.AssociatorNames(ctx, host, assocTo("CIM_HostedService", class)); err == nil && len(svcs) > 0 {
		return svcs[0]
	}
	return central[0]
}

// vssdTemplate returns a VSSD request of the class the server uses for its
// virtual systems (that of an existing one's state VSSD, by
// CIM_SettingsDefineState) with its VirtualSystemType, else a
// CIM_VirtualSystemSettingData.
func vssdTemplate(ctx context.Context, t *T, name string) *cim.Instance {
	out := cim.NewInstance("CIM_VirtualSystemSettingData")
	if p := t.D.Profile("DSP1057"); p != nil {
		for _, vm := range p.Central {
			vssds, err := t.C.Associators(ctx, vm, assocTo("CIM_SettingsDefineState", "CIM_VirtualSystemSettingData"))
			if err == nil && len(vssds) > 0 {
				out = cim.NewInstance(vssds[0].Instance.ClassName)
				if vst := vssds[0].Instance.Str("VirtualSystemType"); vst != "" {
					out.Set("VirtualSystemType", cim.String(vst))
				}
				break
			}
		}
	}
	return out.Set("ElementName", cim.String(name))
}

// defineRequest builds DefineSystem's parameters the DMTF way: a VSSD named
// name and the default processor and memory RASDs of host's pools (DSP1043).
func defineRequest(ctx context.Context, t *T, host cim.ObjectPath, name string) cim.Params {
	var rasds []*cim.Instance
	for _, rt := range []uint64{3, 4} {
		r, err := defaultRASD(ctx, t.C, host, rt)
		if err != nil {
			t.Fatalf("the default RASD of ResourceType %d: %v", rt, err)
		}
		rasds = append(rasds, r)
	}
	return cim.Params{{Name: "SystemSettings", Value: cim.Embedded(vssdTemplate(ctx, t, name))},
		{Name: "ResourceSettings", Value: embeddedArray(rasds...)}}
}

// embeddedArray is an array of embedded instances.
func embeddedArray(ins ...*cim.Instance) cim.Value {
	elems := make([]any, len(ins))
	for i, in := range ins {
		elems[i] = in
	}
	v, _ := cim.NewArray(cim.TypeInstance, elems)
	return v
}

// defineTestVM defines a virtual system with DefineSystem (DSP1042 §8)
// and checks that ResultingSystem exists. The caller defers its cleanup.
func defineTestVM(ctx context.Context, t *T) *testVM {
	vm := &testVM{name: uniqueName()}
	vm.host, vm.vsms = virtHost(ctx, t)
	res, err := call(ctx, t.C, vm.vsms, "DefineSystem", defineRequest(ctx, t, vm.host, vm.name))
	if err != nil {
		t.Fatalf("%v", err)
	}
	p, ok := outRef(ctx, t.C, res, "ResultingSystem", "CIM_ComputerSystem")
	if !ok {
		t.Fatalf("DefineSystem succeeded without a ResultingSystem (output or the job's CIM_AffectedJobElement)")
	}
	vm.path = p
	if _, err := t.C.GetInstance(ctx, p); err != nil {
		t.Fatalf("GetInstance of ResultingSystem %s: %v", p, err)
	}
	return vm
}

// cleanup powers the VM off if it is not and destroys it, reporting what
// fails; it does nothing when the VM is already gone.
func (vm *testVM) cleanup(ctx context.Context, t *T) {
	if vm == nil || vm.gone {
		return
	}
	inst, err := t.C.GetInstance(ctx, vm.path)
	if client.StatusOf(err) == cim.ErrNotFound {
		return
	}
	if st, _ := uintProp(inst, "EnabledState"); err == nil && st != 3 {
		call(ctx, t.C, vm.path, "RequestStateChange", cim.Params{{Name: "RequestedState", Value: cim.Uint16(3)}})
		waitState(ctx, t.C, vm.path, 3, stateDeadline)
	}
	if _, err := call(ctx, t.C, vm.vsms, "DestroySystem", cim.Params{{Name: "AffectedSystem", Value: cim.Ref(vm.path)}}); err != nil {
		t.Errorf("cleanup: the test VM %s (%s) is left behind: %v", vm.name, vm.path, err)
	}
}

// vssd returns the VM's state VSSD (DSP1057 §7.3, CIM_SettingsDefineState).
func (vm *testVM) vssd(ctx context.Context, t *T) cim.ObjectPath {
	vssds, err := t.C.AssociatorNames(ctx, vm.path, assocTo("CIM_SettingsDefineState", "CIM_VirtualSystemSettingData"))
	if err != nil || len(vssds) == 0 {
		t.Fatalf("%s: no VSSD via CIM_SettingsDefineState (%v)", vm.path, err)
	}
	return vssds[0]
}

// rasds returns the RASDs of vssd (DSP1057 §7.4,
// CIM_VirtualSystemSettingDataComponent).
func rasdsOf(ctx context.Context, t *T, vssd cim.ObjectPath) []client.Object {
	objs, err := t.C.Associators(ctx, vssd, assocTo("CIM_VirtualSystemSettingDataComponent", "CIM_ResourceAllocationSettingData"))
	if err != nil {
		t.Fatalf("Associators %s via CIM_VirtualSystemSettingDataComponent: %v", vssd, err)
	}
	return objs
}

// ofType returns the objects whose ResourceType is rt.
func ofType(objs []client.Object, rt uint64) []client.Object {
	var out []client.Object
	for _, o := range objs {
		if n, _ := uintProp(o.Instance, "ResourceType"); n == rt {
			out = append(out, o)
		}
	}
	return out
}
