package lifecycle

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/indication"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
)

// jobTracker raises the indications of the job manager's jobs.
type jobTracker struct {
	s *Service

	mu      sync.Mutex
	jobs    map[string]*jobEntry
	stopped bool
}

// jobEntry is what was last published about a job.
type jobEntry struct {
	last    *cim.Instance
	state   jobs.State
	at      time.Time     // when last was published
	pending *cim.Instance // a progress change held back by the rate limit
	timer   *time.Timer
}

func (t *jobTracker) init(s *Service) {
	t.s, t.jobs = s, map[string]*jobEntry{}
}

// seed records the jobs that exist when the service starts (reloaded
// from an earlier run, say) as known, so that their later changes are
// modifications. Jobs the observer already reported are left alone.
func (t *jobTracker) seed() {
	m := t.s.cfg.Jobs
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, j := range m.List() {
		if t.jobs[j.ID] == nil {
			t.jobs[j.ID] = &jobEntry{last: m.Instance(j), state: j.State}
		}
	}
}

// stop cancels the held-back progress changes.
func (t *jobTracker) stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stopped = true
	for _, e := range t.jobs {
		if e.timer != nil {
			e.timer.Stop()
		}
	}
}

// observe is the job manager's observer (jobs.Manager.Observe).
func (t *jobTracker) observe(c jobs.Change) {
	m := t.s.cfg.Jobs
	ctx := t.s.ctx
	in := m.Instance(c.Job)
	path := m.Path(c.Job.ID)
	jns := m.Namespace()
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return
	}
	e := t.jobs[c.Job.ID]
	switch {
	case c.Kind == jobs.JobRemoved:
		delete(t.jobs, c.Job.ID)
		if e != nil {
			e.cancelPending()
			in = e.last
		}
		t.s.publish(ctx, jns, indication.InstDeletion(jns, in, path))
		return
	case e == nil:
		t.jobs[c.Job.ID] = &jobEntry{last: in, state: c.Job.State, at: time.Now()}
		t.s.publish(ctx, jns, indication.InstCreation(jns, in, path))
		return
	case e.state == c.Job.State && onlyProgress(e.last, in) && time.Since(e.at) < t.s.cfg.ProgressInterval:
		t.hold(e, c.Job.ID, in)
		return
	}
	t.publishChange(e, c.Job.ID, in)
	if e.state != c.Job.State {
		e.state = c.Job.State
		if c.Job.State == jobs.Exception || c.Job.State == jobs.Killed {
			t.s.alert(ctx, jobAlert(c.Job, path), c.Job.Host)
		}
		if c.Job.State.Finished() {
			t.s.elements.trigger()
		}
	}
}

// publishChange publishes job id's modification to in, if anything
// changed. Called with t.mu held.
func (t *jobTracker) publishChange(e *jobEntry, id string, in *cim.Instance) {
	e.cancelPending()
	if len(indication.ChangedProperties(e.last, in)) == 0 {
		return
	}
	m := t.s.cfg.Jobs
	t.s.publish(t.s.ctx, m.Namespace(), indication.InstModification(m.Namespace(), e.last, in, m.Path(id)))
	e.last, e.at = in, time.Now()
}

// hold keeps a progress change until the job's rate limit allows it.
func (t *jobTracker) hold(e *jobEntry, id string, in *cim.Instance) {
	e.pending = in
	if e.timer != nil {
		return
	}
	e.timer = time.AfterFunc(t.s.cfg.ProgressInterval-time.Since(e.at), func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		if t.stopped || t.jobs[id] != e || e.pending == nil {
			return
		}
		in := e.pending
		e.timer = nil
		t.publishChange(e, id, in)
	})
}

func (e *jobEntry) cancelPending() {
	if e.timer != nil {
		e.timer.Stop()
		e.timer = nil
	}
	e.pending = nil
}

// onlyProgress reports whether prev and cur differ in PercentComplete
// (and the times that move with it) only.
func onlyProgress(prev, cur *cim.Instance) bool {
	changed := indication.ChangedProperties(prev, cur)
	progress := false
	for _, n := range changed {
		switch strings.ToLower(n) {
		case "percentcomplete":
			progress = true
		case "elapsedtime", "jobstatus":
		default:
			return false
		}
	}
	return progress
}

// jobAlert is the alert of a job that failed or was killed.
func jobAlert(j jobs.Job, path cim.ObjectPath) indication.Alert {
	msg := fmt.Sprintf("Job %s (%s) ended in %s: %s", j.ID, j.Name, j.State, j.ErrorDescription)
	id := "FRM0110"
	if strings.HasPrefix(j.Name, "MigrateVirtualSystem") {
		msg = fmt.Sprintf("Migration of virtual system %s from host %s failed (%s, job %s): %s",
			j.VM, j.Host, j.State, j.ID, j.ErrorDescription)
		id = "FRM0111"
	}
	return indication.Alert{AlertType: indication.AlertProcessingError, PerceivedSeverity: indication.SeverityMajor,
		ProbableCause: causeSoftwareAbend, Element: path, Message: msg, MessageID: id,
		Description: "a job did not complete"}
}
