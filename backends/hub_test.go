package backends

import (
	"context"
	"testing"
)

func TestHubDeliversInOrderAndNumbersEvents(t *testing.T) {
	var h Hub
	s := h.Subscribe(context.Background(), 8)
	defer s.Close()
	for _, ty := range []EventType{EventDefined, EventStarted, EventStopped} {
		h.Publish(Event{Type: ty})
	}
	for i, want := range []EventType{EventDefined, EventStarted, EventStopped} {
		e := <-s.Events()
		if e.Type != want || e.Seq != uint64(i+1) {
			t.Fatalf("event %d = %v, want %s #%d", i, e, want, i+1)
		}
	}
}

func TestHubSlowSubscriberDropsAndCountsWithoutBlocking(t *testing.T) {
	var h Hub
	slow := h.Subscribe(context.Background(), 2)
	defer slow.Close()
	for range 5 {
		h.Publish(Event{Type: EventModified}) // must not block
	}
	if got := slow.Dropped(); got != 3 {
		t.Fatalf("Dropped = %d, want 3", got)
	}
	if a, b := <-slow.Events(), <-slow.Events(); a.Seq != 1 || b.Seq != 2 {
		t.Fatalf("kept %d,%d; want the oldest two", a.Seq, b.Seq)
	}
	h.Publish(Event{Type: EventModified})
	if e := <-slow.Events(); e.Seq != 6 {
		t.Fatalf("after draining got #%d, want #6 (gap shows the loss)", e.Seq)
	}
}

func TestSubscriptionClosesWhenContextEnds(t *testing.T) {
	var h Hub
	ctx, cancel := context.WithCancel(context.Background())
	s := h.Subscribe(ctx, 0)
	cancel()
	for range s.Events() { // returns once closed
	}
	if n := h.Subscribers(); n != 0 {
		t.Fatalf("Subscribers = %d after cancel", n)
	}
	s.Close() // idempotent
	h.Publish(Event{})
}

func TestSubscribeWithAnEndedContextIsClosed(t *testing.T) {
	var h Hub
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s := h.Subscribe(ctx, 1)
	for range s.Events() {
	}
	s.Close()
}
