package virt

import (
	"slices"
	"strings"
	"testing"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

func TestComputerSystemReflectsBackendState(t *testing.T) {
	tests := []struct {
		name      string
		to        func(f *fixture, id string)
		enabled   uint16
		health    uint16
		opStatus  []uint16
		available []uint16
	}{
		{"a defined VM → EnabledState 3 Disabled, can be started", func(*fixture, string) {}, 3, 5, []uint16{2}, []uint16{2}},
		{"a running VM → EnabledState 2", func(f *fixture, id string) { f.start(0, id) }, 2, 5, []uint16{2}, []uint16{3, 4, 6, 9, 10, 11}},
		{"a paused VM → EnabledState 9 Quiesce", func(f *fixture, id string) {
			f.start(0, id)
			f.host(0).VMs().Pause(f.ctx, id)
		}, 9, 5, []uint16{2, 15}, []uint16{2, 3, 6, 11}},
		{"a saved VM → EnabledState 6 Enabled but Offline", func(f *fixture, id string) {
			f.start(0, id)
			f.host(0).VMs().Save(f.ctx, id)
		}, 6, 5, []uint16{2, 15}, []uint16{2}},
		{"a crashed VM → EnabledState 3, HealthState 25, OperationalStatus {6}", func(f *fixture, id string) {
			f.start(0, id)
			f.host(0).Crash(id)
		}, 3, 25, []uint16{6}, []uint16{2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, 1)
			vm := f.define(0, f.webSpec(0, "web01"))
			tt.to(f, vm.UUID)
			in := f.get(model.VMPath(vm.UUID))
			if in.Str("Name") != vm.UUID || in.Str("ElementName") != "web01" || in.Str("NameFormat") != "UUID" {
				t.Fatalf("identity: %+v", in)
			}
			if got := uintOf(in, "EnabledState"); got != uint64(tt.enabled) {
				t.Errorf("EnabledState %d, want %d", got, tt.enabled)
			}
			if got := uintOf(in, "HealthState"); got != uint64(tt.health) {
				t.Errorf("HealthState %d, want %d", got, tt.health)
			}
			os, _ := in.Get("OperationalStatus")
			if !slices.Equal(u16s(os), tt.opStatus) {
				t.Errorf("OperationalStatus %v, want %v", u16s(os), tt.opStatus)
			}
			ars, _ := in.Get("AvailableRequestedStates")
			if !slices.Equal(u16s(ars), tt.available) {
				t.Errorf("AvailableRequestedStates %v, want %v", u16s(ars), tt.available)
			}
			if uintOf(in, "RequestedState") != 12 || uintOf(in, "EnabledDefault") != 3 {
				t.Errorf("RequestedState %d EnabledDefault %d", uintOf(in, "RequestedState"), uintOf(in, "EnabledDefault"))
			}
			if v, _ := in.Get("Dedicated"); !slices.Equal(u16s(v), []uint16{0}) {
				t.Errorf("Dedicated %v", v)
			}
		})
	}
}

func TestEveryVMOfEveryHostIsEnumerated(t *testing.T) {
	f := newFixture(t, 3)
	var want []string
	for i := range 3 {
		for j := range 2 {
			vm := f.define(i, backends.VMSpec{Name: strings.Repeat("v", i+1) + string(rune('a'+j)), VCPUs: 1, MemoryMiB: 512})
			want = append(want, vm.UUID)
		}
	}
	var got []string
	for _, in := range f.enumerate("CIM_ComputerSystem") {
		if in.ClassName == model.ClassVM {
			got = append(got, in.Str("Name"))
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("VMs %v, want %v", got, want)
	}
	if hosts := f.enumerate(model.ClassHost); len(hosts) != 3 {
		t.Fatalf("%d hosts", len(hosts))
	}
}

func TestGetInstanceOfAMissingVM(t *testing.T) {
	f := newFixture(t, 2)
	_, err := f.d.GetInstance(f.ctx, ns, model.VMPath("00000000-0000-0000-0000-000000000000"), cimomOpts)
	if cim.StatusOf(err) != cim.ErrNotFound {
		t.Fatalf("GetInstance of a missing VM: %v, want CIM_ERR_NOT_FOUND", err)
	}
}

func TestHostSystemAndItsService(t *testing.T) {
	f := newFixture(t, 1)
	h := f.host(0)
	info, _ := h.Info(f.ctx)
	host := f.get(model.HostPath(h.ID()))
	if host.Str("ElementName") != info.Hostname || uintOf(host, "EnabledState") != 2 || !strings.Contains(host.Str("Description"), info.CPU.Model) {
		t.Fatalf("host %+v", host)
	}
	vsms := f.get(model.VSMSPath(h.ID()))
	if uintOf(vsms, "EnabledState") != 2 || vsms.Str("SystemName") != h.ID() {
		t.Fatalf("VSMS %+v", vsms)
	}
	caps := f.get(model.VSMCPath(h.ID()))
	tests := []struct {
		prop string
		want []uint16
	}{
		{"AsynchronousMethodsSupported", []uint16{2, 3, 5, 10}},
		{"SynchronousMethodsSupported", []uint16{6, 7}},
	}
	for _, tt := range tests {
		v, _ := caps.Get(tt.prop)
		if !slices.Equal(u16s(v), tt.want) {
			t.Errorf("%s %v, want %v", tt.prop, u16s(v), tt.want)
		}
	}
	if v, _ := caps.Get("VirtualSystemTypesSupported"); !slices.Equal(strs(v), []string{"DMTF:KVM"}) {
		t.Errorf("VirtualSystemTypesSupported %v", v)
	}
	h.Fail("power supply")
	down := f.get(model.HostPath(h.ID()))
	if os, _ := down.Get("OperationalStatus"); !slices.Equal(u16s(os), []uint16{13}) || down.Str("ElementName") != info.Hostname {
		t.Fatalf("a failed host: %+v", down)
	}
}
