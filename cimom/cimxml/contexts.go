package cimxml

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// PullOptions configure the pull operations. The zero value is the
// production setting.
type PullOptions struct {
	// DefaultTimeout is the inactivity timeout of a context whose Open
	// call gave no OperationTimeout; 0 means 60 seconds.
	DefaultTimeout time.Duration
	// MaxTimeout is the longest OperationTimeout accepted (longer ones are
	// CIM_ERR_INVALID_OPERATION_TIMEOUT); 0 means 30 minutes.
	MaxTimeout time.Duration
	// MaxObjectCount caps the objects one response returns; a client that
	// asks for more gets this many, as DSP0200 allows. 0 means 10000.
	MaxObjectCount uint32
	// MaxContextsPerUser bounds the open contexts of one user
	// (CIM_ERR_SERVER_LIMITS_EXCEEDED beyond); 0 means 32.
	MaxContextsPerUser int
	// MaxContexts bounds the open contexts of all users; 0 means 4096.
	MaxContexts int
	// Buffer is how many objects a context's producer may run ahead of
	// the client; 0 means 64.
	Buffer int
}

func (o *PullOptions) setDefaults() {
	if o.DefaultTimeout <= 0 {
		o.DefaultTimeout = 60 * time.Second
	}
	if o.MaxTimeout <= 0 {
		o.MaxTimeout = 30 * time.Minute
	}
	if o.MaxObjectCount == 0 {
		o.MaxObjectCount = 10000
	}
	if o.MaxContextsPerUser <= 0 {
		o.MaxContextsPerUser = 32
	}
	if o.MaxContexts <= 0 {
		o.MaxContexts = 4096
	}
	if o.Buffer <= 0 {
		o.Buffer = 64
	}
}

// pullKind says which Pull operation continues a context.
type pullKind uint8

const (
	pullWithPath  pullKind = iota // PullInstancesWithPath
	pullPaths                     // PullInstancePaths
	pullInstances                 // PullInstances (OpenQueryInstances)
)

func (k pullKind) String() string {
	return [...]string{"PullInstancesWithPath", "PullInstancePaths", "PullInstances"}[k]
}

// An item is one object of an enumeration.
type item struct {
	path cim.ObjectPath
	inst *cim.Instance
}

// An enumContext is an open pull enumeration. A producer goroutine runs
// the dispatcher operation and hands objects over a bounded channel, so a
// context holds at most PullOptions.Buffer objects however large the
// enumeration; closing or expiring the context cancels the producer.
type enumContext struct {
	id, owner, ns string
	kind          pullKind
	classOrigin   bool
	timeout       time.Duration

	items  chan item
	err    error // the producer's result, readable once items is closed
	cancel context.CancelFunc
	peeked *item // read ahead to learn whether the sequence has ended

	// Guarded by contextStore.mu.
	busy     bool
	deadline time.Time
	timer    *time.Timer
}

// A contextStore keeps the open enumeration contexts.
type contextStore struct {
	opts    PullOptions
	now     func() time.Time
	mu      sync.Mutex
	byID    map[string]*enumContext
	perUser map[string]int
}

func newContextStore(opts PullOptions, now func() time.Time) *contextStore {
	return &contextStore{opts: opts, now: now, byID: map[string]*enumContext{}, perUser: map[string]int{}}
}

// A producer runs an enumeration, calling yield per object until it
// returns false.
type producer func(ctx context.Context, yield func(item) bool) error

// open starts a context for user, busy until release. The producer runs
// with the request's values (the principal) but not its cancellation: it
// outlives the Open call.
func (s *contextStore) open(ctx context.Context, user, ns string, kind pullKind, timeout time.Duration, classOrigin bool, produce producer) (*enumContext, error) {
	id, err := newContextID()
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.sweepLocked()
	if len(s.byID) >= s.opts.MaxContexts {
		s.mu.Unlock()
		return nil, cim.Errorf(cim.ErrServerLimitsExceeded, "the server has %d open enumeration contexts, its limit", len(s.byID))
	}
	if s.perUser[user] >= s.opts.MaxContextsPerUser {
		s.mu.Unlock()
		return nil, cim.Errorf(cim.ErrServerLimitsExceeded, "user %s has %d open enumeration contexts, the limit; close some with CloseEnumeration", user, s.perUser[user])
	}
	pctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	c := &enumContext{id: id, owner: user, ns: ns, kind: kind, classOrigin: classOrigin, timeout: timeout,
		items: make(chan item, s.opts.Buffer), cancel: cancel, busy: true}
	s.byID[id] = c
	s.perUser[user]++
	s.mu.Unlock()

	go func() {
		err := produce(pctx, func(it item) bool {
			select {
			case c.items <- it:
				return true
			case <-pctx.Done():
				return false
			}
		})
		c.err = err
		close(c.items)
	}()
	return c, nil
}

func newContextID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", cim.Errorf(cim.ErrFailed, "enumeration context id: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// invalidContext is the one answer for a context that does not exist,
// belongs to someone else, has expired or was closed, so that the answer
// tells nothing about other users' contexts.
func invalidContext(id string) error {
	return cim.Errorf(cim.ErrInvalidEnumerationContext, "no open enumeration context %q", id)
}

// acquire returns the context id of user for an operation, marking it
// busy. kind is the Pull variant, or nil for CloseEnumeration and
// EnumerationCount; busy is the status for a context another operation is
// using.
func (s *contextStore) acquire(user, id string, kind *pullKind, busy cim.Status) (*enumContext, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked()
	c := s.byID[id]
	switch {
	case c == nil || c.owner != user:
		return nil, invalidContext(id)
	case c.busy:
		return nil, cim.Errorf(busy, "enumeration context %q is in use by another operation", id)
	case kind != nil && *kind != c.kind:
		return nil, cim.Errorf(cim.ErrInvalidEnumerationContext, "enumeration context %q continues with %s, not %s", id, c.kind, *kind)
	}
	c.busy = true
	if c.timer != nil {
		c.timer.Stop()
	}
	return c, nil
}

// release ends an operation on c: the context is freed when the sequence
// ended or failed, and otherwise waits for the next operation until its
// timeout passes.
func (s *contextStore) release(c *enumContext, done bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if done {
		s.removeLocked(c)
		return
	}
	c.busy = false
	c.deadline = s.now().Add(c.timeout)
	c.timer = time.AfterFunc(c.timeout+time.Second, s.sweep)
}

// sweep frees the contexts whose timeout has passed.
func (s *contextStore) sweep() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked()
}

func (s *contextStore) sweepLocked() {
	now := s.now()
	for _, c := range s.byID {
		if !c.busy && now.After(c.deadline) {
			s.removeLocked(c)
		}
	}
}

// removeLocked frees c and stops its producer.
func (s *contextStore) removeLocked(c *enumContext) {
	if s.byID[c.id] != c {
		return
	}
	delete(s.byID, c.id)
	if s.perUser[c.owner]--; s.perUser[c.owner] <= 0 {
		delete(s.perUser, c.owner)
	}
	if c.timer != nil {
		c.timer.Stop()
	}
	c.cancel()
}

// closeAll frees every context.
func (s *contextStore) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.byID {
		s.removeLocked(c)
	}
}

// count returns the open contexts of user, for tests and metrics.
func (s *contextStore) count(user string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.perUser[user]
}

// take hands up to max objects of c to emit, waiting for the producer as
// needed, and reports whether the sequence has ended (which it learns by
// reading one object ahead). max 0 returns at once with nothing and the
// sequence open. A producer error, or ctx ending, is returned.
func (c *enumContext) take(ctx context.Context, max uint32, emit func(item) bool) (eos bool, err error) {
	if max == 0 {
		return false, nil
	}
	for n := uint32(0); n < max; n++ {
		it, ok, err := c.next(ctx)
		if err != nil || !ok {
			return !ok, err
		}
		if !emit(it) {
			return false, context.Canceled
		}
	}
	it, ok, err := c.next(ctx)
	if ok {
		c.peeked = &it
	}
	return !ok, err
}

// next returns the next object; ok is false at the end of the sequence,
// when err is the producer's result.
func (c *enumContext) next(ctx context.Context) (item, bool, error) {
	if c.peeked != nil {
		it := *c.peeked
		c.peeked = nil
		return it, true, nil
	}
	select {
	case it, ok := <-c.items:
		if !ok {
			return item{}, false, c.err
		}
		return it, true, nil
	case <-ctx.Done():
		return item{}, false, ctx.Err()
	}
}
