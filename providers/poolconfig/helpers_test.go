package poolconfig

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/backends/sim"
	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/providers/virt"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

const ns = model.Namespace

// simInventory adapts a simulated data center to virt.Inventory; a host
// may be replaced by a fault-injecting wrapper.
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

// syncBuffer is a log sink tests read while jobs write to it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// fixture is a dispatcher serving jobs, virt and this package over a
// simulated data center.
type fixture struct {
	t    testing.TB
	ctx  context.Context
	d    *cimom.Dispatcher
	dc   *sim.DataCenter
	inv  *simInventory
	jobs *jobs.Manager
	log  *syncBuffer
	host string // ID of host 0
}

func newFixture(t testing.TB, hosts int, withJobs bool) *fixture {
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
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	d.Log = log
	var jm *jobs.Manager
	if withJobs {
		jm, err = jobs.NewManager(ctx, jobs.Config{Store: store, Now: dc.Clock().Now, SweepInterval: -1, Log: log})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = jm.Close(context.Background()) })
		if err := jobs.Register(d, jm); err != nil {
			t.Fatal(err)
		}
	}
	inv := newSimInventory(dc)
	vp, err := virt.Register(ctx, d, nil, inv, jm, virt.Options{Log: log, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Register(ctx, d, vp, jm, Options{Inventory: inv, Log: log}); err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, ctx: ctx, d: d, dc: dc, inv: inv, jobs: jm, log: logs, host: dc.Host(0).ID()}
}

func (f *fixture) storage() backends.StorageManager { return f.dc.Host(0).Storage() }

func (f *fixture) get(path cim.ObjectPath) (*cim.Instance, error) {
	return f.d.GetInstance(f.ctx, ns, path, cimom.InstanceOptions{})
}

func (f *fixture) mustGet(path cim.ObjectPath) *cim.Instance {
	f.t.Helper()
	in, err := f.get(path)
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

// associators returns the sorted canonical paths path reaches via assoc.
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

func (f *fixture) invoke(method string, in cim.Params) (uint32, cim.Params) {
	f.t.Helper()
	ret, out, err := f.d.InvokeMethod(f.ctx, ns, ServicePath(f.host), method, in)
	if err != nil {
		f.t.Fatalf("%s: %v", method, err)
	}
	code, _ := ret.AsUint64()
	return uint32(code), out
}

// invokeJob calls an asynchronous method, requires 4096, waits for the
// job and requires it completed.
func (f *fixture) invokeJob(method string, in cim.Params) cim.Params {
	f.t.Helper()
	code, out := f.invoke(method, in)
	if code != 4096 {
		f.t.Fatalf("%s returned %d, want 4096; log:\n%s", method, code, f.log)
	}
	j := f.wait(out)
	if j.State != jobs.Completed {
		f.t.Fatalf("%s job ended %v: %s", method, j.State, j.ErrorDescription)
	}
	return out
}

func (f *fixture) wait(out cim.Params) jobs.Job {
	f.t.Helper()
	jv, _ := out.Get("Job")
	ref, ok := jv.AsRef()
	if !ok {
		f.t.Fatalf("no Job in %v", out)
	}
	j, err := f.jobs.Wait(f.ctx, model.InstanceIDOf(ref))
	if err != nil {
		f.t.Fatal(err)
	}
	return j
}

func refOut(t testing.TB, out cim.Params, name string) cim.ObjectPath {
	t.Helper()
	v, _ := out.Get(name)
	r, ok := v.AsRef()
	if !ok {
		t.Fatalf("no %s in %v", name, out)
	}
	return r
}

// state describes every pool and volume of every host, for checking that
// a refused call changed nothing.
func (f *fixture) state() string {
	f.t.Helper()
	var b strings.Builder
	for _, h := range f.dc.Hosts() {
		pools, err := h.Storage().ListPools(f.ctx)
		if err != nil {
			f.t.Fatal(err)
		}
		for _, p := range pools {
			fmt.Fprintf(&b, "%s pool %s %s %s cap=%d vols=%d\n", h.ID(), p.Name, p.Type, p.Path, p.Capacity, p.Volumes)
			vols, _ := h.Storage().ListVolumes(f.ctx, p.Name)
			for _, v := range vols {
				fmt.Fprintf(&b, "  vol %s %s %d backing=%v\n", v.Ref, v.Format, v.Capacity, v.Backing)
			}
		}
	}
	return b.String()
}

// jobCount is how many jobs the manager knows.
func (f *fixture) jobCount() int {
	if f.jobs == nil {
		return 0
	}
	return len(f.jobs.List())
}

// refused calls method, requires code want (not 4096) and that neither
// the pools and volumes nor the jobs changed.
func (f *fixture) refused(method string, in cim.Params, want uint32) {
	f.t.Helper()
	before, jobsBefore := f.state(), f.jobCount()
	code, _ := f.invoke(method, in)
	if code != want {
		f.t.Fatalf("%s returned %d, want %d; log:\n%s", method, code, want, f.log)
	}
	if after := f.state(); after != before {
		f.t.Fatalf("state changed:\n%s\n→\n%s", before, after)
	}
	if n := f.jobCount(); n != jobsBefore {
		f.t.Fatalf("%d jobs started", n-jobsBefore)
	}
}

func backendsVolumeSpec(name string, capacity uint64) backends.VolumeSpec {
	return backends.VolumeSpec{Name: name, Capacity: capacity}
}

// defineVMWith defines a stopped VM on host 0 with disk vol.
func defineVMWith(t testing.TB, f *fixture, name string, vol backends.VolumeRef) backends.VM {
	t.Helper()
	vm, err := f.dc.Host(0).VMs().Define(f.ctx, backends.VMSpec{Name: name, VCPUs: 1, MemoryMiB: 512,
		Disks: []backends.DiskSpec{{Volume: &vol}}})
	if err != nil {
		t.Fatal(err)
	}
	return vm
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

func u32s(v cim.Value) []uint32 {
	var out []uint32
	for _, e := range v.Elems() {
		n, _ := e.AsUint64()
		out = append(out, uint32(n))
	}
	return out
}

func uintOf(in *cim.Instance, name string) uint64 {
	v, _ := in.Get(name)
	n, _ := v.AsUint64()
	return n
}

// poolSettings builds a disk pool RASD.
func poolSettings(props map[string]cim.Value) *cim.Instance {
	in := cim.NewInstance(ClassPoolSettings).Set("ResourceType", cim.Uint16(model.RTDiskDrive))
	for k, v := range props {
		in.Set(k, v)
	}
	return in
}

// volSettings builds a storage volume RASD.
func volSettings(props map[string]cim.Value) *cim.Instance {
	in := cim.NewInstance(ClassVolSettings).Set("ResourceType", cim.Uint16(model.RTLogicalDisk))
	for k, v := range props {
		in.Set(k, v)
	}
	return in
}

func primordial(host string) cim.ObjectPath {
	return model.PoolPath(model.KindDisk, model.PoolID(host, model.KindDisk, ""))
}

func diskPool(host, name string) cim.ObjectPath {
	return model.PoolPath(model.KindDisk, model.PoolID(host, model.KindDisk, name))
}

// createPoolParams asks for a 100 GiB dir pool.
func createPoolParams(host, name, path string) cim.Params {
	return cim.Params{
		{Name: "ElementName", Value: cim.String(name)},
		{Name: "Settings", Value: embeddedArray(poolSettings(map[string]cim.Value{
			"PoolType": cim.Uint16(1), "Path": cim.String(path),
			"VirtualQuantity": cim.Uint64(100), "AllocationUnits": cim.String("byte*2^30")}))},
		{Name: "ParentPool", Value: cim.RefArray(primordial(host))},
	}
}

func embeddedArray(ins ...*cim.Instance) cim.Value {
	elems := make([]any, len(ins))
	for i, in := range ins {
		elems[i] = in
	}
	v, err := cim.NewArray(cim.TypeInstance, elems)
	if err != nil {
		panic(err)
	}
	return v
}

const gib = 1 << 30
