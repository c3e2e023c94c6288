package migration

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/providers/interop"
	"github.com/ferrum-virt/ferrum/providers/virt"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// A Resolver finds the host names of an IP address; *net.Resolver is one.
type Resolver interface {
	LookupAddr(ctx context.Context, addr string) ([]string, error)
}

// Options tune the provider. The zero value is usable.
type Options struct {
	Log *slog.Logger // default slog.Default()
	// MaxPerHost bounds the migrations leaving one host at a time; the
	// others wait in Priority order. Default 2.
	MaxPerHost int
	// ShutdownTimeout bounds the guest shutdown of a Restart migration, on
	// the backend's clock. Default two minutes.
	ShutdownTimeout time.Duration
	// MaxDowntime and AutoConverge are passed to every live migration.
	MaxDowntime  time.Duration
	AutoConverge bool
	// Resolver looks up the names of an IP address given as
	// DestinationHost that no host reports; default net.DefaultResolver.
	Resolver Resolver
	// LookupTimeout bounds that lookup; default two seconds.
	LookupTimeout time.Duration
}

func (o Options) withDefaults() Options {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.MaxPerHost <= 0 {
		o.MaxPerHost = 2
	}
	if o.ShutdownTimeout <= 0 {
		o.ShutdownTimeout = 2 * time.Minute
	}
	if o.Resolver == nil {
		o.Resolver = net.DefaultResolver
	}
	if o.LookupTimeout <= 0 {
		o.LookupTimeout = 2 * time.Second
	}
	return o
}

// Provider serves the migration classes.
type Provider struct {
	d     *cimom.Dispatcher
	vp    *virt.Provider
	jobs  *jobs.Manager
	log   *slog.Logger
	opts  Options
	slots *slots
	// migrating holds the UUIDs of the VMs with a migration pending.
	migrating sync.Map
	// hostnames caches each host's normalized host name (host ID → name).
	hostnames sync.Map
}

// Register creates the provider, registers its classes with d, extends
// vp's Ferrum_HostedService, Ferrum_ElementCapabilities and
// Ferrum_SettingsDefineCapabilities, and registers DSP1081 with ip (and as
// referenced by DSP1042 when that is registered). jm runs the migrations;
// without one they run synchronously and answer 0.
func Register(ctx context.Context, d *cimom.Dispatcher, ip *interop.Provider, vp *virt.Provider, jm *jobs.Manager, opts Options) (*Provider, error) {
	if d == nil || vp == nil {
		return nil, fmt.Errorf("migration provider: a dispatcher and the virtualization provider are required")
	}
	opts = opts.withDefaults()
	p := &Provider{d: d, vp: vp, jobs: jm, log: opts.Log, opts: opts, slots: newSlots(opts.MaxPerHost)}
	classes := map[string]cimom.InstanceProvider{
		ClassService:  serviceProvider{p},
		ClassCaps:     instances{p, capsHost, capsInstance},
		ClassSettings: instances{p, settingsHost, settingsInstance},
	}
	for class, prov := range classes {
		if _, err := d.Repo.Class(model.Namespace, class); err != nil {
			return nil, fmt.Errorf("migration provider: class %s: %w", class, err)
		}
		d.Providers.Handle(model.Namespace, class, prov)
	}
	for class, x := range p.extensions() {
		if err := vp.Extend(class, x); err != nil {
			return nil, fmt.Errorf("migration provider: %w", err)
		}
	}
	if ip != nil {
		p.registerProfile(ip)
	}
	p.log.DebugContext(ctx, "migration provider registered", "max_per_host", opts.MaxPerHost)
	return p, nil
}

// registerProfile adds DSP1081 with the services as central instances and
// makes DSP1042 reference it.
func (p *Provider) registerProfile(ip *interop.Provider) {
	ip.AddProfile(interop.Profile{ID: ProfileID, Organization: 2, Name: "Virtual System Migration", Version: "1.0.0",
		Central: p.centralServices, CentralClasses: []string{"CIM_VirtualSystemMigrationService"}})
	for _, prof := range ip.Profiles() {
		if prof.ID == virt.ProfileSystemVirtualization && !slices.Contains(prof.References, ProfileID) {
			prof.References = append(slices.Clip(prof.References), ProfileID)
			ip.AddProfile(prof)
		}
	}
}

func (p *Provider) centralServices(ctx context.Context) ([]cim.ObjectPath, error) {
	var out []cim.ObjectPath
	for _, h := range p.hosts(ctx) {
		out = append(out, ServicePath(h.id))
	}
	return out, nil
}

// hostEntry is a host with its ID.
type hostEntry struct {
	id string
	h  backends.Host
}

// hosts returns every host whose ID is known.
func (p *Provider) hosts(ctx context.Context) []hostEntry {
	hs := p.vp.Inventory().Hosts(ctx)
	out := make([]hostEntry, 0, len(hs))
	for _, h := range hs {
		id, err := p.vp.HostID(ctx, h)
		if err != nil {
			p.log.WarnContext(ctx, "host without an ID skipped", "err", err)
			continue
		}
		out = append(out, hostEntry{id: id, h: h})
	}
	return out
}

// host returns the host with ID id, or CIM_ERR_NOT_FOUND.
func (p *Provider) host(ctx context.Context, id string) (hostEntry, error) {
	h, err := p.vp.Inventory().Host(ctx, id)
	if err != nil {
		return hostEntry{}, model.CIMError(err, "host %s", id)
	}
	return hostEntry{id: id, h: h}, nil
}
