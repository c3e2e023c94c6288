package indication

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/query"
)

// OnFatalErrorPolicy values of CIM_IndicationSubscription.
const (
	PolicyIgnore  uint16 = 2
	PolicyDisable uint16 = 3
	PolicyRemove  uint16 = 4
)

// SubscriptionState values of CIM_IndicationSubscription.
const (
	StateEnabled         uint16 = 2
	StateEnabledDegraded uint16 = 3
	StateDisabled        uint16 = 4
)

// A Sender delivers one indication to a subscription's listener. It returns
// nil once the listener has acknowledged the indication; any error makes
// the service retry. It must honour ctx.
type Sender interface {
	Send(ctx context.Context, ind *cim.Instance) error
}

// SenderFunc adapts a function to Sender.
type SenderFunc func(ctx context.Context, ind *cim.Instance) error

// Send calls f.
func (f SenderFunc) Send(ctx context.Context, ind *cim.Instance) error { return f(ctx, ind) }

// A Subscription is an active CIM_IndicationSubscription as the service
// sees it: which indications it selects and where they go.
type Subscription struct {
	// ID identifies the subscription, e.g. the canonical path of its
	// CIM_IndicationSubscription instance.
	ID string
	// Owner is the user who created it, for logs.
	Owner string
	// Query selects the indications: its FROM class (or a subclass) and
	// its WHERE condition; a select list trims the indication delivered.
	Query *query.Query
	// FilterName is written into IndicationFilterName.
	FilterName string
	// SourceNamespaces limits the namespaces whose indications match;
	// empty means every namespace.
	SourceNamespaces []string
	// Sender delivers to the listener.
	Sender Sender
	// OnFatalErrorPolicy is what happens when delivery fails after every
	// retry: PolicyIgnore (also any other value) drops the indication,
	// PolicyDisable and PolicyRemove stop the subscription and call
	// Config.OnFatal.
	OnFatalErrorPolicy uint16
}

// FatalFunc is told that subscription id was stopped under policy
// (PolicyDisable or PolicyRemove) because a delivery failed with err. The
// owner of the subscription's instance records the new state or deletes it.
type FatalFunc func(ctx context.Context, id string, policy uint16, err error)

// Config configures a Service. Zero fields take the defaults shown.
type Config struct {
	// RetryAttempts is DeliveryRetryAttempts: how many times a failed
	// delivery is retried before the OnFatalErrorPolicy applies (3).
	// Negative means none.
	RetryAttempts int
	// RetryInterval is DeliveryRetryInterval, the wait between attempts
	// (30 s).
	RetryInterval time.Duration
	// SendTimeout bounds one delivery attempt (30 s).
	SendTimeout time.Duration
	// QueueLength bounds the indications waiting for one subscription
	// (10000). When it is full the oldest waiting indication is dropped:
	// listeners see the gap in SequenceNumber, and the newest state is
	// what they receive. Each overflow episode (until the queue drains)
	// raises one CIM_AlertIndication.
	QueueLength int
	// IsA reports whether class is ancestor or a subclass of it in
	// namespace ns, for FROM and ISA; nil compares names only.
	IsA func(ns, class, ancestor string) bool
	// OnFatal is called when a subscription is disabled or removed.
	OnFatal FatalFunc
	// Now is the clock for IndicationTime (time.Now).
	Now func() time.Time
	// After waits between retries (time.After); tests replace it.
	After func(time.Duration) <-chan time.Time
	// Log receives delivery failures (slog.Default()).
	Log *slog.Logger
}

func (c *Config) setDefaults() {
	if c.RetryAttempts == 0 {
		c.RetryAttempts = 3
	}
	if c.RetryInterval <= 0 {
		c.RetryInterval = 30 * time.Second
	}
	if c.SendTimeout <= 0 {
		c.SendTimeout = 30 * time.Second
	}
	if c.QueueLength <= 0 {
		c.QueueLength = 10000
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.After == nil {
		c.After = time.After
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
}

// A Service matches published indications against the active
// subscriptions and delivers them: in order per subscription, from one
// goroutine per subscription, with retries. It is safe for concurrent use.
type Service struct {
	cfg     Config
	context string // SequenceContext prefix, new for every Service
	next    atomic.Int64
	ids     atomic.Int64

	mu      sync.RWMutex
	workers map[string]*worker
	closed  bool
	wg      sync.WaitGroup
}

// New returns a running Service; Close stops it.
func New(cfg Config) *Service {
	cfg.setDefaults()
	var b [8]byte
	_, _ = rand.Read(b[:])
	return &Service{cfg: cfg, context: hex.EncodeToString(b[:]), workers: map[string]*worker{}}
}

// Config returns the configuration in effect, defaults filled in.
func (s *Service) Config() Config { return s.cfg }

// Add activates sub, replacing an active subscription with the same ID
// (whose waiting indications are dropped).
func (s *Service) Add(sub Subscription) error {
	if sub.ID == "" || sub.Query == nil || sub.Sender == nil {
		return fmt.Errorf("indication: subscription %q needs an ID, a query and a sender", sub.ID)
	}
	w := newWorker(s, sub, fmt.Sprintf("%s-%d", s.context, s.ids.Add(1)))
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return fmt.Errorf("indication: service closed")
	}
	old := s.workers[sub.ID]
	s.workers[sub.ID] = w
	s.wg.Add(1)
	s.mu.Unlock()
	if old != nil {
		old.stop()
	}
	go func() {
		defer s.wg.Done()
		w.run()
	}()
	return nil
}

// Remove deactivates subscription id, dropping what waits for it. It
// reports whether the subscription was active.
func (s *Service) Remove(id string) bool {
	s.mu.Lock()
	w := s.workers[id]
	delete(s.workers, id)
	s.mu.Unlock()
	if w != nil {
		w.stop()
	}
	return w != nil
}

// removeWorker removes w if it is still the worker for its ID.
func (s *Service) removeWorker(w *worker) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.workers[w.sub.ID] == w {
		delete(s.workers, w.sub.ID)
	}
}

// Active reports whether subscription id is active.
func (s *Service) Active(id string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.workers[id] != nil
}

// Stats counts what happened to one subscription's indications.
type Stats struct {
	Queued    int    // waiting now
	Delivered uint64 // acknowledged by the listener
	Dropped   uint64 // lost to queue overflow
	Failed    uint64 // dropped after every retry failed (policy Ignore)
}

// Stats returns the counters of subscription id, and false when it is not
// active.
func (s *Service) Stats(id string) (Stats, bool) {
	s.mu.RLock()
	w := s.workers[id]
	s.mu.RUnlock()
	if w == nil {
		return Stats{}, false
	}
	return w.stats(), true
}

// Close stops every delivery goroutine and waits for them; what is queued
// is dropped.
func (s *Service) Close() error {
	s.mu.Lock()
	s.closed = true
	workers := s.workers
	s.workers = map[string]*worker{}
	s.mu.Unlock()
	for _, w := range workers {
		w.stop()
	}
	s.wg.Wait()
	return nil
}

// Publish offers ind, raised in namespace ns, to every active subscription
// and returns how many accepted it. It fills in IndicationIdentifier and
// IndicationTime when ind lacks them; each subscription receives its own
// copy carrying IndicationFilterName, SequenceContext and SequenceNumber.
// Publish never blocks on a listener. ind must not be modified afterwards.
func (s *Service) Publish(ctx context.Context, ns string, ind *cim.Instance) int {
	if v, ok := ind.Get("IndicationIdentifier"); !ok || v.IsNull() {
		ind.Set("IndicationIdentifier", cim.String(fmt.Sprintf("%s:%d", s.context, s.next.Add(1))))
	}
	if v, ok := ind.Get("IndicationTime"); !ok || v.IsNull() {
		ind.Set("IndicationTime", cim.DateTimeValue(cim.NewTimestamp(s.cfg.Now())))
	}
	s.mu.RLock()
	workers := make([]*worker, 0, len(s.workers))
	for _, w := range s.workers {
		workers = append(workers, w)
	}
	s.mu.RUnlock()
	isA := func(class, ancestor string) bool {
		return strings.EqualFold(class, ancestor) || s.cfg.IsA != nil && s.cfg.IsA(ns, class, ancestor)
	}
	n := 0
	for _, w := range workers {
		if !w.selects(ns, ind, isA) {
			continue
		}
		w.enqueue(ctx, ind)
		n++
	}
	return n
}

// Alert publishes a CIM_AlertIndication in namespace ns.
func (s *Service) Alert(ctx context.Context, ns string, a Alert) int {
	return s.Publish(ctx, ns, a.Instance())
}
