package migration

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

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

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// simInventory adapts a simulated data center to virt.Inventory.
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
	return slices.Clone(i.hosts)
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

// fakeResolver answers reverse lookups from a table.
type fakeResolver map[string][]string

func (r fakeResolver) LookupAddr(_ context.Context, addr string) ([]string, error) {
	if names, ok := r[addr]; ok {
		return names, nil
	}
	return nil, fmt.Errorf("lookup %s: no such host", addr)
}

// fixture is a dispatcher serving interop, jobs, virt and migration over a
// simulated data center. src and dst are two hosts with the same CPU
// vendor; alien has the other vendor.
type fixture struct {
	t               testing.TB
	ctx             context.Context
	d               *cimom.Dispatcher
	dc              *sim.DataCenter
	jobs            *jobs.Manager
	ip              *interop.Provider
	vp              *virt.Provider
	p               *Provider
	src, dst, alien *sim.Host
}

func newFixture(t testing.TB, opts Options) *fixture {
	t.Helper()
	ctx := context.Background()
	dc, err := sim.NewDataCenter(sim.Config{Hosts: 6, Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	r, err := cimom.NewSchemaRepository()
	if err != nil {
		t.Fatal(err)
	}
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
	t.Cleanup(func() { // a failed test may leave a migration waiting on the clock
		for _, j := range jm.List() {
			if !j.State.Finished() {
				_ = jm.Stop(j.ID, true)
			}
		}
	})
	if err := jobs.Register(d, jm); err != nil {
		t.Fatal(err)
	}
	vp, err := virt.Register(ctx, d, ip, newSimInventory(dc), jm, virt.Options{Log: quiet, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	if opts.Log == nil {
		opts.Log = quiet
	}
	p, err := Register(ctx, d, ip, vp, jm, opts)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, ctx: ctx, d: d, dc: dc, jobs: jm, ip: ip, vp: vp, p: p}
	f.pickHosts()
	return f
}

// pickHosts chooses two hosts of one CPU vendor and one of another.
func (f *fixture) pickHosts() {
	byVendor := map[string][]*sim.Host{}
	var vendors []string
	for _, h := range f.dc.Hosts() {
		info, _ := h.Info(f.ctx)
		if byVendor[info.CPU.Vendor] == nil {
			vendors = append(vendors, info.CPU.Vendor)
		}
		byVendor[info.CPU.Vendor] = append(byVendor[info.CPU.Vendor], h)
	}
	for _, v := range vendors {
		for _, w := range vendors {
			if v != w && len(byVendor[v]) >= 2 {
				f.src, f.dst, f.alien = byVendor[v][0], byVendor[v][1], byVendor[w][0]
				return
			}
		}
	}
	f.t.Fatal("no two same-vendor hosts beside another vendor")
}

// runningVM defines and starts a VM with a disk on the shared SAN pool.
func (f *fixture) runningVM(h *sim.Host, name string, memMiB uint64) backends.VM {
	f.t.Helper()
	vm := f.stoppedVM(h, name, memMiB)
	if err := h.VMs().Start(f.ctx, vm.UUID); err != nil {
		f.t.Fatal(err)
	}
	return f.vmOn(h, vm.UUID)
}

func (f *fixture) stoppedVM(h *sim.Host, name string, memMiB uint64) backends.VM {
	f.t.Helper()
	vol, err := h.Storage().CreateVolume(f.ctx, "san", backends.VolumeSpec{Name: name + ".qcow2", Capacity: 10 << 30})
	if err != nil {
		f.t.Fatal(err)
	}
	vm, err := h.VMs().Define(f.ctx, backends.VMSpec{Name: name, VCPUs: 2, MemoryMiB: memMiB,
		Disks: []backends.DiskSpec{{Volume: &vol.Ref}}, NICs: []backends.NICSpec{{Switch: "external", VLAN: 10}}})
	if err != nil {
		f.t.Fatal(err)
	}
	return vm
}

// hog fills h's free memory but for leaveMiB with running VMs.
func (f *fixture) hog(h *sim.Host, leaveMiB uint64) {
	f.t.Helper()
	for n := 0; ; n++ {
		info, err := h.Info(f.ctx)
		if err != nil {
			f.t.Fatal(err)
		}
		if info.FreeMiB <= leaveMiB {
			return
		}
		f.runningVM(h, fmt.Sprintf("hog%d", n), min(info.FreeMiB-leaveMiB, info.Limits.MaxMemoryMiB))
	}
}

func (f *fixture) vmOn(h *sim.Host, id string) backends.VM {
	f.t.Helper()
	vm, err := h.VMs().Get(f.ctx, id)
	if err != nil {
		f.t.Fatalf("vm %s on %s: %v", id, h, err)
	}
	return vm
}

// requireOn checks that VM id is on h (and only there) in state.
func (f *fixture) requireOn(h *sim.Host, id string, state backends.State) {
	f.t.Helper()
	where, ok := f.dc.FindVM(id)
	if !ok || where != h {
		f.t.Fatalf("vm %s is on %v, want %s", id, where, h)
	}
	if vm := f.vmOn(h, id); vm.State != state {
		f.t.Fatalf("vm %s is %s, want %s", vm.Name, vm.State, state)
	}
}

func (f *fixture) get(path cim.ObjectPath) *cim.Instance {
	f.t.Helper()
	in, err := f.d.GetInstance(f.ctx, ns, path, cimom.InstanceOptions{})
	if err != nil {
		f.t.Fatalf("get %s: %v", path, err)
	}
	return in
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

// associators returns the canonical paths path associates to through
// assoc (optionally of resultClass), sorted.
func (f *fixture) associators(path cim.ObjectPath, assoc, resultClass string) []string {
	f.t.Helper()
	return f.associatorsIn(ns, path, assoc, resultClass)
}

func (f *fixture) associatorsIn(namespace string, path cim.ObjectPath, assoc, resultClass string) []string {
	f.t.Helper()
	var out []string
	err := f.d.AssociatorNames(f.ctx, namespace, path, cimom.AssocFilter{AssocClass: assoc, ResultClass: resultClass}, func(p cim.ObjectPath) bool {
		out = append(out, p.Canonical())
		return true
	})
	if err != nil {
		f.t.Fatalf("associators of %s via %s: %v", path, assoc, err)
	}
	sort.Strings(out)
	return out
}

// invoke calls a method of host h's migration service.
func (f *fixture) invoke(h *sim.Host, method string, in cim.Params) (uint32, cim.Params) {
	f.t.Helper()
	ret, out, err := f.d.InvokeMethod(f.ctx, ns, ServicePath(h.ID()), method, in)
	if err != nil {
		f.t.Fatalf("%s: %v", method, err)
	}
	code, _ := ret.AsUint64()
	return uint32(code), out
}

// jobOf returns the ID of the job a 4096 answer names.
func (f *fixture) jobOf(out cim.Params) string {
	f.t.Helper()
	v, _ := out.Get("Job")
	ref, ok := v.AsRef()
	if !ok {
		f.t.Fatalf("no Job in %v", out)
	}
	return model.InstanceIDOf(ref)
}

// wait waits for job id to finish.
func (f *fixture) wait(id string) jobs.Job {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(f.ctx, 20*time.Second)
	defer cancel()
	j, err := f.jobs.Wait(ctx, id)
	if err != nil {
		f.t.Fatalf("job %s: %v", id, err)
	}
	return j
}

// migrate calls a migrate method, requires 4096 and waits for the job.
func (f *fixture) migrate(h *sim.Host, method string, in cim.Params) (jobs.Job, cim.Params) {
	f.t.Helper()
	code, out := f.invoke(h, method, in)
	if code != 4096 {
		f.t.Fatalf("%s returned %d, want 4096", method, code)
	}
	return f.wait(f.jobOf(out)), out
}

// toHost are the parameters of MigrateVirtualSystemToHost and
// CheckVirtualSystemIsMigratableToHost.
func toHost(vm, dest string, msd *cim.Instance) cim.Params {
	ps := cim.Params{{Name: "ComputerSystem", Value: cim.Ref(model.VMPath(vm))}, {Name: "DestinationHost", Value: cim.String(dest)}}
	if msd != nil {
		ps = append(ps, cim.Param{Name: "MigrationSettingData", Value: cim.Embedded(msd)})
	}
	return ps
}

// toSystem are the parameters of the ...ToSystem methods.
func toSystem(vm, dest string, msd *cim.Instance) cim.Params {
	ps := cim.Params{{Name: "ComputerSystem", Value: cim.Ref(model.VMPath(vm))}, {Name: "DestinationSystem", Value: cim.Ref(model.HostPath(dest))}}
	if msd != nil {
		ps = append(ps, cim.Param{Name: "MigrationSettingData", Value: cim.Embedded(msd)})
	}
	return ps
}

// msd builds a MigrationSettingData from name/value pairs.
func msd(pairs ...any) *cim.Instance {
	in := cim.NewInstance(ClassSettings)
	for i := 0; i+1 < len(pairs); i += 2 {
		in.Set(pairs[i].(string), pairs[i+1].(cim.Value))
	}
	return in
}

func hostname(h *sim.Host) string {
	info, _ := h.Info(context.Background())
	return info.Hostname
}

func uintOf(in *cim.Instance, name string) uint64 {
	v, _ := in.Get(name)
	n, _ := v.AsUint64()
	return n
}

func canon(paths ...cim.ObjectPath) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = p.Canonical()
	}
	sort.Strings(out)
	return out
}
