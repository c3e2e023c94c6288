package migration

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/backends/sim"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
	"github.com/ferrum-virt/ferrum/providers/virt/virttest"
)

const ns = model.Namespace

var quiet = virttest.Quiet

var (
	canon  = virttest.Canon
	u16s   = virttest.U16s
	uintOf = virttest.UintOf
)

// fakeResolver answers reverse lookups from a table.
type fakeResolver map[string][]string

func (r fakeResolver) LookupAddr(_ context.Context, addr string) ([]string, error) {
	if names, ok := r[addr]; ok {
		return names, nil
	}
	return nil, fmt.Errorf("lookup %s: no such host", addr)
}

// fixture is a virttest.Fixture also serving migration over six
// simulated hosts. src and dst are two hosts with the same CPU vendor;
// alien has the other vendor.
type fixture struct {
	*virttest.Fixture
	p               *Provider
	src, dst, alien *sim.Host
}

func newFixture(t testing.TB, opts Options) *fixture {
	t.Helper()
	vf := virttest.New(t, 6)
	t.Cleanup(func() { // a failed test may leave a migration waiting on the clock
		for _, j := range vf.Jobs.List() {
			if !j.State.Finished() {
				_ = vf.Jobs.Stop(j.ID, true)
			}
		}
	})
	if opts.Log == nil {
		opts.Log = quiet
	}
	p, err := Register(vf.Ctx, vf.D, vf.IP, vf.Virt, vf.Jobs, opts)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{Fixture: vf, p: p}
	f.pickHosts()
	return f
}

// pickHosts chooses two hosts of one CPU vendor and one of another.
func (f *fixture) pickHosts() {
	byVendor := map[string][]*sim.Host{}
	var vendors []string
	for _, h := range f.DC.Hosts() {
		info, _ := h.Info(f.Ctx)
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
	f.T.Fatal("no two same-vendor hosts beside another vendor")
}

// runningVM defines and starts a VM with a disk on the shared SAN pool.
func (f *fixture) runningVM(h *sim.Host, name string, memMiB uint64) backends.VM {
	f.T.Helper()
	vm := f.stoppedVM(h, name, memMiB)
	if err := h.VMs().Start(f.Ctx, vm.UUID); err != nil {
		f.T.Fatal(err)
	}
	return f.vmOn(h, vm.UUID)
}

func (f *fixture) stoppedVM(h *sim.Host, name string, memMiB uint64) backends.VM {
	f.T.Helper()
	vol, err := h.Storage().CreateVolume(f.Ctx, "san", backends.VolumeSpec{Name: name + ".qcow2", Capacity: 10 << 30})
	if err != nil {
		f.T.Fatal(err)
	}
	vm, err := h.VMs().Define(f.Ctx, backends.VMSpec{Name: name, VCPUs: 2, MemoryMiB: memMiB,
		Disks: []backends.DiskSpec{{Volume: &vol.Ref}}, NICs: []backends.NICSpec{{Switch: "external", VLAN: 10}}})
	if err != nil {
		f.T.Fatal(err)
	}
	return vm
}

// hog fills h's free memory but for leaveMiB with running VMs.
func (f *fixture) hog(h *sim.Host, leaveMiB uint64) {
	f.T.Helper()
	for n := 0; ; n++ {
		info, err := h.Info(f.Ctx)
		if err != nil {
			f.T.Fatal(err)
		}
		if info.FreeMiB <= leaveMiB {
			return
		}
		f.runningVM(h, fmt.Sprintf("hog%d", n), min(info.FreeMiB-leaveMiB, info.Limits.MaxMemoryMiB))
	}
}

func (f *fixture) vmOn(h *sim.Host, id string) backends.VM {
	f.T.Helper()
	vm, err := h.VMs().Get(f.Ctx, id)
	if err != nil {
		f.T.Fatalf("vm %s on %s: %v", id, h, err)
	}
	return vm
}

// requireOn checks that VM id is on h (and only there) in state.
func (f *fixture) requireOn(h *sim.Host, id string, state backends.State) {
	f.T.Helper()
	where, ok := f.DC.FindVM(id)
	if !ok || where != h {
		f.T.Fatalf("vm %s is on %v, want %s", id, where, h)
	}
	if vm := f.vmOn(h, id); vm.State != state {
		f.T.Fatalf("vm %s is %s, want %s", vm.Name, vm.State, state)
	}
}

// invoke calls a method of host h's migration service.
func (f *fixture) invoke(h *sim.Host, method string, in cim.Params) (uint32, cim.Params) {
	f.T.Helper()
	return f.Invoke(ServicePath(h.ID()), method, in)
}

// jobOf returns the ID of the job a 4096 answer names.
func (f *fixture) jobOf(out cim.Params) string {
	f.T.Helper()
	v, _ := out.Get("Job")
	ref, ok := v.AsRef()
	if !ok {
		f.T.Fatalf("no Job in %v", out)
	}
	return model.InstanceIDOf(ref)
}

// wait waits for job id to finish.
func (f *fixture) wait(id string) jobs.Job {
	f.T.Helper()
	ctx, cancel := context.WithTimeout(f.Ctx, 20*time.Second)
	defer cancel()
	j, err := f.Jobs.Wait(ctx, id)
	if err != nil {
		f.T.Fatalf("job %s: %v", id, err)
	}
	return j
}

// migrate calls a migrate method, requires 4096 and waits for the job.
func (f *fixture) migrate(h *sim.Host, method string, in cim.Params) (jobs.Job, cim.Params) {
	f.T.Helper()
	code, out := f.invoke(h, method, in)
	if code != 4096 {
		f.T.Fatalf("%s returned %d, want 4096", method, code)
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
