package migration

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// drive advances the virtual clock by step until job id finishes, and
// returns the distinct (percent, status) pairs the job showed meanwhile.
func (f *fixture) drive(id string, step time.Duration) (jobs.Job, []jobs.Job) {
	f.T.Helper()
	var seen []jobs.Job
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		j, ok := f.Jobs.Get(id)
		if !ok {
			f.T.Fatalf("job %s vanished", id)
		}
		if j.State.Finished() {
			return j, seen
		}
		if n := len(seen); n == 0 || seen[n-1].Status != j.Status || seen[n-1].PercentComplete != j.PercentComplete {
			seen = append(seen, j)
		}
		f.DC.Advance(step)
		time.Sleep(time.Millisecond)
	}
	f.T.Fatalf("job %s did not finish", id)
	return jobs.Job{}, nil
}

func outParam(t *testing.T, j jobs.Job, name string) cim.Value {
	t.Helper()
	v, ok := j.Out.Get(name)
	if !ok {
		t.Fatalf("job output %v has no %s", j.Out, name)
	}
	return v
}

func TestLiveMigrationReportsProgressAndMovesTheVMThereAndBack(t *testing.T) {
	f := newFixture(t, Options{})
	vm := f.runningVM(f.src, "web", 2048)
	vmPath := model.VMPath(vm.UUID)
	f.DC.Clock().SetAutoAdvance(false)
	code, out := f.invoke(f.src, "MigrateVirtualSystemToHost", toHost(vm.UUID, hostname(f.dst), msd("MigrationType", cim.Uint16(typeLive))))
	if code != 4096 {
		t.Fatalf("MigrateVirtualSystemToHost returned %d", code)
	}
	id := f.jobOf(out)
	if got := f.Associators(f.Jobs.Path(id), jobs.OwningClass, ""); !slices.Equal(got, canon(ServicePath(f.src.ID()))) {
		t.Errorf("job owned by %v", got)
	}
	j, seen := f.drive(id, 500*time.Millisecond)
	if j.State != jobs.Completed || j.PercentComplete != 100 {
		t.Fatalf("job %v %d%%: %s", j.State, j.PercentComplete, j.ErrorDescription)
	}
	var rounds []jobs.Job
	for _, s := range seen {
		if strings.HasPrefix(s.Status, "round ") {
			rounds = append(rounds, s)
		}
	}
	if len(rounds) == 0 {
		t.Fatalf("no round reported while running: %+v", seen)
	}
	for i, r := range rounds {
		if r.State != jobs.Running || r.PercentComplete <= 0 || r.PercentComplete >= 100 ||
			!strings.Contains(r.Status, "sent") || !strings.Contains(r.Status, "remaining") {
			t.Errorf("progress %d: %v %d%% %q", i, r.State, r.PercentComplete, r.Status)
		}
		if i > 0 && r.PercentComplete < rounds[i-1].PercentComplete {
			t.Errorf("progress went back: %d%% after %d%%", r.PercentComplete, rounds[i-1].PercentComplete)
		}
	}
	if n, _ := outParam(t, j, "Rounds").AsUint64(); n < 1 {
		t.Errorf("Rounds %d", n)
	}
	if n, _ := outParam(t, j, "BytesSent").AsUint64(); n < 2048<<20 {
		t.Errorf("BytesSent %d for a 2 GiB VM", n)
	}
	if d, _ := outParam(t, j, "Downtime").AsDatetime(); d.String() == "" {
		t.Errorf("no Downtime")
	}
	jobInst := f.Get(f.Jobs.Path(id))
	if jo, _ := jobInst.Get("JobOutParameters"); jo.AsInstance() == nil || jo.AsInstance().Str("NewComputerSystem") != vmPath.String() {
		t.Errorf("JobOutParameters %v", jo)
	}

	f.requireOn(f.dst, vm.UUID, backends.StateRunning)
	if got := uintOf(f.Get(vmPath), "EnabledState"); got != 2 {
		t.Errorf("EnabledState %d after the migration", got)
	}
	if got := f.Associators(vmPath, model.AssocHostedDependency, ""); !slices.Equal(got, canon(model.HostPath(f.dst.ID()))) {
		t.Errorf("vm hosted by %v after the migration", got)
	}
	if got := f.Associators(model.HostPath(f.src.ID()), model.AssocHostedDependency, ""); slices.Contains(got, vmPath.Canonical()) {
		t.Errorf("source still hosts the vm: %v", got)
	}

	// and back, by reference, from the destination's service
	f.DC.Clock().SetAutoAdvance(true)
	j, out = f.migrate(f.dst, "MigrateVirtualSystemToSystem", toSystem(vm.UUID, f.src.ID(), nil))
	if j.State != jobs.Completed {
		t.Fatalf("migration back: %v %s", j.State, j.ErrorDescription)
	}
	if v, _ := out.Get("NewComputerSystem"); v.String() == "" {
		t.Errorf("no NewComputerSystem with 4096: %v", out)
	} else if ref, _ := v.AsRef(); !ref.Equal(vmPath) {
		t.Errorf("NewComputerSystem %v", ref)
	}
	f.requireOn(f.src, vm.UUID, backends.StateRunning)
	if got := f.Associators(vmPath, model.AssocHostedDependency, ""); !slices.Equal(got, canon(model.HostPath(f.src.ID()))) {
		t.Errorf("vm hosted by %v after the migration back", got)
	}
}

func TestResumeRestartAndOfflineMigrations(t *testing.T) {
	f := newFixture(t, Options{})
	tests := []struct {
		name  string
		kind  uint16
		start bool
		want  backends.State
		ran   uint16 // MigrationType in the job's output
	}{
		{"resume", typeResume, true, backends.StateRunning, typeResume},
		{"restart", typeRestart, true, backends.StateRunning, typeRestart},
		{"stopped vm moves offline", typeLive, false, backends.StateOff, typeOther},
	}
	for _, tc := range tests {
		vm := f.stoppedVM(f.src, strings.ReplaceAll(tc.name, " ", "-"), 1024)
		if tc.start {
			if err := f.src.VMs().Start(f.Ctx, vm.UUID); err != nil {
				t.Fatal(err)
			}
		}
		j, _ := f.migrate(f.src, "MigrateVirtualSystemToHost", toHost(vm.UUID, f.dst.ID(), msd("MigrationType", cim.Uint16(tc.kind))))
		if j.State != jobs.Completed {
			t.Errorf("%s: job %v: %s", tc.name, j.State, j.ErrorDescription)
			continue
		}
		f.requireOn(f.dst, vm.UUID, tc.want)
		if n, _ := outParam(t, j, "MigrationType").AsUint64(); uint16(n) != tc.ran {
			t.Errorf("%s: ran as MigrationType %d, want %d", tc.name, n, tc.ran)
		}
	}
}

func TestBandwidthCapsTheCopyRate(t *testing.T) {
	f := newFixture(t, Options{})
	total := func(name string, bw uint16, unit string) time.Duration {
		vm := f.runningVM(f.src, name, 2048)
		set := msd("Bandwidth", cim.Uint16(bw))
		if unit != "" {
			set.Set("BandwidthUnit", cim.String(unit))
		}
		j, _ := f.migrate(f.src, "MigrateVirtualSystemToHost", toHost(vm.UUID, f.dst.ID(), set))
		if j.State != jobs.Completed {
			t.Fatalf("%s: %v %s", name, j.State, j.ErrorDescription)
		}
		d, _ := outParam(t, j, "TotalTime").AsDatetime()
		took, err := d.Duration()
		if err != nil {
			t.Fatalf("%s: TotalTime %v: %v", name, d, err)
		}
		return took
	}
	link := total("link", 0, "")
	mib := total("mib", 100, "")                      // 100 MiB/s, the default unit
	mbit := total("mbit", 400, "bit / second * 10^6") // 50 MB/s
	pct := total("pct", 50, "percent")                // half the link
	if min := 2048 * time.Second / 100; mib < min || mib > 2*min {
		t.Errorf("100 MiB/s: %v, want about %v", mib, min)
	}
	if min := time.Duration(2048<<20) * time.Second / 50e6; mbit < min || mbit > 2*min {
		t.Errorf("400 Mbit/s: %v, want about %v", mbit, min)
	}
	if pct < 3*link/2 {
		t.Errorf("50%% of the link: %v, at full link %v", pct, link)
	}
	t.Logf("2 GiB live migration: link %v, 100 MiB/s %v, 400 Mbit/s %v, 50%% %v", link, mib, mbit, pct)
}
