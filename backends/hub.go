package backends

import (
	"context"
	"sync"
	"sync/atomic"
)

// DefaultEventBuffer is how many undelivered events a subscription holds
// before it starts dropping.
const DefaultEventBuffer = 256

// A Subscription receives a host's events in order. Delivery never blocks the
// host: when a subscriber falls behind by more than its buffer, newer events
// are dropped for it and counted by Dropped, and the gap shows in Event.Seq.
// The channel closes when the subscription's context ends or Close is
// called.
type Subscription struct {
	ch      chan Event
	dropped atomic.Uint64
	hub     *Hub
	stop    func() bool
	once    sync.Once
}

// Events returns the channel events arrive on.
func (s *Subscription) Events() <-chan Event { return s.ch }

// Dropped counts events lost because the buffer was full.
func (s *Subscription) Dropped() uint64 { return s.dropped.Load() }

// Close ends the subscription and closes its channel. It is safe to call
// more than once.
func (s *Subscription) Close() {
	s.stop()
	s.end()
}

func (s *Subscription) end() { s.once.Do(func() { s.hub.remove(s) }) }

// A Hub fans events out to subscriptions. Backends embed one per host. The
// zero value is ready to use and costs nothing until someone subscribes.
type Hub struct {
	mu   sync.Mutex
	seq  uint64
	subs []*Subscription
}

// Subscribe adds a subscription with room for buffer undelivered events
// (DefaultEventBuffer when buffer ≤ 0). It ends when ctx does.
func (h *Hub) Subscribe(ctx context.Context, buffer int) *Subscription {
	if buffer <= 0 {
		buffer = DefaultEventBuffer
	}
	s := &Subscription{ch: make(chan Event, buffer), hub: h}
	h.mu.Lock()
	h.subs = append(h.subs, s)
	h.mu.Unlock()
	s.stop = context.AfterFunc(ctx, s.end)
	return s
}

// Publish numbers e and offers it to every subscription without blocking.
// Callers publish in the order the events happened, typically while holding
// the lock that serialises those changes.
func (h *Hub) Publish(e Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seq++
	e.Seq = h.seq
	for _, s := range h.subs {
		select {
		case s.ch <- e:
		default:
			s.dropped.Add(1)
		}
	}
}

// Subscribers reports how many subscriptions are open, so a publisher can
// skip building events nobody reads.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

func (h *Hub) remove(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, x := range h.subs {
		if x == s {
			h.subs = append(h.subs[:i], h.subs[i+1:]...)
			break
		}
	}
	close(s.ch)
}
