package lifecycle

import (
	"context"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// elementTracker diffs the instances of the watched classes (pools,
// switches) after each finished job.
type elementTracker struct {
	s    *Service
	last map[string]setting // by canonical path; owned by the run goroutine
	poke chan struct{}
}

// init reads the baseline and starts the goroutine that diffs on trigger.
func (t *elementTracker) init(ctx context.Context, s *Service) error {
	t.s, t.poke = s, make(chan struct{}, 1)
	if len(s.cfg.WatchedClasses) == 0 {
		return nil
	}
	t.last = t.read(ctx)
	s.goRun(t.run)
	return nil
}

// trigger asks for a diff soon; triggers coalesce.
func (t *elementTracker) trigger() {
	if t.poke == nil {
		return
	}
	select {
	case t.poke <- struct{}{}:
	default:
	}
}

func (t *elementTracker) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.poke:
		}
		cur := t.read(ctx)
		t.diff(ctx, cur)
		t.last = cur
	}
}

// read enumerates the watched classes.
func (t *elementTracker) read(ctx context.Context) map[string]setting {
	out := map[string]setting{}
	for _, class := range t.s.cfg.WatchedClasses {
		err := t.s.cfg.Dispatcher.EnumerateInstances(ctx, ns, class, cimom.InstanceOptions{DeepInheritance: true},
			func(p cim.ObjectPath, in *cim.Instance) bool {
				out[p.Canonical()] = setting{path: p, in: in}
				return true
			})
		if err != nil && cim.StatusOf(err) != cim.ErrInvalidClass {
			t.s.cfg.Log.WarnContext(ctx, "enumerate watched class", "op", "lifecycle", "class", class, "err", err)
		}
	}
	return out
}

// diff publishes the creations, modifications and deletions from t.last
// to cur.
func (t *elementTracker) diff(ctx context.Context, cur map[string]setting) {
	prev := settings{vssd: &cim.Instance{}, rasds: t.last}
	next := settings{vssd: prev.vssd, rasds: cur}
	prev.diffSet(ctx, t.s, next)
}
