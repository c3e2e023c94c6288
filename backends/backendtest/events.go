package backendtest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/backends"
)

// collect reads sub until it has seen every type in want for vm, in order,
// ignoring other events, or the deadline passes.
func collect(t *testing.T, sub *backends.Subscription, vm string, want []backends.EventType) []backends.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var got []backends.Event
	var last uint64
	for len(got) < len(want) {
		select {
		case e, ok := <-sub.Events():
			if !ok {
				t.Fatalf("subscription closed after %v", got)
			}
			if e.Seq <= last {
				t.Fatalf("event %v after #%d: sequence numbers must grow", e, last)
			}
			last = e.Seq
			if e.VM == vm && slices.Contains(want, e.Type) {
				got = append(got, e)
			}
		case <-ctx.Done():
			t.Fatalf("saw %v, waiting for %v", got, want)
		}
	}
	return got
}

func testEvents(t *testing.T, mk func(*testing.T) *fixture) {
	t.Run("a lifecycle sequence is observed in order", func(t *testing.T) {
		f := mk(t)
		sub, err := f.h.Events(f.ctx)
		must(t, "Events", err)
		defer sub.Close()
		m := f.h.VMs()
		vm, err := m.Define(f.ctx, f.spec())
		must(t, "Define", err)
		f.cleanupVM(vm.UUID)
		for _, op := range []lifecycleOp{opStart, opPause, opResume, opStop, opUndef} {
			must(t, "lifecycle op", op(f.ctx, m, vm.UUID))
		}
		want := []backends.EventType{backends.EventDefined, backends.EventStarted, backends.EventPaused,
			backends.EventResumed, backends.EventStopped, backends.EventUndefined}
		got := collect(t, sub, vm.UUID, want)
		for i, e := range got {
			if e.Type != want[i] {
				t.Fatalf("event %d = %v, want %s (all: %v)", i, e, want[i], got)
			}
		}
		if got[1].State != backends.StateRunning || got[2].State != backends.StatePaused {
			t.Fatalf("events carry states %s, %s; want running, paused", got[1].State, got[2].State)
		}
	})
	t.Run("closing a subscription closes its channel", func(t *testing.T) {
		f := mk(t)
		sub, err := f.h.Events(f.ctx)
		must(t, "Events", err)
		sub.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for {
			select {
			case _, ok := <-sub.Events():
				if !ok {
					return
				}
			case <-ctx.Done():
				t.Fatal("channel still open after Close")
			}
		}
	})
}
