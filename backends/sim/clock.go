package sim

import (
	"container/heap"
	"context"
	"sync"
	"time"
)

// Epoch is where a new Clock starts unless told otherwise.
var Epoch = time.Date(2008, time.March, 3, 9, 0, 0, 0, time.UTC)

// A Clock is the simulator's virtual time. Timers fire in deadline order (ties
// in creation order) from the goroutine that advances the clock, with Now
// equal to their deadline. It is safe for concurrent use.
type Clock struct {
	mu     sync.Mutex
	now    time.Time
	timers timerHeap
	seq    uint64
	auto   bool
}

// NewClock returns a clock at start in auto-advance mode.
func NewClock(start time.Time) *Clock {
	return &Clock{now: start, auto: true}
}

// Now returns the virtual time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// SetAutoAdvance chooses what Sleep does: with auto on, Sleep advances the
// clock itself, so simulated waits cost no real time; with auto off, Sleep
// blocks until someone else advances the clock (Advance, RunRealTime).
func (c *Clock) SetAutoAdvance(on bool) {
	c.mu.Lock()
	c.auto = on
	c.mu.Unlock()
}

// Advance moves the clock forward by d, firing due timers in order.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	target := c.now.Add(d)
	c.mu.Unlock()
	c.advanceTo(target)
}

func (c *Clock) advanceTo(target time.Time) {
	for {
		c.mu.Lock()
		if len(c.timers) == 0 || c.timers[0].when.After(target) {
			if target.After(c.now) {
				c.now = target
			}
			c.mu.Unlock()
			return
		}
		t := heap.Pop(&c.timers).(*Timer)
		if t.when.After(c.now) {
			c.now = t.when
		}
		c.mu.Unlock()
		t.f()
	}
}

// A Timer calls a function when the clock reaches its deadline.
type Timer struct {
	c     *Clock
	when  time.Time
	seq   uint64
	f     func()
	index int
}

// AfterFunc calls f once the clock has advanced by d.
func (c *Clock) AfterFunc(d time.Duration, f func()) *Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &Timer{c: c, when: c.now.Add(d), seq: c.seq, f: f}
	heap.Push(&c.timers, t)
	return t
}

// Stop cancels the timer; it reports whether it had not fired yet.
func (t *Timer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	if t.index < 0 {
		return false
	}
	heap.Remove(&t.c.timers, t.index)
	return true
}

// Sleep waits until the clock has advanced by d or ctx ends, and returns
// ctx.Err() in the latter case. In auto-advance mode it advances the clock
// itself. Callers must not hold locks that timer functions take.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	auto := c.auto
	c.mu.Unlock()
	if auto {
		c.Advance(d)
		return ctx.Err()
	}
	done := make(chan struct{})
	t := c.AfterFunc(d, func() { close(done) })
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		t.Stop()
		return ctx.Err()
	}
}

// RunRealTime advances the clock by speed×tick every tick of real time
// until ctx ends. ferrumd uses it to make a simulated data center live.
func (c *Clock) RunRealTime(ctx context.Context, tick time.Duration, speed float64) {
	tk := time.NewTicker(tick)
	defer tk.Stop()
	step := time.Duration(float64(tick) * speed)
	for {
		select {
		case <-ctx.Done():
			return
		case <-tk.C:
			c.Advance(step)
		}
	}
}

type timerHeap []*Timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].when.Equal(h[j].when) {
		return h[i].seq < h[j].seq
	}
	return h[i].when.Before(h[j].when)
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *timerHeap) Push(x any) {
	t := x.(*Timer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	t.index = -1
	*h = old[:len(old)-1]
	return t
}
