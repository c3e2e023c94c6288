package migration

import (
	"strings"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

func TestMigrateRefusesAtOnceAndChangesNothing(t *testing.T) {
	f := newFixture(t, Options{})
	vm := f.runningVM(f.src, "web", 2048)
	saved := f.runningVM(f.src, "saved", 1024)
	if err := f.src.VMs().Save(f.Ctx, saved.UUID); err != nil {
		t.Fatal(err)
	}
	paused := f.runningVM(f.src, "paused", 1024)
	if err := f.src.VMs().Pause(f.Ctx, paused.UUID); err != nil {
		t.Fatal(err)
	}
	elsewhere := f.runningVM(f.dst, "elsewhere", 1024)
	full := f.DC.Hosts()[0]
	for _, h := range f.DC.Hosts() {
		if h != f.src && h != f.dst && h != f.alien {
			full = h
		}
	}
	f.hog(full, 1024)
	withNewSettings := append(toHost(vm.UUID, f.dst.ID(), nil),
		cim.Param{Name: "NewSystemSettingData", Value: cim.Embedded(cim.NewInstance(model.ClassVSSD).Set("ElementName", cim.String("renamed")))})
	tests := []struct {
		name   string
		method string
		in     cim.Params
		code   uint32
	}{
		{"unknown vm", "MigrateVirtualSystemToHost", toHost("00000000-0000-0000-0000-000000000000", f.dst.ID(), nil), 4},
		{"not a vm", "MigrateVirtualSystemToHost", cim.Params{{Name: "ComputerSystem", Value: cim.Ref(model.HostPath(f.src.ID()))},
			{Name: "DestinationHost", Value: cim.String(f.dst.ID())}}, 4},
		{"unknown destination host", "MigrateVirtualSystemToHost", toHost(vm.UUID, "nowhere.example", nil), 4},
		{"unknown destination system", "MigrateVirtualSystemToSystem", toSystem(vm.UUID, "no-such-host", nil), 4},
		{"destination is a vm", "MigrateVirtualSystemToSystem", cim.Params{{Name: "ComputerSystem", Value: cim.Ref(model.VMPath(vm.UUID))},
			{Name: "DestinationSystem", Value: cim.Ref(model.VMPath(elsewhere.UUID))}}, 4},
		{"no destination", "MigrateVirtualSystemToHost", toHost(vm.UUID, "", nil), 4},
		{"its own host", "MigrateVirtualSystemToHost", toHost(vm.UUID, hostname(f.src), nil), 4},
		{"its own host by reference", "MigrateVirtualSystemToSystem", toSystem(vm.UUID, f.src.ID(), nil), 4},
		{"vm of another host's service", "MigrateVirtualSystemToHost", toHost(elsewhere.UUID, f.dst.ID(), nil), 4},
		{"MigrationType 9", "MigrateVirtualSystemToHost", toHost(vm.UUID, f.dst.ID(), msd("MigrationType", cim.Uint16(9))), 4},
		{"MigrationType Other", "MigrateVirtualSystemToHost", toHost(vm.UUID, f.dst.ID(), msd("MigrationType", cim.Uint16(1))), 4},
		{"settings of another class", "MigrateVirtualSystemToHost", toHost(vm.UUID, f.dst.ID(), cim.NewInstance(model.ClassVSSD)), 4},
		{"bandwidth unit", "MigrateVirtualSystemToHost", toHost(vm.UUID, f.dst.ID(),
			msd("Bandwidth", cim.Uint16(10), "BandwidthUnit", cim.String("furlong / fortnight"))), 4},
		{"transport", "MigrateVirtualSystemToHost", toHost(vm.UUID, f.dst.ID(), msd("TransportType", cim.Uint16(2))), 6},
		{"new settings", "MigrateVirtualSystemToHost", withNewSettings, 6},
		{"other CPU vendor", "MigrateVirtualSystemToSystem", toSystem(vm.UUID, f.alien.ID(), nil), 6},
		{"destination short of memory", "MigrateVirtualSystemToHost", toHost(vm.UUID, full.ID(), nil), 5},
		{"saved vm", "MigrateVirtualSystemToHost", toHost(saved.UUID, f.dst.ID(), nil), 5},
		{"restart of a paused vm", "MigrateVirtualSystemToHost", toHost(paused.UUID, f.dst.ID(), msd("MigrationType", cim.Uint16(typeRestart))), 5},
	}
	before := len(f.Jobs.List())
	for _, tc := range tests {
		code, out := f.invoke(f.src, tc.method, tc.in)
		if code != tc.code {
			t.Errorf("%s: returned %d, want %d", tc.name, code, tc.code)
		}
		if _, ok := out.Get("Job"); ok {
			t.Errorf("%s: a job was returned with %d", tc.name, code)
		}
	}
	if n := len(f.Jobs.List()); n != before {
		t.Errorf("%d jobs started by refused calls", n-before)
	}
	f.requireOn(f.src, vm.UUID, backends.StateRunning)
	f.requireOn(f.src, saved.UUID, backends.StateSaved)
	f.requireOn(f.src, paused.UUID, backends.StatePaused)
	f.requireOn(f.dst, elsewhere.UUID, backends.StateRunning)
	// the methods of a service that does not exist are not found
	_, _, err := f.D.InvokeMethod(f.Ctx, ns, ServicePath("no-such-host"), "MigrateVirtualSystemToHost", toHost(vm.UUID, f.dst.ID(), nil))
	if cim.StatusOf(err) != cim.ErrNotFound {
		t.Errorf("service of an unknown host: %v", err)
	}
}

func TestFailedMigrationLeavesTheVMOnItsSource(t *testing.T) {
	f := newFixture(t, Options{})
	vm := f.runningVM(f.src, "busy", 2048)
	// 1 MiB/s cannot keep up with a guest dirtying 16 MiB/s
	j, _ := f.migrate(f.src, "MigrateVirtualSystemToHost", toHost(vm.UUID, f.dst.ID(), msd("Bandwidth", cim.Uint16(1))))
	if j.State != jobs.Exception {
		t.Fatalf("job %v, want Exception", j.State)
	}
	if j.ErrorCode != 6 || !strings.Contains(j.ErrorDescription, "did not converge") {
		t.Errorf("ErrorCode %d, ErrorDescription %q", j.ErrorCode, j.ErrorDescription)
	}
	f.requireOn(f.src, vm.UUID, backends.StateRunning)
	if _, err := f.dst.VMs().Get(f.Ctx, vm.UUID); err == nil {
		t.Error("the vm is also on the destination")
	}
}

func TestCancellingTheJobCancelsTheMigration(t *testing.T) {
	f := newFixture(t, Options{})
	vm := f.runningVM(f.src, "web", 4096)
	f.DC.Clock().SetAutoAdvance(false)
	code, out := f.invoke(f.src, "MigrateVirtualSystemToHost", toHost(vm.UUID, f.dst.ID(), nil))
	if code != 4096 {
		t.Fatalf("returned %d", code)
	}
	id := f.jobOf(out)
	waitFor(t, func() bool { j, _ := f.Jobs.Get(id); return strings.HasPrefix(j.Status, "live migration") })
	f.DC.Advance(time.Second) // part of the first round
	ret, _, err := f.D.InvokeMethod(f.Ctx, ns, f.Jobs.Path(id), "RequestStateChange", cim.Params{{Name: "RequestedState", Value: cim.Uint16(4)}})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := ret.AsUint64(); n != 0 && n != 4096 {
		t.Fatalf("RequestStateChange(Terminate) returned %d", n)
	}
	j := f.wait(id)
	if j.State != jobs.Terminated {
		t.Fatalf("job %v %q, want Terminated", j.State, j.ErrorDescription)
	}
	f.DC.Clock().SetAutoAdvance(true)
	f.requireOn(f.src, vm.UUID, backends.StateRunning)
	if _, err := f.dst.VMs().Get(f.Ctx, vm.UUID); err == nil {
		t.Error("the cancelled vm is on the destination")
	}
	// the host is free for the next migration
	if j, _ := f.migrate(f.src, "MigrateVirtualSystemToHost", toHost(vm.UUID, f.dst.ID(), nil)); j.State != jobs.Completed {
		t.Fatalf("migration after the cancel: %v %s", j.State, j.ErrorDescription)
	}
	f.requireOn(f.dst, vm.UUID, backends.StateRunning)
}

func TestCancelledResumeMigrationResumesTheVMOnItsSource(t *testing.T) {
	f := newFixture(t, Options{})
	vm := f.runningVM(f.src, "web", 4096)
	f.DC.Clock().SetAutoAdvance(false)
	code, out := f.invoke(f.src, "MigrateVirtualSystemToHost", toHost(vm.UUID, f.dst.ID(), msd("MigrationType", cim.Uint16(typeResume))))
	if code != 4096 {
		t.Fatalf("returned %d", code)
	}
	id := f.jobOf(out)
	waitFor(t, func() bool { j, _ := f.Jobs.Get(id); return strings.Contains(j.Status, "paused") })
	f.requireOn(f.src, vm.UUID, backends.StatePaused)
	if err := f.Jobs.Stop(id, false); err != nil {
		t.Fatal(err)
	}
	if j := f.wait(id); j.State != jobs.Terminated {
		t.Fatalf("job %v %q, want Terminated", j.State, j.ErrorDescription)
	}
	f.requireOn(f.src, vm.UUID, backends.StateRunning)
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not met in 10 s")
}
