package virt

import (
	"context"

	"github.com/ferrum-virt/ferrum/backends"
)

// What the migration provider (providers/migration) needs from this one:
// the host registry, host IDs and where a VM lives.

// Inventory returns the manager's host registry the provider serves.
func (p *Provider) Inventory() Inventory { return p.inv }

// HostID returns the ID of h (its HostInfo.ID), remembered per host.
func (p *Provider) HostID(ctx context.Context, h backends.Host) (string, error) {
	return p.hostID(ctx, h)
}

// FindVM returns the VM with UUID id and the ID and backend of its host,
// or CIM_ERR_NOT_FOUND when no host has it.
func (p *Provider) FindVM(ctx context.Context, id string) (hostID string, h backends.Host, vm backends.VM, err error) {
	hr, vm, err := p.findVM(ctx, id)
	return hr.ID, hr.H, vm, err
}

// NoteVMHost records that VM id now lives on host hostID (after a
// migration), so the next lookup asks that host first.
func (p *Provider) NoteVMHost(id, hostID string) { p.index.put(id, hostID) }
