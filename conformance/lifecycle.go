package conformance

import (
	"context"
	"slices"
	"time"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/conformance/client"
)

// checkLifecycle defines a virtual system from the server's defaults,
// starts, pauses, resumes and shuts it down, and destroys it.
func checkLifecycle(ctx context.Context, t *T) {
	vm := defineTestVM(ctx, t)
	defer vm.cleanup(ctx, t)
	if st, _ := waitState(ctx, t.C, vm.path, 3, stateDeadline); st != 3 {
		t.Errorf("the defined VM %s has EnabledState %d, want 3 (Disabled)", vm.path, st)
	}
	supported := vm.statesSupported(ctx, t)
	if vm.request(ctx, t, supported, 2, 2, "start") {
		if vm.request(ctx, t, supported, 9, 9, "pause") {
			vm.request(ctx, t, supported, 2, 2, "resume")
		}
		vm.shutDown(ctx, t, supported)
	}
	vm.destroy(ctx, t)
}

// statesSupported returns the VM's RequestedStatesSupported (DSP1052 §7.4,
// CIM_EnabledLogicalElementCapabilities via CIM_ElementCapabilities).
func (vm *testVM) statesSupported(ctx context.Context, t *T) []uint64 {
	caps, err := t.C.Associators(ctx, vm.path, assocTo("CIM_ElementCapabilities", "CIM_EnabledLogicalElementCapabilities"))
	if err != nil || len(caps) == 0 {
		t.SkipStep("the state changes: %s has no CIM_EnabledLogicalElementCapabilities (%v)", vm.path, err)
		return nil
	}
	states, _ := uintsProp(caps[0].Instance, "RequestedStatesSupported")
	return states
}

// request asks for state with RequestStateChange and waits for
// EnabledState want. A state the capabilities (or the VM's
// AvailableRequestedStates, where it has them) do not list is a skipped
// step. It reports whether the VM reached want.
func (vm *testVM) request(ctx context.Context, t *T, supported []uint64, state, want uint64, what string) bool {
	if !slices.Contains(supported, state) {
		t.SkipStep("%s: RequestedState %d is not in RequestedStatesSupported %v", what, state, supported)
		return false
	}
	inst, err := t.C.GetInstance(ctx, vm.path)
	if err != nil {
		t.Errorf("%s: GetInstance %s: %v", what, vm.path, err)
		return false
	}
	if avail, ok := uintsProp(inst, "AvailableRequestedStates"); ok && len(avail) > 0 && !slices.Contains(avail, state) {
		t.SkipStep("%s: RequestedState %d is not in AvailableRequestedStates %v", what, state, avail)
		return false
	}
	return vm.change(ctx, t, state, want, stateDeadline, what)
}

// change calls RequestStateChange(state) and waits up to d for want.
func (vm *testVM) change(ctx context.Context, t *T, state, want uint64, d time.Duration, what string) bool {
	if _, err := call(ctx, t.C, vm.path, "RequestStateChange", cim.Params{{Name: "RequestedState", Value: cim.Uint16(uint16(state))}}); err != nil {
		t.Errorf("%s: %v", what, err)
		return false
	}
	got, err := waitState(ctx, t.C, vm.path, want, d)
	if err != nil || got != want {
		if d == stateDeadline {
			t.Errorf("%s: after RequestStateChange(%d) EnabledState is %d after %s, want %d (%v)", what, state, got, d, want, err)
		}
		return false
	}
	return true
}

// shutDown stops the running VM: 4 (Shut Down) where supported, then 3
// (Disabled, a hard power-off) if the guest ignored it; 3 alone otherwise.
func (vm *testVM) shutDown(ctx context.Context, t *T, supported []uint64) {
	if slices.Contains(supported, 4) && vm.change(ctx, t, 4, 3, shutdownDeadline, "shut down") {
		return
	}
	if !slices.Contains(supported, 3) {
		if !slices.Contains(supported, 4) {
			t.SkipStep("shut down: neither 3 nor 4 is in RequestedStatesSupported %v", supported)
		} else {
			t.Errorf("shut down: RequestStateChange(4) did not reach EnabledState 3 in %s, and 3 is not supported", shutdownDeadline)
		}
		return
	}
	vm.request(ctx, t, supported, 3, 3, "power off")
}

// destroy calls DestroySystem and checks that the VM is gone.
func (vm *testVM) destroy(ctx context.Context, t *T) {
	if _, err := call(ctx, t.C, vm.vsms, "DestroySystem", cim.Params{{Name: "AffectedSystem", Value: cim.Ref(vm.path)}}); err != nil {
		t.Errorf("%v", err)
		return
	}
	vm.gone = true
	if _, err := t.C.GetInstance(ctx, vm.path); client.StatusOf(err) != cim.ErrNotFound {
		t.Errorf("GetInstance of the destroyed %s: got %v, want CIM_ERR_NOT_FOUND", vm.path, err)
	}
}
