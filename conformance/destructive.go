package conformance

import (
	"context"
	"slices"

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
		if before != nil && after != nil && before.Str("EnabledState") != after.Str("EnabledState") {
			t.Errorf("EnabledState changed from %s to %s", before.Str("EnabledState"), after.Str("EnabledState"))
		}
	}
}
