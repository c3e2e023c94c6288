package manager_test

import (
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/agent"
	"github.com/ferrum-virt/ferrum/agent/agenttest"
	"github.com/ferrum-virt/ferrum/agent/manager"
	"github.com/ferrum-virt/ferrum/backends/sim"
)

var epoch = time.Date(2008, 3, 3, 9, 0, 0, 0, time.UTC)

func TestLivenessFollowsMissedHeartbeats(t *testing.T) {
	tests := []struct {
		name          string
		suspect, dead int // configured; 0 means the defaults, 3 and 10
	}{
		{"defaults: suspect after 3 missed heartbeats, dead after 10", 0, 0},
		{"configured: suspect after 1, dead after 2", 1, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := agenttest.NewClock(epoch)
			m := agenttest.StartManager(t, func(c *manager.Config) {
				c.Clock, c.SweepInterval, c.SuspectAfter, c.DeadAfter = clock, -1, tt.suspect, tt.dead
			})
			suspect, dead := max(tt.suspect, 3), max(tt.dead, 10)
			if tt.suspect != 0 {
				suspect, dead = tt.suspect, tt.dead
			}
			events := m.Watch(t.Context())
			const beat = time.Second
			fa := connectFake(t, m, "node-l", beat)
			step := func(missed int, want manager.State) {
				t.Helper()
				clock.Advance(time.Duration(missed) * beat)
				m.Sweep()
				if st, _ := m.Node(t.Context(), "node-l"); st.State != want {
					t.Fatalf("after %d more missed heartbeats: %s, want %s", missed, st.State, want)
				}
			}
			if e := next(t, events); e.State != manager.StateAlive || !e.Up() || e.Reason != "connected" {
				t.Fatalf("first event %+v", e)
			}
			step(suspect-1, manager.StateAlive)
			step(1, manager.StateSuspect)
			if e := next(t, events); e.State != manager.StateSuspect || e.Prev != manager.StateAlive {
				t.Fatalf("event %+v, want alive → suspect", e)
			}
			if len(m.Hosts(t.Context())) != 1 {
				t.Fatal("a suspect node's host must still be offered")
			}
			fa.beat(t)
			if e := next(t, events); e.State != manager.StateAlive || e.Reason != "heartbeat" {
				t.Fatalf("event %+v, want suspect → alive on a heartbeat", e)
			}
			step(suspect, manager.StateSuspect)
			next(t, events)
			step(dead-suspect-1, manager.StateSuspect)
			step(1, manager.StateDead)
			if e := next(t, events); e.State != manager.StateDead || !e.Down() || e.Prev != manager.StateSuspect {
				t.Fatalf("event %+v, want suspect → dead", e)
			}
			select {
			case <-fa.sess.Done():
			case <-time.After(30 * time.Second):
				t.Fatal("the manager kept a dead node's link open")
			}
			if len(m.Hosts(t.Context())) != 0 {
				t.Fatal("a dead node's host is still offered")
			}
		})
	}
}

func TestADeadNodesAgentReconnectsAndIsAliveAgain(t *testing.T) {
	clock := agenttest.NewClock(epoch)
	m := agenttest.StartManager(t, func(c *manager.Config) { c.Clock, c.SweepInterval = clock, -1 })
	dc, err := sim.NewDataCenter(sim.Config{Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	events := m.Watch(t.Context())
	a := agenttest.StartAgent(t, m, dc.Host(0), func(c *agent.Config) { c.Heartbeat = time.Hour })
	next(t, events) // alive
	clock.Advance(10 * time.Hour)
	m.Sweep()
	want := []manager.State{manager.StateDead, manager.StateAlive}
	for _, w := range want {
		if e := next(t, events); e.State != w {
			t.Fatalf("event %+v, want %s", e, w)
		}
	}
	if _, err := a.Host.VMs().List(t.Context()); err != nil {
		t.Fatalf("after reconnecting, the same Host works again: %v", err)
	}
}

func TestAnAgentThatStopsSaysGoodbyeAndIsDeadAtOnce(t *testing.T) {
	m := agenttest.StartManager(t, func(c *manager.Config) { c.SweepInterval = -1 })
	dc, err := sim.NewDataCenter(sim.Config{Seed: 12})
	if err != nil {
		t.Fatal(err)
	}
	events := m.Watch(t.Context())
	a := agenttest.StartAgent(t, m, dc.Host(0))
	next(t, events)
	if err := a.Stop(); err != nil {
		t.Fatalf("Run after stop = %v", err)
	}
	if e := next(t, events); e.State != manager.StateDead || e.Reason != "agent stopping" {
		t.Fatalf("event %+v, want dead because the agent is stopping", e)
	}
}
