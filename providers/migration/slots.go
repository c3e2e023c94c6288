package migration

import (
	"cmp"
	"context"
	"slices"
	"sync"
)

// slots bound the migrations leaving each host at a time. A migration that
// finds its host's slots taken waits; a freed slot goes to the waiter with
// the lowest priority value, the earliest among equals.
type slots struct {
	max int

	mu      sync.Mutex
	seq     uint64
	active  map[string]int
	waiting map[string][]*waiter // per host, in the order they are served
}

type waiter struct {
	priority int
	seq      uint64
	granted  chan struct{} // closed when the slot is handed over
}

func newSlots(max int) *slots {
	return &slots{max: max, active: map[string]int{}, waiting: map[string][]*waiter{}}
}

// acquire takes one of host's slots, calling queued first if it has to
// wait; it returns the function that frees the slot, or ctx's error.
func (s *slots) acquire(ctx context.Context, host string, priority int, queued func(ahead int)) (release func(), err error) {
	release = func() { s.release(host) }
	s.mu.Lock()
	if s.active[host] < s.max && len(s.waiting[host]) == 0 {
		s.active[host]++
		s.mu.Unlock()
		return release, nil
	}
	s.seq++
	w := &waiter{priority: priority, seq: s.seq, granted: make(chan struct{})}
	q := s.waiting[host]
	i, _ := slices.BinarySearchFunc(q, w, func(a, b *waiter) int {
		return cmp.Or(cmp.Compare(a.priority, b.priority), cmp.Compare(a.seq, b.seq))
	})
	s.waiting[host] = slices.Insert(q, i, w)
	s.mu.Unlock()
	if queued != nil {
		queued(i)
	}
	select {
	case <-w.granted:
		return release, nil
	case <-ctx.Done():
	}
	s.mu.Lock()
	q = s.waiting[host]
	stillQueued := slices.Contains(q, w)
	if stillQueued {
		s.waiting[host] = slices.DeleteFunc(q, func(x *waiter) bool { return x == w })
	}
	s.mu.Unlock()
	if !stillQueued {
		release() // granted while giving up: pass the slot on
	}
	return nil, ctx.Err()
}

// release frees a slot of host, handing it to the first waiter.
func (s *slots) release(host string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if q := s.waiting[host]; len(q) > 0 {
		s.waiting[host] = q[1:]
		close(q[0].granted)
		return
	}
	if s.active[host]--; s.active[host] <= 0 {
		delete(s.active, host)
	}
}
