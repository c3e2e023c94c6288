package indication

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// endingRecorder is a listener that can be told its subscription ended.
type endingRecorder struct {
	*recorder
	mu   sync.Mutex
	ends []string
}

func (e *endingRecorder) End(_ context.Context, reason string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ends = append(e.ends, reason)
	return nil
}

func (e *endingRecorder) endReasons() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.ends...)
}

// TestAListenerIsToldWhenFailedDeliveriesEndItsSubscription: under
// Disable and Remove the Sender, when an Ender, hears once why its
// subscription ended, before OnFatal; under Ignore it hears nothing.
func TestAListenerIsToldWhenFailedDeliveriesEndItsSubscription(t *testing.T) {
	for _, policy := range []uint16{PolicyIgnore, PolicyDisable, PolicyRemove} {
		now := make(chan time.Time)
		close(now)
		fatal := make(chan int, 1)
		r := &endingRecorder{recorder: newRecorder()}
		s := New(Config{IsA: isA, RetryAttempts: 1, After: func(time.Duration) <-chan time.Time { return now },
			OnFatal: func(context.Context, string, uint16, error) { fatal <- len(r.endReasons()) }})
		r.setDown(true)
		if err := s.Add(Subscription{ID: "s", Query: mustQuery(t, "SELECT * FROM CIM_Indication"), Sender: r, OnFatalErrorPolicy: policy}); err != nil {
			t.Fatal(err)
		}
		s.Publish(context.Background(), "root/virt", InstCreation("root/virt", vm("a", 2), vmPath("a")))
		if policy == PolicyIgnore {
			waitFor(t, func() bool { st, _ := s.Stats("s"); return st.Failed == 1 })
			if ends := r.endReasons(); len(ends) != 0 {
				t.Errorf("policy Ignore told the listener %q", ends)
			}
			s.Close()
			continue
		}
		select {
		case n := <-fatal:
			if n != 1 {
				t.Errorf("policy %d: the listener was told %d times before OnFatal, want once", policy, n)
			}
		case <-time.After(deadline):
			t.Fatalf("policy %d: OnFatal not called", policy)
		}
		if ends := r.endReasons(); len(ends) != 1 || !strings.HasPrefix(ends[0], "Delivery failed: ") {
			t.Errorf("policy %d: end reasons %q", policy, ends)
		}
		s.Close()
	}
}
