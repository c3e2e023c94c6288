package backendtest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/backends"
)

type lifecycleOp func(ctx context.Context, m backends.VMManager, id string) error

var (
	opStart   lifecycleOp = func(ctx context.Context, m backends.VMManager, id string) error { return m.Start(ctx, id) }
	opStop    lifecycleOp = func(ctx context.Context, m backends.VMManager, id string) error { return m.Stop(ctx, id) }
	opPause   lifecycleOp = func(ctx context.Context, m backends.VMManager, id string) error { return m.Pause(ctx, id) }
	opResume  lifecycleOp = func(ctx context.Context, m backends.VMManager, id string) error { return m.Resume(ctx, id) }
	opReboot  lifecycleOp = func(ctx context.Context, m backends.VMManager, id string) error { return m.Reboot(ctx, id) }
	opReset   lifecycleOp = func(ctx context.Context, m backends.VMManager, id string) error { return m.Reset(ctx, id) }
	opSave    lifecycleOp = func(ctx context.Context, m backends.VMManager, id string) error { return m.Save(ctx, id) }
	opRestore lifecycleOp = func(ctx context.Context, m backends.VMManager, id string) error { return m.Restore(ctx, id) }
	opUndef   lifecycleOp = func(ctx context.Context, m backends.VMManager, id string) error { return m.Undefine(ctx, id) }
)

// inState defines a VM and drives it to state s.
func (f *fixture) inState(s backends.State) backends.VM {
	f.t.Helper()
	vm := f.define(f.spec())
	m := f.h.VMs()
	var path []lifecycleOp
	switch s {
	case backends.StateOff:
	case backends.StateRunning:
		path = []lifecycleOp{opStart}
	case backends.StatePaused:
		path = []lifecycleOp{opStart, opPause}
	case backends.StateSaved:
		path = []lifecycleOp{opStart, opSave}
	default:
		f.t.Fatalf("inState(%s) unsupported", s)
	}
	for _, op := range path {
		must(f.t, "drive to "+string(s), op(f.ctx, m, vm.UUID))
	}
	f.wantState(vm.UUID, s)
	return vm
}

func testLifecycle(t *testing.T, mk func(*testing.T) *fixture) {
	const (
		off, running, paused, saved = backends.StateOff, backends.StateRunning, backends.StatePaused, backends.StateSaved
	)
	saveCap := func(c backends.Capabilities) bool { return c.SaveRestore }
	tests := []struct {
		name string
		from backends.State
		op   lifecycleOp
		want backends.State // state afterwards when the op succeeds
		err  error          // expected error, if any
		cap  func(backends.Capabilities) bool
	}{
		{"Start of an off VM runs it", off, opStart, running, nil, nil},
		{"Start of a running VM → ErrConflict", running, opStart, running, backends.ErrConflict, nil},
		{"Stop of a running VM powers it off", running, opStop, off, nil, nil},
		{"Stop of an off VM → ErrConflict", off, opStop, off, backends.ErrConflict, nil},
		{"Stop of a paused VM powers it off", paused, opStop, off, nil, nil},
		{"Pause of a running VM pauses it", running, opPause, paused, nil, nil},
		{"Pause of an off VM → ErrConflict", off, opPause, off, backends.ErrConflict, nil},
		{"Pause of a paused VM → ErrConflict", paused, opPause, paused, backends.ErrConflict, nil},
		{"Resume of a paused VM runs it", paused, opResume, running, nil, nil},
		{"Resume of a running VM → ErrConflict", running, opResume, running, backends.ErrConflict, nil},
		{"Reset of a running VM keeps it running", running, opReset, running, nil, nil},
		{"Reset of an off VM → ErrConflict", off, opReset, off, backends.ErrConflict, nil},
		{"Reboot of an off VM → ErrConflict", off, opReboot, off, backends.ErrConflict, nil},
		{"Undefine of a running VM → ErrConflict", running, opUndef, running, backends.ErrConflict, nil},
		{"Undefine of a paused VM → ErrConflict", paused, opUndef, paused, backends.ErrConflict, nil},
		{"Save of a running VM keeps its image", running, opSave, saved, nil, saveCap},
		{"Save of an off VM → ErrConflict", off, opSave, off, backends.ErrConflict, saveCap},
		{"Restore of a saved VM runs it", saved, opRestore, running, nil, saveCap},
		{"Restore of a running VM → ErrConflict", running, opRestore, running, backends.ErrConflict, saveCap},
		{"Start of a saved VM restores it", saved, opStart, running, nil, saveCap},
		{"Save of a paused VM keeps its image", paused, opSave, saved, nil, saveCap},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mk(t)
			if tt.cap != nil && !tt.cap(f.info.Caps) {
				t.Skip("host declares it cannot save and restore")
			}
			vm := f.inState(tt.from)
			err := tt.op(f.ctx, f.h.VMs(), vm.UUID)
			if tt.err == nil {
				must(t, tt.name, err)
			} else {
				wantErr(t, tt.name, err, tt.err)
				var se *backends.StateError
				if !errors.As(err, &se) || se.State != tt.from {
					t.Fatalf("error %v is not a *StateError with state %s", err, tt.from)
				}
			}
			f.wantState(vm.UUID, tt.want)
		})
	}
	t.Run("Reboot of a running VM leaves it running or refuses as unsupported", func(t *testing.T) {
		f := mk(t)
		vm := f.inState(running)
		if err := f.h.VMs().Reboot(f.ctx, vm.UUID); err != nil && !errors.Is(err, backends.ErrUnsupported) {
			t.Fatalf("Reboot: %v", err)
		}
		f.wantState(vm.UUID, running)
	})
	testShutdown(t, mk)
	t.Run("Stopped VM reports why it stopped", func(t *testing.T) {
		f := mk(t)
		vm := f.inState(running)
		must(t, "Stop", f.h.VMs().Stop(f.ctx, vm.UUID))
		if got := f.get(vm.UUID); got.Reason != backends.ReasonDestroyed {
			t.Fatalf("reason after Stop = %q, want %q", got.Reason, backends.ReasonDestroyed)
		}
	})
}

func testShutdown(t *testing.T, mk func(*testing.T) *fixture) {
	t.Run("Shutdown powers the VM off or times out leaving it up", func(t *testing.T) {
		f := mk(t)
		vm := f.inState(backends.StateRunning)
		err := f.h.VMs().Shutdown(f.ctx, vm.UUID, 2*time.Second)
		got := f.get(vm.UUID)
		switch {
		case err == nil && got.State == backends.StateOff:
			if got.Reason != backends.ReasonShutdown {
				t.Fatalf("reason after Shutdown = %q, want %q", got.Reason, backends.ReasonShutdown)
			}
		case errors.Is(err, context.DeadlineExceeded) && got.State.Active():
			must(t, "Stop after a shutdown timeout", f.h.VMs().Stop(f.ctx, vm.UUID))
		default:
			t.Fatalf("Shutdown = %v with the VM %s", err, got.State)
		}
	})
	t.Run("Shutdown with no timeout only sends the request", func(t *testing.T) {
		f := mk(t)
		vm := f.inState(backends.StateRunning)
		must(t, "Shutdown", f.h.VMs().Shutdown(f.ctx, vm.UUID, 0))
		if s := f.get(vm.UUID).State; s != backends.StateRunning && s != backends.StateShuttingDown && s != backends.StateOff {
			t.Fatalf("state after a shutdown request = %s", s)
		}
	})
	t.Run("Shutdown of an off VM → ErrConflict", func(t *testing.T) {
		f := mk(t)
		vm := f.inState(backends.StateOff)
		wantErr(t, "Shutdown", f.h.VMs().Shutdown(f.ctx, vm.UUID, time.Second), backends.ErrConflict)
	})
}
