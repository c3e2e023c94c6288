package sim_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/backends/sim"
)

// script runs a fixed sequence of operations and returns what it observed.
func script(t *testing.T, dc *sim.DataCenter) []any {
	t.Helper()
	ctx := context.Background()
	h := dc.Host(0)
	var seen []any
	for i := range 3 {
		vm, err := h.VMs().Define(ctx, backends.VMSpec{Name: string(rune('a' + i)), VCPUs: 2, MemoryMiB: 1024,
			NICs: []backends.NICSpec{{Switch: "external"}}})
		if err != nil {
			t.Fatal(err)
		}
		if err := h.VMs().Start(ctx, vm.UUID); err != nil {
			t.Fatal(err)
		}
		dc.Advance(3600e9)
		st, _ := h.VMs().Stats(ctx, vm.UUID)
		seen = append(seen, vm.UUID, vm.NICs[0].MAC, st)
	}
	info, _ := h.Info(ctx)
	return append(seen, info)
}

func TestSameSeedSameDataCenter(t *testing.T) {
	a := script(t, newDC(t, sim.Config{Hosts: 3, Seed: 42}))
	b := script(t, newDC(t, sim.Config{Hosts: 3, Seed: 42}))
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("same seed, different observations:\n%v\n%v", a, b)
	}
	c := script(t, newDC(t, sim.Config{Hosts: 3, Seed: 43}))
	if reflect.DeepEqual(a[0], c[0]) {
		t.Fatal("another seed gave the same UUIDs")
	}
}

func TestGeneratedHardwareIsRealistic(t *testing.T) {
	dc := newDC(t, sim.Config{Hosts: 200, Seed: 7})
	macs := map[string]bool{}
	vendors := map[string]int{}
	models := map[string]bool{}
	for _, h := range dc.Hosts() {
		info, err := h.Info(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		c := info.CPU
		if c.Sockets < 2 || c.Sockets > 4 || c.CoresPerSocket < 8 || c.MHz < 1000 {
			t.Fatalf("%s cpu %+v", info.Hostname, c)
		}
		if gib := info.MemoryMiB >> 10; gib < 64 || gib > 512 {
			t.Fatalf("%s has %d GiB", info.Hostname, gib)
		}
		if info.FreeMiB >= info.MemoryMiB || info.FreeMiB == 0 {
			t.Fatalf("%s free %d of %d MiB: the hypervisor keeps some", info.Hostname, info.FreeMiB, info.MemoryMiB)
		}
		for _, n := range info.NICs {
			if macs[n.MAC] {
				t.Fatalf("host NIC MAC %s repeats", n.MAC)
			}
			macs[n.MAC] = true
		}
		vendors[c.Vendor]++
		models[c.Model] = true
		if len(info.NICs) < 2 || len(info.Storage.Disks) < 3 || len(info.Storage.HBAs) < 2 {
			t.Fatalf("%s hardware %+v", info.Hostname, info)
		}
	}
	if len(vendors) != 2 || len(models) < 5 {
		t.Fatalf("vendors %v, %d models: want both families and varied models", vendors, len(models))
	}
}

func TestEveryHostHasDefaultPoolAndSwitches(t *testing.T) {
	h := newDC(t, sim.Config{Hosts: 1}).Host(0)
	pools, _ := h.Storage().ListPools(t.Context())
	sws, _ := h.Switches().ListSwitches(t.Context())
	if len(pools) != 2 || pools[0].Name != "default" || pools[0].Type != backends.PoolDir || !pools[1].Shared {
		t.Fatalf("pools %+v: want a local dir pool and the cluster SAN", pools)
	}
	if len(sws) != 2 || sws[0].Kind != backends.SwitchExternal || sws[0].Uplink == "" || sws[1].Kind != backends.SwitchInternal {
		t.Fatalf("switches %+v: want an external and an internal one", sws)
	}
}

func TestMACsAreUniqueAcrossTheDataCenter(t *testing.T) {
	dc := newDC(t, sim.Config{Hosts: 2})
	ctx := t.Context()
	vm, err := dc.Host(0).VMs().Define(ctx, backends.VMSpec{Name: "a", VCPUs: 1, MemoryMiB: 512,
		NICs: []backends.NICSpec{{Switch: "internal"}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = dc.Host(1).VMs().Define(ctx, backends.VMSpec{Name: "b", VCPUs: 1, MemoryMiB: 512,
		NICs: []backends.NICSpec{{Switch: "internal", MAC: vm.NICs[0].MAC}}})
	wantIs(t, err, backends.ErrConflict)
	info, _ := dc.Host(1).Info(ctx)
	_, err = dc.Host(1).VMs().Define(ctx, backends.VMSpec{Name: "c", VCPUs: 1, MemoryMiB: 512,
		NICs: []backends.NICSpec{{Switch: "internal", MAC: info.NICs[0].MAC}}})
	wantIs(t, err, backends.ErrConflict)
	_, err = dc.Host(1).VMs().Define(ctx, backends.VMSpec{Name: "d", UUID: vm.UUID, VCPUs: 1, MemoryMiB: 512})
	wantIs(t, err, backends.ErrConflict)
}
