package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/ferrum-virt/ferrum/agent"
	"github.com/ferrum-virt/ferrum/agent/proto"
	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/backends/libvirt"
	"github.com/ferrum-virt/ferrum/backends/sim"
)

// A backend is the host an agent serves, with what it needs to migrate and
// to run.
type backend struct {
	host         backends.Host
	resolver     agent.Resolver
	migrationURI string
	run          func(ctx context.Context) // background work, until ctx ends; may be nil
	close        func()                    // releases the backend; may be nil
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

// newLibvirt connects to the libvirt daemon at cfg.LibvirtURI. Other hosts
// migrate to this one through MigrationURI (default: the libvirt URI when it
// names a TCP host); migrations from this one go peer to peer to the
// destination's migration URI, which the resolver dials.
func newLibvirt(cfg config, log *slog.Logger) (backend, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	h, err := libvirt.Dial(ctx, cfg.LibvirtURI, libvirt.Options{PeerURI: cfg.MigrationURI, DomainType: cfg.DomainType, Logger: log})
	if err != nil {
		return backend{}, err
	}
	peer := cfg.MigrationURI
	if peer == "" && strings.Contains(cfg.LibvirtURI, "+tcp://") {
		peer = cfg.LibvirtURI
	}
	r := &libvirtResolver{log: log, domainType: cfg.DomainType, hosts: map[string]*libvirt.Host{}}
	return backend{host: h, resolver: r, migrationURI: peer,
		close: func() { r.close(); _ = h.Close() }}, nil
}

// libvirtResolver reaches migration destinations by their migration URI,
// keeping one connection per destination. It compares the guest's CPU
// with the destination's hypervisor of this agent's domain type, so that
// a TCG guest is checked against TCG.
type libvirtResolver struct {
	log        *slog.Logger
	domainType string
	mu         sync.Mutex
	hosts      map[string]*libvirt.Host
}

func (r *libvirtResolver) Resolve(ctx context.Context, t proto.Target) (backends.Host, error) {
	if t.URI == "" {
		return nil, fmt.Errorf("host %s reports no migration URI (its agent's --migration-uri): %w",
			t.Hostname, backends.ErrUnsupported)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if h, ok := r.hosts[t.URI]; ok {
		return h, nil
	}
	h, err := libvirt.Dial(ctx, t.URI, libvirt.Options{PeerURI: t.URI, DomainType: r.domainType, Logger: r.log})
	if err != nil {
		return nil, err
	}
	if h.ID() != t.HostID {
		_ = h.Close()
		return nil, fmt.Errorf("migration URI %s of host %s reaches host %s: %w", t.URI, t.HostID, h.ID(),
			backends.ErrIncompatible)
	}
	r.hosts[t.URI] = h
	return h, nil
}

func (r *libvirtResolver) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, h := range r.hosts {
		_ = h.Close()
	}
}
