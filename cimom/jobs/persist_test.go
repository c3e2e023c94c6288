package jobs

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/store"
)

// recordingStore is a memory store that remembers the JobState of every
// write.
type recordingStore struct {
	*cimom.MemoryStore
	mu     sync.Mutex
	states map[string][]State
}

func newRecordingStore() *recordingStore {
	return &recordingStore{MemoryStore: cimom.NewMemoryStore(), states: map[string][]State{}}
}

func (s *recordingStore) note(path cim.ObjectPath, in *cim.Instance) {
	v, _ := in.Get("JobState")
	n, _ := v.AsUint64()
	s.mu.Lock()
	s.states[path.Canonical()] = append(s.states[path.Canonical()], State(n))
	s.mu.Unlock()
}

func (s *recordingStore) CreateInstance(ctx context.Context, ns string, path cim.ObjectPath, in *cim.Instance) error {
	s.note(path, in)
	return s.MemoryStore.CreateInstance(ctx, ns, path, in)
}

func (s *recordingStore) ReplaceInstance(ctx context.Context, ns string, path cim.ObjectPath, in *cim.Instance) error {
	s.note(path, in)
	return s.MemoryStore.ReplaceInstance(ctx, ns, path, in)
}

func (s *recordingStore) has(path cim.ObjectPath) bool {
	_, err := s.GetInstance(context.Background(), path.Namespace, path)
	return err == nil
}

func (s *recordingStore) written(path cim.ObjectPath) []State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Compact(slices.Clone(s.states[path.Canonical()]))
}

func TestEveryStateChangeIsPersisted(t *testing.T) {
	st := newRecordingStore()
	m := newManager(t, st, newFakeClock(), 1)
	g := newGate()
	j, err := m.Start(context.Background(), Spec{Name: "DefineSystem"}, g.work())
	if err != nil {
		t.Fatal(err)
	}
	if got := st.written(m.Path(j.ID)); len(got) == 0 || got[0] != New {
		t.Fatalf("first write %v, want New before Start returns", got)
	}
	<-g.started
	g.release <- nil
	wait(t, m, j.ID)
	if got := st.written(m.Path(j.ID)); !slices.Equal(got, []State{New, Starting, Running, Completed}) {
		t.Fatalf("persisted states %v", got)
	}
}

// testRestart runs jobs on a manager over first, then opens a second
// manager over the store reopen returns (the same data after a restart).
func testRestart(t *testing.T, first Store, reopen func() Store) {
	clock := newFakeClock()
	m1 := newManager(t, first, clock, 2)
	owner := as("alice")
	vm := cim.NewInstancePath("root/virt", "Ferrum_ComputerSystem",
		cim.KeyBinding{Name: "CreationClassName", Value: cim.String("Ferrum_ComputerSystem")},
		cim.KeyBinding{Name: "Name", Value: cim.String("6f1c0e2a-1b7e-4a57-9d0e-2c1f0b9c8a71")})
	done, _ := m1.Start(owner, Spec{Name: "DefineSystem", Affected: []Affected{{Path: vm, Effects: []uint16{EffectCreate}}},
		In: cim.Params{{Name: "ReferenceConfiguration", Value: cim.Ref(vm)}}, KeepAfterCompletion: true},
		func(context.Context, *Progress) (cim.Params, error) {
			return cim.Params{{Name: "ResultingSystem", Value: cim.Ref(vm)}}, nil
		})
	wait(t, m1, done.ID)
	g := newGate()
	running, _ := m1.Start(owner, Spec{Name: "DestroySystem"}, g.work("recreate volume default/web01-vda"))
	<-g.started
	defer func() { g.release <- nil }() // the old process's goroutine, long dead in real life

	m2 := newManager(t, reopen(), clock, 2)
	r, ok := m2.Get(running.ID)
	if !ok {
		t.Fatal("running job lost in the restart")
	}
	if r.State != Exception || !strings.HasPrefix(r.ErrorDescription, InterruptedByRestart) {
		t.Fatalf("running job after restart: %v %q", r.State, r.ErrorDescription)
	}
	if !strings.Contains(r.ErrorDescription, "recreate volume default/web01-vda") {
		t.Errorf("ErrorDescription %q does not name the undo step left", r.ErrorDescription)
	}
	if len(r.Errors) == 0 || r.Finished.IsZero() {
		t.Errorf("interrupted job: errors %v finished %v", r.Errors, r.Finished)
	}
	c, ok := m2.Get(done.ID)
	if !ok || c.State != Completed || c.PercentComplete != 100 || c.Owner != "alice" || c.DeleteOnCompletion {
		t.Fatalf("completed job after restart: %+v", c)
	}
	if out, _ := c.Out.Get("ResultingSystem"); out.Str() != vm.String() {
		t.Errorf("JobOutParameters.ResultingSystem %v", out)
	}
	if len(c.Affected) != 1 || !c.Affected[0].Path.Equal(vm) || !slices.Equal(c.Affected[0].Effects, []uint16{EffectCreate}) {
		t.Errorf("affected elements %+v", c.Affected)
	}
	if !c.Started.Equal(done.Submitted) || !c.Submitted.Equal(done.Submitted) {
		t.Errorf("times: submitted %v started %v", c.Submitted, c.Started)
	}
	if _, err := m2.Wait(t.Context(), running.ID); err != nil {
		t.Errorf("Wait on a reloaded job: %v", err)
	}
	// a second restart reads the interrupted record back as it was written
	m3 := newManager(t, reopen(), clock, 2)
	r3, _ := m3.Get(running.ID)
	if r3.State != Exception || r3.ErrorDescription != r.ErrorDescription || len(r3.Errors) != len(r.Errors) ||
		r3.Errors[0].Str("Message") != r.Errors[0].Str("Message") {
		t.Errorf("after a second restart: %+v", r3)
	}
}

func TestRestartWithMemoryStore(t *testing.T) {
	st := cimom.NewMemoryStore()
	testRestart(t, st, func() Store { return st })
}

func TestRestartWithSQLiteStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ferrum.db")
	open := func() *store.Store {
		s, err := store.Open(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	cur := open()
	testRestart(t, cimom.SQLStore{S: cur}, func() Store {
		cur.Close() // the old process is gone; its late writes fail
		cur = open()
		return cimom.SQLStore{S: cur}
	})
}
