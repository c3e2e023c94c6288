package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/ferrum-virt/ferrum/agent/manager"
	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/indication"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/cimom/store"
	"github.com/ferrum-virt/ferrum/cmd/ferrumd/internal/config"
	"github.com/ferrum-virt/ferrum/providers/interop"
	"github.com/ferrum-virt/ferrum/providers/virt"
)

// engine is the CIM object manager the bindings serve: the dispatcher over
// the class repository, the store and the providers, and the hosts the
// providers manage.
type engine struct {
	d       *cimom.Dispatcher
	interop *interop.Provider
	inv     virt.Inventory
	nodes   *manager.Registry // the agents' node registry (with sim, of the in-process agents)
	// indications publishes DSP1054 indications (providers raise theirs
	// through it).
	indications *indication.Service
	closers     []func() // run in reverse order at shutdown
}

// close releases what the engine and its bindings hold.
func (e *engine) close() {
	for i := len(e.closers) - 1; i >= 0; i-- {
		e.closers[i]()
	}
}

// buildCIMOM compiles Ferrum's schema, reloads the classes clients created in
// earlier runs, and registers the providers over the configured backend.
func buildCIMOM(ctx context.Context, cfg config.Config, st *store.Store, log *slog.Logger) (*engine, error) {
	start := time.Now()
	r, err := cimom.NewSchemaRepository()
	if err != nil {
		return nil, err
	}
	sqls := cimom.SQLStore{S: st}
	d := cimom.New(r, sqls)
	d.Schema, d.Log = sqls, log
	d.MarkBuiltin()
	if err := sqls.LoadRuntimeSchema(ctx, r); err != nil {
		log.WarnContext(ctx, "some classes created by clients no longer fit the schema", "op", "cimom", "err", err)
	}
	host, _ := os.Hostname()
	ip, err := interop.Register(d, interop.Config{Host: host, Version: Version})
	if err != nil {
		return nil, err
	}
	e := &engine{d: d, interop: ip}
	if err := openBackend(ctx, cfg, e, log); err != nil {
		e.close()
		return nil, err
	}
	if err := startIndications(ctx, e, host, log); err != nil {
		e.close()
		return nil, err
	}
	if err := registerVirt(ctx, e, sqls, log); err != nil {
		e.close()
		return nil, err
	}
	log.InfoContext(ctx, "CIM object manager built", "op", "cimom", "schema", r.String(),
		"backend", cfg.Backend, "hosts", len(e.inv.Hosts(ctx)), "took", time.Since(start).Round(time.Millisecond))
	return e, nil
}

// registerVirt starts the job manager (reloading the jobs of earlier runs)
// and registers the virtualization providers over the hosts.
func registerVirt(ctx context.Context, e *engine, st cimom.SQLStore, log *slog.Logger) error {
	jm, err := jobs.NewManager(ctx, jobs.Config{Store: st, Log: log.With("component", "jobs")})
	if err != nil {
		return fmt.Errorf("job manager: %w", err)
	}
	e.closers = append(e.closers, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = jm.Close(ctx)
	})
	if err := jobs.Register(e.d, jm); err != nil {
		return err
	}
	vp, err := virt.Register(ctx, e.d, e.interop, e.inv, jm, virt.Options{
		Log: log.With("component", "virt"), Store: st,
	})
	if err != nil {
		return err
	}
	return registerServices(ctx, serviceDeps{e: e, virt: vp, jobs: jm, store: st, log: log})
}

// openBackend sets e.inv to the hosts of the configured backend: a
// simulated data center on a clock that follows real time until ctx ends,
// its hosts behind in-process agents (openSim), or the node registry that
// ferrum-agents connect to.
func openBackend(ctx context.Context, cfg config.Config, e *engine, log *slog.Logger) error {
	switch cfg.Backend {
	case "sim":
		return openSim(ctx, cfg, e, log)
	case "agents":
		reg, err := manager.Open(ctx, manager.Config{DataDir: cfg.DataDir, Addr: cfg.AgentAddr,
			Version: Version, Logger: log.With("component", "nodes")})
		if err != nil {
			return fmt.Errorf("node registry (FERRUM_AGENT_ADDR=%s): %w", cfg.AgentAddr, err)
		}
		e.closers = append(e.closers, func() { _ = reg.Close() })
		go func() {
			if err := reg.ListenAndServe(ctx); err != nil {
				log.Error("agent listener failed", "op", "nodes", "addr", cfg.AgentAddr, "err", err)
			}
		}()
		e.inv, e.nodes = reg, reg
		return nil
	default:
		return &config.Error{Key: config.KeyBackend, Value: cfg.Backend,
			Problem: "not a backend this build serves", Fix: "set FERRUM_BACKEND=sim or agents"}
	}
}
