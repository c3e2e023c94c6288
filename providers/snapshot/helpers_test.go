package snapshot_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"testing"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/backends/sim"
	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/providers/interop"
	"github.com/ferrum-virt/ferrum/providers/snapshot"
	"github.com/ferrum-virt/ferrum/providers/virt"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

const ns = model.Namespace

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// inventory serves the hosts of a simulated data center.
type inventory struct{ hosts []backends.Host }

func (i inventory) Hosts(context.Context) []backends.Host { return i.hosts }

func (i inventory) Host(_ context.Context, id string) (backends.Host, error) {
	for _, h := range i.hosts {
		if h.(interface{ ID() string }).ID() == id {
			return h, nil
		}
	}
	return nil, fmt.Errorf("host %s: %w", id, backends.ErrNotFound)
}

// fixture is a dispatcher serving interop, jobs, virt and snapshots over a
// simulated data center.
type fixture struct {
	t    *testing.T
	ctx  context.Context
	d    *cimom.Dispatcher
	dc   *sim.DataCenter
	jobs *jobs.Manager
	ip   *interop.Provider
}

func newFixture(t *testing.T, hosts int) *fixture {
	t.Helper()
	dc, err := sim.NewDataCenter(sim.Config{Hosts: hosts, Seed: 42})
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
	var inv inventory
	for _, h := range dc.Hosts() {
		inv.hosts = append(inv.hosts, h)
	}
	vp, err := virt.Register(ctx, d, ip, inv, jm, virt.Options{Log: quiet, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := snapshot.Register(ctx, d, ip, vp, quiet); err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, ctx: ctx, d: d, dc: dc, jobs: jm, ip: ip}
}

func (f *fixture) host(i int) *sim.Host { return f.dc.Host(i) }

// define defines a VM with a qcow2 disk and a NIC on host i.
func (f *fixture) define(i int, name string) backends.VM {
	f.t.Helper()
	h := f.host(i)
	vol, err := h.Storage().CreateVolume(f.ctx, "default", backends.VolumeSpec{Name: name + "-root", Capacity: 8 << 30})
	if err != nil {
		f.t.Fatal(err)
	}
	vm, err := h.VMs().Define(f.ctx, backends.VMSpec{Name: name, VCPUs: 2, MaxVCPUs: 4, MemoryMiB: 2048, MaxMemoryMiB: 4096,
		Disks: []backends.DiskSpec{{Volume: &vol.Ref}}, NICs: []backends.NICSpec{{Switch: "internal"}}})
	if err != nil {
		f.t.Fatal(err)
	}
	return vm
}

func (f *fixture) vm(i int, id string) backends.VM {
	f.t.Helper()
	vm, err := f.host(i).VMs().Get(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return vm
}

func (f *fixture) snapshots(i int, id string) []backends.Snapshot {
	f.t.Helper()
	s, err := f.host(i).ListSnapshots(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return s
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

// associators returns the canonical paths of what path associates to.
func (f *fixture) associators(path cim.ObjectPath, filter cimom.AssocFilter) []string {
	f.t.Helper()
	var out []string
	err := f.d.AssociatorNames(f.ctx, ns, path, filter, func(p cim.ObjectPath) bool {
		out = append(out, p.Canonical())
		return true
	})
	if err != nil {
		f.t.Fatalf("associators of %s via %+v: %v", path, filter, err)
	}
	sort.Strings(out)
	return out
}

func via(assoc string) cimom.AssocFilter { return cimom.AssocFilter{AssocClass: assoc} }

func (f *fixture) invoke(path cim.ObjectPath, method string, in cim.Params) (uint32, cim.Params) {
	f.t.Helper()
	ret, out, err := f.d.InvokeMethod(f.ctx, ns, path, method, in)
	if err != nil {
		f.t.Fatalf("%s: %v", method, err)
	}
	code, _ := ret.AsUint64()
	return uint32(code), out
}

// invokeJob calls a method, requires 4096 and a job that completes.
func (f *fixture) invokeJob(path cim.ObjectPath, method string, in cim.Params) cim.Params {
	f.t.Helper()
	code, out := f.invoke(path, method, in)
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
		f.t.Fatalf("%s job %s: %s", method, j.State, j.ErrorDescription)
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

func settings(name, desc string) cim.Value {
	return cim.Embedded(cim.NewInstance("CIM_SettingData").
		Set("ElementName", cim.String(name)).Set("Description", cim.String(desc)))
}

// createParams are CreateSnapshot's parameters for vm.
func createParams(vm string, name string, typ uint16) cim.Params {
	ps := cim.Params{{Name: "AffectedSystem", Value: cim.Ref(model.VMPath(vm))},
		{Name: "SnapshotType", Value: cim.Uint16(typ)}}
	if name != "" {
		ps = append(ps, cim.Param{Name: "SnapshotSettings", Value: settings(name, "taken by a test")})
	}
	return ps
}

func uintOf(in *cim.Instance, name string) uint64 {
	v, _ := in.Get(name)
	n, _ := v.AsUint64()
	return n
}

func u16s(v cim.Value) []uint16 {
	var out []uint16
	for _, e := range v.Elems() {
		n, _ := e.AsUint64()
		out = append(out, uint16(n))
	}
	return out
}

func (f *fixture) enumerateIn(namespace, class string) []*cim.Instance {
	f.t.Helper()
	var out []*cim.Instance
	err := f.d.EnumerateInstances(f.ctx, namespace, class, cimom.InstanceOptions{}, func(_ cim.ObjectPath, in *cim.Instance) bool {
		out = append(out, in)
		return true
	})
	if err != nil {
		f.t.Fatalf("enumerate %s: %v", class, err)
	}
	return out
}

func (f *fixture) associatorsIn(namespace string, path cim.ObjectPath, filter cimom.AssocFilter) []string {
	f.t.Helper()
	var out []string
	err := f.d.AssociatorNames(f.ctx, namespace, path, filter, func(p cim.ObjectPath) bool {
		out = append(out, p.Local().Canonical())
		return true
	})
	if err != nil {
		f.t.Fatalf("associators of %s: %v", path, err)
	}
	sort.Strings(out)
	return out
}

func profilePath(prof *cim.Instance) cim.ObjectPath {
	return cim.NewInstancePath(cimom.InteropNamespace, "Ferrum_RegisteredProfile",
		cim.KeyBinding{Name: "InstanceID", Value: cim.String(prof.Str("InstanceID"))})
}
