package virt

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

func embedded(insts ...*cim.Instance) cim.Value {
	elems := make([]any, len(insts))
	for i, in := range insts {
		elems[i] = in
	}
	v, _ := cim.NewArray(cim.TypeInstance, elems)
	return v
}

func vssdRequest(name string) *cim.Instance {
	return cim.NewInstance(model.ClassVSSD).Set("ElementName", cim.String(name))
}

func procRequest(n uint64) *cim.Instance {
	return cim.NewInstance(model.ClassProcRASD).Set("ResourceType", cim.Uint16(3)).Set("VirtualQuantity", cim.Uint64(n))
}

// memRequest asks for gib GiB in Hyper-V's spelling of the unit.
func memRequest(gib uint64) *cim.Instance {
	return cim.NewInstance(model.ClassMemRASD).Set("ResourceType", cim.Uint16(4)).
		Set("VirtualQuantity", cim.Uint64(gib)).Set("AllocationUnits", cim.String("byte * 2^30"))
}

// newDiskRequest asks for a new volume of gib GiB in pool.
func newDiskRequest(host, pool string, gib uint64) *cim.Instance {
	return cim.NewInstance(model.ClassDiskRASD).Set("ResourceType", cim.Uint16(17)).
		Set("PoolID", cim.String(model.PoolID(host, model.KindDisk, pool))).
		Set("VirtualQuantity", cim.Uint64(gib)).Set("AllocationUnits", cim.String("byte*2^30"))
}

func nicRequest(sw string) *cim.Instance {
	return cim.NewInstance(model.ClassNetRASD).Set("ResourceType", cim.Uint16(10)).Set("Connection", cim.StringArray(sw))
}

func defineParams(vssd *cim.Instance, rasds ...*cim.Instance) cim.Params {
	return cim.Params{{Name: "SystemSettings", Value: cim.Embedded(vssd)}, {Name: "ResourceSettings", Value: embedded(rasds...)}}
}

func resultingSystem(t *testing.T, out cim.Params) string {
	t.Helper()
	v, _ := out.Get("ResultingSystem")
	ref, ok := v.AsRef()
	if !ok {
		t.Fatalf("no ResultingSystem in %v", out)
	}
	id, _ := model.VMOf(ref)
	return id
}

func TestDefineSystem(t *testing.T) {
	f := newFixture(t, 1)
	h := f.host(0)
	vsms := model.VSMSPath(h.ID())
	gfx := cim.NewInstance(model.ClassGraphRASD).Set("ResourceType", cim.Uint16(24)).Set("ResourceSubType", cim.String("spice"))
	j, out := f.invokeJob(vsms, "DefineSystem", defineParams(vssdRequest("db01"),
		procRequest(2), memRequest(2), newDiskRequest(h.ID(), "default", 20), nicRequest("external"), gfx))
	if j.State != jobs.Completed || j.PercentComplete != 100 {
		t.Fatalf("job %v %d%%: %s", j.State, j.PercentComplete, j.ErrorDescription)
	}
	id := resultingSystem(t, out)
	if jo, _ := j.Out.Get("ResultingSystem"); !cim.Equal(jo, cim.Ref(model.VMPath(id))) {
		t.Errorf("JobOutParameters.ResultingSystem %v", jo)
	}
	vm := f.vm(0, id)
	if vm.Name != "db01" || vm.VCPUs != 2 || vm.MemoryMiB != 2048 || len(vm.Disks) != 1 || len(vm.NICs) != 1 ||
		vm.Graphics == nil || vm.Graphics.Type != backends.GraphicsSPICE {
		t.Fatalf("defined %+v", vm)
	}
	vol, err := h.Storage().GetVolume(f.ctx, *vm.Disks[0].Volume)
	if err != nil || vol.Capacity != 20<<30 {
		t.Fatalf("new volume %+v, %v", vol, err)
	}
	if got := f.associators(f.jobs.Path(j.ID), "CIM_AffectedJobElement", model.ClassVM); !slices.Equal(got, canon(model.VMPath(id))) {
		t.Errorf("job's affected elements %v", got)
	}
	if got := f.associators(f.jobs.Path(j.ID), "CIM_OwningJobElement", ""); !slices.Equal(got, canon(vsms)) {
		t.Errorf("job's owner %v", got)
	}
}

func TestDefineSystemRejectsBadSettingsBeforeStartingAJob(t *testing.T) {
	f := newFixture(t, 1)
	h := f.host(0).ID()
	power := cim.NewInstance("CIM_ResourceAllocationSettingData").Set("ResourceType", cim.Uint16(28))
	tests := []struct {
		name   string
		params cim.Params
	}{
		{"DefineSystem without a name → 4", defineParams(cim.NewInstance(model.ClassVSSD), procRequest(1))},
		{"DefineSystem with 64 vCPUs, above the host limit → 4", defineParams(vssdRequest("big"), procRequest(64))},
		{"DefineSystem with a NIC on an unknown switch → 4", defineParams(vssdRequest("x"), nicRequest("nowhere"))},
		{"DefineSystem with a disk in an unknown pool → 4", defineParams(vssdRequest("x"), newDiskRequest(h, "nopool", 1))},
		{"DefineSystem with a resource type Ferrum does not virtualize → 4", defineParams(vssdRequest("x"), power)},
		{"DefineSystem with memory in apples → 4", defineParams(vssdRequest("x"),
			cim.NewInstance(model.ClassMemRASD).Set("ResourceType", cim.Uint16(4)).Set("VirtualQuantity", cim.Uint64(1)).Set("AllocationUnits", cim.String("apples")))},
		{"DefineSystem with a Xen system type → 4", defineParams(vssdRequest("x").Set("VirtualSystemType", cim.String("DMTF:xen")))},
		{"DefineSystem with a SystemSettings that is not a VSSD → 4", cim.Params{{Name: "SystemSettings", Value: cim.Embedded(procRequest(1))}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if ret, _ := f.invoke(model.VSMSPath(h), "DefineSystem", tt.params); ret != 4 {
				t.Fatalf("returned %d, want 4", ret)
			}
		})
	}
	if n := len(f.jobs.List()); n != 0 {
		t.Fatalf("%d jobs started for rejected requests", n)
	}
}

func TestDefineSystemRollsBackTheVolumeItCreated(t *testing.T) {
	tests := []struct {
		name string
		err  error
		code uint16
	}{
		{"the backend fails to define → Exception, ErrorCode 2, volume deleted", errors.New("libvirtd went away"), 2},
		{"the name is taken → Exception, ErrorCode 2 (DefineSystem has no 5), volume deleted", backends.ErrConflict, 2},
		{"the spec is refused → ErrorCode 4", backends.ErrInvalidArgument, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, 1)
			h := f.host(0)
			fh := newFaultHost(h)
			f.inv.replace(h.ID(), fh)
			fh.failOn("define", tt.err)
			before, _ := h.Storage().ListVolumes(f.ctx, "default")
			j, _ := f.invokeJob(model.VSMSPath(h.ID()), "DefineSystem",
				defineParams(vssdRequest("db01"), procRequest(1), newDiskRequest(h.ID(), "default", 5)))
			if j.State != jobs.Exception || j.ErrorCode != tt.code {
				t.Fatalf("job %v ErrorCode %d, want Exception %d", j.State, j.ErrorCode, tt.code)
			}
			after, _ := h.Storage().ListVolumes(f.ctx, "default")
			if len(after) != len(before) {
				t.Fatalf("volumes %d → %d: the new volume was not deleted", len(before), len(after))
			}
			ret, out := f.invoke(f.jobs.Path(j.ID), "GetErrors", nil)
			errs, _ := out.Get("Errors")
			if ret != 0 || errs.Len() != 1 || !strings.Contains(errs.Index(0).AsInstance().Str("Message"), "define") {
				t.Fatalf("GetErrors %d %v", ret, errs)
			}
			if vms, _ := h.VMs().List(f.ctx); len(vms) != 0 {
				t.Fatalf("vms left: %v", vms)
			}
		})
	}
}

func TestDefineSystemFromATemplate(t *testing.T) {
	f := newFixture(t, 1)
	h := f.host(0)
	tmpl := f.define(0, f.webSpec(0, "golden"))
	tmpl = f.vm(0, tmpl.UUID)
	params := defineParams(vssdRequest("clone01"), memRequest(1))
	params = append(params, cim.Param{Name: "ReferenceConfiguration", Value: cim.Ref(model.VSSDPath(tmpl.UUID))})
	j, out := f.invokeJob(model.VSMSPath(h.ID()), "DefineSystem", params)
	if j.State != jobs.Completed {
		t.Fatalf("job %v: %s", j.State, j.ErrorDescription)
	}
	c := f.vm(0, resultingSystem(t, out))
	if c.VCPUs != tmpl.VCPUs || c.MemoryMiB != 1024 || len(c.Disks) != 2 || len(c.NICs) != 1 {
		t.Fatalf("clone %+v", c.VMSpec)
	}
	if c.NICs[0].MAC == tmpl.NICs[0].MAC || c.NICs[0].Switch != "external" {
		t.Errorf("clone NIC %+v (template %s)", c.NICs[0], tmpl.NICs[0].MAC)
	}
	root, err := h.Storage().GetVolume(f.ctx, *c.Disks[0].Volume)
	if err != nil || root.Backing == nil || *root.Backing != *tmpl.Disks[0].Volume {
		t.Fatalf("clone's root volume %+v: want a linked clone of %s (%v)", root, tmpl.Disks[0].Volume, err)
	}
	if c.Disks[1].Path != tmpl.Disks[1].Path {
		t.Errorf("the read-only CD-ROM should be shared: %+v", c.Disks[1])
	}
}

func TestDestroySystem(t *testing.T) {
	f := newFixture(t, 1)
	h := f.host(0)
	vm := f.define(0, f.webSpec(0, "web01"))
	f.start(0, vm.UUID)
	j, _ := f.invokeJob(model.VSMSPath(h.ID()), "DestroySystem", cim.Params{{Name: "AffectedSystem", Value: cim.Ref(model.VMPath(vm.UUID))}})
	if j.State != jobs.Completed || j.PercentComplete != 100 {
		t.Fatalf("job %v: %s", j.State, j.ErrorDescription)
	}
	if _, err := h.VMs().Get(f.ctx, vm.UUID); !errors.Is(err, backends.ErrNotFound) {
		t.Fatalf("vm still there: %v", err)
	}
	if _, err := h.Storage().GetVolume(f.ctx, *vm.Disks[0].Volume); err != nil {
		t.Errorf("DestroySystem deleted the disk: %v", err)
	}
	_, err := f.d.GetInstance(f.ctx, ns, model.VMPath(vm.UUID), cimomOpts)
	if cim.StatusOf(err) != cim.ErrNotFound {
		t.Fatalf("destroyed VM: %v", err)
	}
	if ret, _ := f.invoke(model.VSMSPath(h.ID()), "DestroySystem", cim.Params{{Name: "AffectedSystem", Value: cim.Ref(model.VMPath(vm.UUID))}}); ret != 4 {
		t.Fatalf("destroying it again returned %d, want 4", ret)
	}
}

func TestDestroySystemRestartsTheVMIfUndefineFails(t *testing.T) {
	f := newFixture(t, 1)
	h := f.host(0)
	vm := f.define(0, f.webSpec(0, "web01"))
	f.start(0, vm.UUID)
	fh := newFaultHost(h)
	f.inv.replace(h.ID(), fh)
	fh.failOn("undefine", errors.New("disk busy"))
	j, _ := f.invokeJob(model.VSMSPath(h.ID()), "DestroySystem", cim.Params{{Name: "AffectedSystem", Value: cim.Ref(model.VMPath(vm.UUID))}})
	if j.State != jobs.Exception {
		t.Fatalf("job %v", j.State)
	}
	if got := f.vm(0, vm.UUID).State; got != backends.StateRunning {
		t.Fatalf("vm is %s after the rollback, want running again", got)
	}
}
