package sim_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/backends/sim"
)

// vendorPair returns a data center with two same-vendor hosts and one of
// the other vendor.
func vendorPair(t *testing.T, cfg sim.Config) (dc *sim.DataCenter, src, dst, alien *sim.Host) {
	t.Helper()
	dc = newDC(t, cfg)
	byVendor := map[string][]*sim.Host{}
	for _, h := range dc.Hosts() {
		info, _ := h.Info(t.Context())
		byVendor[info.CPU.Vendor] = append(byVendor[info.CPU.Vendor], h)
	}
	for v, hs := range byVendor {
		for w, others := range byVendor {
			if v != w && len(hs) >= 2 {
				return dc, hs[0], hs[1], others[0]
			}
		}
	}
	t.Fatal("no two same-vendor hosts beside another vendor")
	return
}

func sanVM(t *testing.T, h *sim.Host, name string, memMiB uint64) backends.VM {
	t.Helper()
	vol, err := h.Storage().CreateVolume(t.Context(), "san", backends.VolumeSpec{Name: name + ".qcow2", Capacity: 10 * gib})
	ok(t, err)
	return start(t, h, backends.VMSpec{Name: name, VCPUs: 2, MemoryMiB: memMiB,
		Disks: []backends.DiskSpec{{Volume: &vol.Ref}}, NICs: []backends.NICSpec{{Switch: "external", VLAN: 10}}})
}

func TestCheckMigrationReasons(t *testing.T) {
	dc, src, dst, alien := vendorPair(t, sim.Config{Hosts: 8, Seed: 11})
	ctx := t.Context()
	_ = dc
	tests := []struct {
		name  string
		setup func(t *testing.T) (backends.VM, *sim.Host)
		check func(c backends.MigrationCheck) bool
		why   string
	}{
		{"a VM on shared storage and networks may move", func(t *testing.T) (backends.VM, *sim.Host) {
			return sanVM(t, src, "ok", 1024), dst
		}, func(c backends.MigrationCheck) bool { return c.OK }, ""},
		{"another CPU vendor is incompatible", func(t *testing.T) (backends.VM, *sim.Host) {
			return sanVM(t, src, "cpu", 1024), alien
		}, func(c backends.MigrationCheck) bool { return !c.OK && !c.CPUCompatible }, "cpu family"},
		{"a disk in the local pool is not shared", func(t *testing.T) (backends.VM, *sim.Host) {
			vol, err := src.Storage().CreateVolume(ctx, "default", backends.VolumeSpec{Name: "local", Capacity: gib})
			ok(t, err)
			return start(t, src, backends.VMSpec{Name: "local", VCPUs: 1, MemoryMiB: 512,
				Disks: []backends.DiskSpec{{Volume: &vol.Ref}}}), dst
		}, func(c backends.MigrationCheck) bool { return !c.OK && !c.StorageShared }, "not on storage"},
		{"a linked clone whose base is local is not shared", func(t *testing.T) (backends.VM, *sim.Host) {
			base, err := src.Storage().CreateVolume(ctx, "default", backends.VolumeSpec{Name: "gold", Capacity: gib})
			ok(t, err)
			c, err := src.Storage().CloneVolume(ctx, base.Ref, backends.CloneSpec{Name: "c", Pool: "san", Linked: true})
			ok(t, err)
			return start(t, src, backends.VMSpec{Name: "chain", VCPUs: 1, MemoryMiB: 512,
				Disks: []backends.DiskSpec{{Volume: &c.Ref}}}), dst
		}, func(c backends.MigrationCheck) bool { return !c.OK && !c.StorageShared }, "gold"},
		{"a switch missing on the destination fails the network check", func(t *testing.T) (backends.VM, *sim.Host) {
			_, err := src.Switches().CreateSwitch(ctx, backends.SwitchSpec{Name: "dmz", Kind: backends.SwitchInternal})
			ok(t, err)
			return start(t, src, backends.VMSpec{Name: "dmz", VCPUs: 1, MemoryMiB: 512,
				NICs: []backends.NICSpec{{Switch: "dmz"}}}), dst
		}, func(c backends.MigrationCheck) bool { return !c.OK && !c.NetworksPresent }, `"dmz"`},
		{"memory the destination lacks does not fit", func(t *testing.T) (backends.VM, *sim.Host) {
			info, _ := dst.Info(ctx)
			for info.FreeMiB > 8<<10 {
				start(t, dst, backends.VMSpec{Name: "fill" + time.Duration(info.FreeMiB).String(), VCPUs: 1,
					MemoryMiB: min(info.FreeMiB-4<<10, 64<<10)})
				info, _ = dst.Info(ctx)
			}
			return sanVM(t, src, "big", 8<<10), dst
		}, func(c backends.MigrationCheck) bool { return !c.OK && !c.MemoryFits }, "MiB free"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vm, to := tt.setup(t)
			c, err := src.CheckMigration(ctx, vm.UUID, to)
			ok(t, err)
			if !tt.check(c) || !strings.Contains(strings.Join(c.Reasons, "; "), tt.why) {
				t.Fatalf("check %+v, want reason mentioning %q", c, tt.why)
			}
			_, err = src.Migrate(ctx, vm.UUID, to, backends.MigrateOptions{})
			if c.OK {
				ok(t, err)
			} else if err == nil {
				t.Fatal("Migrate succeeded against a failed check")
			}
		})
	}
}

func TestMigrationAcrossClustersLacksSharedStorage(t *testing.T) {
	dc := newDC(t, sim.Config{Hosts: 4, ClusterSize: 2})
	vm := sanVM(t, dc.Host(0), "a", 1024)
	c, err := dc.Host(0).CheckMigration(t.Context(), vm.UUID, dc.Host(2))
	ok(t, err)
	if c.StorageShared {
		t.Fatalf("another cluster's SAN counted as shared: %+v", c)
	}
}

func TestLiveMigrationMovesMemoryTimeAndResources(t *testing.T) {
	dc, src, dst, _ := vendorPair(t, sim.Config{Hosts: 8, Seed: 11})
	ctx := t.Context()
	vm := sanVM(t, src, "db", 4096)
	srcFree, dstFree := freeMiB(t, src), freeMiB(t, dst)
	before, _ := src.VMs().Stats(ctx, vm.UUID)
	t0 := dc.Clock().Now()
	var progress []backends.MigrationProgress
	res, err := src.Migrate(ctx, vm.UUID, dst, backends.MigrateOptions{
		Progress: func(p backends.MigrationProgress) { progress = append(progress, p) }})
	ok(t, err)
	if took := dc.Clock().Now().Sub(t0); took != res.TotalTime {
		t.Fatalf("virtual clock moved %v, migration reports %v", took, res.TotalTime)
	}
	if res.Downtime > backends.DefaultMaxDowntime || len(progress) != res.Rounds || progress[0].BytesSent != 4096*mib {
		t.Fatalf("result %+v, progress %+v", res, progress)
	}
	if freeMiB(t, src) != srcFree+4096 || freeMiB(t, dst) != dstFree-4096 {
		t.Fatal("memory did not move with the VM")
	}
	after, err := dst.VMs().Stats(ctx, vm.UUID)
	ok(t, err)
	if after.CPUTimeNs < before.CPUTimeNs {
		t.Fatal("counters went back across migration")
	}
	if h, _ := dc.FindVM(vm.UUID); h != dst {
		t.Fatal("data center does not know where the VM went")
	}
	moved, _ := dst.VMs().Get(ctx, vm.UUID)
	if moved.Reason != backends.ReasonMigrated || moved.NICs[0].VLAN != 10 {
		t.Fatalf("moved VM %+v", moved)
	}
	ports, _ := dst.Switches().ListPorts(ctx, "external")
	if len(ports) != 1 || ports[0].MAC != vm.NICs[0].MAC {
		t.Fatalf("destination ports %+v", ports)
	}
}

func TestMigrationThatCannotConvergeLeavesTheVMRunning(t *testing.T) {
	_, src, dst, _ := vendorPair(t, sim.Config{Hosts: 8, Seed: 11})
	ctx := t.Context()
	vm := sanVM(t, src, "hot", 16<<10)
	w := sim.DefaultWorkload()
	w.DirtyRate, w.WorkingSet = 4<<30, 8<<30 // faster than any link here
	ok(t, src.SetWorkload(vm.UUID, w))
	dstFree := freeMiB(t, dst)
	_, err := src.Migrate(ctx, vm.UUID, dst, backends.MigrateOptions{})
	wantIs(t, err, backends.ErrNotConverged)
	got, err := src.VMs().Get(ctx, vm.UUID)
	ok(t, err)
	if got.State != backends.StateRunning || freeMiB(t, dst) != dstFree {
		t.Fatalf("after a failed migration: %s, destination free %d of %d", got.State, freeMiB(t, dst), dstFree)
	}
	res, err := src.Migrate(ctx, vm.UUID, dst, backends.MigrateOptions{AutoConverge: true, MaxRounds: 100})
	ok(t, err)
	if res.ThrottlePct == 0 {
		t.Fatalf("converged without throttling: %+v", res)
	}
}

func TestMigrationCancelledMidFlight(t *testing.T) {
	clk := sim.NewClock(sim.Epoch)
	_, src, dst, _ := vendorPair(t, sim.Config{Hosts: 8, Seed: 11, Clock: clk})
	vm := sanVM(t, src, "a", 8<<10)
	clk.SetAutoAdvance(false)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := src.Migrate(ctx, vm.UUID, dst, backends.MigrateOptions{Progress: func(backends.MigrationProgress) { cancel() }})
		done <- err
	}()
	for len(done) == 0 { // drive virtual time until the first round ends
		clk.Advance(time.Second)
		time.Sleep(time.Millisecond)
	}
	wantIs(t, <-done, context.Canceled)
	if got, err := src.VMs().Get(t.Context(), vm.UUID); err != nil || got.State != backends.StateRunning {
		t.Fatalf("after cancel: %+v, %v", got, err)
	}
	ok(t, src.VMs().Stop(t.Context(), vm.UUID))
}

func TestMigrationEventsReportRounds(t *testing.T) {
	_, src, dst, _ := vendorPair(t, sim.Config{Hosts: 8, Seed: 11})
	sub, err := src.Events(t.Context())
	ok(t, err)
	vm := sanVM(t, src, "a", 2048)
	res, err := src.Migrate(t.Context(), vm.UUID, dst, backends.MigrateOptions{})
	ok(t, err)
	rounds := 0
	for e := range sub.Events() {
		if e.Type == backends.EventMigration {
			rounds++
			if e.Migration.Round != rounds {
				t.Fatalf("progress event %d reports round %d", rounds, e.Migration.Round)
			}
		}
		if e.Type == backends.EventMigratedOut {
			break
		}
	}
	if rounds != res.Rounds {
		t.Fatalf("%d progress events for %d rounds", rounds, res.Rounds)
	}
}
