package jobs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// recorder records what an observer is told as "kind state percent".
type recorder struct {
	mu  sync.Mutex
	got []string
}

func (r *recorder) observe(c Change) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, fmt.Sprintf("%d %s %d", c.Kind, c.Job.State, c.Job.PercentComplete))
}

func (r *recorder) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

func TestObserveSeesEveryChangeInOrder(t *testing.T) {
	clock := newFakeClock()
	m := newManager(t, nil, clock, 1)
	var r recorder
	stop := m.Observe(r.observe)
	g := newGate()
	j, err := m.Start(as("alice"), Spec{Name: "DefineSystem"}, g.work())
	if err != nil {
		t.Fatal(err)
	}
	<-g.started
	g.release <- nil
	wait(t, m, j.ID)
	if err := m.Delete(t.Context(), j.ID); err != nil {
		t.Fatal(err)
	}
	want := []string{"1 New 0", "2 Starting 0", "2 Running 0", "2 Running 40", "2 Completed 100", "3 Completed 100"}
	if got := r.list(); !slices.Equal(got, want) {
		t.Fatalf("observed %q, want %q", got, want)
	}
	stop()
	j2, _ := m.Start(as("alice"), Spec{Name: "Other"}, func(ctxp context.Context, p *Progress) (cim.Params, error) { return nil, nil })
	wait(t, m, j2.ID)
	if got := r.list(); len(got) != len(want) {
		t.Fatalf("observer called after stop: %q", got[len(want):])
	}
}

func TestObserveFailureAndUnchangedProgress(t *testing.T) {
	m := newManager(t, nil, newFakeClock(), 1)
	var r recorder
	m.Observe(r.observe)
	j, err := m.Start(as("bob"), Spec{Name: "MigrateVirtualSystemToHost"}, func(_ context.Context, p *Progress) (cim.Params, error) {
		p.Set(10)
		p.Set(10) // no change, no notification
		return nil, errors.New("peer refused")
	})
	if err != nil {
		t.Fatal(err)
	}
	wait(t, m, j.ID)
	want := []string{"1 New 0", "2 Starting 0", "2 Running 0", "2 Running 10", "2 Exception 10"}
	if got := r.list(); !slices.Equal(got, want) {
		t.Fatalf("observed %q, want %q", got, want)
	}
	in := m.Instance(wait(t, m, j.ID))
	if v, _ := in.Get("JobState"); v.String() != "10" {
		t.Fatalf("instance JobState = %v, want 10", v)
	}
}
