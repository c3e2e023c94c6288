package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/ferrum-virt/ferrum/agent"
	"github.com/ferrum-virt/ferrum/agent/inproc"
	"github.com/ferrum-virt/ferrum/agent/manager"
	"github.com/ferrum-virt/ferrum/agent/proto"
	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/backends/sim"
)

// simAgentLinkTimeout bounds how long start-up waits for the in-process
// agents to enrol and link.
const simAgentLinkTimeout = time.Minute

// simAgents is what startSimAgents needs.
type simAgents struct {
	dc       *sim.DataCenter
	reg      *manager.Registry
	ln       *inproc.Listener
	dir      string       // the agents' state dirs are dir/<host index>
	log      *slog.Logger // the daemon's
	agentLog *slog.Logger // the agents'
	mute     func()       // silences agentLog and the registry's log but for errors
}

// startSimAgents runs one agent per simulated host, dialling the registry
// through s.ln, enrolling with a join token only when its state dir holds
// no credentials the registry accepts, and waits until every agent's node
// is alive. Its closer, run before the registry's, stops the agents.
func startSimAgents(ctx context.Context, s simAgents, e *engine) error {
	start := time.Now()
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	e.closers = append(e.closers, func() { s.mute(); stop(); wg.Wait() })
	failed := make(chan error, len(s.dc.Hosts()))
	var ids []string
	enrolling := 0
	for i, h := range s.dc.Hosts() {
		info, err := h.Info(ctx)
		if err != nil {
			return fmt.Errorf("simulated host %d: %w", i, err)
		}
		dir := filepath.Join(s.dir, strconv.Itoa(i))
		token, err := simJoinToken(ctx, s.reg, dir, info.ID)
		if errors.Is(err, errNodeRevoked) {
			s.log.WarnContext(ctx, "simulated host not served: its node is revoked", "op", "nodes", "host", info.ID, "name", info.Hostname)
			continue
		}
		if err != nil {
			return fmt.Errorf("agent of simulated host %s: %w", info.Hostname, err)
		}
		a, err := agent.New(agent.Config{Backend: h, Resolver: dcResolver(s.dc), Manager: inproc.Network, Dial: s.ln.Dial,
			StateDir: dir, JoinToken: token, Version: Version, Logger: s.agentLog.With("index", i),
			Backoff: agent.Backoff{Initial: 100 * time.Millisecond, Max: 5 * time.Second}})
		if err != nil {
			return fmt.Errorf("agent of simulated host %s: %w", info.Hostname, err)
		}
		wg.Go(func() {
			if err := a.Run(runCtx); err != nil {
				s.log.Error("agent of a simulated host stopped", "op", "nodes", "host", info.ID, "err", err)
				failed <- fmt.Errorf("agent of simulated host %s: %w", info.Hostname, err)
			}
		})
		ids = append(ids, info.ID)
		if token != "" {
			enrolling++
		}
	}
	if err := waitAlive(ctx, s.reg, ids, failed); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "simulated hosts linked through in-process agents", "op", "nodes",
		"agents", len(ids), "enrolled", enrolling, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// dcResolver resolves migration targets within the simulated data center:
// an agent migrates its host's virtual servers to another simulated host
// directly, as libvirt migrates to the destination's libvirtd.
func dcResolver(dc *sim.DataCenter) agent.Resolver {
	return agent.ResolverFunc(func(_ context.Context, t proto.Target) (backends.Host, error) {
		if h, ok := dc.HostByID(t.HostID); ok {
			return h, nil
		}
		return nil, fmt.Errorf("host %s is not in the simulated data center: %w", t.HostID, backends.ErrNotFound)
	})
}

// waitAlive waits until every node of ids is alive and linked, an agent
// fails, ctx ends or simAgentLinkTimeout passes.
func waitAlive(ctx context.Context, reg *manager.Registry, ids []string, failed <-chan error) error {
	ctx, cancel := context.WithTimeout(ctx, simAgentLinkTimeout)
	defer cancel()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		up := aliveCount(ctx, reg, ids)
		if up == len(ids) {
			return nil
		}
		select {
		case err := <-failed:
			return err
		case <-ctx.Done():
			return fmt.Errorf("%d of %d in-process agents linked: %w", up, len(ids), ctx.Err())
		case <-tick.C:
		}
	}
}

// aliveCount counts the nodes of ids that are alive and linked.
func aliveCount(ctx context.Context, reg *manager.Registry, ids []string) int {
	up := map[string]bool{}
	for _, st := range reg.Nodes(ctx) {
		up[st.ID] = st.State == manager.StateAlive && st.Connected
	}
	n := 0
	for _, id := range ids {
		if up[id] {
			n++
		}
	}
	return n
}
