// Package virttest builds a dispatcher serving interop, jobs and the
// virtualization providers over a simulated data center, for the tests of
// the provider packages.
package virttest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"sync"
	"testing"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/backends/sim"
	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/providers/interop"
	"github.com/ferrum-virt/ferrum/providers/virt"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// NS is the virtualization namespace the fixture's methods address.
const NS = model.Namespace

// Quiet is a logger that discards everything.
var Quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// SimInventory adapts a simulated data center to virt.Inventory, as
// ferrumd's host registry will: hosts may be replaced (wrapped) to inject
// faults.
type SimInventory struct {
	mu    sync.Mutex
	hosts []backends.Host
	byID  map[string]backends.Host
}

// NewSimInventory serves the hosts of dc, in index order.
func NewSimInventory(dc *sim.DataCenter) *SimInventory {
	inv := &SimInventory{byID: map[string]backends.Host{}}
	for _, h := range dc.Hosts() {
		inv.hosts = append(inv.hosts, h)
		inv.byID[h.ID()] = h
	}
	return inv
}

// Hosts returns a copy of the hosts.
func (i *SimInventory) Hosts(context.Context) []backends.Host {
	i.mu.Lock()
	defer i.mu.Unlock()
	return append([]backends.Host(nil), i.hosts...)
}

// Host returns host id, or an error wrapping backends.ErrNotFound.
func (i *SimInventory) Host(_ context.Context, id string) (backends.Host, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	h, ok := i.byID[id]
	if !ok {
		return nil, fmt.Errorf("host %s: %w", id, backends.ErrNotFound)
	}
	return h, nil
}

// Replace swaps host id for h (a fault-injecting wrapper).
func (i *SimInventory) Replace(id string, h backends.Host) {
	i.mu.Lock()
	defer i.mu.Unlock()
	for n, x := range i.hosts {
		if i.byID[id] == x {
			i.hosts[n] = h
		}
	}
	i.byID[id] = h
}

// Fixture is a dispatcher serving interop, jobs and virt over a simulated
// data center with a virtual clock. Its methods address NS and fail the
// test on an error.
type Fixture struct {
	T     testing.TB
	Ctx   context.Context
	D     *cimom.Dispatcher
	DC    *sim.DataCenter
	Inv   *SimInventory
	Store cimom.InstanceStore
	Log   *slog.Logger      // the logger the dispatcher, jobs and virt were given
	Jobs  *jobs.Manager     // nil WithoutJobs
	IP    *interop.Provider // nil WithoutInterop
	Virt  *virt.Provider
}

type config struct {
	seed      int64
	log       *slog.Logger
	store     cimom.InstanceStore
	noJobs    bool
	noInterop bool
}

// An Option changes how New and NewOn build a Fixture.
type Option func(*config)

// WithSeed seeds the data center New simulates (default 42).
func WithSeed(seed int64) Option { return func(c *config) { c.seed = seed } }

// WithLog gives the dispatcher, the job manager and virt log (default
// Quiet).
func WithLog(log *slog.Logger) Option { return func(c *config) { c.log = log } }

// WithStore keeps instances and jobs in store (default a new
// cimom.MemoryStore).
func WithStore(store cimom.InstanceStore) Option { return func(c *config) { c.store = store } }

// WithoutJobs builds no job manager: jobs are not served and virt runs its
// methods at once.
func WithoutJobs() Option { return func(c *config) { c.noJobs = true } }

// WithoutInterop registers no interop provider (virt registers no
// profiles).
func WithoutInterop() Option { return func(c *config) { c.noInterop = true } }

// New builds a Fixture over a new simulated data center of hosts hosts.
func New(t testing.TB, hosts int, opts ...Option) *Fixture {
	t.Helper()
	c := configOf(opts)
	dc, err := sim.NewDataCenter(sim.Config{Hosts: hosts, Seed: c.seed})
	if err != nil {
		t.Fatal(err)
	}
	return NewOn(t, dc, opts...)
}

func configOf(opts []Option) config {
	c := config{seed: 42, log: Quiet}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// NewOn builds a Fixture over dc; WithSeed does not apply.
func NewOn(t testing.TB, dc *sim.DataCenter, opts ...Option) *Fixture {
	t.Helper()
	c := configOf(opts)
	r, err := cimom.NewSchemaRepository()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	store := c.store
	if store == nil {
		store = cimom.NewMemoryStore()
	}
	d := cimom.New(r, store)
	d.Log = c.log
	f := &Fixture{T: t, Ctx: ctx, D: d, DC: dc, Store: store, Log: c.log}
	if !c.noInterop {
		if f.IP, err = interop.Register(d, interop.Config{Host: "mgr.example", Version: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	if !c.noJobs {
		jm, err := jobs.NewManager(ctx, jobs.Config{Store: store, Now: dc.Clock().Now, SweepInterval: -1, Log: c.log})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = jm.Close(context.Background()) })
		if err := jobs.Register(d, jm); err != nil {
			t.Fatal(err)
		}
		f.Jobs = jm
	}
	f.Inv = NewSimInventory(dc)
	if f.Virt, err = virt.Register(ctx, d, f.IP, f.Inv, f.Jobs, virt.Options{Log: c.log, Store: store}); err != nil {
		t.Fatal(err)
	}
	return f
}

// Host returns simulated host i.
func (f *Fixture) Host(i int) *sim.Host { return f.DC.Host(i) }

// Enumerate returns the instances of class in NS.
func (f *Fixture) Enumerate(class string) []*cim.Instance {
	f.T.Helper()
	return f.EnumerateIn(NS, class, cimom.InstanceOptions{})
}

// EnumerateIn returns the instances of class in namespace.
func (f *Fixture) EnumerateIn(namespace, class string, opts cimom.InstanceOptions) []*cim.Instance {
	f.T.Helper()
	var out []*cim.Instance
	err := f.D.EnumerateInstances(f.Ctx, namespace, class, opts, func(_ cim.ObjectPath, in *cim.Instance) bool {
		out = append(out, in)
		return true
	})
	if err != nil {
		f.T.Fatalf("enumerate %s: %v", class, err)
	}
	return out
}

// Get returns the instance at path.
func (f *Fixture) Get(path cim.ObjectPath) *cim.Instance {
	f.T.Helper()
	in, err := f.D.GetInstance(f.Ctx, NS, path, cimom.InstanceOptions{})
	if err != nil {
		f.T.Fatalf("get %s: %v", path, err)
	}
	return in
}

// Associators returns the canonical paths of what path associates to
// through assoc (and of resultClass, unless empty), sorted.
func (f *Fixture) Associators(path cim.ObjectPath, assoc, resultClass string) []string {
	f.T.Helper()
	return f.AssociatorsIn(NS, path, assoc, resultClass)
}

// AssociatorsIn is Associators in namespace.
func (f *Fixture) AssociatorsIn(namespace string, path cim.ObjectPath, assoc, resultClass string) []string {
	f.T.Helper()
	var out []string
	err := f.D.AssociatorNames(f.Ctx, namespace, path, cimom.AssocFilter{AssocClass: assoc, ResultClass: resultClass}, func(p cim.ObjectPath) bool {
		out = append(out, p.Canonical())
		return true
	})
	if err != nil {
		f.T.Fatalf("associators of %s via %s: %v", path, assoc, err)
	}
	sort.Strings(out)
	return out
}

// References returns the instances of assoc that refer to path.
func (f *Fixture) References(path cim.ObjectPath, assoc string) []*cim.Instance {
	f.T.Helper()
	var out []*cim.Instance
	err := f.D.References(f.Ctx, NS, path, cimom.AssocFilter{ResultClass: assoc}, cimom.InstanceOptions{}, func(_ cim.ObjectPath, in *cim.Instance) bool {
		out = append(out, in)
		return true
	})
	if err != nil {
		f.T.Fatalf("references of %s via %s: %v", path, assoc, err)
	}
	return out
}

// Invoke calls a method and returns its return code and output.
func (f *Fixture) Invoke(path cim.ObjectPath, method string, in cim.Params) (uint32, cim.Params) {
	f.T.Helper()
	ret, out, err := f.D.InvokeMethod(f.Ctx, NS, path, method, in)
	if err != nil {
		f.T.Fatalf("%s: %v", method, err)
	}
	code, _ := ret.AsUint64()
	return uint32(code), out
}

// Finish waits for the job a 4096 answer names and returns it.
func (f *Fixture) Finish(out cim.Params) jobs.Job {
	f.T.Helper()
	jv, ok := out.Get("Job")
	ref, isRef := jv.AsRef()
	if !ok || !isRef {
		f.T.Fatalf("no Job in %v", out)
	}
	j, err := f.Jobs.Wait(f.Ctx, model.InstanceIDOf(ref))
	if err != nil {
		f.T.Fatal(err)
	}
	return j
}

// InvokeJob calls an asynchronous method, requires 4096, and waits for
// the job.
func (f *Fixture) InvokeJob(path cim.ObjectPath, method string, in cim.Params) (jobs.Job, cim.Params) {
	f.T.Helper()
	code, out := f.Invoke(path, method, in)
	if code != 4096 {
		f.T.Fatalf("%s returned %d, want 4096", method, code)
	}
	return f.Finish(out), out
}

// InvokeCompleted is InvokeJob requiring the job completed; it returns
// the method's output.
func (f *Fixture) InvokeCompleted(path cim.ObjectPath, method string, in cim.Params) cim.Params {
	f.T.Helper()
	j, out := f.InvokeJob(path, method, in)
	if j.State != jobs.Completed {
		f.T.Fatalf("%s job %s: %s (%s)", method, j.ID, j.State, j.ErrorDescription)
	}
	return out
}

// Canon returns the canonical forms of paths, sorted.
func Canon(paths ...cim.ObjectPath) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = p.Canonical()
	}
	sort.Strings(out)
	return out
}

// U16s returns the elements of an integer array as uint16s.
func U16s(v cim.Value) []uint16 {
	var out []uint16
	for _, e := range v.Elems() {
		n, _ := e.AsUint64()
		out = append(out, uint16(n))
	}
	return out
}

// UintOf returns in's unsigned integer property name (0 if absent).
func UintOf(in *cim.Instance, name string) uint64 {
	v, _ := in.Get(name)
	n, _ := v.AsUint64()
	return n
}
