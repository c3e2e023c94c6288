package lifecycle

import (
	"context"
	"time"

	"github.com/ferrum-virt/ferrum/backends"
)

// maxRetryDelay bounds the backoff between failed subscriptions.
const maxRetryDelay = 30 * time.Second

// hostWatch follows one host's event stream.
type hostWatch struct {
	s      *Service
	id     string
	h      backends.Host
	cancel context.CancelFunc
	done   chan struct{}
}

// watchHost starts following host id.
func (s *Service) watchHost(ctx context.Context, id string, h backends.Host) *hostWatch {
	ctx, cancel := context.WithCancel(ctx)
	w := &hostWatch{s: s, id: id, h: h, cancel: cancel, done: make(chan struct{})}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(w.done)
		w.run(ctx)
	}()
	return w
}

// stop ends the watcher and waits for it.
func (w *hostWatch) stop() {
	w.cancel()
	<-w.done
}

// run subscribes, resynchronises and consumes until ctx ends; a gap or a
// closed stream starts the cycle again.
func (w *hostWatch) run(ctx context.Context) {
	log := w.s.cfg.Log.With("op", "lifecycle", "host", w.id)
	first := true
	delay := w.s.cfg.RetryInterval
	for ctx.Err() == nil {
		sub, err := w.h.Events(ctx)
		if err != nil {
			log.WarnContext(ctx, "cannot subscribe to host events; retrying", "err", err, "in", delay)
			if !sleep(ctx, delay) {
				return
			}
			delay = min(2*delay, maxRetryDelay)
			continue
		}
		delay = w.s.cfg.RetryInterval
		if err := w.s.resync(ctx, w.id, w.h, first); err != nil {
			log.WarnContext(ctx, "resynchronise with host", "err", err)
		} else {
			first = false
		}
		gap := w.consume(ctx, sub)
		sub.Close()
		if !gap && !sleep(ctx, w.s.cfg.RetryInterval) {
			return
		}
	}
}

// consume handles the subscription's events until it closes (false) or
// shows a gap (true).
func (w *hostWatch) consume(ctx context.Context, sub *backends.Subscription) bool {
	var last uint64
	for {
		select {
		case <-ctx.Done():
			return false
		case ev, ok := <-sub.Events():
			if !ok {
				return false
			}
			if last != 0 && ev.Seq != last+1 || sub.Dropped() > 0 {
				w.s.gaps.Add(1)
				w.s.cfg.Log.WarnContext(ctx, "host events lost; resynchronising", "op", "lifecycle", "host", w.id,
					"after", last, "next", ev.Seq, "dropped", sub.Dropped())
				return true
			}
			last = ev.Seq
			w.s.handle(ctx, w.id, w.h, ev)
		}
	}
}

// handle raises the indications of one event.
func (s *Service) handle(ctx context.Context, hostID string, h backends.Host, ev backends.Event) {
	switch ev.Type {
	case backends.EventHostAlert:
		s.hostAlert(ctx, hostID, ev)
		return
	case backends.EventMigration, backends.EventMigratedOut:
		// A pre-copy round changes nothing visible; a VM that left is
		// reported by its destination.
	case backends.EventUndefined:
		s.vmUndefined(ctx, ev)
	default:
		if ev.VM != "" {
			s.vmChanged(ctx, hostID, h, ev)
		}
	}
	if changesAllocation(ev.Type) {
		s.checkCapacity(ctx, hostID, h)
	}
}

// changesAllocation reports whether an event of type t can change the
// memory a host's active VMs hold.
func changesAllocation(t backends.EventType) bool {
	switch t {
	case backends.EventStarted, backends.EventStopped, backends.EventShutdown, backends.EventCrashed,
		backends.EventSaved, backends.EventRestored, backends.EventMigratedIn, backends.EventMigratedOut,
		backends.EventModified, backends.EventUndefined:
		return true
	}
	return false
}

// sleep waits d or until ctx ends; it reports whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
