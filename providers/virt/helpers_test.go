package virt

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
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

const ns = model.Namespace

// simInventory adapts a simulated data center to Inventory, as ferrumd's
// host registry will: hosts may be replaced (wrapped) to inject faults.
type simInventory struct {
	mu    sync.Mutex
	hosts []backends.Host
	byID  map[string]backends.Host
}

func newSimInventory(dc *sim.DataCenter) *simInventory {
	inv := &simInventory{byID: map[string]backends.Host{}}
	for _, h := range dc.Hosts() {
		inv.hosts = append(inv.hosts, h)
		inv.byID[h.ID()] = h
	}
	return inv
}

func (i *simInventory) Hosts(context.Context) []backends.Host {
	i.mu.Lock()
	defer i.mu.Unlock()
	return append([]backends.Host(nil), i.hosts...)
}

func (i *simInventory) Host(_ context.Context, id string) (backends.Host, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	h, ok := i.byID[id]
	if !ok {
		return nil, fmt.Errorf("host %s: %w", id, backends.ErrNotFound)
	}
	return h, nil
}

// replace swaps host id for h (a fault-injecting wrapper).
func (i *simInventory) replace(id string, h backends.Host) {
	i.mu.Lock()
	defer i.mu.Unlock()
	for n, x := range i.hosts {
		if i.byID[id] == x {
			i.hosts[n] = h
		}
	}
	i.byID[id] = h
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// fixture is a dispatcher serving interop, jobs and virt over a simulated
// data center with a virtual clock.
type fixture struct {
	t    testing.TB
	d    *cimom.Dispatcher
	dc   *sim.DataCenter
	inv  *simInventory
	jobs *jobs.Manager
	ip   *interop.Provider
	p    *Provider
	ctx  context.Context
}

func newFixture(t testing.TB, hosts int) *fixture {
	t.Helper()
	dc, err := sim.NewDataCenter(sim.Config{Hosts: hosts, Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	return newFixtureOn(t, dc)
}

func newFixtureOn(t testing.TB, dc *sim.DataCenter) *fixture {
	t.Helper()
	r, err := cimom.NewSchemaRepository()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	store := cimom.NewMemoryStore()
	d := cimom.New(r, store)
	d.Log = quiet
	ip, err := interop.Register(d, interop.Config{Host: "mgr.example", Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	jm, err := jobs.NewManager(ctx, jobs.Config{Store: store, Now: dc.Clock().Now, SweepInterval: -1, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = jm.Close(context.Background()) })
	if err := jobs.Register(d, jm); err != nil {
		t.Fatal(err)
	}
	inv := newSimInventory(dc)
	p, err := Register(ctx, d, ip, inv, jm, Options{Log: quiet, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, d: d, dc: dc, inv: inv, jobs: jm, ip: ip, p: p, ctx: ctx}
}

func (f *fixture) host(i int) *sim.Host { return f.dc.Host(i) }

// define defines a VM on host i directly through the backend.
func (f *fixture) define(i int, spec backends.VMSpec) backends.VM {
	f.t.Helper()
	vm, err := f.host(i).VMs().Define(f.ctx, spec)
	if err != nil {
		f.t.Fatal(err)
	}
	return vm
}

// webSpec is a VM with a volume-backed disk, a CD-ROM, a NIC and a console.
func (f *fixture) webSpec(i int, name string) backends.VMSpec {
	f.t.Helper()
	vol, err := f.host(i).Storage().CreateVolume(f.ctx, "default", backends.VolumeSpec{Name: name + "-root", Capacity: 8 << 30})
	if err != nil {
		f.t.Fatal(err)
	}
	return backends.VMSpec{Name: name, VCPUs: 2, MaxVCPUs: 4, MemoryMiB: 2048, MaxMemoryMiB: 4096,
		Disks:    []backends.DiskSpec{{Volume: &vol.Ref}, {Device: backends.DeviceCDROM, Path: "/isos/install.iso"}},
		NICs:     []backends.NICSpec{{Switch: "external", VLAN: 12}},
		Graphics: &backends.Graphics{Type: backends.GraphicsVNC}}
}

func (f *fixture) start(i int, id string) {
	f.t.Helper()
	if err := f.host(i).VMs().Start(f.ctx, id); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) vm(i int, id string) backends.VM {
	f.t.Helper()
	vm, err := f.host(i).VMs().Get(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return vm
}

func (f *fixture) enumerate(class string) []*cim.Instance {
	f.t.Helper()
	var out []*cim.Instance
	err := f.d.EnumerateInstances(f.ctx, ns, class, cimom.InstanceOptions{}, func(_ cim.ObjectPath, in *cim.Instance) bool {
		out = append(out, in)
		return true
	})
	if err != nil {
		f.t.Fatalf("enumerate %s: %v", class, err)
	}
	return out
}

func (f *fixture) get(path cim.ObjectPath) *cim.Instance {
	f.t.Helper()
	in, err := f.d.GetInstance(f.ctx, ns, path, cimom.InstanceOptions{})
	if err != nil {
		f.t.Fatalf("get %s: %v", path, err)
	}
	return in
}

// associators returns the canonical paths of what path associates to
// through assoc, sorted.
func (f *fixture) associators(path cim.ObjectPath, assoc, resultClass string) []string {
	f.t.Helper()
	var out []string
	err := f.d.AssociatorNames(f.ctx, ns, path, cimom.AssocFilter{AssocClass: assoc, ResultClass: resultClass}, func(p cim.ObjectPath) bool {
		out = append(out, p.Canonical())
		return true
	})
	if err != nil {
		f.t.Fatalf("associators of %s via %s: %v", path, assoc, err)
	}
	sort.Strings(out)
	return out
}

func (f *fixture) references(path cim.ObjectPath, assoc string) []*cim.Instance {
	f.t.Helper()
	var out []*cim.Instance
	err := f.d.References(f.ctx, ns, path, cimom.AssocFilter{ResultClass: assoc}, cimom.InstanceOptions{}, func(_ cim.ObjectPath, in *cim.Instance) bool {
		out = append(out, in)
		return true
	})
	if err != nil {
		f.t.Fatalf("references of %s via %s: %v", path, assoc, err)
	}
	return out
}

// invoke calls a method and returns its return code and output.
func (f *fixture) invoke(path cim.ObjectPath, method string, in cim.Params) (uint32, cim.Params) {
	f.t.Helper()
	ret, out, err := f.d.InvokeMethod(f.ctx, ns, path, method, in)
	if err != nil {
		f.t.Fatalf("%s: %v", method, err)
	}
	code, _ := ret.AsUint64()
	return uint32(code), out
}

// finish waits for the job a 4096 answer names and returns it.
func (f *fixture) finish(out cim.Params) jobs.Job {
	f.t.Helper()
	jv, ok := out.Get("Job")
	ref, isRef := jv.AsRef()
	if !ok || !isRef {
		f.t.Fatalf("no Job in %v", out)
	}
	j, err := f.jobs.Wait(f.ctx, model.InstanceIDOf(ref))
	if err != nil {
		f.t.Fatal(err)
	}
	return j
}

// invokeJob calls an asynchronous method, requires 4096, and waits.
func (f *fixture) invokeJob(path cim.ObjectPath, method string, in cim.Params) (jobs.Job, cim.Params) {
	f.t.Helper()
	code, out := f.invoke(path, method, in)
	if code != 4096 {
		f.t.Fatalf("%s returned %d, want 4096", method, code)
	}
	return f.finish(out), out
}

func canon(paths ...cim.ObjectPath) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = p.Canonical()
	}
	sort.Strings(out)
	return out
}

func u16s(v cim.Value) []uint16 {
	var out []uint16
	for _, e := range v.Elems() {
		n, _ := e.AsUint64()
		out = append(out, uint16(n))
	}
	return out
}

func uintOf(in *cim.Instance, name string) uint64 {
	v, _ := in.Get(name)
	n, _ := v.AsUint64()
	return n
}

func strs(v cim.Value) []string {
	var out []string
	for _, e := range v.Elems() {
		out = append(out, e.Str())
	}
	return out
}

var cimomOpts = cimom.InstanceOptions{}

// enumerateDeep enumerates class and its subclasses with every property.
func enumerateDeep(f *fixture, class string) []*cim.Instance {
	f.t.Helper()
	return enumerateDeepIn(f, ns, class)
}

func enumerateDeepIn(f *fixture, namespace, class string) []*cim.Instance {
	f.t.Helper()
	var out []*cim.Instance
	err := f.d.EnumerateInstances(f.ctx, namespace, class, cimom.InstanceOptions{DeepInheritance: true}, func(_ cim.ObjectPath, in *cim.Instance) bool {
		out = append(out, in)
		return true
	})
	if err != nil {
		f.t.Fatalf("enumerate %s: %v", class, err)
	}
	return out
}
