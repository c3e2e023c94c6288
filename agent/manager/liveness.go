package manager

import (
	"context"
	"sync"
	"time"

	"github.com/ferrum-virt/ferrum/agent/link"
	"github.com/ferrum-virt/ferrum/agent/proto"
)

// State is a node's liveness.
type State string

// Liveness states. A node is alive while its heartbeats arrive, suspect
// once Config.SuspectAfter of them are missed, and dead after
// Config.DeadAfter, when its agent says goodbye, when it is revoked, and
// before it first connects. A heartbeat or a new link makes it alive again.
const (
	StateAlive   State = "alive"
	StateSuspect State = "suspect"
	StateDead    State = "dead"
)

// NodeEvent reports a node's change of state.
type NodeEvent struct {
	Node   string // host UUID
	Name   string // hostname
	State  State
	Prev   State
	Reason string // "connected", "heartbeats missed", "agent stopping", ...
	Time   time.Time
}

// Up reports whether the event brings the node up (to alive from dead);
// Down whether it takes it down (to dead).
func (e NodeEvent) Up() bool   { return e.State == StateAlive && e.Prev == StateDead }
func (e NodeEvent) Down() bool { return e.State == StateDead }

// watchBuffer is how many undelivered node events a watcher holds.
const watchBuffer = 64

type watcher struct {
	ch   chan NodeEvent
	once sync.Once
}

func (w *watcher) close() { w.once.Do(func() { close(w.ch) }) }

// Watch delivers every node state change, in order, until ctx ends; then
// the channel closes. A watcher that falls more than 64 events behind loses
// the newest ones (and the registry logs it); it never slows the registry.
func (r *Registry) Watch(ctx context.Context) <-chan NodeEvent {
	w := &watcher{ch: make(chan NodeEvent, watchBuffer)}
	r.mu.Lock()
	r.watchers[w] = struct{}{}
	r.mu.Unlock()
	context.AfterFunc(ctx, func() {
		r.mu.Lock()
		delete(r.watchers, w)
		r.mu.Unlock()
		w.close()
	})
	return w.ch
}

// setState moves n to s and tells the watchers. Called with r.mu held.
func (r *Registry) setState(n *node, s State, reason string) {
	if n.state == s {
		return
	}
	now := r.cfg.Clock.Now()
	ev := NodeEvent{Node: n.rec.ID, Name: n.rec.Name, State: s, Prev: n.state, Reason: reason, Time: now}
	n.state, n.since = s, now
	level := map[State]func(string, ...any){StateAlive: r.log.Info, StateSuspect: r.log.Warn, StateDead: r.log.Warn}[s]
	level("node "+string(s), "host", n.rec.ID, "name", n.rec.Name, "reason", reason)
	for w := range r.watchers {
		select {
		case w.ch <- ev:
		default:
			r.log.Warn("node watcher too slow; event dropped", "host", n.rec.ID, "state", s)
		}
	}
}

// attach makes sess the node's link; the node is alive.
func (r *Registry) attach(ctx context.Context, n *node, sess *link.Session, hello proto.Hello) error {
	if err := n.host.Attach(ctx, sess, hello); err != nil {
		return err
	}
	r.mu.Lock()
	old := n.sess
	n.sess, n.hello = sess, hello
	n.interval = hello.Heartbeat
	if n.interval <= 0 {
		n.interval = r.cfg.DefaultHeartbeat
	}
	n.lastBeat = r.cfg.Clock.Now()
	r.setState(n, StateAlive, "connected")
	r.mu.Unlock()
	if old != nil && old != sess {
		_ = old.Close()
	}
	return nil
}

// detach drops sess from n when it is still n's link. A reason other than
// "" declares the node dead at once (goodbye, revocation); otherwise
// liveness follows the heartbeats.
func (r *Registry) detach(n *node, sess *link.Session, reason string) {
	r.mu.Lock()
	mine := sess != nil && n.sess == sess
	if mine {
		n.sess = nil
	}
	if reason != "" && n.sess == nil {
		r.setState(n, StateDead, reason)
	}
	r.mu.Unlock()
	if mine {
		n.host.Detach(sess)
	}
}

// beat records a heartbeat on sess.
func (r *Registry) beat(n *node, sess *link.Session) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if n.sess != sess {
		return
	}
	n.lastBeat = r.cfg.Clock.Now()
	r.setState(n, StateAlive, "heartbeat")
}

// Sweep checks every node's heartbeats against the clock now: a node that
// has missed SuspectAfter heartbeats becomes suspect, one that has missed
// DeadAfter becomes dead and loses its link. It runs every SweepInterval;
// tests with a hand-moved clock call it directly.
func (r *Registry) Sweep() {
	now := r.cfg.Clock.Now()
	var dead []*link.Session
	r.mu.Lock()
	for _, n := range r.nodes {
		if n.state == StateDead || n.interval <= 0 {
			continue
		}
		missed := int(now.Sub(n.lastBeat) / n.interval)
		switch {
		case missed >= r.cfg.DeadAfter:
			r.setState(n, StateDead, "heartbeats missed")
			if n.sess != nil {
				dead = append(dead, n.sess)
			}
		case missed >= r.cfg.SuspectAfter:
			r.setState(n, StateSuspect, "heartbeats missed")
		}
	}
	r.mu.Unlock()
	for _, s := range dead {
		_ = s.Close() // its connection goroutine detaches it
	}
}

func (r *Registry) sweepLoop(ctx context.Context) {
	t := time.NewTicker(r.cfg.SweepInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r.Sweep()
		}
	}
}
