package agent_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/agent/agenttest"
	"github.com/ferrum-virt/ferrum/agent/proto"
	"github.com/ferrum-virt/ferrum/backends"
	agentbackend "github.com/ferrum-virt/ferrum/backends/agent"
	"github.com/ferrum-virt/ferrum/backends/sim"
)

// stubHost is a simulated host whose VM calls Get and Start can be
// replaced, to make the node fail in ways a simulator does not.
type stubHost struct {
	*sim.Host
	vms *stubVMs
}

func (h *stubHost) VMs() backends.VMManager { return h.vms }

type stubVMs struct {
	backends.VMManager
	get   func(ctx context.Context, id string) (backends.VM, error)
	start func(ctx context.Context, id string) error
}

func (v *stubVMs) Get(ctx context.Context, id string) (backends.VM, error) {
	if v.get != nil {
		return v.get(ctx, id)
	}
	return v.VMManager.Get(ctx, id)
}

func (v *stubVMs) Start(ctx context.Context, id string) error {
	if v.start != nil {
		return v.start(ctx, id)
	}
	return v.VMManager.Start(ctx, id)
}

// stubbed runs an agent in front of a stubbed simulated host.
func stubbed(t *testing.T) (*stubVMs, *agenttest.Agent) {
	t.Helper()
	h := newDC(t, 1).Host(0)
	s := &stubHost{Host: h, vms: &stubVMs{VMManager: h.VMs()}}
	return s.vms, agenttest.StartAgent(t, agenttest.StartManager(t), s)
}

func TestSentinelErrorsSurviveTheAgentLink(t *testing.T) {
	stub, a := stubbed(t)
	sentinels := []error{backends.ErrNotFound, backends.ErrConflict, backends.ErrInsufficientResources,
		backends.ErrUnsupported, backends.ErrInvalidArgument, backends.ErrIncompatible, backends.ErrNotConverged,
		backends.ErrUnavailable}
	for _, want := range sentinels {
		t.Run(fmt.Sprintf("a node's %v → errors.Is %v on the manager", want, want), func(t *testing.T) {
			stub.get = func(_ context.Context, id string) (backends.VM, error) {
				return backends.VM{}, fmt.Errorf("get %s on node1: %w", id, want)
			}
			_, err := a.Host.VMs().Get(t.Context(), "vm1")
			if !errors.Is(err, want) || err.Error() != fmt.Sprintf("get vm1 on node1: %v", want) {
				t.Fatalf("Get = %v, want the node's error matching %v", err, want)
			}
		})
	}
}

func TestStateErrorSurvivesTheAgentLink(t *testing.T) {
	a := agenttest.StartAgent(t, agenttest.StartManager(t), newDC(t, 1).Host(0))
	ctx := t.Context()
	vm, err := a.Host.VMs().Define(ctx, backends.VMSpec{Name: "twice", VCPUs: 1, MemoryMiB: 512})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Host.VMs().Start(ctx, vm.UUID); err != nil {
		t.Fatal(err)
	}
	err = a.Host.VMs().Start(ctx, vm.UUID)
	var se *backends.StateError
	if !errors.As(err, &se) || se.State != backends.StateRunning || se.VM != vm.UUID || !errors.Is(err, backends.ErrConflict) {
		t.Fatalf("second Start = %v (%+v), want a StateError in state running", err, se)
	}
}

func TestContextsCrossTheAgentLink(t *testing.T) {
	t.Run("the caller's deadline reaches the node", func(t *testing.T) {
		stub, a := stubbed(t)
		seen := make(chan time.Duration, 1)
		stub.start = func(ctx context.Context, _ string) error {
			dl, ok := ctx.Deadline()
			if !ok {
				seen <- -1
				return nil
			}
			seen <- time.Until(dl)
			return nil
		}
		ctx, cancel := context.WithTimeout(t.Context(), time.Hour)
		defer cancel()
		if err := a.Host.VMs().Start(ctx, "x"); err != nil {
			t.Fatal(err)
		}
		if left := <-seen; left <= 0 || left > time.Hour {
			t.Fatalf("node saw %v left of a one-hour deadline", left)
		}
	})
	t.Run("cancelling the caller cancels the node's call → context.Canceled", func(t *testing.T) {
		stub, a := stubbed(t)
		entered, ended := make(chan struct{}), make(chan error, 1)
		stub.start = func(ctx context.Context, _ string) error {
			close(entered)
			<-ctx.Done()
			ended <- ctx.Err()
			return ctx.Err()
		}
		ctx, cancel := context.WithCancel(t.Context())
		go func() { <-entered; cancel() }()
		err := a.Host.VMs().Start(ctx, "x")
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Start = %v, want context.Canceled", err)
		}
		if nodeErr := <-ended; !errors.Is(nodeErr, context.Canceled) {
			t.Fatalf("the node's call ended with %v", nodeErr)
		}
	})
	t.Run("a deadline that passes on the node → context.DeadlineExceeded", func(t *testing.T) {
		stub, a := stubbed(t)
		stub.start = func(ctx context.Context, _ string) error { <-ctx.Done(); return ctx.Err() }
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
		defer cancel()
		if err := a.Host.VMs().Start(ctx, "x"); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Start = %v, want context.DeadlineExceeded", err)
		}
	})
	t.Run("an ended context is refused before anything is sent", func(t *testing.T) {
		stub, a := stubbed(t)
		stub.start = func(context.Context, string) error {
			t.Error("the node ran a call whose context had ended")
			return nil
		}
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if err := a.Host.VMs().Start(ctx, "x"); !errors.Is(err, context.Canceled) {
			t.Fatalf("Start = %v", err)
		}
	})
}

func TestAPanickingBackendFailsOneCallNotTheAgent(t *testing.T) {
	stub, a := stubbed(t)
	stub.start = func(context.Context, string) error { panic("driver bug") }
	if err := a.Host.VMs().Start(t.Context(), "x"); err == nil {
		t.Fatal("a panicking call succeeded")
	}
	if _, err := a.Host.VMs().List(t.Context()); err != nil {
		t.Fatalf("the agent stopped serving after a panic: %v", err)
	}
}

func TestCallsWithoutALinkFailUnavailable(t *testing.T) {
	a := agenttest.StartAgent(t, agenttest.StartManager(t), newDC(t, 1).Host(0))
	sub, err := a.Host.Events(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	if err := a.Stop(); err != nil {
		t.Fatal(err)
	}
	alerted := false
	for e := range sub.Events() {
		if alerted = e.Type == backends.EventHostAlert && e.Alert != nil && e.Alert.Component == "agent"; alerted {
			break
		}
	}
	if !alerted {
		t.Fatal("subscribers were not told that the link was lost")
	}
	if _, err := a.Host.VMs().List(t.Context()); !errors.Is(err, backends.ErrUnavailable) {
		t.Fatalf("List without a link = %v, want ErrUnavailable", err)
	}
}

// noMigrate hides the simulator's Migrator.
type noMigrate struct{ backends.Host }

func TestMigration(t *testing.T) {
	m := agenttest.StartManager(t)
	t.Run("a host whose backend cannot migrate is not a Migrator", func(t *testing.T) {
		a := agenttest.StartAgent(t, m, noMigrate{newDC(t, 1).Host(0)})
		if _, ok := a.Host.(backends.Migrator); ok {
			t.Fatal("the host claims to migrate")
		}
	})
	t.Run("migrating to a host that is not agent-backed → ErrUnsupported", func(t *testing.T) {
		dc := newDC(t, 2)
		a := agenttest.StartAgent(t, m, dc.Host(0))
		mig, ok := a.Host.(*agentbackend.MigratingHost)
		if !ok {
			t.Fatalf("host is %T, want a *MigratingHost", a.Host)
		}
		_, err := mig.Migrate(t.Context(), "x", dc.Host(1), backends.MigrateOptions{})
		if !errors.Is(err, backends.ErrUnsupported) {
			t.Fatalf("Migrate = %v", err)
		}
	})
	t.Run("a source agent that cannot resolve the destination → ErrUnsupported", func(t *testing.T) {
		dc := newDC(t, 6)
		x, y := compatiblePair(t, dc)
		src, dst := agenttest.StartAgent(t, m, x), agenttest.StartAgent(t, m, y)
		_, err := src.Host.(backends.Migrator).CheckMigration(t.Context(), "x", dst.Host)
		if !errors.Is(err, backends.ErrUnsupported) {
			t.Fatalf("CheckMigration = %v", err)
		}
	})
}

func TestWatchStatsStreamsSamples(t *testing.T) {
	a := agenttest.StartAgent(t, agenttest.StartManager(t), newDC(t, 1).Host(0))
	ctx, cancel := context.WithCancel(t.Context())
	vm, err := a.Host.VMs().Define(ctx, backends.VMSpec{Name: "busy", VCPUs: 1, MemoryMiB: 512})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Host.VMs().Start(ctx, vm.UUID); err != nil {
		t.Fatal(err)
	}
	h := a.Host.(interface {
		WatchStats(context.Context, time.Duration, bool) (<-chan proto.StatsSample, error)
	})
	ch, err := h.WatchStats(ctx, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		s, ok := <-ch
		if !ok {
			t.Fatal("stream closed early")
		}
		if s.Host.RunningVMs != 1 || s.VMs[vm.UUID].VCPUs != 1 {
			t.Fatalf("sample %+v", s)
		}
	}
	cancel()
	for range ch { // closes once the context ends
	}
}
