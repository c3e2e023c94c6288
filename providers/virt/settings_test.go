package virt

import (
	"slices"
	"strings"
	"testing"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

func TestRASDProperties(t *testing.T) {
	f := newFixture(t, 1)
	vm := f.define(0, f.webSpec(0, "web01"))
	vm = f.vm(0, vm.UUID)
	hid := f.host(0).ID()
	root, cd, nic := vm.Disks[0], vm.Disks[1], vm.NICs[0]
	tests := []struct {
		name  string
		path  cim.ObjectPath
		props map[string]any
	}{
		{"processor RASD: ResourceType 3, VirtualQuantity vCPUs, Limit max, Weight", model.RASDPath(model.KindProcessor, vm.UUID, "proc"),
			map[string]any{"InstanceID": vm.UUID + "/proc", "ResourceType": uint16(3), "VirtualQuantity": uint64(2),
				"Limit": uint64(4), "Weight": uint32(256), "AllocationUnits": "count",
				"PoolID": model.PoolID(hid, model.KindProcessor, "default")}},
		{"memory RASD: ResourceType 4 in byte*2^20, Limit the balloon maximum", model.RASDPath(model.KindMemory, vm.UUID, "mem"),
			map[string]any{"ResourceType": uint16(4), "AllocationUnits": "byte*2^20", "VirtualQuantity": uint64(2048),
				"Reservation": uint64(2048), "Limit": uint64(4096)}},
		{"volume disk RASD: ResourceType 17, HostResource the volume path, PoolID its pool", model.RASDPath(model.KindDisk, vm.UUID, root.Target),
			map[string]any{"ResourceType": uint16(17), "DevicePath": root.Target, "BusType": "virtio", "Access": uint16(3),
				"VirtualQuantity": uint64(8 << 30), "DriverType": "qcow2", "HostExtentName": "web01-root",
				"PoolID": model.PoolID(hid, model.KindDisk, "default")}},
		{"CD-ROM RASD: ResourceType 15, read-only, HostResource the image path", model.RASDPath(model.KindDisk, vm.UUID, cd.Target),
			map[string]any{"ResourceType": uint16(15), "Access": uint16(1), "ResourceSubType": "cdrom", "BusType": "ide"}},
		{"NIC RASD: ResourceType 10, Address the MAC, Connection the switch, PortVID the VLAN", model.RASDPath(model.KindNetwork, vm.UUID, nic.MAC),
			map[string]any{"ResourceType": uint16(10), "Address": nic.MAC, "ResourceSubType": "virtio", "PortVID": uint16(12),
				"NetworkName": "external", "PoolID": model.PoolID(hid, model.KindNetwork, "external")}},
		{"graphics RASD: ResourceType 24, ResourceSubType the protocol", model.RASDPath(model.KindGraphics, vm.UUID, "graphics"),
			map[string]any{"ResourceType": uint16(24), "ResourceSubType": "vnc"}},
		{"input RASDs: ResourceType 13 mouse and keyboard", model.RASDPath(model.KindInput, vm.UUID, "keyboard"),
			map[string]any{"ResourceType": uint16(13), "ResourceSubType": "keyboard"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := f.get(tt.path)
			for prop, want := range tt.props {
				if v, _ := in.Get(prop); v.Raw() != want {
					t.Errorf("%s = %v, want %v", prop, v, want)
				}
			}
		})
	}
	hr := f.get(model.RASDPath(model.KindDisk, vm.UUID, root.Target))
	if v, _ := hr.Get("HostResource"); len(strs(v)) != 1 || !strings.HasSuffix(strs(v)[0], "/web01-root") {
		t.Errorf("HostResource %v", v)
	}
	if v, _ := f.get(model.RASDPath(model.KindNetwork, vm.UUID, nic.MAC)).Get("Connection"); !slices.Equal(strs(v), []string{"external"}) {
		t.Errorf("Connection %v", v)
	}
	var rasds int
	for _, class := range []string{"CIM_ResourceAllocationSettingData"} {
		for _, in := range enumerateDeep(f, class) {
			if strings.HasPrefix(in.Str("InstanceID"), vm.UUID+"/") {
				rasds++
			}
		}
	}
	if rasds != 8 { // proc, mem, 2 disks, nic, graphics, mouse, keyboard
		t.Errorf("%d RASDs of the VM, want 8", rasds)
	}
}

func TestVSSD(t *testing.T) {
	f := newFixture(t, 1)
	spec := f.webSpec(0, "web01")
	spec.BootOrder = []backends.BootDevice{backends.BootCDROM, backends.BootDisk}
	vm := f.define(0, spec)
	in := f.get(model.VSSDPath(vm.UUID))
	if in.Str("InstanceID") != "Ferrum:"+vm.UUID || in.Str("ElementName") != "web01" || in.Str("VirtualSystemType") != "DMTF:KVM" ||
		in.Str("UUID") != vm.UUID || in.Str("VirtualSystemIdentifier") != vm.UUID {
		t.Fatalf("VSSD %+v", in)
	}
	if v, _ := in.Get("BootDevices"); !slices.Equal(strs(v), []string{"cdrom", "hd"}) {
		t.Errorf("BootDevices %v", v)
	}
	if uintOf(in, "AutomaticStartupAction") != 2 {
		t.Errorf("AutomaticStartupAction %d", uintOf(in, "AutomaticStartupAction"))
	}
}

func TestVirtualDevicesExistWhileTheVMIsActive(t *testing.T) {
	f := newFixture(t, 1)
	vm := f.define(0, f.webSpec(0, "web01"))
	devices := func() map[string]int {
		out := map[string]int{}
		for _, in := range enumerateDeep(f, "CIM_LogicalDevice") {
			if in.Str("SystemName") == vm.UUID {
				out[in.ClassName]++
			}
		}
		return out
	}
	if d := devices(); len(d) != 0 {
		t.Fatalf("a stopped VM has devices %v", d)
	}
	f.start(0, vm.UUID)
	want := map[string]int{model.ClassProcessor: 2, model.ClassMemory: 1, model.ClassLogicalDisk: 2,
		model.ClassNetworkPort: 1, model.ClassDisplay: 1, model.ClassPointing: 1, model.ClassKeyboard: 1}
	got := devices()
	for c, n := range want {
		if got[c] != n {
			t.Errorf("%d %s, want %d", got[c], c, n)
		}
	}
	v := f.vm(0, vm.UUID)
	port := f.get(model.DevicePath(model.ClassNetworkPort, vm.UUID, v.NICs[0].MAC))
	if mac := port.Str("PermanentAddress"); len(mac) != 12 || strings.Contains(mac, ":") {
		t.Errorf("PermanentAddress %q", mac)
	}
	mem := f.get(model.DevicePath(model.ClassMemory, vm.UUID, "mem"))
	if uintOf(mem, "NumberOfBlocks") != 2048 || uintOf(mem, "BlockSize") != 1<<20 {
		t.Errorf("memory %+v", mem)
	}
	cpu := f.get(model.DevicePath(model.ClassProcessor, vm.UUID, "proc/1"))
	if uintOf(cpu, "EnabledState") != 2 {
		t.Errorf("processor %+v", cpu)
	}
}

func TestPoolsPerHost(t *testing.T) {
	f := newFixture(t, 1)
	h := f.host(0)
	vm := f.define(0, f.webSpec(0, "web01"))
	f.start(0, vm.UUID)
	info, _ := h.Info(f.ctx)
	tests := []struct {
		name   string
		kind   model.Kind
		pool   string
		props  map[string]any
		absent []string
	}{
		{"primordial processor pool: Capacity the host's threads, consumed the running vCPUs", model.KindProcessor, "",
			map[string]any{"Primordial": true, "ResourceType": uint16(3), "Capacity": uint64(info.CPU.Threads()), "CurrentlyConsumedResource": uint64(2)}, nil},
		{"concrete processor pool", model.KindProcessor, "default", map[string]any{"Primordial": false}, nil},
		{"memory pool in MiB", model.KindMemory, "default",
			map[string]any{"ResourceType": uint16(4), "Capacity": uint64(info.MemoryMiB), "AllocationUnits": "byte*2^20"}, nil},
		{"a disk pool per storage pool", model.KindDisk, "default", map[string]any{"ResourceType": uint16(17), "ResourceSubType": "dir"}, nil},
		{"the SAN disk pool", model.KindDisk, "san", map[string]any{"ResourceSubType": "netfs"}, nil},
		{"a network pool per switch", model.KindNetwork, "external", map[string]any{"ResourceType": uint16(10), "CurrentlyConsumedResource": uint64(1)}, nil},
		{"graphics pool without a capacity", model.KindGraphics, "default", map[string]any{"ResourceType": uint16(24)}, []string{"Capacity"}},
		{"input pool", model.KindInput, "", map[string]any{"ResourceType": uint16(13), "Primordial": true}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := f.get(model.PoolPath(tt.kind, model.PoolID(h.ID(), tt.kind, tt.pool)))
			for prop, want := range tt.props {
				if v, _ := in.Get(prop); v.Raw() != want {
					t.Errorf("%s = %v, want %v", prop, v, want)
				}
			}
			for _, prop := range tt.absent {
				if _, ok := in.Get(prop); ok {
					t.Errorf("%s present", prop)
				}
			}
		})
	}
	primordial := 0
	for _, in := range enumerateDeep(f, "CIM_ResourcePool") {
		if b, _ := in.Get("Primordial"); b.Raw() == true {
			primordial++
		}
	}
	if primordial != len(model.Kinds()) {
		t.Errorf("%d primordial pools, want one per resource type (%d)", primordial, len(model.Kinds()))
	}
}

func TestAllocationCapabilitiesRanges(t *testing.T) {
	f := newFixture(t, 1)
	h := f.host(0)
	info, _ := h.Info(f.ctx)
	pid := model.PoolID(h.ID(), model.KindProcessor, "default")
	caps := f.get(model.AllocCapsPath(pid))
	if uintOf(caps, "ResourceType") != 3 {
		t.Fatalf("caps %+v", caps)
	}
	if v, _ := caps.Get("SupportedAddStates"); !slices.Equal(u16s(v), []uint16{2, 3, 9}) {
		t.Errorf("SupportedAddStates %v (the sim hot-plugs vCPUs)", u16s(v))
	}
	tests := []struct {
		role          string
		quantity      uint64
		valueRole     uint16
		valueRangeVal uint16
	}{
		{"Default", 1, 0, 0},
		{"Minimum", 1, 3, 1},
		{"Maximum", uint64(info.Limits.MaxVCPUs), 3, 2},
		{"Increment", 1, 3, 3},
	}
	links := f.references(model.AllocCapsPath(pid), model.AssocSettingsDefCaps)
	if len(links) != 4 {
		t.Fatalf("%d SettingsDefineCapabilities", len(links))
	}
	for _, tt := range tests {
		t.Run(tt.role, func(t *testing.T) {
			setting := f.get(model.CapSettingPath(model.KindProcessor, pid, tt.role))
			if uintOf(setting, "VirtualQuantity") != tt.quantity {
				t.Errorf("VirtualQuantity %d, want %d", uintOf(setting, "VirtualQuantity"), tt.quantity)
			}
			for _, l := range links {
				part, _ := l.Get("PartComponent")
				if r, _ := part.AsRef(); model.InstanceIDOf(r) == model.CapSettingID(pid, tt.role) {
					if uintOf(l, "ValueRole") != uint64(tt.valueRole) || uintOf(l, "ValueRange") != uint64(tt.valueRangeVal) {
						t.Errorf("ValueRole/ValueRange %d/%d", uintOf(l, "ValueRole"), uintOf(l, "ValueRange"))
					}
				}
			}
		})
	}
}
