package jobs

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

func TestJobOutcomes(t *testing.T) {
	tests := []struct {
		name     string
		finish   func(m *Manager, id string, g *gate)
		state    State
		opStatus []uint16
		code     uint16
		undone   []string
	}{
		{"work that succeeds → Completed, 100%, {2,17}, no undo", func(m *Manager, id string, g *gate) { g.release <- nil },
			Completed, []uint16{2, 17}, 0, nil},
		{"work that fails → undo in reverse, Exception, {6,17}, ErrorCode from the error",
			func(m *Manager, id string, g *gate) { g.release <- codedError{4, errBackend} },
			Exception, []uint16{6, 17}, 4, []string{"delete vm", "delete disk"}},
		{"work that fails with a plain error → ErrorCode 1 (CIM_ERR_FAILED)",
			func(m *Manager, id string, g *gate) { g.release <- errBackend },
			Exception, []uint16{6, 17}, 1, []string{"delete vm", "delete disk"}},
		{"Stop(terminate) while running → undo, Terminated",
			func(m *Manager, id string, g *gate) { _ = m.Stop(id, false) },
			Terminated, []uint16{6, 17}, 1, []string{"delete vm", "delete disk"}},
		{"Stop(kill) while running → undo, Killed",
			func(m *Manager, id string, g *gate) { _ = m.Stop(id, true) },
			Killed, []uint16{6, 17}, 1, []string{"delete vm", "delete disk"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newManager(t, nil, newFakeClock(), 2)
			g := newGate()
			j, err := m.Start(as("alice"), Spec{Name: "DefineSystem", VM: "web01"}, g.work("delete disk", "delete vm"))
			if err != nil {
				t.Fatal(err)
			}
			if j.State != New || j.Owner != "alice" || !j.DeleteOnCompletion {
				t.Fatalf("submitted job %+v", j)
			}
			<-g.started
			if got, _ := m.Get(j.ID); got.State != Running || got.PercentComplete != 40 || got.Started.IsZero() {
				t.Fatalf("running job: state %v, %d%%", got.State, got.PercentComplete)
			}
			tt.finish(m, j.ID, g)
			done := wait(t, m, j.ID)
			if done.State != tt.state {
				t.Fatalf("state %v, want %v (%s)", done.State, tt.state, done.ErrorDescription)
			}
			inst := done.instance("Ferrum_ConcreteJob", time.Now())
			os, _ := inst.Get("OperationalStatus")
			if !slices.Equal(u16s(os), tt.opStatus) {
				t.Errorf("OperationalStatus %v, want %v", u16s(os), tt.opStatus)
			}
			if done.ErrorCode != tt.code {
				t.Errorf("ErrorCode %d, want %d", done.ErrorCode, tt.code)
			}
			if !slices.Equal(g.undoOrder(), tt.undone) {
				t.Errorf("undo steps run %v, want %v", g.undoOrder(), tt.undone)
			}
			if tt.state == Completed {
				if done.PercentComplete != 100 {
					t.Errorf("PercentComplete %d", done.PercentComplete)
				}
				if v, _ := done.Out.Get(ReturnValueParam); v.Raw() != uint32(0) {
					t.Errorf("__ReturnValue %v", v)
				}
				if len(done.Errors) != 0 || done.ErrorDescription != "" {
					t.Errorf("errors on success: %v %q", done.Errors, done.ErrorDescription)
				}
			} else if len(done.Errors) != 1 || done.Errors[0].ClassName != "CIM_Error" {
				t.Errorf("Errors %v", done.Errors)
			}
		})
	}
}

func TestFailedUndoStepIsReportedAndKeptPending(t *testing.T) {
	m := newManager(t, nil, newFakeClock(), 1)
	j, _ := m.Start(context.Background(), Spec{Name: "DefineSystem"}, func(ctx context.Context, p *Progress) (cim.Params, error) {
		p.Undo("delete volume san/web01-vda", func(context.Context) error { return errors.New("volume busy") })
		return nil, errBackend
	})
	done := wait(t, m, j.ID)
	if done.State != Exception || len(done.Errors) != 2 {
		t.Fatalf("state %v, %d errors", done.State, len(done.Errors))
	}
	if msg := done.Errors[1].Str("Message"); !strings.Contains(msg, "volume busy") {
		t.Errorf("undo error message %q", msg)
	}
	if len(done.PendingUndo) != 1 || !strings.Contains(done.PendingUndo[0], "san/web01-vda") {
		t.Errorf("PendingUndo %v", done.PendingUndo)
	}
}

func TestPanickingWorkFailsTheJobNotTheProcess(t *testing.T) {
	m := newManager(t, nil, newFakeClock(), 1)
	j, _ := m.Start(context.Background(), Spec{Name: "Boom"}, func(context.Context, *Progress) (cim.Params, error) {
		panic("nil map")
	})
	if done := wait(t, m, j.ID); done.State != Exception || !strings.Contains(done.ErrorDescription, "panic") {
		t.Fatalf("state %v, %q", done.State, done.ErrorDescription)
	}
}

func TestWorkersBoundConcurrency(t *testing.T) {
	m := newManager(t, nil, newFakeClock(), 1)
	first, second := newGate(), newGate()
	j1, _ := m.Start(context.Background(), Spec{Name: "one"}, first.work())
	<-first.started
	j2, _ := m.Start(context.Background(), Spec{Name: "two"}, second.work())
	if j, _ := m.Get(j2.ID); j.State != New {
		t.Fatalf("second job is %v while the only worker is busy, want New", j.State)
	}
	first.release <- nil
	<-second.started
	second.release <- nil
	if a, b := wait(t, m, j1.ID), wait(t, m, j2.ID); a.State != Completed || b.State != Completed {
		t.Fatalf("states %v %v", a.State, b.State)
	}
}

func TestStoppingAQueuedJobNeverRunsIt(t *testing.T) {
	m := newManager(t, nil, newFakeClock(), 1)
	busy := newGate()
	m.Start(context.Background(), Spec{Name: "busy"}, busy.work())
	<-busy.started
	ran := false
	j, _ := m.Start(context.Background(), Spec{Name: "queued"}, func(context.Context, *Progress) (cim.Params, error) {
		ran = true
		return nil, nil
	})
	if err := m.Stop(j.ID, false); err != nil {
		t.Fatal(err)
	}
	if done := wait(t, m, j.ID); done.State != Terminated || ran {
		t.Fatalf("state %v, ran %v", done.State, ran)
	}
	if err := m.Stop(j.ID, false); !errors.Is(err, ErrFinished) {
		t.Fatalf("stopping a finished job: %v", err)
	}
	busy.release <- nil
}

func TestExpiryAfterTimeBeforeRemoval(t *testing.T) {
	clock := newFakeClock()
	store := newRecordingStore()
	m := newManager(t, store, clock, 1)
	quick := func(context.Context, *Progress) (cim.Params, error) { return nil, nil }
	gone, _ := m.Start(context.Background(), Spec{Name: "expires"}, quick)
	kept, _ := m.Start(context.Background(), Spec{Name: "kept", KeepAfterCompletion: true}, quick)
	wait(t, m, gone.ID)
	wait(t, m, kept.ID)
	clock.Advance(DefaultTimeBeforeRemoval - time.Second)
	if _, ok := m.Get(gone.ID); !ok {
		t.Fatal("job removed before TimeBeforeRemoval")
	}
	clock.Advance(time.Second)
	if _, ok := m.Get(gone.ID); ok {
		t.Fatal("job still visible after TimeBeforeRemoval")
	}
	if n := m.Sweep(context.Background()); n != 1 {
		t.Fatalf("Sweep removed %d", n)
	}
	if store.has(m.Path(gone.ID)) {
		t.Error("expired job still in the store")
	}
	if _, ok := m.Get(kept.ID); !ok || !store.has(m.Path(kept.ID)) {
		t.Error("job with DeleteOnCompletion=false was removed")
	}
}

func TestInlineRollsBackOnFailure(t *testing.T) {
	var order []string
	_, err := Inline(context.Background(), quiet, func(ctx context.Context, p *Progress) (cim.Params, error) {
		p.Undo("detach vda", func(context.Context) error { order = append(order, "vda"); return nil })
		p.Undo("detach vdb", func(context.Context) error { order = append(order, "vdb"); return errors.New("stuck") })
		return nil, errBackend
	})
	if !errors.Is(err, errBackend) || !strings.Contains(err.Error(), "stuck") {
		t.Fatalf("error %v", err)
	}
	if !slices.Equal(order, []string{"vdb", "vda"}) {
		t.Fatalf("undo order %v", order)
	}
}

func TestCloseInterruptsRunningJobsWithRollback(t *testing.T) {
	m := newManager(t, nil, newFakeClock(), 1)
	g := newGate()
	j, _ := m.Start(context.Background(), Spec{Name: "long"}, g.work("delete disk"))
	<-g.started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := m.Close(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Close: %v", err)
	}
	done, _ := m.Get(j.ID)
	if done.State != Exception || !strings.Contains(done.ErrorDescription, "shutdown") {
		t.Fatalf("state %v %q", done.State, done.ErrorDescription)
	}
	if !slices.Equal(g.undoOrder(), []string{"delete disk"}) {
		t.Fatalf("undo %v", g.undoOrder())
	}
	if _, err := m.Start(context.Background(), Spec{Name: "late"}, g.work()); !errors.Is(err, ErrClosed) {
		t.Fatalf("Start after Close: %v", err)
	}
}
