package poolconfig

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
	"github.com/ferrum-virt/ferrum/providers/virt/virttest"
)

const ns = model.Namespace

var uintOf = virttest.UintOf

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

// fixture is a virttest.Fixture, without interop, also serving this
// package; everything logs to log.
type fixture struct {
	*virttest.Fixture
	log  *syncBuffer
	host string // ID of host 0
}

func newFixture(t testing.TB, hosts int, withJobs bool) *fixture {
	t.Helper()
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	opts := []virttest.Option{virttest.WithSeed(7), virttest.WithLog(log), virttest.WithoutInterop()}
	if !withJobs {
		opts = append(opts, virttest.WithoutJobs())
	}
	vf := virttest.New(t, hosts, opts...)
	if _, err := Register(vf.Ctx, vf.D, vf.Virt, vf.Jobs, Options{Inventory: vf.Inv, Log: log}); err != nil {
		t.Fatal(err)
	}
	return &fixture{Fixture: vf, log: logs, host: vf.Host(0).ID()}
}

func (f *fixture) storage() backends.StorageManager { return f.DC.Host(0).Storage() }

func (f *fixture) get(path cim.ObjectPath) (*cim.Instance, error) {
	return f.D.GetInstance(f.Ctx, ns, path, cimom.InstanceOptions{})
}

func (f *fixture) invoke(method string, in cim.Params) (uint32, cim.Params) {
	f.T.Helper()
	return f.Invoke(ServicePath(f.host), method, in)
}

// invokeJob calls an asynchronous method, requires 4096, waits for the
// job and requires it completed.
func (f *fixture) invokeJob(method string, in cim.Params) cim.Params {
	f.T.Helper()
	code, out := f.invoke(method, in)
	if code != 4096 {
		f.T.Fatalf("%s returned %d, want 4096; log:\n%s", method, code, f.log)
	}
	j := f.Finish(out)
	if j.State != jobs.Completed {
		f.T.Fatalf("%s job ended %v: %s", method, j.State, j.ErrorDescription)
	}
	return out
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
	f.T.Helper()
	var b strings.Builder
	for _, h := range f.DC.Hosts() {
		pools, err := h.Storage().ListPools(f.Ctx)
		if err != nil {
			f.T.Fatal(err)
		}
		for _, p := range pools {
			fmt.Fprintf(&b, "%s pool %s %s %s cap=%d vols=%d\n", h.ID(), p.Name, p.Type, p.Path, p.Capacity, p.Volumes)
			vols, _ := h.Storage().ListVolumes(f.Ctx, p.Name)
			for _, v := range vols {
				fmt.Fprintf(&b, "  vol %s %s %d backing=%v\n", v.Ref, v.Format, v.Capacity, v.Backing)
			}
		}
	}
	return b.String()
}

// jobCount is how many jobs the manager knows.
func (f *fixture) jobCount() int {
	if f.Jobs == nil {
		return 0
	}
	return len(f.Jobs.List())
}

// refused calls method, requires code want (not 4096) and that neither
// the pools and volumes nor the jobs changed.
func (f *fixture) refused(method string, in cim.Params, want uint32) {
	f.T.Helper()
	before, jobsBefore := f.state(), f.jobCount()
	code, _ := f.invoke(method, in)
	if code != want {
		f.T.Fatalf("%s returned %d, want %d; log:\n%s", method, code, want, f.log)
	}
	if after := f.state(); after != before {
		f.T.Fatalf("state changed:\n%s\n→\n%s", before, after)
	}
	if n := f.jobCount(); n != jobsBefore {
		f.T.Fatalf("%d jobs started", n-jobsBefore)
	}
}

func backendsVolumeSpec(name string, capacity uint64) backends.VolumeSpec {
	return backends.VolumeSpec{Name: name, Capacity: capacity}
}

// defineVMWith defines a stopped VM on host 0 with disk vol.
func defineVMWith(t testing.TB, f *fixture, name string, vol backends.VolumeRef) backends.VM {
	t.Helper()
	vm, err := f.DC.Host(0).VMs().Define(f.Ctx, backends.VMSpec{Name: name, VCPUs: 1, MemoryMiB: 512,
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
