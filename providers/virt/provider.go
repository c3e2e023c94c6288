// Package virt serves the DMTF system-virtualization profiles for every
// host and virtual machine the manager's backends know: DSP1042 System
// Virtualization, DSP1057 Virtual System, DSP1041 Resource Allocation,
// DSP1043 Allocation Capabilities, DSP1059 Generic Device Resource
// Virtualization and the device profiles DSP1044 Processor, DSP1045
// Memory, DSP1047 Storage and DSP1050 Ethernet Port (plus graphics and
// input devices), in root/virt.
//
// Instances are computed on demand from the backends, never cached: a VM's
// state is the backend's state at the moment of the request, with nothing
// to invalidate when a guest powers off by itself. What would be costly to
// find — which host a VM lives on — is kept as a hint (VM UUID → host ID)
// learned from every listing and verified on every use, so a GetInstance,
// an association traversal or a method call on one VM asks one host, not
// the data center. Enumerating 10,000 VMs lists each host once (see the
// benchmarks). The settings Ferrum owns itself — a VM's automatic startup,
// shutdown and recovery actions and notes, which no backend keeps — are
// kept in the instance store under the VSSD's path.
//
// Mutating methods run as jobs (cimom/jobs) with undo steps, so a failed
// DefineSystem leaves no volume behind; the capabilities say which methods
// are asynchronous. The identity schemes and the error table are in
// package model, for the providers that build on this one.
package virt

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/providers/interop"
	"github.com/ferrum-virt/ferrum/providers/provkit"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// A Store keeps the VSSD settings Ferrum owns; cimom.InstanceStore
// satisfies it.
type Store interface {
	CreateInstance(ctx context.Context, ns string, path cim.ObjectPath, inst *cim.Instance) error
	ReplaceInstance(ctx context.Context, ns string, path cim.ObjectPath, inst *cim.Instance) error
	DeleteInstance(ctx context.Context, ns string, path cim.ObjectPath) error
	EnumerateInstances(ctx context.Context, ns, class string, yield func(cim.ObjectPath, *cim.Instance) bool) error
}

// Options tune the providers.
type Options struct {
	Log *slog.Logger // default slog.Default()
	// Store keeps the settings Ferrum owns (automatic startup action,
	// notes); nil keeps them in memory only.
	Store Store
	// ShutdownTimeout bounds a graceful shutdown requested without a
	// TimeoutPeriod, on the backend's clock; default two minutes.
	ShutdownTimeout time.Duration
}

// Provider serves the virtualization classes. Its exported methods are the
// pieces other providers (pools, switches, snapshots, migration) reuse.
type Provider struct {
	d    *cimom.Dispatcher
	inv  Inventory
	jobs *jobs.Manager
	log  *slog.Logger
	opts Options

	index     vmIndex
	hostIDs   sync.Map // backends.Host → host ID
	lastInfo  sync.Map // host ID → last backends.HostInfo it gave
	requested sync.Map // VM UUID → last RequestedState
	settings  *vmSettings
	served    map[string]*extensible // class → its provider, with extensions
}

// Register creates the providers, registers them with d for every class
// they serve, and registers the profiles they implement with ip. inv is the
// manager's host registry and jm runs the asynchronous methods; jm's
// classes must already be registered (jobs.Register).
func Register(ctx context.Context, d *cimom.Dispatcher, ip *interop.Provider, inv Inventory, jm *jobs.Manager, opts Options) (*Provider, error) {
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = 2 * time.Minute
	}
	p := &Provider{d: d, inv: inv, jobs: jm, log: opts.Log, opts: opts}
	var err error
	if p.settings, err = loadSettings(ctx, opts.Store); err != nil {
		return nil, err
	}
	p.served = map[string]*extensible{}
	for class, prov := range p.classes() {
		if _, err := d.Repo.Class(model.Namespace, class); err != nil {
			return nil, fmt.Errorf("virt provider: class %s: %w", class, err)
		}
		p.served[class] = &extensible{base: prov}
	}
	for class, x := range p.served {
		d.Providers.Handle(model.Namespace, class, x)
	}
	if ip != nil {
		p.registerProfiles(ip)
	}
	return p, nil
}

// classes returns the provider of every class served.
func (p *Provider) classes() map[string]cimom.InstanceProvider {
	m := map[string]cimom.InstanceProvider{
		model.ClassHost:   p.hostProvider(),
		model.ClassVM:     p.vmProvider(),
		model.ClassVSMS:   p.vsmsProvider(),
		model.ClassVSMC:   p.vsmcProvider(),
		model.ClassVSSD:   p.vssdProvider(),
		model.ClassELEC:   p.elecProvider(),
		model.ClassVolume: p.volumeProvider(),
	}
	for _, k := range model.Kinds() {
		m[k.RASDClass()] = p.rasdProvider(k)
		m[k.PoolClass()] = p.poolProvider(k)
		for _, c := range k.DeviceClasses() {
			m[c] = p.deviceProvider(k, c)
		}
	}
	m[model.ClassAllocCaps] = p.allocCapsProvider()
	for class, a := range p.associations() {
		m[class] = a
	}
	return m
}

// instances serves a class from two functions.
type instances struct {
	enum func(ctx context.Context, yield func(*cim.Instance) bool) error
	get  func(ctx context.Context, path cim.ObjectPath) (*cim.Instance, error)
}

func (s instances) EnumerateInstances(ctx context.Context, _ string, _ *cim.Class, yield func(*cim.Instance) bool) error {
	return s.enum(ctx, yield)
}

func (s instances) GetInstance(ctx context.Context, _ string, path cim.ObjectPath, _ *cim.Class) (*cim.Instance, error) {
	return s.get(ctx, path)
}

// withMethods adds extrinsic methods to a class's instances.
type withMethods struct {
	instances
	invoke func(ctx context.Context, path cim.ObjectPath, m *cim.Method, in cim.Params) (cim.Value, cim.Params, error)
}

func (w withMethods) InvokeMethod(ctx context.Context, _ string, path cim.ObjectPath, m *cim.Method, in cim.Params) (cim.Value, cim.Params, error) {
	return w.invoke(ctx, path, m, in)
}

// pick returns the instance of insts whose InstanceID or DeviceID (the key
// other than the fixed ones) matches path.
func pick(insts []*cim.Instance, path cim.ObjectPath) (*cim.Instance, error) {
	for _, in := range insts {
		if matches(in, path) {
			return in, nil
		}
	}
	return nil, cim.Errorf(cim.ErrNotFound, "no instance %s", path)
}

// matches reports whether every key of path has the same value in in.
func matches(in *cim.Instance, path cim.ObjectPath) bool {
	for _, k := range path.Keys {
		v, ok := in.Get(k.Name)
		if !ok || !cim.Equal(v, k.Value) {
			if r, isRef := v.AsRef(); isRef {
				if kr, ok := k.Value.AsRef(); ok && sameObject(r, kr) {
					continue
				}
			}
			return false
		}
	}
	return true
}

// sameObject compares two paths ignoring hosts and defaulting namespaces
// to root/virt.
func sameObject(a, b cim.ObjectPath) bool {
	return provkit.Local(a, model.Namespace).Equal(provkit.Local(b, model.Namespace))
}
