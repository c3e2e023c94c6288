package virt

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// An Inventory is the manager's registry of hosts. Hosts returns every
// host the manager manages, in a stable order; Host returns the one with
// the given ID (its HostInfo.ID) or an error wrapping backends.ErrNotFound.
// Both are called on every request, so they must be cheap (in memory).
type Inventory interface {
	Hosts(ctx context.Context) []backends.Host
	Host(ctx context.Context, id string) (backends.Host, error)
}

// hostRef is a host with its ID.
type hostRef struct {
	ID string
	H  backends.Host
}

// identified is implemented by hosts that know their ID without a call to
// Info (the simulator's); it spares a round trip and works while the host
// is down.
type identified interface{ ID() string }

// hostID returns h's ID: from ID() when it has one, from Info otherwise,
// remembered per host.
func (p *Provider) hostID(ctx context.Context, h backends.Host) (string, error) {
	if ih, ok := h.(identified); ok {
		return ih.ID(), nil
	}
	if id, ok := p.hostIDs.Load(h); ok {
		return id.(string), nil
	}
	info, err := h.Info(ctx)
	if err != nil {
		return "", err
	}
	p.hostIDs.Store(h, info.ID)
	return info.ID, nil
}

// hosts returns every host whose ID is known, skipping (and logging) those
// that cannot tell it.
func (p *Provider) hosts(ctx context.Context) []hostRef {
	hs := p.inv.Hosts(ctx)
	out := make([]hostRef, 0, len(hs))
	for _, h := range hs {
		id, err := p.hostID(ctx, h)
		if err != nil {
			p.log.Warn("host without an ID skipped", "err", err)
			continue
		}
		out = append(out, hostRef{ID: id, H: h})
	}
	return out
}

// host returns the host with ID id, or CIM_ERR_NOT_FOUND.
func (p *Provider) host(ctx context.Context, id string) (hostRef, error) {
	h, err := p.inv.Host(ctx, id)
	if err != nil {
		if errors.Is(err, backends.ErrNotFound) {
			return hostRef{}, cim.Errorf(cim.ErrNotFound, "no host %s", id)
		}
		return hostRef{}, model.CIMError(err, "host %s", id)
	}
	return hostRef{ID: id, H: h}, nil
}

// vmIndex remembers which host each VM was last seen on, so that finding a
// VM by UUID costs one backend call instead of one per host. Entries are
// hints: every use checks them against the backend.
type vmIndex struct {
	mu   sync.RWMutex
	host map[string]string // VM UUID → host ID
}

func (x *vmIndex) get(vm string) (string, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	h, ok := x.host[vm]
	return h, ok
}

func (x *vmIndex) put(vm, host string) {
	if h, ok := x.get(vm); ok && h == host {
		return
	}
	x.mu.Lock()
	if x.host == nil {
		x.host = map[string]string{}
	}
	x.host[vm] = host
	x.mu.Unlock()
}

func (x *vmIndex) drop(vm string) {
	x.mu.Lock()
	delete(x.host, vm)
	x.mu.Unlock()
}

// errNoVM is the CIM error for an unknown VM.
func errNoVM(vm string) error { return cim.Errorf(cim.ErrNotFound, "no virtual system %s", vm) }

// findVM returns the VM with UUID id and its host: on the host the index
// names when it is still there, by asking every host otherwise. It fails
// with CIM_ERR_NOT_FOUND when no host has it.
func (p *Provider) findVM(ctx context.Context, id string) (hostRef, backends.VM, error) {
	if hid, ok := p.index.get(id); ok {
		if h, err := p.inv.Host(ctx, hid); err == nil {
			vm, err := h.VMs().Get(ctx, id)
			switch {
			case err == nil:
				return hostRef{ID: hid, H: h}, vm, nil
			case !errors.Is(err, backends.ErrNotFound):
				return hostRef{}, backends.VM{}, model.CIMError(err, "get vm %s on host %s", id, hid)
			}
		}
		p.index.drop(id)
	}
	for _, hr := range p.hosts(ctx) {
		vm, err := hr.H.VMs().Get(ctx, id)
		if err == nil {
			p.index.put(vm.UUID, hr.ID)
			return hr, vm, nil
		}
		if !errors.Is(err, backends.ErrNotFound) && !errors.Is(err, backends.ErrUnavailable) {
			return hostRef{}, backends.VM{}, model.CIMError(err, "get vm %s on host %s", id, hr.ID)
		}
	}
	return hostRef{}, backends.VM{}, errNoVM(id)
}

// eachVM calls fn with every VM of every host until fn returns false. A
// host that cannot list its VMs is skipped with a warning, so that one
// unreachable host does not hide the data center.
func (p *Provider) eachVM(ctx context.Context, fn func(hostRef, backends.VM) bool) error {
	for _, hr := range p.hosts(ctx) {
		more, err := p.eachVMOn(ctx, hr, fn)
		if err != nil {
			p.log.Warn("skip host whose VMs cannot be listed", "host", hr.ID, "err", err)
		}
		if !more {
			return ctx.Err()
		}
	}
	return ctx.Err()
}

// eachVMOn calls fn with every VM of hr until fn returns false; it reports
// whether fn wanted more.
func (p *Provider) eachVMOn(ctx context.Context, hr hostRef, fn func(hostRef, backends.VM) bool) (bool, error) {
	vms, err := hr.H.VMs().List(ctx)
	if err != nil {
		return true, fmt.Errorf("list vms of host %s: %w", hr.ID, err)
	}
	for _, vm := range vms {
		p.index.put(vm.UUID, hr.ID)
		if !fn(hr, vm) {
			return false, nil
		}
	}
	return true, nil
}
