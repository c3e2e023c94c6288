package conformance

import (
	"context"
	"slices"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/conformance/client"
)

// destructiveChecks change server state; they run only with
// Options.Destructive and put back what they change.
func destructiveChecks() []Check {
	return []Check{
		{Profile: "DSP1057", Name: "RequestStateChange refuses a state outside RequestedStatesSupported", Destructive: true,
			Requirement: "DSP1052 §7.4.1: RequestStateChange with a state not in RequestedStatesSupported does not return 0 (and changes nothing)",
			Run:         checkUnsupportedState},
		{Profile: "DSP1057", Name: "virtual system lifecycle: define, start, pause, resume, shut down, destroy", Destructive: true,
			Requirement: "DSP1042 §8 DefineSystem()/DestroySystem() (0, or 4096 and a Job, DSP1103) with the DSP1043 §7 default RASDs; DSP1057 / DSP1052 §8 RequestStateChange() 2, 9, 2, 4 or 3 reach EnabledState 2, 9, 2, 3; a destroyed system is CIM_ERR_NOT_FOUND",
			Run:         checkLifecycle},
		{Profile: "DSP1042", Name: "resource settings added, modified and removed", Destructive: true,
			Requirement: "DSP1042 §8: AddResourceSettings(), ModifyResourceSettings() and RemoveResourceSettings() change the RASDs aggregated by the VSSD (CIM_VirtualSystemSettingDataComponent)",
			Run:         checkResources},
		{Profile: "DSP1081", Name: "CheckVirtualSystemIsMigratableToHost answers IsMigratable", Destructive: true,
			Requirement: "DSP1081 §8: CheckVirtualSystemIsMigratableToHost() of a defined virtual system to another host returns 0 with a boolean IsMigratable",
			Run:         checkMigratable},
		{Profile: "Snapshot", Name: "snapshot created, applied and destroyed", Destructive: true,
			Requirement: "CIM Schema Core Virtualization (no DSP number), CIM_VirtualSystemSnapshotService: CreateSnapshot (SnapshotType 2) gives a CIM_VirtualSystemSettingData linked by CIM_SnapshotOfVirtualSystem; ApplySnapshot and DestroySnapshot return 0 or 4096 and complete; a destroyed snapshot is CIM_ERR_NOT_FOUND",
			Run:         checkSnapshot},
		{Profile: "DSP1057", Name: "RequestStateChange of an absent virtual system → CIM_ERR_NOT_FOUND", Destructive: true,
			Requirement: "DSP0200 (extrinsic method invocation) / DSP0227: a method on an instance that does not exist is CIM_ERR_NOT_FOUND (wsa:DestinationUnreachable)",
			Run:         checkAbsentSystem},
		{Profile: "DSP1042", Name: "DefineSystem with a malformed SystemSettings is refused", Destructive: true,
			Requirement: "DSP1042 §8 DefineSystem(): DefineSystem with a SystemSettings that is no embedded VSSD does not return 0 or 4096 (and defines nothing)",
			Run:         checkMalformedDefine},
	}
}

// checkAbsentSystem calls RequestStateChange on the name of a virtual
// system that does not exist.
func checkAbsentSystem(ctx context.Context, t *T) {
	p := central(t, "DSP1057", 1)[0]
	keys := make([]cim.KeyBinding, len(p.Keys))
	for i, k := range p.Keys {
		keys[i] = k
		if strings.EqualFold(k.Name, "Name") {
			keys[i].Value = cim.String(uniqueName())
		}
	}
	p.Keys = keys
	_, _, err := t.C.InvokeMethod(ctx, p, "RequestStateChange", cim.Params{{Name: "RequestedState", Value: cim.Uint16(2)}})
	if st := client.StatusOf(err); st != cim.ErrNotFound {
		t.Errorf("RequestStateChange on %s: got %v, want CIM_ERR_NOT_FOUND", p, err)
	}
}

// checkMalformedDefine calls DefineSystem with the default RASDs but a
// SystemSettings that does not parse as an instance.
func checkMalformedDefine(ctx context.Context, t *T) {
	host, vsms := virtHost(ctx, t)
	in := defineRequest(ctx, t, host, uniqueName())
	in[0].Value = cim.String(`<INSTANCE CLASSNAME="CIM_VirtualSystemSettingData"><PROPERTY NAME=`)
	res, err := call(ctx, t.C, vsms, "DefineSystem", in)
	if err != nil {
		return
	}
	t.Errorf("DefineSystem with a malformed SystemSettings returned %d", res.RC)
	if p, ok := outRef(ctx, t.C, res, "ResultingSystem", "CIM_ComputerSystem"); ok {
		(&testVM{host: host, vsms: vsms, path: p, name: "the malformed one"}).cleanup(ctx, t)
	}
}

func checkUnsupportedState(ctx context.Context, t *T) {
	for _, vm := range central(t, "DSP1057", 1) {
		caps, err := t.C.Associators(ctx, vm, assocTo("CIM_ElementCapabilities", "CIM_EnabledLogicalElementCapabilities"))
		if err != nil || len(caps) == 0 {
			t.Skipf("no EnabledLogicalElementCapabilities for %s", vm)
		}
		supported, _ := uintsProp(caps[0].Instance, "RequestedStatesSupported")
		var bad uint64
		for _, s := range []uint64{7, 8, 6, 11, 10} { // Test, Deferred, Offline, Reset, Reboot
			if !slices.Contains(supported, s) {
				bad = s
				break
			}
		}
		if bad == 0 {
			t.Skipf("every probed state is supported")
		}
		before, _ := t.C.GetInstance(ctx, vm)
		rv, _, err := t.C.InvokeMethod(ctx, vm, "RequestStateChange", cim.Params{{Name: "RequestedState", Value: cim.Uint16(uint16(bad))}})
		if err == nil {
			if n, ok := uintValue(rv); ok && n == 0 {
				t.Errorf("RequestStateChange(%d) returned 0 although RequestedStatesSupported is %v", bad, supported)
			}
		} else if client.StatusOf(err) == cim.ErrFailed {
			t.Errorf("RequestStateChange(%d): %v", bad, err)
		}
		after, _ := t.C.GetInstance(ctx, vm)
		if before != nil && after != nil && propText(before, "EnabledState") != propText(after, "EnabledState") {
			t.Errorf("EnabledState changed from %s to %s", propText(before, "EnabledState"), propText(after, "EnabledState"))
		}
	}
}
