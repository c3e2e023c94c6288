package virt

import (
	"slices"
	"testing"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

func TestAssociationsInBothDirections(t *testing.T) {
	f := newFixture(t, 2)
	h := f.host(0).ID()
	vm := f.define(0, f.webSpec(0, "web01"))
	f.start(0, vm.UUID)
	v := f.vm(0, vm.UUID)
	other := f.define(1, backends.VMSpec{Name: "elsewhere", VCPUs: 1, MemoryMiB: 512})
	id := vm.UUID
	root, nic := v.Disks[0].Target, v.NICs[0].MAC
	vmP, vssd := model.VMPath(id), model.VSSDPath(id)
	procRASD, memRASD := model.RASDPath(model.KindProcessor, id, "proc"), model.RASDPath(model.KindMemory, id, "mem")
	diskRASD := model.RASDPath(model.KindDisk, id, root)
	nicRASD := model.RASDPath(model.KindNetwork, id, nic)
	cpu0, cpu1 := model.DevicePath(model.ClassProcessor, id, "proc/0"), model.DevicePath(model.ClassProcessor, id, "proc/1")
	disk := model.DevicePath(model.ClassLogicalDisk, id, root)
	port := model.DevicePath(model.ClassNetworkPort, id, nic)
	procPool := model.PoolPath(model.KindProcessor, model.PoolID(h, model.KindProcessor, "default"))
	procPrim := model.PoolPath(model.KindProcessor, model.PoolID(h, model.KindProcessor, ""))
	diskPool := model.PoolPath(model.KindDisk, model.PoolID(h, model.KindDisk, "default"))
	netPool := model.PoolPath(model.KindNetwork, model.PoolID(h, model.KindNetwork, "external"))
	vol := model.VolumePath(h, "default", "web01-root")

	tests := []struct {
		name   string
		from   cim.ObjectPath
		assoc  string
		result string // result class filter, "" for none
		want   []cim.ObjectPath
	}{
		{"host → its VMs (HostedDependency)", model.HostPath(h), model.AssocHostedDependency, "", []cim.ObjectPath{vmP}},
		{"VM → its host (HostedDependency)", vmP, model.AssocHostedDependency, "", []cim.ObjectPath{model.HostPath(h)}},
		{"host → its service (HostedService)", model.HostPath(h), model.AssocHostedService, "", []cim.ObjectPath{model.VSMSPath(h)}},
		{"service → its host (HostedService)", model.VSMSPath(h), model.AssocHostedService, "", []cim.ObjectPath{model.HostPath(h)}},
		{"service → the VMs it manages (ServiceAffectsElement)", model.VSMSPath(h), model.AssocServiceAffects, "", []cim.ObjectPath{vmP}},
		{"VM → its service (ServiceAffectsElement)", vmP, model.AssocServiceAffects, "", []cim.ObjectPath{model.VSMSPath(h)}},
		{"host → its processor pools (HostedResourcePool)", model.HostPath(h), model.AssocHostedPool, model.ClassProcPool, []cim.ObjectPath{procPool, procPrim}},
		{"pool → its host (HostedResourcePool)", diskPool, model.AssocHostedPool, "", []cim.ObjectPath{model.HostPath(h)}},
		{"host → management capabilities (ElementCapabilities)", model.HostPath(h), model.AssocElementCaps, "", []cim.ObjectPath{model.VSMCPath(h)}},
		{"service → management and job capabilities", model.VSMSPath(h), model.AssocElementCaps, "", []cim.ObjectPath{model.VSMCPath(h), f.jobs.CapabilitiesPath()}},
		{"management capabilities → host and service", model.VSMCPath(h), model.AssocElementCaps, "", []cim.ObjectPath{model.HostPath(h), model.VSMSPath(h)}},
		{"VM → its state capabilities", vmP, model.AssocElementCaps, "", []cim.ObjectPath{model.ELECPath(id)}},
		{"state capabilities → VM", model.ELECPath(id), model.AssocElementCaps, "", []cim.ObjectPath{vmP}},
		{"pool → its allocation capabilities", procPool, model.AssocElementCaps, "", []cim.ObjectPath{model.AllocCapsPath(model.InstanceIDOf(procPool))}},
		{"allocation capabilities → pool", model.AllocCapsPath(model.InstanceIDOf(procPool)), model.AssocElementCaps, "", []cim.ObjectPath{procPool}},
		{"VM → its processors (SystemDevice)", vmP, model.AssocSystemDevice, model.ClassProcessor, []cim.ObjectPath{cpu0, cpu1}},
		{"device → its VM (SystemDevice)", disk, model.AssocSystemDevice, "", []cim.ObjectPath{vmP}},
		{"VSSD → processor and memory RASDs (VSSDComponent)", vssd, model.AssocVSSDComponent, model.ClassProcRASD, []cim.ObjectPath{procRASD}},
		{"RASD → its VSSD (VSSDComponent)", memRASD, model.AssocVSSDComponent, "", []cim.ObjectPath{vssd}},
		{"VM → its VSSD (SettingsDefineState)", vmP, model.AssocSettingsDefState, "", []cim.ObjectPath{vssd}},
		{"VSSD → its VM (SettingsDefineState)", vssd, model.AssocSettingsDefState, "", []cim.ObjectPath{vmP}},
		{"processor RASD → the vCPUs (SettingsDefineState)", procRASD, model.AssocSettingsDefState, "", []cim.ObjectPath{cpu0, cpu1}},
		{"NIC → its RASD (SettingsDefineState)", port, model.AssocSettingsDefState, "", []cim.ObjectPath{nicRASD}},
		{"VSSD → itself, state = defined (ElementSettingData)", vssd, model.AssocElementSettingData, "", []cim.ObjectPath{vssd}},
		{"RASD → itself (ElementSettingData)", diskRASD, model.AssocElementSettingData, "", []cim.ObjectPath{diskRASD}},
		{"processor pool → vCPUs and nothing else (ElementAllocatedFromPool)", procPool, model.AssocAllocatedFromPool, model.ClassProcessor, []cim.ObjectPath{cpu0, cpu1}},
		{"concrete pool → primordial pool (ElementAllocatedFromPool)", procPool, model.AssocAllocatedFromPool, model.ClassProcPool, []cim.ObjectPath{procPrim}},
		{"primordial pool → concrete pool", procPrim, model.AssocAllocatedFromPool, "", []cim.ObjectPath{procPool}},
		{"disk → its pool (ElementAllocatedFromPool)", disk, model.AssocAllocatedFromPool, "", []cim.ObjectPath{diskPool}},
		{"network pool → the RASDs allocated from it (ResourceAllocationFromPool)", netPool, model.AssocRASDFromPool, "", []cim.ObjectPath{nicRASD}},
		{"disk RASD → its pool (ResourceAllocationFromPool)", diskRASD, model.AssocRASDFromPool, "", []cim.ObjectPath{diskPool}},
		{"disk pool → its volumes (ConcreteComponent)", diskPool, model.AssocConcreteComponent, "", []cim.ObjectPath{vol}},
		{"volume → its pool (ConcreteComponent)", vol, model.AssocConcreteComponent, "", []cim.ObjectPath{diskPool}},
		{"a VM on another host is not found from this host", model.HostPath(f.host(1).ID()), model.AssocHostedDependency, "", []cim.ObjectPath{model.VMPath(other.UUID)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := f.associators(tt.from, tt.assoc, tt.result)
			if want := canon(tt.want...); !slices.Equal(got, want) {
				t.Fatalf("associators\n got %v\nwant %v", got, want)
			}
			// every associated object exists
			for _, w := range tt.want {
				f.get(w)
			}
			// the association instances themselves can be fetched by path
			for _, ref := range f.references(tt.from, tt.assoc) {
				class, _ := f.d.Repo.Class(ns, tt.assoc)
				p, err := ref.Path(ns, class)
				if err != nil {
					t.Fatal(err)
				}
				f.get(p)
			}
		})
	}
}

func TestAssociationEnumerationMatchesTraversal(t *testing.T) {
	f := newFixture(t, 2)
	for i := range 2 {
		vm := f.define(i, f.webSpec(i, "vm"+string(rune('a'+i))))
		f.start(i, vm.UUID)
	}
	for class := range f.p.associations() {
		t.Run(class, func(t *testing.T) {
			all := enumerateDeep(f, class)
			if len(all) == 0 {
				t.Fatalf("no instances of %s", class)
			}
			c, _ := f.d.Repo.Class(ns, class)
			for _, in := range all {
				p, err := in.Path(ns, c)
				if err != nil {
					t.Fatal(err)
				}
				f.get(p) // each enumerated link is reachable through its first reference
			}
		})
	}
}

func TestTraversalFromAStoppedVMShowsNoDevices(t *testing.T) {
	f := newFixture(t, 1)
	vm := f.define(0, f.webSpec(0, "web01"))
	if got := f.associators(model.VMPath(vm.UUID), model.AssocSystemDevice, ""); len(got) != 0 {
		t.Fatalf("devices of a stopped VM: %v", got)
	}
	if got := f.associators(model.VSSDPath(vm.UUID), model.AssocVSSDComponent, ""); len(got) != 8 {
		t.Fatalf("%d RASDs, want 8", len(got))
	}
}
