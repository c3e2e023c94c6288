package agent_test

import (
	"context"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/agent/agenttest"
	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/backends/backendtest"
	"github.com/ferrum-virt/ferrum/backends/libvirt"
	"github.com/ferrum-virt/ferrum/backends/libvirt/testenv"
)

// TestConformanceLibvirtTestDriver runs the suite against agents in front
// of libvirt's test driver through a real libvirtd (see
// backends/libvirt/testenv): the agent's backend is only configuration.
func TestConformanceLibvirtTestDriver(t *testing.T) {
	env := testenv.Start(t)
	m := agenttest.StartManager(t)
	backendtest.Run(t, func(t *testing.T) backends.Host {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		h, err := libvirt.Dial(ctx, env.TestURI, libvirt.Options{Logger: agenttest.Logger()})
		if err != nil {
			t.Fatalf("Dial %s: %v", env.TestURI, err)
		}
		t.Cleanup(func() { _ = h.Close() })
		return agenttest.StartAgent(t, m, h).Host
	})
}
