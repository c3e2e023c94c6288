package backendtest

import (
	"context"
	"errors"
	"testing"

	"github.com/ferrum-virt/ferrum/backends"
)

// commonSwitch names a switch of the same kind on both hosts, or "".
func commonSwitch(t *testing.T, src, dst *fixture) string {
	a, err := src.h.Switches().ListSwitches(src.ctx)
	must(t, "ListSwitches", err)
	b, err := dst.h.Switches().ListSwitches(dst.ctx)
	must(t, "ListSwitches", err)
	for _, x := range a {
		for _, y := range b {
			if x.Name == y.Name && x.Kind == y.Kind {
				return x.Name
			}
		}
	}
	return ""
}

// migratable defines a VM without disks, on a switch both hosts have.
func migratable(t *testing.T, src, dst *fixture, start bool) backends.VM {
	s := src.spec()
	if sw := commonSwitch(t, src, dst); sw != "" {
		s.NICs = []backends.NICSpec{{Switch: sw}}
	}
	vm := src.define(s)
	dst.cleanupVM(vm.UUID)
	if start {
		must(t, "Start", src.h.VMs().Start(src.ctx, vm.UUID))
	}
	return vm
}

func migrator(t *testing.T, f *fixture, live bool) backends.Migrator {
	m, ok := f.h.(backends.Migrator)
	if !ok || (live && !f.info.Caps.LiveMigration) || (!live && !f.info.Caps.OfflineMigration) {
		t.Skip("host declares it cannot migrate this way")
	}
	return m
}

func testMigration(t *testing.T, mk func(*testing.T) (*fixture, *fixture)) {
	t.Run("CheckMigration to a compatible host is OK", func(t *testing.T) {
		src, dst := mk(t)
		m := migrator(t, src, true)
		vm := migratable(t, src, dst, true)
		c, err := m.CheckMigration(src.ctx, vm.UUID, dst.h)
		must(t, "CheckMigration", err)
		if !c.OK || !c.MemoryFits || !c.CPUCompatible || !c.StorageShared || !c.NetworksPresent {
			t.Fatalf("check = %+v", c)
		}
	})
	t.Run("CheckMigration of an unknown VM → ErrNotFound", func(t *testing.T) {
		src, dst := mk(t)
		m := migrator(t, src, true)
		_, err := m.CheckMigration(src.ctx, "5d1ab0c2-0000-4000-8000-00000000dead", dst.h)
		wantErr(t, "CheckMigration", err, backends.ErrNotFound)
	})
	t.Run("live Migrate moves the VM with its UUID and MACs and reports progress", func(t *testing.T) {
		src, dst := mk(t)
		liveMigrationMoves(t, src, dst)
	})
	t.Run("live Migrate of an off VM → ErrConflict", func(t *testing.T) {
		src, dst := mk(t)
		m := migrator(t, src, true)
		vm := migratable(t, src, dst, false)
		_, err := m.Migrate(src.ctx, vm.UUID, dst.h, backends.MigrateOptions{})
		var se *backends.StateError
		if !errors.As(err, &se) || !errors.Is(err, backends.ErrConflict) {
			t.Fatalf("Migrate = %v, want a *StateError", err)
		}
	})
	t.Run("Migrate with a cancelled context → context.Canceled and the VM stays", func(t *testing.T) {
		src, dst := mk(t)
		m := migrator(t, src, true)
		vm := migratable(t, src, dst, true)
		ctx, cancel := context.WithCancel(src.ctx)
		cancel()
		_, err := m.Migrate(ctx, vm.UUID, dst.h, backends.MigrateOptions{})
		wantErr(t, "Migrate", err, context.Canceled)
		src.wantState(vm.UUID, backends.StateRunning)
	})
	t.Run("Migrate to the source itself → ErrInvalidArgument", func(t *testing.T) {
		src, dst := mk(t)
		m := migrator(t, src, true)
		vm := migratable(t, src, dst, true)
		_, err := m.Migrate(src.ctx, vm.UUID, src.h, backends.MigrateOptions{})
		wantErr(t, "Migrate", err, backends.ErrInvalidArgument)
	})
	t.Run("offline Migrate moves a stopped VM", func(t *testing.T) {
		src, dst := mk(t)
		m := migrator(t, src, false)
		vm := migratable(t, src, dst, false)
		_, err := m.Migrate(src.ctx, vm.UUID, dst.h, backends.MigrateOptions{Offline: true})
		must(t, "Migrate", err)
		dst.wantState(vm.UUID, backends.StateOff)
		_, err = src.h.VMs().Get(src.ctx, vm.UUID)
		wantErr(t, "Get on the source", err, backends.ErrNotFound)
	})
}

func liveMigrationMoves(t *testing.T, src, dst *fixture) {
	m := migrator(t, src, true)
	vm := migratable(t, src, dst, true)
	subSrc, err := src.h.Events(src.ctx)
	must(t, "Events", err)
	defer subSrc.Close()
	subDst, err := dst.h.Events(dst.ctx)
	must(t, "Events", err)
	defer subDst.Close()
	var rounds []int
	res, err := m.Migrate(src.ctx, vm.UUID, dst.h, backends.MigrateOptions{
		Progress: func(p backends.MigrationProgress) { rounds = append(rounds, p.Round) }})
	must(t, "Migrate", err)
	for i := 1; i < len(rounds); i++ {
		if rounds[i] <= rounds[i-1] {
			t.Fatalf("progress rounds %v do not grow", rounds)
		}
	}
	if res.Rounds < len(rounds) || res.Downtime < 0 || res.TotalTime < res.Downtime {
		t.Fatalf("result %+v after %d progress reports", res, len(rounds))
	}
	_, err = src.h.VMs().Get(src.ctx, vm.UUID)
	wantErr(t, "Get on the source", err, backends.ErrNotFound)
	moved := dst.get(vm.UUID)
	if moved.State != backends.StateRunning || moved.Name != vm.Name || len(moved.NICs) != len(vm.NICs) ||
		(len(vm.NICs) > 0 && moved.NICs[0].MAC != vm.NICs[0].MAC) {
		t.Fatalf("on the destination: %+v", moved)
	}
	collect(t, subSrc, vm.UUID, []backends.EventType{backends.EventMigratedOut})
	collect(t, subDst, vm.UUID, []backends.EventType{backends.EventMigratedIn})
}
