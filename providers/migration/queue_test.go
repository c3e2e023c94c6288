package migration

import (
	"strings"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/backends/sim"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
)

// spare returns a host that is none of src, dst and alien.
func (f *fixture) spare() *sim.Host {
	f.T.Helper()
	for _, h := range f.DC.Hosts() {
		if h != f.src && h != f.dst && h != f.alien {
			return h
		}
	}
	f.T.Fatal("no spare host")
	return nil
}

func TestOneMigrationPerVMAndQueuedMigrationsWait(t *testing.T) {
	f := newFixture(t, Options{MaxPerHost: 1})
	first := f.runningVM(f.src, "first", 2048)
	second := f.runningVM(f.src, "second", 1024)
	f.DC.Clock().SetAutoAdvance(false)
	code, out := f.invoke(f.src, "MigrateVirtualSystemToHost", toHost(first.UUID, f.dst.ID(), nil))
	if code != 4096 {
		t.Fatalf("first migration: %d", code)
	}
	firstJob := f.jobOf(out)
	waitFor(t, func() bool { j, _ := f.Jobs.Get(firstJob); return strings.HasPrefix(j.Status, "live migration") })
	if code, _ := f.invoke(f.src, "MigrateVirtualSystemToHost", toHost(first.UUID, f.dst.ID(), nil)); code != 5 {
		t.Errorf("a second migration of a migrating vm returned %d, want 5", code)
	}
	code, out = f.invoke(f.src, "MigrateVirtualSystemToHost", toHost(second.UUID, f.dst.ID(), msd("Priority", cim.Uint16(1))))
	if code != 4096 {
		t.Fatalf("second migration: %d", code)
	}
	secondJob := f.jobOf(out)
	waitFor(t, func() bool {
		j, _ := f.Jobs.Get(secondJob)
		return strings.HasPrefix(j.Status, "waiting for a migration slot")
	})
	if err := f.Jobs.Stop(firstJob, false); err != nil {
		t.Fatal(err)
	}
	if j := f.wait(firstJob); j.State != jobs.Terminated {
		t.Fatalf("first job %v", j.State)
	}
	waitFor(t, func() bool { j, _ := f.Jobs.Get(secondJob); return strings.HasPrefix(j.Status, "live migration") })
	if j, _ := f.drive(secondJob, time.Second); j.State != jobs.Completed {
		t.Fatalf("second job %v %s", j.State, j.ErrorDescription)
	}
	f.DC.Clock().SetAutoAdvance(true)
	f.requireOn(f.src, first.UUID, backends.StateRunning)
	f.requireOn(f.dst, second.UUID, backends.StateRunning)
	// the first VM may move again once its job has ended
	if j, _ := f.migrate(f.src, "MigrateVirtualSystemToHost", toHost(first.UUID, f.dst.ID(), nil)); j.State != jobs.Completed {
		t.Fatalf("first vm again: %v %s", j.State, j.ErrorDescription)
	}
}

func TestRestartOfAGuestThatIgnoresShutdownTimesOut(t *testing.T) {
	f := newFixture(t, Options{ShutdownTimeout: 30e9})
	vm := f.runningVM(f.src, "stubborn", 1024)
	w := sim.DefaultWorkload()
	w.IgnoresShutdown = true
	if err := f.src.SetWorkload(vm.UUID, w); err != nil {
		t.Fatal(err)
	}
	j, _ := f.migrate(f.src, "MigrateVirtualSystemToHost", toHost(vm.UUID, f.dst.ID(), msd("MigrationType", cim.Uint16(typeRestart))))
	if j.State != jobs.Exception || j.ErrorCode != 3 {
		t.Fatalf("job %v ErrorCode %d: %s", j.State, j.ErrorCode, j.ErrorDescription)
	}
	where, _ := f.DC.FindVM(vm.UUID)
	if where != f.src {
		t.Fatalf("vm on %v after a failed restart migration", where)
	}
	if st := f.vmOn(f.src, vm.UUID).State; !st.Active() {
		t.Errorf("vm %s after a shutdown it ignored", st)
	}
}

func TestDestinationDownIsAnInvalidState(t *testing.T) {
	f := newFixture(t, Options{})
	vm := f.runningVM(f.src, "web", 1024)
	down := f.spare()
	down.Fail("power supply")
	for _, method := range []string{"MigrateVirtualSystemToSystem", "CheckVirtualSystemIsMigratableToSystem"} {
		if code, _ := f.invoke(f.src, method, toSystem(vm.UUID, down.ID(), nil)); code != 5 {
			t.Errorf("%s to a host that is down returned %d, want 5", method, code)
		}
	}
	f.requireOn(f.src, vm.UUID, backends.StateRunning)
}
