package backendtest

import (
	"testing"

	"github.com/ferrum-virt/ferrum/backends"
)

func testInventory(t *testing.T, mk func(*testing.T) *fixture) {
	f := mk(t)
	info := f.info
	checks := []struct {
		name string
		ok   bool
	}{
		{"the host has an ID and a hostname", info.ID != "" && info.Hostname != ""},
		{"the CPU names its model and vendor", info.CPU.Model != "" && info.CPU.Vendor != ""},
		{"the CPU has sockets, cores and threads", info.CPU.Sockets >= 1 && info.CPU.CoresPerSocket >= 1 &&
			info.CPU.ThreadsPerCore >= 1 && info.CPU.Threads() >= 1},
		{"the host has memory, and free memory does not exceed it", info.MemoryMiB > 0 && info.FreeMiB <= info.MemoryMiB},
		{"the hypervisor is named", info.Hypervisor.Name != ""},
		{"limits allow at least one vCPU", info.Limits.MaxVCPUs >= 1},
		{"limits allow a memory range", info.Limits.MaxMemoryMiB == 0 || info.Limits.MinMemoryMiB <= info.Limits.MaxMemoryMiB},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if !c.ok {
				t.Fatalf("HostInfo = %+v", info)
			}
		})
	}
	t.Run("host NICs have valid, distinct MACs", func(t *testing.T) {
		seen := map[backends.MAC]bool{}
		for _, n := range info.NICs {
			m, err := backends.ParseMAC(n.MAC)
			if err != nil || n.Name == "" {
				t.Fatalf("NIC %+v: %v", n, err)
			}
			if seen[m] {
				t.Fatalf("MAC %s twice", m)
			}
			seen[m] = true
		}
	})
	t.Run("host disks have sizes", func(t *testing.T) {
		for _, d := range info.Storage.Disks {
			if d.Name == "" || d.SizeBytes == 0 {
				t.Fatalf("disk %+v", d)
			}
		}
	})
	t.Run("Info is stable across calls", func(t *testing.T) {
		again, err := f.h.Info(f.ctx)
		must(t, "Info", err)
		if again.ID != info.ID || again.CPU != info.CPU || again.MemoryMiB != info.MemoryMiB {
			t.Fatalf("Info changed: %+v then %+v", info, again)
		}
	})
}

func testDefine(t *testing.T, mk func(*testing.T) *fixture) {
	t.Run("Define generates a UUID and MACs and leaves the VM off", func(t *testing.T) {
		f := mk(t)
		sw := f.switchName()
		vm := f.define(f.spec(func(s *backends.VMSpec) {
			s.NICs = []backends.NICSpec{{Switch: sw}, {Switch: sw}}
		}))
		if vm.UUID == "" || vm.State != backends.StateOff {
			t.Fatalf("defined VM = %+v", vm)
		}
		a, b := vm.NICs[0].MAC, vm.NICs[1].MAC
		if _, err := backends.ParseMAC(a); err != nil || a == b {
			t.Fatalf("generated MACs %q and %q", a, b)
		}
	})
	t.Run("Define keeps the configuration it was given", func(t *testing.T) {
		f := mk(t)
		s := f.spec(func(s *backends.VMSpec) {
			s.UUID = "0b7c0a52-4a1d-4c39-9a1e-8c1f3e2d0001"
			s.VCPUs, s.MaxVCPUs = 1, min(2, f.info.Limits.MaxVCPUs)
			s.MaxMemoryMiB = 2 * s.MemoryMiB
			s.BootOrder = []backends.BootDevice{backends.BootNetwork, backends.BootDisk}
		})
		vm := f.get(f.define(s).UUID)
		if vm.UUID != s.UUID || vm.Name != s.Name || vm.VCPUs != 1 || vm.MaxVCPUs != s.MaxVCPUs ||
			vm.MemoryMiB != s.MemoryMiB || vm.MaxMemoryMiB != s.MaxMemoryMiB || len(vm.BootOrder) != 2 {
			t.Fatalf("Get = %+v, defined %+v", vm.VMSpec, s)
		}
	})
	t.Run("List includes a defined VM and Get finds it by UUID", func(t *testing.T) {
		f := mk(t)
		vm := f.define(f.spec())
		vms, err := f.h.VMs().List(f.ctx)
		must(t, "List", err)
		for _, x := range vms {
			if x.UUID == vm.UUID && x.Name == vm.Name {
				return
			}
		}
		t.Fatalf("List lacks %s", vm.Name)
	})
	testDefineErrors(t, mk)
	t.Run("Undefine removes the VM and a second Undefine → ErrNotFound", func(t *testing.T) {
		f := mk(t)
		vm := f.define(f.spec())
		must(t, "Undefine", f.h.VMs().Undefine(f.ctx, vm.UUID))
		_, err := f.h.VMs().Get(f.ctx, vm.UUID)
		wantErr(t, "Get after Undefine", err, backends.ErrNotFound)
		wantErr(t, "second Undefine", f.h.VMs().Undefine(f.ctx, vm.UUID), backends.ErrNotFound)
	})
	t.Run("Undefine frees the name and MAC for reuse", func(t *testing.T) {
		f := mk(t)
		sw := f.switchName()
		s := f.spec(func(s *backends.VMSpec) { s.NICs = []backends.NICSpec{{Switch: sw}} })
		vm := f.define(s)
		must(t, "Undefine", f.h.VMs().Undefine(f.ctx, vm.UUID))
		s.NICs[0].MAC = vm.NICs[0].MAC
		f.define(s)
	})
}

func testDefineErrors(t *testing.T, mk func(*testing.T) *fixture) {
	tests := []struct {
		name   string
		mutate func(f *fixture, existing backends.VM, s *backends.VMSpec)
		want   error
	}{
		{"Define with a name in use → ErrConflict", func(_ *fixture, e backends.VM, s *backends.VMSpec) {
			s.Name = e.Name
		}, backends.ErrConflict},
		{"Define with a UUID in use → ErrConflict", func(_ *fixture, e backends.VM, s *backends.VMSpec) {
			s.UUID = e.UUID
		}, backends.ErrConflict},
		{"Define with a MAC in use → ErrConflict", func(_ *fixture, e backends.VM, s *backends.VMSpec) {
			s.NICs = []backends.NICSpec{{Switch: e.NICs[0].Switch, MAC: e.NICs[0].MAC}}
		}, backends.ErrConflict},
		{"Define with more vCPUs than the host allows → ErrInvalidArgument", func(f *fixture, _ backends.VM, s *backends.VMSpec) {
			s.VCPUs = f.info.Limits.MaxVCPUs + 1
		}, backends.ErrInvalidArgument},
		{"Define with less memory than the host allows → ErrInvalidArgument", func(f *fixture, _ backends.VM, s *backends.VMSpec) {
			s.MemoryMiB = f.info.Limits.MinMemoryMiB - 1
			if f.info.Limits.MinMemoryMiB == 0 {
				s.MemoryMiB = 0
			}
		}, backends.ErrInvalidArgument},
		{"Define with an empty name → ErrInvalidArgument", func(_ *fixture, _ backends.VM, s *backends.VMSpec) {
			s.Name = ""
		}, backends.ErrInvalidArgument},
		{"Define with an unknown switch → ErrNotFound", func(_ *fixture, _ backends.VM, s *backends.VMSpec) {
			s.NICs = []backends.NICSpec{{Switch: name("no-such-switch")}}
		}, backends.ErrNotFound},
		{"Define with an unknown volume → ErrNotFound", func(f *fixture, _ backends.VM, s *backends.VMSpec) {
			pools, _ := f.h.Storage().ListPools(f.ctx)
			if len(pools) == 0 {
				f.t.Skip("host lists no pools")
			}
			s.Disks = []backends.DiskSpec{{Volume: &backends.VolumeRef{Pool: pools[0].Name, Name: name("missing")}}}
		}, backends.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mk(t)
			sw := f.switchName()
			existing := f.define(f.spec(func(s *backends.VMSpec) { s.NICs = []backends.NICSpec{{Switch: sw}} }))
			s := f.spec()
			tt.mutate(f, existing, &s)
			vm, err := f.h.VMs().Define(f.ctx, s)
			if err == nil {
				f.cleanupVM(vm.UUID)
			}
			wantErr(t, "Define", err, tt.want)
		})
	}
	t.Run("Get of an unknown VM → ErrNotFound", func(t *testing.T) {
		f := mk(t)
		_, err := f.h.VMs().Get(f.ctx, "5d1ab0c2-0000-4000-8000-00000000dead")
		wantErr(t, "Get", err, backends.ErrNotFound)
	})
}
