package virt

import (
	"context"
	"strings"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// SnapshotKit is what the snapshot provider (providers/snapshot) reuses of
// this package: host and VM lookup, the settings instances of a
// configuration, and method calls run as jobs.
type SnapshotKit struct{ p *Provider }

// SnapshotKit returns the kit over p.
func (p *Provider) SnapshotKit() SnapshotKit { return SnapshotKit{p} }

// KitHost is a host with its ID.
type KitHost struct {
	ID   string
	Host backends.Host
}

// Hosts returns every host whose ID is known, in the inventory's order.
func (k SnapshotKit) Hosts(ctx context.Context) []KitHost {
	var out []KitHost
	for _, hr := range k.p.hosts(ctx) {
		out = append(out, KitHost{ID: hr.ID, Host: hr.H})
	}
	return out
}

// Host returns host id, or CIM_ERR_NOT_FOUND.
func (k SnapshotKit) Host(ctx context.Context, id string) (KitHost, error) {
	hr, err := k.p.host(ctx, id)
	return KitHost{ID: hr.ID, Host: hr.H}, err
}

// HostInfo returns a host's inventory, the last one known when it does
// not answer (with the error).
func (k SnapshotKit) HostInfo(ctx context.Context, h KitHost) (backends.HostInfo, error) {
	return k.p.hostInfo(ctx, hostRef{ID: h.ID, H: h.Host})
}

// FindVM returns VM id and its host, or CIM_ERR_NOT_FOUND.
func (k SnapshotKit) FindVM(ctx context.Context, id string) (KitHost, backends.VM, error) {
	hr, vm, err := k.p.findVM(ctx, id)
	return KitHost{ID: hr.ID, Host: hr.H}, vm, err
}

// Settings builds the Ferrum_VirtualSystemSettingData of vm's
// configuration with InstanceID id, and its RASDs with InstanceIDs
// "<id>/<device>", as a snapshot of vm shows them.
func (k SnapshotKit) Settings(ctx context.Context, h KitHost, vm backends.VM, id string) (*cim.Instance, []*cim.Instance) {
	vssd := k.p.vssdInstance(vm).Set("InstanceID", cim.String(id))
	rasds := k.p.scope(ctx).rasdInstances(hostRef{ID: h.ID, H: h.Host}, vm, 0)
	for _, r := range rasds {
		dev := strings.TrimPrefix(r.Str("InstanceID"), vm.UUID+"/")
		r.Set("InstanceID", cim.String(id+"/"+dev))
	}
	return vssd, rasds
}

// Run starts j as a job for method m with the management services' return
// codes (model.VSMSCodes) and answers 4096 with the job, or the failure's
// code.
func (k SnapshotKit) Run(ctx context.Context, m *cim.Method, j Job) (cim.Value, cim.Params, error) {
	return methodCall{p: k.p, m: m, codes: model.VSMSCodes}.run(ctx, j)
}

// Fail answers a failure of method m with its return code, logging err.
func (k SnapshotKit) Fail(ctx context.Context, m *cim.Method, err error) (cim.Value, cim.Params, error) {
	return methodCall{p: k.p, m: m, codes: model.VSMSCodes}.fail(ctx, err)
}
