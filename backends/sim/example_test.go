package sim_test

import (
	"context"
	"fmt"
	"time"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/backends/sim"
)

// A two-host data center: define a VM on shared storage, run it for an hour
// of virtual time, then live-migrate it.
func ExampleNewDataCenter() {
	ctx := context.Background()
	dc, err := sim.NewDataCenter(sim.Config{Hosts: 2, Seed: 3})
	if err != nil {
		panic(err)
	}
	src, dst := dc.Host(0), dc.Host(1)
	disk, _ := src.Storage().CreateVolume(ctx, "san", backends.VolumeSpec{Name: "web.qcow2", Capacity: 20 << 30})
	vm, _ := src.VMs().Define(ctx, backends.VMSpec{Name: "web", VCPUs: 2, MemoryMiB: 2048,
		Disks: []backends.DiskSpec{{Volume: &disk.Ref}}, NICs: []backends.NICSpec{{Switch: "external", VLAN: 20}}})
	_ = src.VMs().Start(ctx, vm.UUID)
	dc.Advance(time.Hour)
	st, _ := src.VMs().Stats(ctx, vm.UUID)
	fmt.Printf("cpu %v, %d MiB written\n", time.Duration(st.CPUTimeNs), st.Block.WriteBytes>>20)

	check, _ := src.CheckMigration(ctx, vm.UUID, dst)
	res, err := src.Migrate(ctx, vm.UUID, dst, backends.MigrateOptions{})
	fmt.Println(check.OK, err, res.Rounds, res.Downtime.Round(time.Millisecond))
	// Output:
	// cpu 30m0s, 3600 MiB written
	// true <nil> 2 285ms
}
