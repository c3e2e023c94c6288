package jobs

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/auth"
	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// fakeClock is a settable clock for expiry tests.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2008, 3, 3, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// newManager returns a manager over store (nil for none) with a fake clock
// and sequential IDs; it is closed when the test ends.
func newManager(t *testing.T, store Store, clock *fakeClock, workers int) *Manager {
	t.Helper()
	n := 0
	var mu sync.Mutex
	m, err := NewManager(t.Context(), Config{
		Store: store, Now: clock.Now, Workers: workers, SweepInterval: -1, Log: quiet,
		NewID: func() string {
			mu.Lock()
			defer mu.Unlock()
			n++
			return "Ferrum:Job:" + string(rune('a'+n-1))
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_ = m.Close(ctx)
	})
	return m
}

// newDispatcher returns a dispatcher with Ferrum's schema serving m's jobs.
func newDispatcher(t *testing.T, m *Manager) *cimom.Dispatcher {
	t.Helper()
	r, err := cimom.NewSchemaRepository()
	if err != nil {
		t.Fatal(err)
	}
	d := cimom.New(r, cimom.NewMemoryStore())
	d.Log = quiet
	if err := Register(d, m); err != nil {
		t.Fatal(err)
	}
	return d
}

// gate is work that blocks until released or cancelled; it registers
// undo steps that record their order.
type gate struct {
	started chan struct{}
	release chan error
	mu      sync.Mutex
	undone  []string
}

func newGate() *gate {
	return &gate{started: make(chan struct{}), release: make(chan error, 1)}
}

func (g *gate) work(undo ...string) Work {
	return func(ctx context.Context, p *Progress) (cim.Params, error) {
		for _, name := range undo {
			p.Undo(name, func(context.Context) error {
				g.mu.Lock()
				g.undone = append(g.undone, name)
				g.mu.Unlock()
				return nil
			})
		}
		p.Set(40)
		close(g.started)
		select {
		case err := <-g.release:
			if err != nil {
				return nil, err
			}
			return cim.Params{{Name: "ResultingSystem", Value: cim.String("done")}}, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (g *gate) undoOrder() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.undone...)
}

func as(user string, roles ...string) context.Context {
	return auth.WithPrincipal(context.Background(), auth.Principal{User: user, Roles: roles})
}

func wait(t *testing.T, m *Manager, id string) Job {
	t.Helper()
	j, err := m.Wait(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// codedError carries a method return code, as providers' errors do.
type codedError struct {
	code uint32
	err  error
}

func (e codedError) Error() string      { return e.err.Error() }
func (e codedError) Unwrap() error      { return e.err }
func (e codedError) ReturnCode() uint32 { return e.code }

var errBackend = errors.New("backend refused")

func u16s(v cim.Value) []uint16 {
	var out []uint16
	for _, e := range v.Elems() {
		n, _ := e.AsUint64()
		out = append(out, uint16(n))
	}
	return out
}
