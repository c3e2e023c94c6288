package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/indication"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
)

// jobSteps spells the job indications of job id as "kind state percent".
func jobSteps(got []*cim.Instance, id string) []string {
	var out []string
	for _, ind := range about(got, "Ferrum_ConcreteJob", "InstanceID", id) {
		src := source(ind)
		out = append(out, fmt.Sprintf("%s %d %d", kinds([]*cim.Instance{ind})[0], uintOf(src, "JobState"), uintOf(src, "PercentComplete")))
	}
	return out
}

func TestJobLifecycleWithProgressRateLimit(t *testing.T) {
	f := newFixture(t, 1, func(c *Config) { c.ProgressInterval = 100 * time.Millisecond })
	j, err := f.jobs.Start(f.ctx, jobs.Spec{Name: "DefineSystem"}, func(ctx context.Context, p *jobs.Progress) (cim.Params, error) {
		p.Set(10) // right after Running: held back, and superseded
		p.Set(20)
		p.Set(30) // published when the interval ends
		time.Sleep(300 * time.Millisecond)
		p.Set(60) // the interval has passed: published at once
		return nil, nil
	})
	f.must(err)
	if _, err := f.jobs.Wait(f.ctx, j.ID); err != nil {
		t.Fatal(err)
	}
	f.must(f.jobs.Delete(f.ctx, j.ID))
	got := f.rec.waitFor(t, "the job's deletion", func(got []*cim.Instance) bool {
		s := jobSteps(got, j.ID)
		return len(s) > 0 && strings.HasPrefix(s[len(s)-1], "deletion")
	})
	want := []string{"creation 2 0", "modification 3 0", "modification 4 0", "modification 4 30",
		"modification 4 60", "modification 7 100", "deletion 7 100"}
	if s := jobSteps(got, j.ID); !slices.Equal(s, want) {
		t.Fatalf("job indications %q, want %q", s, want)
	}
	if n := len(alerts(got)); n != 0 {
		t.Fatalf("a completed job raised %d alerts", n)
	}
}

func TestFailedJobsRaiseAlerts(t *testing.T) {
	f := newFixture(t, 1, nil)
	fail := func(ctx context.Context, p *jobs.Progress) (cim.Params, error) { return nil, errors.New("disk full") }
	j1, err := f.jobs.Start(f.ctx, jobs.Spec{Name: "AddResourceSettings"}, fail)
	f.must(err)
	j2, err := f.jobs.Start(f.ctx, jobs.Spec{Name: "MigrateVirtualSystemToHost", VM: "web01", Host: "h-src"}, fail)
	f.must(err)
	for _, id := range []string{j1.ID, j2.ID} {
		if _, err := f.jobs.Wait(f.ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	got := f.rec.waitFor(t, "two alerts", func(got []*cim.Instance) bool { return len(alerts(got)) == 2 })
	byElement := map[string]*cim.Instance{}
	for _, a := range alerts(got) {
		byElement[a.Str("AlertingManagedElement")] = a
	}
	for _, j := range []jobs.Job{j1, j2} {
		a := byElement[f.jobs.Path(j.ID).String()]
		if a == nil {
			t.Fatalf("no alert names job %s; alerts:\n%s", j.ID, describeAll(alerts(got)))
		}
		if uintOf(a, "AlertType") != uint64(indication.AlertProcessingError) || uintOf(a, "PerceivedSeverity") != uint64(indication.SeverityMajor) ||
			uintOf(a, "ProbableCause") != uint64(causeSoftwareAbend) || uintOf(a, "AlertingElementFormat") != 2 {
			t.Errorf("job %s alert: %s", j.Name, describe(a))
		}
		if !strings.Contains(a.Str("Message"), "disk full") {
			t.Errorf("alert message %q lacks the error", a.Str("Message"))
		}
	}
	mig := byElement[f.jobs.Path(j2.ID).String()]
	if msg := mig.Str("Message"); !strings.Contains(msg, "Migration of virtual system web01 from host h-src") || mig.Str("SystemName") != "h-src" {
		t.Errorf("migration alert message %q, SystemName %q", msg, mig.Str("SystemName"))
	}
	// The failure shows in the job's last modification too.
	s := jobSteps(got, j1.ID)
	if s[len(s)-1] != "modification 10 0" {
		t.Errorf("failed job's indications %q end without Exception", s)
	}
}

// TestJobsFromBeforeTheServiceAreKnown: a job that finished before the
// service started is modified, not created, when its retention changes.
func TestJobsFromBeforeTheServiceAreKnown(t *testing.T) {
	f := newFixture(t, 1, nil)
	f.svc.Close()
	j, err := f.jobs.Start(f.ctx, jobs.Spec{Name: "Old", KeepAfterCompletion: true}, func(context.Context, *jobs.Progress) (cim.Params, error) { return nil, nil })
	f.must(err)
	if _, err := f.jobs.Wait(f.ctx, j.ID); err != nil {
		t.Fatal(err)
	}
	f.rec = newRecorder()
	f.svc, err = Start(f.ctx, Config{Dispatcher: f.d, Inventory: f.inv, Publisher: f.rec, HostID: f.p.HostID, Jobs: f.jobs,
		WatchedClasses: []string{}, Log: quiet})
	f.must(err)
	t.Cleanup(func() { _ = f.svc.Close() })
	f.must(f.jobs.SetRetention(f.ctx, j.ID, true, time.Hour))
	got := f.rec.waitFor(t, "the retention change", func(got []*cim.Instance) bool { return len(jobSteps(got, j.ID)) > 0 })
	if s := jobSteps(got, j.ID); !slices.Equal(s, []string{"modification 7 100"}) {
		t.Fatalf("retention change of an old job raised %q", s)
	}
}
