package jobs

import (
	"sync"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// ChangeKind says what happened to a job.
type ChangeKind int

// The kinds of job change an observer is told about.
const (
	// JobSubmitted: the job was recorded (state New).
	JobSubmitted ChangeKind = iota + 1
	// JobUpdated: its state, PercentComplete or retention changed.
	JobUpdated
	// JobRemoved: it was deleted or expired and swept.
	JobRemoved
)

// A Change is one job change as an observer sees it: the job as it is
// right after the change.
type Change struct {
	Kind ChangeKind
	Job  Job
}

// observers holds the functions Observe registered.
type observers struct {
	mu   sync.Mutex // serialises notifications: observers see one order
	next int
	fns  map[int]func(Change)
}

// Observe registers fn to be told of every job change from now on: a
// submission, each state change and PercentComplete change, a retention
// change and a removal. Calls are made one at a time, in the order of the
// changes, from the goroutine that made the change, so fn must return
// quickly and must not call Observe. The returned function unregisters fn.
func (m *Manager) Observe(fn func(Change)) (stop func()) {
	o := &m.obs
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.fns == nil {
		o.fns = map[int]func(Change){}
	}
	id := o.next
	o.next++
	o.fns[id] = fn
	return func() {
		o.mu.Lock()
		delete(o.fns, id)
		o.mu.Unlock()
	}
}

// notify tells the observers that e changed. The snapshot is taken under
// the observers' lock, so successive notifications of one job never go
// back in time.
func (m *Manager) notify(e *entry, kind ChangeKind) {
	o := &m.obs
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.fns) == 0 {
		return
	}
	c := Change{Kind: kind, Job: e.snapshot()}
	for _, fn := range o.fns {
		fn(c)
	}
}

// Instance returns the Ferrum_ConcreteJob instance clients see for j now,
// e.g. for an indication about it.
func (m *Manager) Instance(j Job) *cim.Instance { return j.instance(m.cfg.Class, m.now()) }
