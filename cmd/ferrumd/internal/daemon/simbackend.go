package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/ferrum-virt/ferrum/agent/inproc"
	"github.com/ferrum-virt/ferrum/agent/manager"
	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/backends/sim"
	"github.com/ferrum-virt/ferrum/cmd/ferrumd/internal/config"
)

// openSim starts the simulated data center, seeds it, and puts each of its
// hosts behind an in-process ferrum-agent linked over mutual TLS to a node
// registry of its own (in DataDir/sim-agents), so the providers reach the
// hosts as they reach real ones: through enrolment, links, heartbeats and
// liveness. e.inv and e.nodes become that registry.
func openSim(ctx context.Context, cfg config.Config, e *engine, log *slog.Logger) error {
	clock := sim.NewClock(time.Now())
	dc, err := sim.NewDataCenter(sim.Config{Hosts: cfg.SimHosts, Seed: 1, Clock: clock, Logger: log.With("component", "sim")})
	if err != nil {
		return fmt.Errorf("simulated data center (FERRUM_SIM_HOSTS=%d): %w", cfg.SimHosts, err)
	}
	hosts := make([]backends.Host, 0, len(dc.Hosts()))
	for _, h := range dc.Hosts() {
		hosts = append(hosts, h)
	}
	clock.SetAutoAdvance(true) // seeding takes no simulated waiting
	if err := seedSim(ctx, hosts, cfg.SimVMs); err != nil {
		return err
	}
	clock.SetAutoAdvance(false)
	go clock.RunRealTime(ctx, 100*time.Millisecond, 1)

	quiet, mute := quietLogger(log, cfg.LogLevel)
	reg, ln, err := openSimRegistry(ctx, cfg, e, quiet.With("component", "nodes"))
	if err != nil {
		return err
	}
	e.inv, e.nodes = reg, reg
	return startSimAgents(ctx, simAgents{dc: dc, reg: reg, ln: ln, dir: simAgentsDir(cfg.DataDir),
		log: log, agentLog: quiet.With("component", "sim-agent"), mute: mute}, e)
}

// simAgentsDir holds the registry of the simulated hosts' agents (its CA
// and node file) and, in numbered subdirectories, each agent's state.
func simAgentsDir(dataDir string) string { return filepath.Join(dataDir, "sim-agents") }

// openSimRegistry opens the node registry of the simulated hosts' agents
// and serves it on an in-memory listener: no port is opened, so only the
// process's own agents can reach it. Its closer stops serving and closes
// the registry; it is added before the agents', so it runs after them.
func openSimRegistry(ctx context.Context, cfg config.Config, e *engine, log *slog.Logger) (*manager.Registry, *inproc.Listener, error) {
	dir := simAgentsDir(cfg.DataDir)
	reg, err := manager.Open(ctx, manager.Config{DataDir: dir, Version: Version, Logger: log})
	if err != nil {
		return nil, nil, fmt.Errorf("node registry of the simulated hosts (%s): %w", dir, err)
	}
	ln := inproc.Listen()
	serveCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	served := make(chan struct{})
	go func() {
		defer close(served)
		if err := reg.Serve(serveCtx, ln); err != nil {
			log.Error("in-process agent listener failed", "op", "nodes", "err", err)
		}
	}()
	e.closers = append(e.closers, func() {
		stop()
		<-served
		_ = reg.Close()
	})
	return reg, ln, nil
}
