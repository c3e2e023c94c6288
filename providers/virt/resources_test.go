package virt

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

func resulting(t *testing.T, j jobs.Job) []cim.ObjectPath {
	t.Helper()
	v, _ := j.Out.Get("ResultingResourceSettings")
	var out []cim.ObjectPath
	for _, e := range v.Elems() {
		p, _ := e.AsRef()
		out = append(out, p)
	}
	return out
}

func TestAddResourceSettingsHotPlugsIntoARunningVM(t *testing.T) {
	f := newFixture(t, 1)
	h := f.host(0)
	vm := f.define(0, f.webSpec(0, "web01"))
	f.start(0, vm.UUID)
	params := cim.Params{
		{Name: "AffectedConfiguration", Value: cim.Ref(model.VSSDPath(vm.UUID))},
		{Name: "ResourceSettings", Value: embedded(newDiskRequest(h.ID(), "default", 4), nicRequest("internal"))},
	}
	j, _ := f.invokeJob(model.VSMSPath(h.ID()), "AddResourceSettings", params)
	if j.State != jobs.Completed || j.PercentComplete != 100 {
		t.Fatalf("job %v: %s", j.State, j.ErrorDescription)
	}
	got := f.vm(0, vm.UUID)
	if len(got.Disks) != 3 || len(got.NICs) != 2 || got.State != backends.StateRunning {
		t.Fatalf("vm %+v", got)
	}
	refs := resulting(t, j)
	if len(refs) != 2 {
		t.Fatalf("ResultingResourceSettings %v", refs)
	}
	for _, r := range refs {
		f.get(r)
	}
	// A client that got 4096 finds the new settings from the job, through
	// CIM_AffectedJobElement (ElementEffects 5, Create).
	created := map[string]bool{}
	for _, a := range j.Affected {
		if slices.Contains(a.Effects, jobs.EffectCreate) {
			created[a.Path.Canonical()] = true
		}
	}
	for _, r := range refs {
		if !created[r.Canonical()] {
			t.Errorf("the job does not name %s among the elements it created (%v)", r, j.Affected)
		}
	}
}

func TestAddResourceSettingsRollsBackEarlierDevices(t *testing.T) {
	f := newFixture(t, 1)
	h := f.host(0)
	vm := f.define(0, f.webSpec(0, "web01"))
	fh := newFaultHost(h)
	f.inv.replace(h.ID(), fh)
	fh.failOn("attach nic", backends.ErrUnsupported)
	params := cim.Params{
		{Name: "AffectedConfiguration", Value: cim.Ref(model.VSSDPath(vm.UUID))},
		{Name: "ResourceSettings", Value: embedded(newDiskRequest(h.ID(), "default", 4), nicRequest("internal"))},
	}
	before, _ := h.Storage().ListVolumes(f.ctx, "default")
	j, _ := f.invokeJob(model.VSMSPath(h.ID()), "AddResourceSettings", params)
	if j.State != jobs.Exception || j.ErrorCode != 1 {
		t.Fatalf("job %v ErrorCode %d, want Exception with 1 Not Supported", j.State, j.ErrorCode)
	}
	after, _ := h.Storage().ListVolumes(f.ctx, "default")
	if got := f.vm(0, vm.UUID); len(got.Disks) != 2 || len(after) != len(before) {
		t.Fatalf("disk attached or volume kept after rollback: %d disks, volumes %d → %d", len(got.Disks), len(before), len(after))
	}
}

func TestAddResourceSettingsRefusesASecondProcessor(t *testing.T) {
	f := newFixture(t, 1)
	vm := f.define(0, f.webSpec(0, "web01"))
	ret, _ := f.invoke(model.VSMSPath(f.host(0).ID()), "AddResourceSettings", cim.Params{
		{Name: "AffectedConfiguration", Value: cim.Ref(model.VSSDPath(vm.UUID))},
		{Name: "ResourceSettings", Value: embedded(procRequest(2))},
	})
	if ret != 4 {
		t.Fatalf("returned %d, want 4", ret)
	}
}

// current returns a RASD as a client would read it before changing it.
func (f *fixture) current(k model.Kind, vm, dev string) *cim.Instance {
	return f.get(model.RASDPath(k, vm, dev)).Clone()
}

func TestModifyResourceSettings(t *testing.T) {
	tests := []struct {
		name    string
		running bool
		change  func(f *fixture, vm backends.VM) *cim.Instance
		state   jobs.State
		code    uint16
		check   func(t *testing.T, vm backends.VM)
	}{
		{"more vCPUs on a running VM → hot, Completed", true, func(f *fixture, vm backends.VM) *cim.Instance {
			return f.current(model.KindProcessor, vm.UUID, "proc").Set("VirtualQuantity", cim.Uint64(3))
		}, jobs.Completed, 0, func(t *testing.T, vm backends.VM) {
			if vm.VCPUs != 3 {
				t.Errorf("vcpus %d", vm.VCPUs)
			}
		}},
		{"more memory on a running VM → balloon, Completed", true, func(f *fixture, vm backends.VM) *cim.Instance {
			return f.current(model.KindMemory, vm.UUID, "mem").Set("VirtualQuantity", cim.Uint64(3072))
		}, jobs.Completed, 0, func(t *testing.T, vm backends.VM) {
			if vm.MemoryMiB != 3072 {
				t.Errorf("memory %d", vm.MemoryMiB)
			}
		}},
		{"a new VLAN on a running VM's NIC → retagged in place", true, func(f *fixture, vm backends.VM) *cim.Instance {
			return f.current(model.KindNetwork, vm.UUID, vm.NICs[0].MAC).Set("PortVID", cim.Uint16(30))
		}, jobs.Completed, 0, func(t *testing.T, vm backends.VM) {
			if vm.NICs[0].VLAN != 30 {
				t.Errorf("vlan %d", vm.NICs[0].VLAN)
			}
		}},
		{"moving a NIC to another switch → detached and attached with its MAC", true, func(f *fixture, vm backends.VM) *cim.Instance {
			return f.current(model.KindNetwork, vm.UUID, vm.NICs[0].MAC).Set("Connection", cim.StringArray("internal"))
		}, jobs.Completed, 0, func(t *testing.T, vm backends.VM) {
			if len(vm.NICs) != 1 || vm.NICs[0].Switch != "internal" {
				t.Errorf("nics %+v", vm.NICs)
			}
		}},
		{"new media in the CD-ROM → replaced", false, func(f *fixture, vm backends.VM) *cim.Instance {
			return f.current(model.KindDisk, vm.UUID, vm.Disks[1].Target).Set("HostResource", cim.StringArray("/isos/rescue.iso"))
		}, jobs.Completed, 0, func(t *testing.T, vm backends.VM) {
			if vm.Disks[len(vm.Disks)-1].Path != "/isos/rescue.iso" {
				t.Errorf("disks %+v", vm.Disks)
			}
		}},
		{"a new weight on a stopped VM → redefined", false, func(f *fixture, vm backends.VM) *cim.Instance {
			return f.current(model.KindProcessor, vm.UUID, "proc").Set("Weight", cim.Uint32(1024))
		}, jobs.Completed, 0, func(t *testing.T, vm backends.VM) {
			if vm.Weight != 1024 || vm.VCPUs != 2 || len(vm.Disks) != 2 {
				t.Errorf("vm %+v", vm.VMSpec)
			}
		}},
		{"a new weight on a running VM → Exception, ErrorCode 5 Invalid State", true, func(f *fixture, vm backends.VM) *cim.Instance {
			return f.current(model.KindProcessor, vm.UUID, "proc").Set("Weight", cim.Uint32(1024))
		}, jobs.Exception, 5, func(t *testing.T, vm backends.VM) {
			if vm.Weight != backends.DefaultWeight {
				t.Errorf("weight %d", vm.Weight)
			}
		}},
		{"vCPUs beyond the running VM's maximum → Exception, 4 Invalid Parameter", true, func(f *fixture, vm backends.VM) *cim.Instance {
			return f.current(model.KindProcessor, vm.UUID, "proc").Set("VirtualQuantity", cim.Uint64(6))
		}, jobs.Exception, 4, func(t *testing.T, vm backends.VM) {
			if vm.VCPUs != 2 {
				t.Errorf("vcpus %d", vm.VCPUs)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, 1)
			vm := f.define(0, f.webSpec(0, "web01"))
			if tt.running {
				f.start(0, vm.UUID)
			}
			vm = f.vm(0, vm.UUID)
			j, _ := f.invokeJob(model.VSMSPath(f.host(0).ID()), "ModifyResourceSettings",
				cim.Params{{Name: "ResourceSettings", Value: embedded(tt.change(f, vm))}})
			if j.State != tt.state || j.ErrorCode != tt.code {
				t.Fatalf("job %v ErrorCode %d (%s), want %v %d", j.State, j.ErrorCode, j.ErrorDescription, tt.state, tt.code)
			}
			if j.State == jobs.Completed {
				for _, r := range resulting(t, j) {
					f.get(r)
				}
			}
			tt.check(t, f.vm(0, vm.UUID))
		})
	}
}

func TestModifyResourceSettingsOfAnUnknownResource(t *testing.T) {
	f := newFixture(t, 1)
	vm := f.define(0, f.webSpec(0, "web01"))
	bad := procRequest(2).Set("InstanceID", cim.String(vm.UUID+"/vdz"))
	if ret, _ := f.invoke(model.VSMSPath(f.host(0).ID()), "ModifyResourceSettings",
		cim.Params{{Name: "ResourceSettings", Value: embedded(bad)}}); ret != 4 {
		t.Fatalf("returned %d, want 4", ret)
	}
}

func TestRemoveResourceSettings(t *testing.T) {
	f := newFixture(t, 1)
	vm := f.define(0, f.webSpec(0, "web01"))
	vm = f.vm(0, vm.UUID)
	vsms := model.VSMSPath(f.host(0).ID())
	remove := func(paths ...cim.ObjectPath) uint32 {
		ret, _ := f.invoke(vsms, "RemoveResourceSettings", cim.Params{{Name: "ResourceSettings", Value: cim.RefArray(paths...)}})
		return ret
	}
	if ret := remove(model.RASDPath(model.KindNetwork, vm.UUID, vm.NICs[0].MAC), model.RASDPath(model.KindGraphics, vm.UUID, "graphics")); ret != 0 {
		t.Fatalf("removing the NIC and console returned %d", ret)
	}
	if got := f.vm(0, vm.UUID); len(got.NICs) != 0 || got.Graphics != nil {
		t.Fatalf("vm %+v", got.VMSpec)
	}
	if ret := remove(model.RASDPath(model.KindMemory, vm.UUID, "mem")); ret != 4 {
		t.Fatalf("removing the memory returned %d, want 4", ret)
	}
}

func TestRemoveResourceSettingsRollsBack(t *testing.T) {
	f := newFixture(t, 1)
	vm := f.define(0, f.webSpec(0, "web01"))
	f.start(0, vm.UUID)
	vm = f.vm(0, vm.UUID)
	// the CD-ROM is on IDE, which cannot be hot-unplugged: the NIC removed
	// first must come back.
	ret, _ := f.invoke(model.VSMSPath(f.host(0).ID()), "RemoveResourceSettings", cim.Params{{Name: "ResourceSettings", Value: cim.RefArray(
		model.RASDPath(model.KindNetwork, vm.UUID, vm.NICs[0].MAC), model.RASDPath(model.KindDisk, vm.UUID, vm.Disks[1].Target))}})
	if ret != 1 {
		t.Fatalf("returned %d, want 1 Not Supported", ret)
	}
	if got := f.vm(0, vm.UUID); len(got.NICs) != 1 || got.NICs[0].MAC != vm.NICs[0].MAC || len(got.Disks) != 2 {
		t.Fatalf("after rollback %+v", got.VMSpec)
	}
}

func TestModifySystemSettings(t *testing.T) {
	f := newFixture(t, 1)
	vm := f.define(0, f.webSpec(0, "web01"))
	vsms := model.VSMSPath(f.host(0).ID())
	change := f.get(model.VSSDPath(vm.UUID)).Clone().
		Set("ElementName", cim.String("web01-renamed")).
		Set("BootDevices", cim.StringArray("cdrom", "hd")).
		Set("AutomaticStartupAction", cim.Uint16(4)).
		Set("Notes", cim.StringArray("front end"))
	if ret, _ := f.invoke(vsms, "ModifySystemSettings", cim.Params{{Name: "SystemSettings", Value: cim.Embedded(change)}}); ret != 0 {
		t.Fatalf("returned %d", ret)
	}
	got := f.vm(0, vm.UUID)
	if got.Name != "web01-renamed" || len(got.BootOrder) != 2 || got.BootOrder[0] != backends.BootCDROM || len(got.NICs) != 1 || got.NICs[0].MAC != vm.NICs[0].MAC {
		t.Fatalf("vm %+v", got.VMSpec)
	}
	vssd := f.get(model.VSSDPath(vm.UUID))
	if uintOf(vssd, "AutomaticStartupAction") != 4 || vssd.Str("ElementName") != "web01-renamed" {
		t.Fatalf("VSSD %+v", vssd)
	}
	if uintOf(f.get(model.VMPath(vm.UUID)), "EnabledDefault") != 2 {
		t.Error("a VM that always starts should have EnabledDefault 2")
	}
	f.start(0, vm.UUID)
	rename := change.Clone().Set("ElementName", cim.String("while-running"))
	if ret, _ := f.invoke(vsms, "ModifySystemSettings", cim.Params{{Name: "SystemSettings", Value: cim.Embedded(rename)}}); ret != 5 {
		t.Fatalf("renaming a running VM returned %d, want 5", ret)
	}
	bad := change.Clone().Set("AutomaticStartupAction", cim.Uint16(9))
	if ret, _ := f.invoke(vsms, "ModifySystemSettings", cim.Params{{Name: "SystemSettings", Value: cim.Embedded(bad)}}); ret != 4 {
		t.Fatalf("AutomaticStartupAction 9 returned %d, want 4", ret)
	}
}

func TestOwnedSettingsSurviveARestart(t *testing.T) {
	f := newFixture(t, 1)
	vm := f.define(0, f.webSpec(0, "web01"))
	change := vssdRequest("web01").Set("InstanceID", cim.String(model.VSSDInstanceID(vm.UUID))).Set("AutomaticStartupAction", cim.Uint16(4))
	if ret, _ := f.invoke(model.VSMSPath(f.host(0).ID()), "ModifySystemSettings", cim.Params{{Name: "SystemSettings", Value: cim.Embedded(change)}}); ret != 0 {
		t.Fatalf("returned %d", ret)
	}
	// a second provider over the same store, as after a restart of ferrumd
	store := f.d.Store.(*cimom.MemoryStore)
	s, err := loadSettings(context.Background(), store)
	if err != nil {
		t.Fatal(err)
	}
	if s.startupAction(vm.UUID) != 4 {
		t.Fatal("AutomaticStartupAction lost")
	}
}

func TestRenameThroughModifyInstance(t *testing.T) {
	f := newFixture(t, 1)
	vm := f.define(0, f.webSpec(0, "web01"))
	err := f.d.ModifyInstance(f.ctx, ns, model.VMPath(vm.UUID), cim.NewInstance(model.ClassVM).Set("ElementName", cim.String("web02")), []string{"ElementName"})
	if err != nil {
		t.Fatal(err)
	}
	if f.vm(0, vm.UUID).Name != "web02" {
		t.Fatal("not renamed")
	}
	f.start(0, vm.UUID)
	err = f.d.ModifyInstance(f.ctx, ns, model.VMPath(vm.UUID), cim.NewInstance(model.ClassVM).Set("ElementName", cim.String("web03")), []string{"ElementName"})
	if cim.StatusOf(err) != cim.ErrFailed {
		t.Fatalf("renaming a running VM: %v", err)
	}
	if !errors.Is(err, &cim.Error{Code: cim.ErrFailed}) {
		t.Fatalf("error %v", err)
	}
}
