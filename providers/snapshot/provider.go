package snapshot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/interop"
	"github.com/ferrum-virt/ferrum/providers/virt"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// Provider serves the snapshot classes over the virtualization provider's
// hosts.
type Provider struct {
	kit virt.SnapshotKit
	log *slog.Logger
}

// Register creates the provider, registers it with d for its own classes,
// extends vp's classes with the snapshots' settings and links, and adds the
// Virtual System Snapshot profile to ip (when not nil). Methods run as jobs
// of vp's job manager.
func Register(ctx context.Context, d *cimom.Dispatcher, ip *interop.Provider, vp *virt.Provider, log *slog.Logger) (*Provider, error) {
	if log == nil {
		log = slog.Default()
	}
	p := &Provider{kit: vp.SnapshotKit(), log: log}
	own := map[string]cimom.InstanceProvider{
		ClassService:     withMethods{instances{p.services, p.getService}, p.invoke},
		ClassServiceCaps: instances{p.serviceCaps, p.getServiceCaps},
		ClassCaps:        instances{p.vmCaps, p.getVMCaps},
		AssocSnapshotOf:  p.snapshotOf(),
		AssocLastApplied: p.lastApplied(),
	}
	for class, prov := range own {
		if _, err := d.Repo.Class(model.Namespace, class); err != nil {
			return nil, fmt.Errorf("snapshot provider: %w", err)
		}
		d.Providers.Handle(model.Namespace, class, prov)
	}
	for class, x := range p.extensions() {
		if err := vp.Extend(class, x); err != nil {
			return nil, fmt.Errorf("snapshot provider: %w", err)
		}
	}
	if ip != nil {
		ip.AddProfile(interop.Profile{ID: ProfileID, Organization: 2, Name: ProfileName, Version: ProfileVersion,
			Central: p.centralServices, CentralClasses: []string{"CIM_VirtualSystemSnapshotService"}})
	}
	return p, nil
}

func (p *Provider) centralServices(ctx context.Context) ([]cim.ObjectPath, error) {
	var out []cim.ObjectPath
	for _, h := range p.hosts(ctx) {
		out = append(out, ServicePath(h.ID))
	}
	return out, nil
}

// snapHost is a host that takes snapshots.
type snapHost struct {
	virt.KitHost
	S    backends.Snapshots
	Caps backends.Capabilities
}

// snapshots returns h as a snapHost, or false when its backend takes no
// snapshots.
func (p *Provider) snapshots(ctx context.Context, h virt.KitHost) (snapHost, bool) {
	s, ok := h.Host.(backends.Snapshots)
	if !ok {
		return snapHost{}, false
	}
	info, err := p.kit.HostInfo(ctx, h)
	if err != nil || !info.Caps.Snapshots {
		return snapHost{}, false
	}
	return snapHost{KitHost: h, S: s, Caps: info.Caps}, true
}

// hosts returns every host that takes snapshots.
func (p *Provider) hosts(ctx context.Context) []snapHost {
	var out []snapHost
	for _, h := range p.kit.Hosts(ctx) {
		if sh, ok := p.snapshots(ctx, h); ok {
			out = append(out, sh)
		}
	}
	return out
}

// host returns host id when it takes snapshots, CIM_ERR_NOT_FOUND otherwise.
func (p *Provider) host(ctx context.Context, id string) (snapHost, error) {
	h, err := p.kit.Host(ctx, id)
	if err != nil {
		return snapHost{}, err
	}
	sh, ok := p.snapshots(ctx, h)
	if !ok {
		return snapHost{}, cim.Errorf(cim.ErrNotFound, "host %s takes no snapshots", id)
	}
	return sh, nil
}

// vm returns VM id and its host, when the host takes snapshots.
func (p *Provider) vm(ctx context.Context, id string) (snapHost, backends.VM, error) {
	h, vm, err := p.kit.FindVM(ctx, id)
	if err != nil {
		return snapHost{}, backends.VM{}, err
	}
	sh, ok := p.snapshots(ctx, h)
	if !ok {
		return snapHost{}, backends.VM{}, cim.Errorf(cim.ErrNotFound, "host %s of vm %s takes no snapshots", h.ID, id)
	}
	return sh, vm, nil
}

// vmSnapshots calls fn with every VM of h and its snapshots.
func (p *Provider) vmSnapshots(ctx context.Context, h snapHost, fn func(backends.VM, []backends.Snapshot) bool) error {
	vms, err := h.Host.VMs().List(ctx)
	if err != nil {
		return model.CIMError(err, "vms of host %s", h.ID)
	}
	for _, vm := range vms {
		snaps, err := h.S.ListSnapshots(ctx, vm.UUID)
		if errors.Is(err, backends.ErrNotFound) {
			continue // undefined meanwhile
		}
		if err != nil {
			return model.CIMError(err, "snapshots of vm %s", vm.UUID)
		}
		if !fn(vm, snaps) {
			return nil
		}
	}
	return nil
}

// each calls fn with every VM of every host that takes snapshots, and its
// snapshots; a host that fails is skipped with a warning.
func (p *Provider) each(ctx context.Context, fn func(snapHost, backends.VM, []backends.Snapshot) bool) error {
	for _, h := range p.hosts(ctx) {
		more := true
		err := p.vmSnapshots(ctx, h, func(vm backends.VM, s []backends.Snapshot) bool {
			more = fn(h, vm, s)
			return more
		})
		if err != nil {
			p.log.WarnContext(ctx, "skip host whose snapshots cannot be listed", "host", h.ID, "err", err)
		}
		if !more {
			break
		}
	}
	return ctx.Err()
}

// snapshotsOfVM returns VM id's host, the VM and its snapshots.
func (p *Provider) snapshotsOfVM(ctx context.Context, id string) (snapHost, backends.VM, []backends.Snapshot, error) {
	h, vm, err := p.vm(ctx, id)
	if err != nil {
		return h, vm, nil, err
	}
	snaps, err := h.S.ListSnapshots(ctx, vm.UUID)
	if err != nil {
		return h, vm, nil, model.CIMError(err, "snapshots of vm %s", id)
	}
	return h, vm, snaps, nil
}

// find returns snapshot name of VM id, or CIM_ERR_NOT_FOUND.
func (p *Provider) find(ctx context.Context, id, name string) (snapHost, backends.VM, backends.Snapshot, error) {
	h, vm, err := p.vm(ctx, id)
	if err != nil {
		return h, vm, backends.Snapshot{}, err
	}
	s, err := h.S.GetSnapshot(ctx, vm.UUID, name)
	if err != nil {
		return h, vm, s, model.CIMError(err, "snapshot %q of vm %s", name, id)
	}
	return h, vm, s, nil
}
