package agent_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/ferrum-virt/ferrum/agent"
	"github.com/ferrum-virt/ferrum/agent/agenttest"
	"github.com/ferrum-virt/ferrum/agent/proto"
	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/backends/backendtest"
	"github.com/ferrum-virt/ferrum/backends/sim"
)

var seed atomic.Int64

func newDC(t testing.TB, hosts int) *sim.DataCenter {
	t.Helper()
	dc, err := sim.NewDataCenter(sim.Config{Hosts: hosts, Seed: seed.Add(1)})
	if err != nil {
		t.Fatal(err)
	}
	return dc
}

// dcResolver resolves migration targets within an in-process data center,
// as agents in front of the hosts of one simulated data center would.
func dcResolver(dc *sim.DataCenter) agent.Resolver {
	return agent.ResolverFunc(func(_ context.Context, t proto.Target) (backends.Host, error) {
		if h, ok := dc.HostByID(t.HostID); ok {
			return h, nil
		}
		return nil, fmt.Errorf("host %s not in this data center: %w", t.HostID, backends.ErrNotFound)
	})
}

func withResolver(r agent.Resolver) func(*agent.Config) {
	return func(c *agent.Config) { c.Resolver = r }
}

// compatiblePair returns two hosts of dc with the same CPU vendor.
func compatiblePair(t testing.TB, dc *sim.DataCenter) (*sim.Host, *sim.Host) {
	t.Helper()
	seen := map[string]*sim.Host{}
	for _, h := range dc.Hosts() {
		info, err := h.Info(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if o, ok := seen[info.CPU.Vendor]; ok {
			return o, h
		}
		seen[info.CPU.Vendor] = h
	}
	t.Fatal("no two hosts share a CPU vendor")
	return nil, nil
}

// TestConformance runs the backends conformance suite against agent-backed
// hosts: each test's host is a simulated host behind a ferrum-agent,
// reached through one manager registry over loopback mutual TLS.
func TestConformance(t *testing.T) {
	m := agenttest.StartManager(t)
	backendtest.Run(t,
		func(t *testing.T) backends.Host {
			return agenttest.StartAgent(t, m, newDC(t, 1).Host(0)).Host
		},
		backendtest.WithPair(func(t *testing.T) (backends.Host, backends.Host) {
			dc := newDC(t, 6)
			a, b := compatiblePair(t, dc)
			r := withResolver(dcResolver(dc))
			return agenttest.StartAgent(t, m, a, r).Host, agenttest.StartAgent(t, m, b, r).Host
		}))
}
