package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ferrum-virt/ferrum/agent"
	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/backends/sim"
)

// errLibvirtNotBuilt is what --backend libvirt says until backends/libvirt
// exists and is wired in newLibvirt.
var errLibvirtNotBuilt = errors.New("libvirt backend not built in: this ferrum-agent predates backends/libvirt; " +
	"use --backend sim, or a build that includes it")

// A backend is the host an agent serves, with what it needs to migrate and
// to run.
type backend struct {
	host         backends.Host
	resolver     agent.Resolver
	migrationURI string
	run          func(ctx context.Context) // background work, until ctx ends; may be nil
}

// newBackend builds the backend cfg names.
func newBackend(cfg config, log *slog.Logger) (backend, error) {
	switch cfg.Backend {
	case "sim":
		return newSim(cfg, log)
	case "libvirt":
		return newLibvirt(cfg, log)
	}
	return backend{}, fmt.Errorf("backend %q: want libvirt or sim", cfg.Backend)
}

// newSim serves host SimIndex of a simulated data center whose clock
// follows real time at SimSpeed. It can migrate only within the process,
// which holds one host, so migrations are refused.
func newSim(cfg config, log *slog.Logger) (backend, error) {
	dc, err := sim.NewDataCenter(sim.Config{Hosts: cfg.SimIndex + 1, Seed: cfg.SimSeed, Logger: log})
	if err != nil {
		return backend{}, err
	}
	const tick = 100 * time.Millisecond
	return backend{
		host: dc.Host(cfg.SimIndex),
		run:  func(ctx context.Context) { dc.Clock().RunRealTime(ctx, tick, cfg.SimSpeed) },
	}, nil
}

// newLibvirt will open backends/libvirt at cfg.LibvirtURI, with a resolver
// that connects to a migration target's URI.
func newLibvirt(config, *slog.Logger) (backend, error) { return backend{}, errLibvirtNotBuilt }
