package sim_test

import (
	"context"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/backends/sim"
)

// manual returns a data center whose clock moves only when the test says.
func manual(t *testing.T) (*sim.DataCenter, *sim.Clock) {
	clk := sim.NewClock(sim.Epoch)
	clk.SetAutoAdvance(false)
	return newDC(t, sim.Config{Clock: clk}), clk
}

// waitState polls (in real time, briefly) until the VM reaches want.
func waitState(t *testing.T, h *sim.Host, id string, want backends.State) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if vm, _ := h.VMs().Get(t.Context(), id); vm.State == want {
			return
		}
		time.Sleep(time.Millisecond)
	}
	vm, _ := h.VMs().Get(t.Context(), id)
	t.Fatalf("vm %s is %s, want %s", id, vm.State, want)
}

func TestShutdownTakesTheGuestsTime(t *testing.T) {
	dc, clk := manual(t)
	h := dc.Host(0)
	vm := start(t, h, backends.VMSpec{Name: "a", VCPUs: 1, MemoryMiB: 512})
	done := make(chan error, 1)
	t0 := clk.Now()
	go func() { done <- h.VMs().Shutdown(context.Background(), vm.UUID, time.Minute) }()
	waitState(t, h, vm.UUID, backends.StateShuttingDown)
	clk.Advance(sim.DefaultWorkload().ShutdownDelay - time.Second)
	if got, _ := h.VMs().Get(t.Context(), vm.UUID); got.State != backends.StateShuttingDown {
		t.Fatalf("guest off before its shutdown delay: %s", got.State)
	}
	clk.Advance(time.Second)
	ok(t, <-done)
	got, _ := h.VMs().Get(t.Context(), vm.UUID)
	if got.State != backends.StateOff || got.Reason != backends.ReasonShutdown ||
		got.Since.Sub(t0) != sim.DefaultWorkload().ShutdownDelay {
		t.Fatalf("after shutdown: %s (%s) at +%v", got.State, got.Reason, got.Since.Sub(t0))
	}
}

func TestShutdownHonoursTheTimeout(t *testing.T) {
	tests := []struct {
		name      string
		workload  func(*sim.Workload)
		wantState backends.State
	}{
		{"a guest that ignores ACPI stays running", func(w *sim.Workload) { w.IgnoresShutdown = true },
			backends.StateRunning},
		{"a slow guest is still shutting down", func(w *sim.Workload) { w.ShutdownDelay = time.Hour },
			backends.StateShuttingDown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dc := newDC(t, sim.Config{}) // auto-advancing: the timeout costs no real time
			h := dc.Host(0)
			vm := start(t, h, backends.VMSpec{Name: "a", VCPUs: 1, MemoryMiB: 512})
			w := sim.DefaultWorkload()
			tt.workload(&w)
			ok(t, h.SetWorkload(vm.UUID, w))
			t0 := dc.Clock().Now()
			err := h.VMs().Shutdown(t.Context(), vm.UUID, 30*time.Second)
			wantIs(t, err, context.DeadlineExceeded)
			if waited := dc.Clock().Now().Sub(t0); waited != 30*time.Second {
				t.Fatalf("waited %v of virtual time, want the 30 s timeout", waited)
			}
			got, _ := h.VMs().Get(t.Context(), vm.UUID)
			if got.State != tt.wantState {
				t.Fatalf("state %s, want %s", got.State, tt.wantState)
			}
			ok(t, h.VMs().Stop(t.Context(), vm.UUID))
			dc.Advance(2 * time.Hour) // a cancelled power-off must not fire later
			if got, _ := h.VMs().Get(t.Context(), vm.UUID); got.Reason != backends.ReasonDestroyed {
				t.Fatalf("reason %s after Stop, want destroyed", got.Reason)
			}
		})
	}
}

func TestShutdownWaitEndsWithItsContext(t *testing.T) {
	dc, _ := manual(t)
	h := dc.Host(0)
	vm := start(t, h, backends.VMSpec{Name: "a", VCPUs: 1, MemoryMiB: 512})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- h.VMs().Shutdown(ctx, vm.UUID, time.Minute) }()
	waitState(t, h, vm.UUID, backends.StateShuttingDown)
	cancel()
	wantIs(t, <-done, context.Canceled)
}

func TestRebootOfAGuestIgnoringACPIIsUnsupported(t *testing.T) {
	h := newDC(t, sim.Config{}).Host(0)
	vm := start(t, h, backends.VMSpec{Name: "a", VCPUs: 1, MemoryMiB: 512})
	w := sim.DefaultWorkload()
	w.IgnoresShutdown = true
	ok(t, h.SetWorkload(vm.UUID, w))
	wantIs(t, h.VMs().Reboot(t.Context(), vm.UUID), backends.ErrUnsupported)
}

func TestGraphicsPortsAreAssignedWhileRunning(t *testing.T) {
	h := newDC(t, sim.Config{}).Host(0)
	ctx := t.Context()
	vnc := func(port int) *backends.Graphics { return &backends.Graphics{Type: backends.GraphicsVNC, Port: port} }
	a := start(t, h, backends.VMSpec{Name: "a", VCPUs: 1, MemoryMiB: 512, Graphics: vnc(0)})
	b := start(t, h, backends.VMSpec{Name: "b", VCPUs: 1, MemoryMiB: 512, Graphics: vnc(0)})
	ga, _ := h.VMs().Get(ctx, a.UUID)
	gb, _ := h.VMs().Get(ctx, b.UUID)
	if ga.Graphics.Port != 5900 || gb.Graphics.Port != 5901 {
		t.Fatalf("ports %d, %d; want 5900, 5901", ga.Graphics.Port, gb.Graphics.Port)
	}
	ok(t, h.VMs().Stop(ctx, a.UUID))
	if g, _ := h.VMs().Get(ctx, a.UUID); g.Graphics.Port != 0 {
		t.Fatalf("stopped VM keeps port %d", g.Graphics.Port)
	}
	fixed, err := h.VMs().Define(ctx, backends.VMSpec{Name: "c", VCPUs: 1, MemoryMiB: 512, Graphics: vnc(5901)})
	ok(t, err)
	wantIs(t, h.VMs().Start(ctx, fixed.UUID), backends.ErrConflict)
}

func TestHostFailureCrashesGuestsUntilRepair(t *testing.T) {
	h := newDC(t, sim.Config{}).Host(0)
	ctx := t.Context()
	vm := start(t, h, backends.VMSpec{Name: "a", VCPUs: 1, MemoryMiB: 512})
	sub, err := h.Events(ctx)
	ok(t, err)
	h.Fail("power supply lost")
	_, err = h.VMs().Get(ctx, vm.UUID)
	wantIs(t, err, backends.ErrUnavailable)
	_, err = h.Info(ctx)
	wantIs(t, err, backends.ErrUnavailable)
	if e := <-sub.Events(); e.Type != backends.EventCrashed || e.Reason != backends.ReasonHostDown {
		t.Fatalf("first event %v, want the guest crashed", e)
	}
	if e := <-sub.Events(); e.Type != backends.EventHostAlert || e.Alert.Severity != backends.SeverityCritical {
		t.Fatalf("second event %v, want a critical alert", e)
	}
	h.Repair()
	got, err := h.VMs().Get(ctx, vm.UUID)
	ok(t, err)
	if got.State != backends.StateCrashed {
		t.Fatalf("after repair: %s", got.State)
	}
	ok(t, h.VMs().Start(ctx, vm.UUID))
}

func TestSlowSubscriberNeverBlocksTheSimulator(t *testing.T) {
	h := newDC(t, sim.Config{}).Host(0)
	ctx := t.Context()
	sub, err := h.Events(ctx) // never read
	ok(t, err)
	vm := start(t, h, backends.VMSpec{Name: "a", VCPUs: 1, MemoryMiB: 512})
	for range backends.DefaultEventBuffer {
		ok(t, h.VMs().Pause(ctx, vm.UUID))
		ok(t, h.VMs().Resume(ctx, vm.UUID))
	}
	if want := uint64(2 + 2*backends.DefaultEventBuffer - backends.DefaultEventBuffer); sub.Dropped() != want {
		t.Fatalf("dropped %d events, want %d", sub.Dropped(), want)
	}
	if e := <-sub.Events(); e.Type != backends.EventDefined || e.Seq != 1 {
		t.Fatalf("oldest kept event %v, want #1 defined", e)
	}
}
