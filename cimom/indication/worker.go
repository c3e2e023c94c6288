package indication

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// alertNamespace is where the service's own alerts are raised.
const alertNamespace = "root/interop"

// A worker delivers the indications of one subscription, in order, from
// its own goroutine. Its queue is bounded by Config.QueueLength.
type worker struct {
	svc     *Service
	sub     Subscription
	seqCtx  string
	ctx     context.Context
	cancel  context.CancelFunc
	wake    chan struct{}
	stopped chan struct{}

	mu          sync.Mutex
	queue       []*cim.Instance // waiting (not the one being delivered), oldest first
	seq         int64           // next SequenceNumber
	overflowing bool            // an overflow alert was raised since the queue last drained
	delivered   uint64
	dropped     uint64
	failed      uint64
}

func newWorker(s *Service, sub Subscription, seqCtx string) *worker {
	ctx, cancel := context.WithCancel(context.Background())
	return &worker{svc: s, sub: sub, seqCtx: seqCtx, ctx: ctx, cancel: cancel,
		wake: make(chan struct{}, 1), stopped: make(chan struct{})}
}

// selects reports whether the subscription wants ind, raised in ns.
func (w *worker) selects(ns string, ind *cim.Instance, isA func(class, ancestor string) bool) bool {
	if len(w.sub.SourceNamespaces) > 0 && !containsNamespace(w.sub.SourceNamespaces, ns) {
		return false
	}
	if !isA(ind.ClassName, w.sub.Query.FromClass()) {
		return false
	}
	ok, err := w.sub.Query.Matches(ind, isA)
	return err == nil && ok
}

func containsNamespace(list []string, ns string) bool {
	ns = strings.Trim(ns, "/")
	for _, n := range list {
		if strings.EqualFold(strings.Trim(n, "/"), ns) {
			return true
		}
	}
	return false
}

// enqueue queues the subscription's copy of ind, dropping the oldest
// waiting indication when the queue is full.
func (w *worker) enqueue(ctx context.Context, ind *cim.Instance) {
	own := w.sub.Query.Project(ind)
	own = &cim.Instance{ClassName: own.ClassName, Qualifiers: own.Qualifiers, Properties: append([]cim.PropertyValue(nil), own.Properties...)}
	if w.sub.FilterName != "" {
		own.Set("IndicationFilterName", cim.String(w.sub.FilterName))
	}
	own.Set("SequenceContext", cim.String(w.seqCtx))
	raise := false
	w.mu.Lock()
	own.Set("SequenceNumber", cim.Sint64(w.seq))
	if w.seq == math.MaxInt64 {
		w.seq = 0 // DSP1054: the number wraps to 0
	} else {
		w.seq++
	}
	if len(w.queue) >= w.svc.cfg.QueueLength {
		w.queue[0] = nil
		w.queue = w.queue[1:]
		w.dropped++
		raise = !w.overflowing
		w.overflowing = true
	}
	w.queue = append(w.queue, own)
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
	if raise {
		w.svc.cfg.Log.WarnContext(ctx, "indication queue full; dropping the oldest", "op", "indication", "subscription", w.sub.ID)
		// Raised from another goroutine: Publish may be holding locks of
		// its caller, and the alert may select this very subscription.
		go w.svc.Alert(context.WithoutCancel(ctx), alertNamespace, Alert{
			AlertType: AlertQualityOfService, PerceivedSeverity: SeverityMajor, ProbableCause: ProbableCauseQueueSize,
			Description: "indications for a subscription are being dropped",
			Message:     fmt.Sprintf("The delivery queue of subscription %s is full (%d); the oldest indications are dropped.", w.sub.ID, w.svc.cfg.QueueLength),
			MessageID:   "FRM0001",
		})
	}
}

// next waits for the oldest queued indication and takes it from the queue:
// the one being delivered does not count against QueueLength.
func (w *worker) next() (*cim.Instance, bool) {
	for {
		w.mu.Lock()
		if len(w.queue) > 0 {
			ind := w.queue[0]
			w.queue[0] = nil
			w.queue = w.queue[1:]
			w.mu.Unlock()
			return ind, true
		}
		w.overflowing = false
		w.mu.Unlock()
		select {
		case <-w.wake:
		case <-w.ctx.Done():
			return nil, false
		}
	}
}

// done counts the outcome of one delivery.
func (w *worker) done(delivered bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if delivered {
		w.delivered++
	} else {
		w.failed++
	}
}

func (w *worker) stats() Stats {
	w.mu.Lock()
	defer w.mu.Unlock()
	return Stats{Queued: len(w.queue), Delivered: w.delivered, Dropped: w.dropped, Failed: w.failed}
}

// run delivers until the worker is stopped or a fatal failure ends the
// subscription.
func (w *worker) run() {
	defer close(w.stopped)
	for {
		ind, ok := w.next()
		if !ok {
			return
		}
		err := w.deliver(ind)
		if w.ctx.Err() != nil {
			return
		}
		w.done(err == nil)
		if err == nil {
			continue
		}
		log := w.svc.cfg.Log
		switch w.sub.OnFatalErrorPolicy {
		case PolicyDisable, PolicyRemove:
			log.WarnContext(w.ctx, "indication delivery failed; ending the subscription", "op", "indication",
				"subscription", w.sub.ID, "policy", w.sub.OnFatalErrorPolicy, "err", err)
			w.svc.removeWorker(w)
			w.tellEnd(err)
			if w.svc.cfg.OnFatal != nil {
				w.svc.cfg.OnFatal(context.Background(), w.sub.ID, w.sub.OnFatalErrorPolicy, err)
			}
			return
		default:
			log.WarnContext(w.ctx, "indication delivery failed; dropped", "op", "indication", "subscription", w.sub.ID, "err", err)
		}
	}
}

// tellEnd tells the listener that the subscription ended because a
// delivery failed with err, when its Sender can (an Ender).
func (w *worker) tellEnd(err error) {
	e, ok := w.sub.Sender.(Ender)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), w.svc.cfg.SendTimeout)
	defer cancel()
	if endErr := e.End(ctx, "Delivery failed: "+err.Error()); endErr != nil {
		w.svc.cfg.Log.WarnContext(ctx, "listener not told that its subscription ended", "op", "indication",
			"subscription", w.sub.ID, "err", endErr)
	}
}

// deliver sends ind, retrying Config.RetryAttempts times Config.RetryInterval
// apart; it returns the last error.
func (w *worker) deliver(ind *cim.Instance) error {
	cfg := &w.svc.cfg
	for attempt := 0; ; attempt++ {
		ctx, cancel := context.WithTimeout(w.ctx, cfg.SendTimeout)
		err := w.sub.Sender.Send(ctx, ind)
		cancel()
		if err == nil || w.ctx.Err() != nil {
			return err
		}
		if attempt >= cfg.RetryAttempts {
			return fmt.Errorf("deliver to subscription %s after %d attempts: %w", w.sub.ID, attempt+1, err)
		}
		select {
		case <-cfg.After(cfg.RetryInterval):
		case <-w.ctx.Done():
			return w.ctx.Err()
		}
	}
}

// stop ends the worker and waits for its goroutine.
func (w *worker) stop() {
	w.cancel()
	<-w.stopped
}
