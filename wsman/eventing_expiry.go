package wsman

import (
	"context"
	"sync"
	"time"
)

// expiryTimers ends WS-Eventing subscriptions when they expire: one timer
// per subscription that has an expiry. It is safe for concurrent use.
type expiryTimers struct {
	now  func() time.Time
	fire func(id string, at time.Time)

	mu     sync.Mutex
	timers map[string]*time.Timer
	closed bool
	wg     sync.WaitGroup // running fire calls and the start-up load
}

func newExpiryTimers(now func() time.Time, fire func(id string, at time.Time)) *expiryTimers {
	return &expiryTimers{now: now, fire: fire, timers: map[string]*time.Timer{}}
}

// arm makes subscription id end at at, replacing its previous expiry; a
// zero at means it never expires.
func (t *expiryTimers) arm(id string, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if old := t.timers[id]; old != nil {
		old.Stop()
		delete(t.timers, id)
	}
	if t.closed || at.IsZero() {
		return
	}
	var tm *time.Timer
	tm = time.AfterFunc(max(at.Sub(t.now()), 0), func() {
		t.mu.Lock()
		current := t.timers[id] == tm && !t.closed
		if current {
			delete(t.timers, id)
			t.wg.Add(1)
		}
		t.mu.Unlock()
		if current {
			defer t.wg.Done()
			t.fire(id, at)
		}
	})
	t.timers[id] = tm
}

// disarm forgets subscription id's expiry.
func (t *expiryTimers) disarm(id string) { t.arm(id, time.Time{}) }

// armed reports whether subscription id has a pending expiry.
func (t *expiryTimers) armed(id string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.timers[id] != nil
}

// close stops every timer and waits for the expiries being handled.
func (t *expiryTimers) close() {
	t.mu.Lock()
	t.closed = true
	for id, tm := range t.timers {
		tm.Stop()
		delete(t.timers, id)
	}
	t.mu.Unlock()
	t.wg.Wait()
}

// loadExpiries arms the timers of the subscriptions created in earlier
// runs; those already expired end at once.
func (h *Handler) loadExpiries() {
	h.events.wg.Add(1)
	go func() {
		defer h.events.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		err := h.eachEventSub(ctx, func(s *eventSub) bool {
			h.events.arm(s.info.id, s.info.expires)
			return true
		})
		if err != nil {
			h.log.WarnContext(ctx, "WS-Eventing subscriptions not loaded", "op", "eventing", "err", err)
		}
	}()
}

// expire ends subscription id, whose expiry at has come: it is deleted and,
// when the subscriber gave an EndTo, told so with wse:SubscriptionEnd.
func (h *Handler) expire(id string, at time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := h.findEventSub(ctx, id)
	if err != nil || !s.info.expires.Equal(at) {
		return // gone, or renewed meanwhile
	}
	if err := h.deleteEventSub(ctx, s); err != nil {
		h.log.WarnContext(ctx, "expired subscription not deleted", "op", "eventing", "id", id, "err", err)
		return
	}
	h.log.InfoContext(ctx, "subscription expired", "op", "eventing", "id", id)
	if s.info.endTo == nil {
		return
	}
	if err := h.sender.subscriptionEnd(ctx, s.info, endStatusCancel, "The subscription expired."); err != nil {
		h.log.WarnContext(ctx, "SubscriptionEnd not delivered", "op", "eventing", "id", id, "endTo", s.info.endTo.address, "err", err)
	}
}
