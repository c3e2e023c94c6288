package agent_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/agent"
	"github.com/ferrum-virt/ferrum/agent/agenttest"
	"github.com/ferrum-virt/ferrum/agent/proto"
	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/backends/backendtest"
	"github.com/ferrum-virt/ferrum/backends/libvirt/testenv"
)

// TestConformanceQEMU runs the suite against two ferrum-agents in front of
// QEMU/TCG guests on libvirt daemons A and B, which live in network
// namespaces fe-a and fe-b joined by a veth pair. The migration cases move
// guests live from one agent's host to the other's: the source agent
// reaches its destination by the migration URI the destination's agent
// advertised at enrolment, exactly as ferrum-agent resolves it. The agents
// reach their daemons through the daemons' unix sockets; the migration
// stream itself runs daemon to daemon across the namespaces.
func TestConformanceQEMU(t *testing.T) {
	env := testenv.Start(t)
	a, b := testenv.MigrationPair(t, env)
	byURI := map[string]backends.Host{env.APeer: a, env.BPeer: b}
	resolver := agent.ResolverFunc(func(_ context.Context, tg proto.Target) (backends.Host, error) {
		if h, ok := byURI[tg.URI]; ok {
			return h, nil
		}
		return nil, fmt.Errorf("no daemon at migration URI %q: %w", tg.URI, backends.ErrNotFound)
	})
	agentFor := func(uri string) func(*agent.Config) {
		return func(c *agent.Config) { c.MigrationURI, c.Resolver = uri, resolver }
	}
	m := agenttest.StartManager(t)
	agentA := agenttest.StartAgent(t, m, a, agentFor(env.APeer))
	agentB := agenttest.StartAgent(t, m, b, agentFor(env.BPeer))
	backendtest.Run(t, func(t *testing.T) backends.Host { return agentA.Host },
		backendtest.WithPair(func(t *testing.T) (backends.Host, backends.Host) { return agentA.Host, agentB.Host }),
		backendtest.WithTimeout(2*time.Minute))
}
