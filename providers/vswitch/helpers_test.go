package vswitch

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sort"
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

const ns = model.Namespace

// simInventory adapts a simulated data center to virt.Inventory.
type simInventory struct {
	hosts []backends.Host
	byID  map[string]backends.Host
}

func (i *simInventory) Hosts(context.Context) []backends.Host { return slices.Clone(i.hosts) }

func (i *simInventory) Host(_ context.Context, id string) (backends.Host, error) {
	h, ok := i.byID[id]
	if !ok {
		return nil, fmt.Errorf("host %s: %w", id, backends.ErrNotFound)
	}
	return h, nil
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// fixture is a dispatcher serving interop, jobs, virt and vswitch over a
// simulated data center.
type fixture struct {
	t    testing.TB
	d    *cimom.Dispatcher
	dc   *sim.DataCenter
	jobs *jobs.Manager
	ctx  context.Context
}

func newFixture(t testing.TB, hosts int) *fixture {
	t.Helper()
	return newFixtureJobs(t, hosts, true)
}

// newFixtureJobs builds a fixture; without jobs the methods run at once.
func newFixtureJobs(t testing.TB, hosts int, withJobs bool) *fixture {
	t.Helper()
	dc, err := sim.NewDataCenter(sim.Config{Hosts: hosts, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
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
	inv := &simInventory{byID: map[string]backends.Host{}}
	for _, h := range dc.Hosts() {
		inv.hosts = append(inv.hosts, h)
		inv.byID[h.ID()] = h
	}
	run := jm
	if !withJobs {
		run = nil
	}
	vp, err := virt.Register(ctx, d, ip, inv, run, virt.Options{Log: quiet, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Register(ctx, d, ip, vp, run, Options{Log: quiet, Inventory: inv}); err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, d: d, dc: dc, jobs: jm, ctx: ctx}
}

func (f *fixture) host(i int) *sim.Host { return f.dc.Host(i) }

func (f *fixture) sw(i int, name string) switchID {
	return switchID{Host: f.host(i).ID(), Switch: name}
}

// switches lists the names of host i's switches.
func (f *fixture) switches(i int) []string {
	f.t.Helper()
	sws, err := f.host(i).Switches().ListSwitches(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, s := range sws {
		out = append(out, s.Name)
	}
	return out
}

// nic returns the NIC of VM id with MAC mac, as the backend has it.
func (f *fixture) nic(i int, id, mac string) backends.NICSpec {
	f.t.Helper()
	vm, err := f.host(i).VMs().Get(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, n := range vm.NICs {
		if n.MAC == mac {
			return n
		}
	}
	f.t.Fatalf("vm %s has no nic %s", id, mac)
	return backends.NICSpec{}
}

func (f *fixture) enumerate(namespace, class string) []*cim.Instance {
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

func (f *fixture) get(path cim.ObjectPath) *cim.Instance {
	f.t.Helper()
	in, err := f.d.GetInstance(f.ctx, ns, path, cimom.InstanceOptions{})
	if err != nil {
		f.t.Fatalf("get %s: %v", path, err)
	}
	return in
}

// associators returns the sorted canonical paths path associates to
// through assoc.
func (f *fixture) associators(namespace string, path cim.ObjectPath, assoc string) []string {
	f.t.Helper()
	var out []string
	err := f.d.AssociatorNames(f.ctx, namespace, path, cimom.AssocFilter{AssocClass: assoc}, func(p cim.ObjectPath) bool {
		out = append(out, p.Canonical())
		return true
	})
	if err != nil {
		f.t.Fatalf("associators of %s via %s: %v", path, assoc, err)
	}
	sort.Strings(out)
	return out
}

// invoke calls a method on the management service of host i.
func (f *fixture) invoke(i int, method string, in cim.Params) (uint32, cim.Params) {
	f.t.Helper()
	ret, out, err := f.d.InvokeMethod(f.ctx, ns, model.VSMSPath(f.host(i).ID()), method, in)
	if err != nil {
		f.t.Fatalf("%s: %v", method, err)
	}
	code, _ := ret.AsUint64()
	return uint32(code), out
}

// invokeJob calls an asynchronous method, requires 4096, waits for the job
// and requires it completed.
func (f *fixture) invokeJob(i int, method string, in cim.Params) cim.Params {
	f.t.Helper()
	code, out := f.invoke(i, method, in)
	if code != 4096 {
		f.t.Fatalf("%s returned %d, want 4096", method, code)
	}
	jv, _ := out.Get("Job")
	ref, ok := jv.AsRef()
	if !ok {
		f.t.Fatalf("%s: no Job in %v", method, out)
	}
	j, err := f.jobs.Wait(f.ctx, model.InstanceIDOf(ref))
	if err != nil {
		f.t.Fatal(err)
	}
	if j.State != jobs.Completed {
		f.t.Fatalf("%s job %s: %s (%s)", method, j.ID, j.State, j.ErrorDescription)
	}
	return out
}

func canon(paths ...cim.ObjectPath) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = p.Canonical()
	}
	sort.Strings(out)
	return out
}

func uintOf(in *cim.Instance, name string) uint64 {
	v, _ := in.Get(name)
	n, _ := v.AsUint64()
	return n
}

func strs(in *cim.Instance, name string) []string {
	v, _ := in.Get(name)
	var out []string
	for _, e := range v.Elems() {
		out = append(out, e.Str())
	}
	return out
}

// switchSettings is a DefineSystem SystemSettings for a switch.
func switchSettings(name string) cim.Param {
	return cim.Param{Name: "SystemSettings", Value: cim.Embedded(cim.NewInstance(ClassSwitchSettings).Set("ElementName", cim.String(name)))}
}

// uplinkSetting is an uplink request naming host NIC nic.
func uplinkSetting(nic string) *cim.Instance {
	return cim.NewInstance(ClassPortSettings).Set("ResourceType", cim.Uint16(33)).Set("HostResource", cim.StringArray(nic))
}

func embedded(ins ...*cim.Instance) cim.Value {
	elems := make([]any, len(ins))
	for i, in := range ins {
		elems[i] = in
	}
	v, _ := cim.NewArray(cim.TypeInstance, elems)
	return v
}
