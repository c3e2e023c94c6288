package backendtest

import (
	"errors"
	"testing"

	"github.com/ferrum-virt/ferrum/backends"
)

func testReconfigure(t *testing.T, mk func(*testing.T) *fixture) {
	t.Run("cold SetVCPUs above the maximum raises the maximum", func(t *testing.T) {
		f := mk(t)
		if f.info.Limits.MaxVCPUs < 2 {
			t.Skip("host allows one vCPU")
		}
		vm := f.define(f.spec())
		must(t, "SetVCPUs", f.h.VMs().SetVCPUs(f.ctx, vm.UUID, 2))
		if got := f.get(vm.UUID); got.VCPUs != 2 || got.MaxVCPUs < 2 {
			t.Fatalf("after SetVCPUs(2): vcpus %d max %d", got.VCPUs, got.MaxVCPUs)
		}
	})
	t.Run("cold SetVCPUs beyond the host limit → ErrInvalidArgument", func(t *testing.T) {
		f := mk(t)
		vm := f.define(f.spec())
		wantErr(t, "SetVCPUs", f.h.VMs().SetVCPUs(f.ctx, vm.UUID, f.info.Limits.MaxVCPUs+1), backends.ErrInvalidArgument)
	})
	t.Run("cold SetMemory changes the memory", func(t *testing.T) {
		f := mk(t)
		vm := f.define(f.spec())
		must(t, "SetMemory", f.h.VMs().SetMemory(f.ctx, vm.UUID, 2*f.memory()))
		if got := f.get(vm.UUID); got.MemoryMiB != 2*f.memory() || got.MaxMemoryMiB < got.MemoryMiB {
			t.Fatalf("after SetMemory: %d (max %d)", got.MemoryMiB, got.MaxMemoryMiB)
		}
	})
	t.Run("SetMemory below the host minimum → ErrInvalidArgument", func(t *testing.T) {
		f := mk(t)
		if f.info.Limits.MinMemoryMiB == 0 {
			t.Skip("host declares no minimum memory")
		}
		vm := f.define(f.spec())
		wantErr(t, "SetMemory", f.h.VMs().SetMemory(f.ctx, vm.UUID, f.info.Limits.MinMemoryMiB-1), backends.ErrInvalidArgument)
	})
	testHotplug(t, mk)
	testDevices(t, mk)
}

func testHotplug(t *testing.T, mk func(*testing.T) *fixture) {
	t.Run("hot SetVCPUs within the maximum, beyond it → ErrInvalidArgument", func(t *testing.T) {
		f := mk(t)
		if f.info.Limits.MaxVCPUs < 2 {
			t.Skip("host allows one vCPU")
		}
		vm := f.running(func(s *backends.VMSpec) { s.MaxVCPUs = 2 })
		err := f.h.VMs().SetVCPUs(f.ctx, vm.UUID, 2)
		if !f.info.Caps.HotplugVCPU {
			wantErr(t, "SetVCPUs on a host without vCPU hot-plug", err, backends.ErrUnsupported)
			return
		}
		must(t, "SetVCPUs", err)
		if got := f.get(vm.UUID).VCPUs; got != 2 {
			t.Fatalf("vcpus after hot-add = %d", got)
		}
		wantErr(t, "SetVCPUs over max", f.h.VMs().SetVCPUs(f.ctx, vm.UUID, 3), backends.ErrInvalidArgument)
	})
	t.Run("hot SetMemory moves the balloon within the maximum", func(t *testing.T) {
		f := mk(t)
		vm := f.running(func(s *backends.VMSpec) { s.MaxMemoryMiB = 2 * s.MemoryMiB })
		err := f.h.VMs().SetMemory(f.ctx, vm.UUID, 2*f.memory())
		if !f.info.Caps.HotplugMemory {
			wantErr(t, "SetMemory on a host without ballooning", err, backends.ErrUnsupported)
			return
		}
		must(t, "SetMemory", err)
		if got := f.get(vm.UUID).MemoryMiB; got != 2*f.memory() {
			t.Fatalf("memory after balloon = %d", got)
		}
		wantErr(t, "SetMemory over max", f.h.VMs().SetMemory(f.ctx, vm.UUID, 4*f.memory()), backends.ErrInvalidArgument)
	})
	t.Run("hot-plugging an IDE disk → ErrUnsupported", func(t *testing.T) {
		f := mk(t)
		vm := f.running()
		_, err := f.h.VMs().AttachDisk(f.ctx, vm.UUID, backends.DiskSpec{Device: backends.DeviceCDROM, Bus: backends.BusIDE})
		wantErr(t, "AttachDisk", err, backends.ErrUnsupported)
	})
}

func testDevices(t *testing.T, mk func(*testing.T) *fixture) {
	for _, live := range []bool{false, true} {
		mode := map[bool]string{false: "cold", true: "hot"}[live]
		t.Run(mode+" AttachDisk names a target and DetachDisk removes it", func(t *testing.T) {
			f := mk(t)
			if live && !f.info.Caps.HotplugDisk {
				t.Skip("host declares no disk hot-plug")
			}
			vol := f.volume(f.pool(), 1<<30)
			vm := f.define(f.spec())
			if live {
				must(t, "Start", f.h.VMs().Start(f.ctx, vm.UUID))
			}
			d, err := f.h.VMs().AttachDisk(f.ctx, vm.UUID, backends.DiskSpec{Volume: &vol.Ref})
			must(t, "AttachDisk", err)
			if d.Target == "" || len(f.get(vm.UUID).Disks) != 1 {
				t.Fatalf("attached %+v, VM has %d disks", d, len(f.get(vm.UUID).Disks))
			}
			must(t, "DetachDisk", f.h.VMs().DetachDisk(f.ctx, vm.UUID, d.Target))
			if n := len(f.get(vm.UUID).Disks); n != 0 {
				t.Fatalf("VM has %d disks after detach", n)
			}
			wantErr(t, "second DetachDisk", f.h.VMs().DetachDisk(f.ctx, vm.UUID, d.Target), backends.ErrNotFound)
		})
		t.Run(mode+" AttachNIC draws a MAC and DetachNIC frees it", func(t *testing.T) {
			f := mk(t)
			if live && !f.info.Caps.HotplugNIC {
				t.Skip("host declares no NIC hot-plug")
			}
			vm := f.define(f.spec())
			if live {
				must(t, "Start", f.h.VMs().Start(f.ctx, vm.UUID))
			}
			n, err := f.h.VMs().AttachNIC(f.ctx, vm.UUID, backends.NICSpec{Switch: f.switchName(), VLAN: 42})
			must(t, "AttachNIC", err)
			if _, err := backends.ParseMAC(n.MAC); err != nil {
				t.Fatalf("attached NIC MAC %q: %v", n.MAC, err)
			}
			if got := f.get(vm.UUID).NICs; len(got) != 1 || got[0].MAC != n.MAC || got[0].VLAN != 42 {
				t.Fatalf("VM NICs = %+v", got)
			}
			must(t, "DetachNIC", f.h.VMs().DetachNIC(f.ctx, vm.UUID, n.MAC))
			wantErr(t, "second DetachNIC", f.h.VMs().DetachNIC(f.ctx, vm.UUID, n.MAC), backends.ErrNotFound)
		})
	}
	t.Run("AttachNIC beyond the NIC limit → ErrInvalidArgument", func(t *testing.T) {
		f := mk(t)
		if f.info.Limits.MaxNICs == 0 {
			t.Skip("host declares no NIC limit")
		}
		sw := f.switchName()
		vm := f.define(f.spec())
		var err error
		for i := 0; i <= f.info.Limits.MaxNICs && err == nil; i++ {
			_, err = f.h.VMs().AttachNIC(f.ctx, vm.UUID, backends.NICSpec{Switch: sw})
		}
		wantErr(t, "AttachNIC", err, backends.ErrInvalidArgument)
		if n := len(f.get(vm.UUID).NICs); n != f.info.Limits.MaxNICs {
			t.Fatalf("VM has %d NICs, limit %d", n, f.info.Limits.MaxNICs)
		}
	})
	t.Run("changing a VM that does not exist → ErrNotFound", func(t *testing.T) {
		f := mk(t)
		err := f.h.VMs().SetVCPUs(f.ctx, "5d1ab0c2-0000-4000-8000-00000000dead", 1)
		if !errors.Is(err, backends.ErrNotFound) {
			t.Fatalf("SetVCPUs = %v, want ErrNotFound", err)
		}
	})
}
