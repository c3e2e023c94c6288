package virt

import (
	"fmt"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/backends/sim"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

func rsc(state uint16, timeout ...time.Duration) cim.Params {
	ps := cim.Params{{Name: "RequestedState", Value: cim.Uint16(state)}}
	for _, d := range timeout {
		ps = append(ps, cim.Param{Name: "TimeoutPeriod", Value: cim.DateTimeValue(cim.NewInterval(d))})
	}
	return ps
}

func TestRequestStateChange(t *testing.T) {
	running := func(f *fixture, id string) { f.start(0, id) }
	paused := func(f *fixture, id string) { f.start(0, id); f.host(0).VMs().Pause(f.ctx, id) }
	off := func(*fixture, string) {}
	tests := []struct {
		name    string
		setup   func(f *fixture, id string)
		params  cim.Params
		ret     uint32
		enabled uint16
	}{
		{"RequestStateChange(2) on a defined VM → 0, EnabledState 2", off, rsc(2), 0, 2},
		{"RequestStateChange(3) on a running VM → 0, EnabledState 3", running, rsc(3), 0, 3},
		{"RequestStateChange(4) on a running VM → 4096, job shuts it down, EnabledState 3", running, rsc(4), 4096, 3},
		{"RequestStateChange(4) with a TimeoutPeriod → 4096", running, rsc(4, time.Minute), 4096, 3},
		{"RequestStateChange(6) on a running VM → 4096, EnabledState 6", running, rsc(6), 4096, 6},
		{"RequestStateChange(2) on a saved VM restores it → EnabledState 2", func(f *fixture, id string) {
			running(f, id)
			f.host(0).VMs().Save(f.ctx, id)
		}, rsc(2), 0, 2},
		{"RequestStateChange(9) on a running VM → 0, EnabledState 9", running, rsc(9), 0, 9},
		{"RequestStateChange(2) on a paused VM resumes it → EnabledState 2", paused, rsc(2), 0, 2},
		{"RequestStateChange(3) on a paused VM → EnabledState 3", paused, rsc(3), 0, 3},
		{"RequestStateChange(10) on a running VM → 0, still 2", running, rsc(10), 0, 2},
		{"RequestStateChange(11) on a running VM → 0, still 2", running, rsc(11), 0, 2},
		{"RequestStateChange(2) on a running VM changes nothing → 0", running, rsc(2), 0, 2},
		{"RequestStateChange(5 No Change) → 0", running, rsc(5), 0, 2},
		{"RequestStateChange(9) on a defined VM → 4097 Invalid State Transition", off, rsc(9), 4097, 3},
		{"RequestStateChange(10) on a paused VM → 4097", paused, rsc(10), 4097, 9},
		{"RequestStateChange(6) on a defined VM → 4097", off, rsc(6), 4097, 3},
		{"RequestStateChange(3) with a TimeoutPeriod → 4098", running, rsc(3, time.Minute), 4098, 2},
		{"RequestStateChange(7 In Test) → 1 Not Supported", running, rsc(7), 1, 2},
		{"RequestStateChange(99) → 5 Invalid Parameter", running, rsc(99), 5, 2},
		{"RequestStateChange without RequestedState → 5", running, nil, 5, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, 1)
			vm := f.define(0, f.webSpec(0, "web01"))
			tt.setup(f, vm.UUID)
			ret, out := f.invoke(model.VMPath(vm.UUID), "RequestStateChange", tt.params)
			if ret != tt.ret {
				t.Fatalf("returned %d, want %d", ret, tt.ret)
			}
			if ret == 4096 {
				j := f.finish(out)
				if j.State != jobs.Completed || j.PercentComplete != 100 {
					t.Fatalf("job %v %d%% %s", j.State, j.PercentComplete, j.ErrorDescription)
				}
			}
			in := f.get(model.VMPath(vm.UUID))
			if got := uintOf(in, "EnabledState"); got != uint64(tt.enabled) {
				t.Fatalf("EnabledState %d, want %d", got, tt.enabled)
			}
			if ret == 0 && len(tt.params) > 0 && tt.params[0].Value.Raw() != uint16(5) && tt.params[0].Value.Raw() != uint16(2) {
				if got := uintOf(in, "RequestedState"); got != uint64(tt.params[0].Value.Raw().(uint16)) {
					t.Errorf("RequestedState %d", got)
				}
			}
		})
	}
}

func TestShutdownOfAGuestThatIgnoresItTimesOut(t *testing.T) {
	f := newFixture(t, 1)
	vm := f.define(0, f.webSpec(0, "web01"))
	f.start(0, vm.UUID)
	w := sim.DefaultWorkload()
	w.IgnoresShutdown = true
	if err := f.host(0).SetWorkload(vm.UUID, w); err != nil {
		t.Fatal(err)
	}
	_, out := f.invoke(model.VMPath(vm.UUID), "RequestStateChange", rsc(4, 30*time.Second))
	j := f.finish(out)
	if j.State != jobs.Exception || j.ErrorCode != 3 {
		t.Fatalf("job %v ErrorCode %d (%s), want Exception with 3 Timeout", j.State, j.ErrorCode, j.ErrorDescription)
	}
	if got := uintOf(f.get(model.VMPath(vm.UUID)), "EnabledState"); got != 2 {
		t.Fatalf("EnabledState %d: the VM should still run", got)
	}
}

func TestStateChangeFailuresMapToReturnCodes(t *testing.T) {
	tests := []struct {
		name string
		err  error
		ret  uint32
	}{
		{"host out of memory → 4 Failed", fmt.Errorf("start: %w", backends.ErrInsufficientResources), 4},
		{"VM busy migrating → 4099 Busy", fmt.Errorf("busy with migrate: %w", backends.ErrConflict), 4099},
		{"state changed under us → 4097", &backends.StateError{VM: "x", Op: "start", State: backends.StateRunning}, 4097},
		{"host unreachable → 4 Failed", backends.ErrUnavailable, 4},
		{"backend cannot → 1 Not Supported", backends.ErrUnsupported, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, 1)
			vm := f.define(0, f.webSpec(0, "web01"))
			fh := newFaultHost(f.host(0))
			f.inv.replace(f.host(0).ID(), fh)
			fh.failOn("start", tt.err)
			if ret, _ := f.invoke(model.VMPath(vm.UUID), "RequestStateChange", rsc(2)); ret != tt.ret {
				t.Fatalf("returned %d, want %d", ret, tt.ret)
			}
		})
	}
}

func TestPlanStateChangeCoversEveryState(t *testing.T) {
	for _, s := range []backends.State{backends.StateOff, backends.StateRunning, backends.StatePaused,
		backends.StateSaved, backends.StateShuttingDown, backends.StateCrashed} {
		for _, rs := range model.AvailableRequestedStates(s) {
			if op := planStateChange(s, rs); op == opInvalid || op == opNone {
				t.Errorf("state %s advertises %d but the plan is %d", s, rs, op)
			}
		}
	}
}
