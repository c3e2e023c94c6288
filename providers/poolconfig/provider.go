// Package poolconfig serves DSP1041's resource pool configuration service
// for storage: one Ferrum_ResourcePoolConfigurationService per host, with
// its Ferrum_ResourcePoolConfigurationCapabilities, in root/virt.
//
// The service creates and deletes storage pools (CreateChildResourcePool,
// DeleteResourcePool) and the volumes in them (CreateResourceInPool,
// DeleteResourceInPool). The pools and volumes themselves, and the
// associations that place them (HostedResourcePool, ElementAllocatedFromPool
// from the primordial disk pool, ConcreteComponent), are served by package
// virt from the backends, so what this package creates shows there at once.
// The service and its capabilities are linked to their host and to each
// other through virt's Ferrum_HostedService and Ferrum_ElementCapabilities,
// which this package extends.
//
// Every method checks its parameters first and answers a bad request at
// once (5 Invalid Parameter, 6 In Use, 1 Not Supported) without changing
// anything; the work then runs as a job (4096 and a Ferrum_ConcreteJob)
// with undo steps. CreateResourceInPool also clones: HostResource[0]
// naming an existing volume asks for a full copy of it, BackingPath for a
// linked clone (a qcow2 overlay backed by the volume at that path). The
// schema has no separate clone method.
//
// The capabilities list CreateChildResourcePool (3) and DeleteResourcePool
// (4) in AsynchronousMethodsSupported, and the two volume methods, which
// the DMTF ValueMap does not name, as the vendor values 32768
// (CreateResourceInPool) and 32769 (DeleteResourceInPool).
package poolconfig

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/providers/virt"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// Options configure the provider.
type Options struct {
	// Inventory is the manager's host registry, the one package virt was
	// registered with; required.
	Inventory virt.Inventory
	// Log receives the provider's records; default slog.Default().
	Log *slog.Logger
}

// Provider serves the pool configuration service and its capabilities.
type Provider struct {
	d    *cimom.Dispatcher
	inv  virt.Inventory
	jobs *jobs.Manager
	log  *slog.Logger
}

// Register creates the provider, registers it with d for
// Ferrum_ResourcePoolConfigurationService and
// Ferrum_ResourcePoolConfigurationCapabilities, and extends vp's
// Ferrum_HostedService and Ferrum_ElementCapabilities with the links of
// every host's service. jm runs the methods' work; without one (tests) the
// work runs inline and the methods answer 0.
func Register(ctx context.Context, d *cimom.Dispatcher, vp *virt.Provider, jm *jobs.Manager, opts Options) (*Provider, error) {
	if d == nil || vp == nil || opts.Inventory == nil {
		return nil, errors.New("poolconfig: a dispatcher, the virt provider and an inventory are required")
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	p := &Provider{d: d, inv: opts.Inventory, jobs: jm, log: opts.Log}
	for _, class := range []string{ClassService, ClassCapabilities} {
		if _, err := d.Repo.Class(model.Namespace, class); err != nil {
			return nil, fmt.Errorf("poolconfig: class %s: %w", class, err)
		}
	}
	d.Providers.Handle(model.Namespace, ClassService, serviceProvider{perHost{p, serviceInstance, serviceHostOf}})
	d.Providers.Handle(model.Namespace, ClassCapabilities, perHost{p, capsInstance, capsHostOf})
	if err := vp.Extend(model.AssocHostedService, virt.Extension{Enumerate: p.enumLinks(hostedLink),
		References: p.linkRefs(hostedLink)}); err != nil {
		return nil, fmt.Errorf("poolconfig: %w", err)
	}
	if err := vp.Extend(model.AssocElementCaps, virt.Extension{Enumerate: p.enumLinks(capsLink),
		References: p.linkRefs(capsLink)}); err != nil {
		return nil, fmt.Errorf("poolconfig: %w", err)
	}
	return p, nil
}

// identified is implemented by hosts that know their ID without asking
// (the simulator's).
type identified interface{ ID() string }

// hostID returns h's ID.
func hostID(ctx context.Context, h backends.Host) (string, error) {
	if ih, ok := h.(identified); ok {
		return ih.ID(), nil
	}
	info, err := h.Info(ctx)
	if err != nil {
		return "", fmt.Errorf("host info: %w", err)
	}
	return info.ID, nil
}

// hostIDs returns the IDs of every host that can tell its ID.
func (p *Provider) hostIDs(ctx context.Context) []string {
	var out []string
	for _, h := range p.inv.Hosts(ctx) {
		id, err := hostID(ctx, h)
		if err != nil {
			p.log.WarnContext(ctx, "host without an ID skipped", "err", err)
			continue
		}
		out = append(out, id)
	}
	return out
}

// host returns the host with ID id, or CIM_ERR_NOT_FOUND.
func (p *Provider) host(ctx context.Context, id string) (backends.Host, error) {
	h, err := p.inv.Host(ctx, id)
	if err != nil {
		if errors.Is(err, backends.ErrNotFound) {
			return nil, cim.Errorf(cim.ErrNotFound, "no host %s", id)
		}
		return nil, model.CIMError(err, "host %s", id)
	}
	return h, nil
}
