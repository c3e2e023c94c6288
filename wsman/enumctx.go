package wsman

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// An item is one result of an enumeration: the instance's path and, except
// in EPR mode, the instance.
type item struct {
	path cim.ObjectPath
	inst *cim.Instance
}

// producerBuffer is how many items a producer may get ahead of the Pulls
// that consume them: the bound on what an open enumeration holds in memory.
const producerBuffer = 64

// A producer runs one enumeration in its own goroutine and hands its items
// over a bounded channel, so that a huge result set is never held whole.
type producer struct {
	ch     chan item
	cancel context.CancelFunc
	err    error // set before ch is closed
}

// startProducer starts run. Its context keeps the values of parent (the
// principal) but not its deadline: the enumeration outlives the request
// that began it, until it ends, is released or expires.
func startProducer(parent context.Context, run func(ctx context.Context, yield func(item) bool) error) *producer {
	ctx, cancel := context.WithCancel(context.WithoutCancel(parent))
	p := &producer{ch: make(chan item, producerBuffer), cancel: cancel}
	go func() {
		err := run(ctx, func(it item) bool {
			select {
			case p.ch <- it:
				return true
			case <-ctx.Done():
				return false
			}
		})
		if ctx.Err() == nil {
			p.err = err
		}
		close(p.ch)
	}()
	return p
}

// enumMode is wsman:EnumerationMode.
type enumMode int

const (
	modeObject enumMode = iota
	modeEPR
	modeObjectAndEPR
)

// An enumContext is an open enumeration: its producer and what Pulls need
// to render its items.
type enumContext struct {
	id, owner string
	ns        string
	mode      enumMode
	renameTo  string // ExcludeSubClassProperties: render instances as this class
	op        operation
	total     int // estimate of all items, -1 if unknown

	busy chan struct{} // held by the one Pull that may run at a time

	// Guarded by busy.
	prod      *producer
	pending   *item // an item that did not fit in the last response
	failed    error // a producer error to report on the next Pull
	delivered int

	// ended is set once EndOfSequence went out in a response that also
	// carried the context: the context then lingers for endedGrace, its
	// producer stopped and no longer counted against the owner's quota,
	// so that a client that pulls once more gets a clean end.
	ended   atomic.Bool
	counted bool // counted in enumStore.perUser; guarded by enumStore.mu

	// Guarded by enumStore.mu.
	expires       time.Time // absolute wsen:Expires, zero when none
	asDuration    bool      // the client gave Expires as a duration
	lastUse       time.Time
	durationAsked time.Duration
}

var errWait = errors.New("no item became available in time")

// endedGrace is how long an ended context lingers (see enumContext.ended).
const endedGrace = time.Minute

// next returns the next item; ok is false at the end of the enumeration
// (err nil) or when it failed (err set). It waits until ctx ends, then
// returns errWait.
func (c *enumContext) next(ctx context.Context) (it item, ok bool, err error) {
	if c.pending != nil {
		it, c.pending = *c.pending, nil
		return it, true, nil
	}
	select {
	case it, ok = <-c.prod.ch:
		if !ok {
			return it, false, c.prod.err
		}
		return it, true, nil
	case <-ctx.Done():
		return it, false, errWait
	}
}

// acquire takes the context for one Pull, waiting for a concurrent one to
// finish until ctx ends.
func (c *enumContext) acquire(ctx context.Context) error {
	select {
	case c.busy <- struct{}{}:
		return nil
	case <-ctx.Done():
		return newFault(faultConcurrency, "", "Another request is using enumeration context %s.", c.id)
	}
}

func (c *enumContext) releaseBusy() { <-c.busy }

// An enumStore holds the open enumeration contexts, each bound to the user
// who opened it, and frees them when they end or expire.
type enumStore struct {
	opts Options

	mu      sync.Mutex
	byID    map[string]*enumContext
	perUser map[string]int

	stop chan struct{}
	done chan struct{}
}

func newEnumStore(opts Options) *enumStore {
	s := &enumStore{opts: opts, byID: map[string]*enumContext{}, perUser: map[string]int{},
		stop: make(chan struct{}), done: make(chan struct{})}
	go s.janitor()
	return s
}

// janitor sweeps expired contexts now and then, so that abandoned
// enumerations free their producers even if nobody asks for them again.
func (s *enumStore) janitor() {
	defer close(s.done)
	every := min(max(s.opts.EnumerationIdle/4, time.Second), time.Minute)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			s.sweep()
		case <-s.stop:
			return
		}
	}
}

// sweep frees every expired context.
func (s *enumStore) sweep() {
	now := s.opts.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.byID {
		if s.expired(c, now) {
			s.removeLocked(c)
		}
	}
}

// expiry is when c expires: at the wsen:Expires granted to it, or, when
// the client asked for none, after EnumerationIdle without use.
func (s *enumStore) expiry(c *enumContext) time.Time {
	if !c.expires.IsZero() {
		return c.expires
	}
	return c.lastUse.Add(s.opts.EnumerationIdle)
}

func (s *enumStore) expired(c *enumContext, now time.Time) bool { return !now.Before(s.expiry(c)) }

// add registers c for its owner, refusing with wsman:QuotaLimit when the
// owner or the server has too many open.
func (s *enumStore) add(c *enumContext) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.perUser[c.owner] >= s.opts.MaxEnumerationsPerUser {
		return newFault(faultQuotaLimit, "", "User %s has %d open enumerations; release or finish some first.", c.owner, s.perUser[c.owner])
	}
	if len(s.byID) >= s.opts.MaxEnumerations {
		return newFault(faultQuotaLimit, "", "The service has %d open enumerations.", len(s.byID))
	}
	c.id = newUUID()
	c.lastUse = s.opts.Now()
	c.counted = true
	s.byID[c.id] = c
	s.perUser[c.owner]++
	return nil
}

// get returns the owner's context id, touching it. A context that does not
// exist, has expired or belongs to someone else is reported alike, as
// wsen:InvalidEnumerationContext.
func (s *enumStore) get(id, owner string) (*enumContext, *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.byID[id]
	now := s.opts.Now()
	if ok && s.expired(c, now) {
		s.removeLocked(c)
		ok = false
	}
	if !ok || c.owner != owner {
		return nil, newFault(faultInvalidEnumerationContext, "", "The enumeration context %q is not valid: it never existed, ended, was released or expired.", id)
	}
	c.lastUse = now
	return c, nil
}

// remove frees c.
func (s *enumStore) remove(c *enumContext) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.removeLocked(c)
}

func (s *enumStore) removeLocked(c *enumContext) {
	if s.byID[c.id] != c {
		return
	}
	delete(s.byID, c.id)
	s.uncount(c)
	c.prod.cancel()
}

func (s *enumStore) uncount(c *enumContext) {
	if !c.counted {
		return
	}
	c.counted = false
	if s.perUser[c.owner]--; s.perUser[c.owner] <= 0 {
		delete(s.perUser, c.owner)
	}
}

// markEnded turns c into a lingering ended context (see enumContext.ended).
func (s *enumStore) markEnded(c *enumContext) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.ended.Store(true)
	c.prod.cancel()
	s.uncount(c)
	c.expires = s.opts.Now().Add(endedGrace)
}

// renew sets a new absolute expiry (zero: none).
func (s *enumStore) renew(c *enumContext, expires time.Time, asDuration bool, asked time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.expires, c.asDuration, c.durationAsked = expires, asDuration, asked
	c.lastUse = s.opts.Now()
}

// expiresOf returns c's current expiry.
func (s *enumStore) expiresOf(c *enumContext) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.expiry(c)
}

// count returns the number of open contexts.
func (s *enumStore) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.byID)
}

// close frees every context and stops the janitor.
func (s *enumStore) close() {
	select {
	case <-s.stop:
		return
	default:
	}
	close(s.stop)
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.byID {
		s.removeLocked(c)
	}
}
