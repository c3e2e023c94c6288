// Package vswitch serves DSP1097 Virtual Ethernet Switch in root/virt: every
// virtual switch of every host (backends.SwitchManager) as a virtual
// system, Ferrum_VirtualEthernetSwitch (a CIM_ComputerSystem dedicated to
// Ethernet switching), with its settings Ferrum_VirtualEthernetSwitchSettingData,
// one Ferrum_EthernetSwitchPort per VM NIC on the switch and the port's VLAN
// as a Ferrum_VLANEndpoint with its Ferrum_VLANEndpointSettingData.
//
// The switch's settings aggregate one Ferrum_EthernetPortAllocationSettingData
// per port (ResourceType 30, Parent the VM NIC's RASD, HostResource the
// switch, PortVID its VLAN) and, for an external switch, one for its uplink
// (ResourceType 33, HostResource the host NIC). The VM side stays with
// package virt: a NIC's RASD names the switch in Connection and the switch's
// network pool in PoolID, the pool the switch's settings name in
// AssociatedResourcePool.
//
// Switches are defined and destroyed through the host's management service
// (DefineSystem with a switch setting as SystemSettings, an uplink setting
// among ResourceSettings for an external switch; DestroySystem on a switch,
// refused while ports remain); a port is retagged live through
// ModifyResourceSettings on its port setting (or the NIC's RASD, which
// package virt serves) or ModifyInstance of its VLAN setting. The
// associations package virt serves — HostedDependency, SystemDevice,
// VirtualSystemSettingDataComponent, SettingsDefineState,
// ElementSettingData, ServiceAffectsElement — get this package's instances
// through (*virt.Provider).Extend.
//
// As in package virt, nothing is cached: every request asks the backends.
package vswitch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/providers/interop"
	"github.com/ferrum-virt/ferrum/providers/virt"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// ProfileID is the ID of the profile this package registers.
const ProfileID = "DSP1097"

// Options tune the provider.
type Options struct {
	Log *slog.Logger // default slog.Default()
	// Inventory is the manager's host registry, the one package virt
	// serves; required.
	Inventory virt.Inventory
}

// Provider serves the virtual switches.
type Provider struct {
	d       *cimom.Dispatcher
	inv     virt.Inventory
	jobs    *jobs.Manager
	log     *slog.Logger
	hostIDs sync.Map // backends.Host → host ID
}

// Register creates the provider, registers its classes with d, extends vp's
// associations and management service, and adds DSP1097 to ip (and to the
// profiles DSP1042 references). jm runs the switch methods as jobs; nil runs
// them at once.
func Register(ctx context.Context, d *cimom.Dispatcher, ip *interop.Provider, vp *virt.Provider, jm *jobs.Manager, opts Options) (*Provider, error) {
	if opts.Inventory == nil {
		return nil, errors.New("vswitch provider: no inventory")
	}
	if vp == nil {
		return nil, errors.New("vswitch provider: no virtualization provider to extend")
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	p := &Provider{d: d, inv: opts.Inventory, jobs: jm, log: opts.Log}
	classes := p.classes()
	for class := range classes {
		if _, err := d.Repo.Class(model.Namespace, class); err != nil {
			return nil, fmt.Errorf("vswitch provider: class %s: %w", class, err)
		}
	}
	for class, ext := range p.extensions() {
		if err := vp.Extend(class, ext); err != nil {
			return nil, fmt.Errorf("vswitch provider: %w", err)
		}
	}
	for class, prov := range classes {
		d.Providers.Handle(model.Namespace, class, prov)
	}
	if ip != nil {
		p.registerProfile(ip)
	}
	p.log.DebugContext(ctx, "virtual switch provider registered", "op", "vswitch", "classes", len(classes))
	return p, nil
}

// registerProfile adds DSP1097 and makes DSP1042 reference it.
func (p *Provider) registerProfile(ip *interop.Provider) {
	ip.AddProfile(interop.Profile{ID: ProfileID, Organization: 2, Name: "Virtual Ethernet Switch", Version: "1.0.0",
		Central: p.centralSwitches, CentralClasses: []string{"CIM_ComputerSystem"}})
	for _, prof := range ip.Profiles() {
		if prof.ID == virt.ProfileSystemVirtualization {
			for _, r := range prof.References {
				if r == ProfileID {
					return
				}
			}
			prof.References = append(prof.References[:len(prof.References):len(prof.References)], ProfileID)
			ip.AddProfile(prof)
			return
		}
	}
}

func (p *Provider) centralSwitches(ctx context.Context) ([]cim.ObjectPath, error) {
	var out []cim.ObjectPath
	err := p.eachSwitch(ctx, func(v view) bool {
		out = append(out, v.id.path())
		return true
	})
	return out, err
}

// hostRef is a host with its ID.
type hostRef struct {
	ID string
	H  backends.Host
}

// hostID returns h's ID, from ID() when it has one (the simulator's), from
// Info otherwise, remembered per host.
func (p *Provider) hostID(ctx context.Context, h backends.Host) (string, error) {
	if ih, ok := h.(interface{ ID() string }); ok {
		return ih.ID(), nil
	}
	if id, ok := p.hostIDs.Load(h); ok {
		return id.(string), nil
	}
	info, err := h.Info(ctx)
	if err != nil {
		return "", fmt.Errorf("host id: %w", err)
	}
	p.hostIDs.Store(h, info.ID)
	return info.ID, nil
}

// hosts returns every host whose ID is known.
func (p *Provider) hosts(ctx context.Context) []hostRef {
	var out []hostRef
	for _, h := range p.inv.Hosts(ctx) {
		id, err := p.hostID(ctx, h)
		if err != nil {
			p.log.WarnContext(ctx, "host without an ID skipped", "op", "vswitch", "err", err)
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
		return hostRef{}, model.CIMError(err, "host %s", id)
	}
	return hostRef{ID: id, H: h}, nil
}
