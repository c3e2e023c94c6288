package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ferrum-virt/ferrum/cimom/auth"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/google/uuid"
)

// A Store persists job records; cimom.InstanceStore (cimom.SQLStore in
// production, cimom.MemoryStore in tests) satisfies it. Errors follow
// cimom.InstanceStore: *cim.Error with CIM_ERR_NOT_FOUND or
// CIM_ERR_ALREADY_EXISTS.
type Store interface {
	CreateInstance(ctx context.Context, ns string, path cim.ObjectPath, inst *cim.Instance) error
	ReplaceInstance(ctx context.Context, ns string, path cim.ObjectPath, inst *cim.Instance) error
	DeleteInstance(ctx context.Context, ns string, path cim.ObjectPath) error
	EnumerateInstances(ctx context.Context, ns, class string, yield func(cim.ObjectPath, *cim.Instance) bool) error
}

// Config shapes a Manager. The zero value works: in-memory jobs in
// root/virt, eight workers, the real clock.
type Config struct {
	Store     Store  // nil keeps jobs in memory only
	Namespace string // where jobs live; default "root/virt"
	Class     string // default "Ferrum_ConcreteJob"
	// Workers bounds how many jobs run at once; more wait in state New.
	// Default 8.
	Workers int
	// Now is the clock of the CIM datetimes and of expiry; default
	// time.Now. Tests pass a virtual clock.
	Now func() time.Time
	// SweepInterval is how often a background goroutine removes expired
	// jobs (default one minute; negative disables it). Expired jobs are
	// hidden from Get and List at once whatever the interval.
	SweepInterval time.Duration
	// NewID returns a new job InstanceID; default "Ferrum:Job:" + a UUID.
	NewID func() string
	Log   *slog.Logger // default slog.Default()
}

// A Manager runs jobs and keeps their records. It is safe for concurrent
// use.
type Manager struct {
	cfg  Config
	log  *slog.Logger
	sem  chan struct{}
	base context.Context // ends when Close gives up waiting
	stop context.CancelFunc
	wg   sync.WaitGroup

	mu       sync.RWMutex
	jobs     map[string]*entry
	closed   bool
	shutdown bool // base was cancelled by Close
	sweeper  *time.Ticker

	obs observers // see Observe
}

// entry is one job: its record and what controls its run.
type entry struct {
	id string

	mu     sync.Mutex
	job    Job
	stopAs State // Terminated or Killed once requested

	wmu     sync.Mutex // orders this job's writes to the store
	stored  bool
	deleted bool

	cancel context.CancelFunc
	done   chan struct{} // closed once the final state is persisted
}

func (e *entry) update(f func(*Job)) {
	e.mu.Lock()
	f(&e.job)
	e.mu.Unlock()
}

func (e *entry) snapshot() Job {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.job.clone()
}

func (e *entry) finished() bool {
	select {
	case <-e.done:
		return true
	default:
		return false
	}
}

// NewManager returns a Manager that has reloaded the jobs cfg.Store holds.
// Jobs that had not finished are ended in Exception with the description
// InterruptedByRestart, since their work cannot be resumed.
func NewManager(ctx context.Context, cfg Config) (*Manager, error) {
	cfg = withDefaults(cfg)
	m := &Manager{cfg: cfg, log: cfg.Log, sem: make(chan struct{}, cfg.Workers), jobs: map[string]*entry{}}
	m.base, m.stop = context.WithCancel(context.Background())
	if err := m.reload(ctx); err != nil {
		return nil, err
	}
	if cfg.SweepInterval > 0 {
		m.sweeper = time.NewTicker(cfg.SweepInterval)
		go m.sweepLoop(m.sweeper)
	}
	return m, nil
}

func withDefaults(cfg Config) Config {
	if cfg.Namespace == "" {
		cfg.Namespace = "root/virt"
	}
	if cfg.Class == "" {
		cfg.Class = "Ferrum_ConcreteJob"
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 8
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SweepInterval == 0 {
		cfg.SweepInterval = time.Minute
	}
	if cfg.NewID == nil {
		cfg.NewID = func() string { return "Ferrum:Job:" + uuid.NewString() }
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return cfg
}

// Namespace returns the namespace the jobs live in.
func (m *Manager) Namespace() string { return m.cfg.Namespace }

// Class returns the jobs' class name.
func (m *Manager) Class() string { return m.cfg.Class }

// Path returns the object path of the job with InstanceID id.
func (m *Manager) Path(id string) cim.ObjectPath {
	return cim.NewInstancePath(m.cfg.Namespace, m.cfg.Class,
		cim.KeyBinding{Name: "InstanceID", Value: cim.String(id)})
}

func (m *Manager) now() time.Time { return m.cfg.Now() }

// logger returns a logger carrying the audit keys of j.
func (m *Manager) logger(j Job) *slog.Logger {
	return m.log.With("job", j.ID, "op", j.Name, "user", j.Owner, "vm", j.VM, "host", j.Host)
}

// Start records a new job in state New, persists it and runs work as soon
// as a worker is free. It returns the job as recorded. The job outlives
// ctx: only its values (the principal, for one) are kept. Start fails with
// ErrClosed after Close, and with the store's error when the job cannot be
// persisted (then nothing runs).
func (m *Manager) Start(ctx context.Context, spec Spec, work Work) (Job, error) {
	now := m.now()
	j := Job{
		ID: m.cfg.NewID(), Name: spec.Name, Description: spec.Description, Owner: spec.Owner,
		VM: spec.VM, Host: spec.Host, State: New, Status: New.String(),
		Submitted: now, LastChange: now,
		DeleteOnCompletion: !spec.KeepAfterCompletion, TimeBeforeRemoval: DefaultTimeBeforeRemoval,
		In: append(cim.Params(nil), spec.In...), OwningElement: spec.OwningElement,
		Affected: append([]Affected(nil), spec.Affected...),
	}
	if spec.TimeBeforeRemoval > 0 {
		j.TimeBeforeRemoval = spec.TimeBeforeRemoval
	}
	if j.Owner == "" {
		if p, ok := auth.PrincipalFrom(ctx); ok {
			j.Owner = p.User
		}
	}
	jctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	e := &entry{id: j.ID, job: j, cancel: cancel, done: make(chan struct{})}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		cancel()
		return Job{}, ErrClosed
	}
	m.jobs[j.ID] = e
	m.wg.Add(1)
	m.mu.Unlock()
	if err := m.persist(ctx, e); err != nil {
		m.mu.Lock()
		delete(m.jobs, j.ID)
		m.mu.Unlock()
		m.wg.Done()
		cancel()
		return Job{}, fmt.Errorf("start job %s: %w", spec.Name, err)
	}
	stopWithManager := context.AfterFunc(m.base, cancel)
	m.notify(e, JobSubmitted)
	m.logger(j).Info("job submitted")
	go func() {
		defer m.wg.Done()
		defer stopWithManager()
		defer cancel()
		m.run(jctx, e, work)
	}()
	return j.clone(), nil
}

// run waits for a worker, runs the work and records how it ended.
func (m *Manager) run(ctx context.Context, e *entry, work Work) {
	log := m.logger(e.snapshot())
	select {
	case m.sem <- struct{}{}:
	case <-ctx.Done():
		m.finish(ctx, e, log, nil, ctx.Err(), nil)
		return
	}
	defer func() { <-m.sem }()
	m.transition(e, Starting, nil)
	m.transition(e, Running, func(j *Job) { j.Started = j.LastChange })
	log.Info("job started")
	p := &Progress{m: m, e: e, log: log}
	out, err := runWork(ctx, p, work)
	var undoErrs []error
	if err != nil {
		undoErrs = p.rollback(context.WithoutCancel(ctx))
	}
	m.finish(ctx, e, log, out, err, undoErrs)
}

// transition moves e to state s, applies f, and persists.
func (m *Manager) transition(e *entry, s State, f func(*Job)) {
	now := m.now()
	e.update(func(j *Job) {
		j.State, j.Status, j.LastChange = s, s.String(), now
		if f != nil {
			f(j)
		}
	})
	_ = m.persist(context.Background(), e)
	m.notify(e, JobUpdated)
}

// finish records the final state: Completed when err is nil, Terminated or
// Killed when a client stopped the job, Exception otherwise.
func (m *Manager) finish(ctx context.Context, e *entry, log *slog.Logger, out cim.Params, err error, undoErrs []error) {
	state, desc := m.outcome(ctx, e, err)
	m.transition(e, state, func(j *Job) {
		j.Finished = j.LastChange
		if state == Completed {
			j.PercentComplete = 100
			j.Out = withReturnValue(out)
			j.PendingUndo = nil
			return
		}
		j.ErrorCode = errorCode(err)
		j.ErrorDescription = desc
		j.Errors = []*cim.Instance{ErrorInstance(err, "Ferrum.Job."+state.String(), cim.ObjectPath{})}
		j.PendingUndo = nil
		for _, ue := range undoErrs {
			j.Errors = append(j.Errors, ErrorInstance(ue, "Ferrum.Job.UndoFailed", cim.ObjectPath{}))
			j.PendingUndo = append(j.PendingUndo, ue.Error())
		}
	})
	close(e.done)
	level := slog.LevelInfo
	if state != Completed {
		level = slog.LevelWarn
	}
	log.Log(context.Background(), level, "job finished", "result", state.String(), "err", err, "undo_failures", len(undoErrs))
}

func (m *Manager) outcome(ctx context.Context, e *entry, err error) (State, string) {
	if err == nil {
		return Completed, ""
	}
	e.mu.Lock()
	stopAs := e.stopAs
	e.mu.Unlock()
	m.mu.RLock()
	shutdown := m.shutdown
	m.mu.RUnlock()
	switch {
	case stopAs != 0 && ctx.Err() != nil:
		return stopAs, fmt.Sprintf("%s by request: %v", strings.ToLower(stopAs.String()), err)
	case shutdown && ctx.Err() != nil:
		return Exception, "interrupted by a shutdown of ferrumd: " + err.Error()
	}
	return Exception, err.Error()
}

func withReturnValue(out cim.Params) cim.Params {
	out = append(cim.Params(nil), out...)
	if _, ok := out.Get(ReturnValueParam); !ok {
		out = append(out, cim.Param{Name: ReturnValueParam, Value: cim.Uint32(0)})
	}
	return out
}

// Get returns the job with InstanceID id; false when there is none or it
// has expired.
func (m *Manager) Get(id string) (Job, bool) {
	m.mu.RLock()
	e, ok := m.jobs[id]
	m.mu.RUnlock()
	if !ok {
		return Job{}, false
	}
	j := e.snapshot()
	if m.expired(j) {
		return Job{}, false
	}
	return j, true
}

// List returns every job that has not expired, in submission order.
func (m *Manager) List() []Job {
	m.mu.RLock()
	out := make([]Job, 0, len(m.jobs))
	for _, e := range m.jobs {
		if j := e.snapshot(); !m.expired(j) {
			out = append(out, j)
		}
	}
	m.mu.RUnlock()
	slices.SortFunc(out, func(a, b Job) int {
		if c := a.Submitted.Compare(b.Submitted); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

func (m *Manager) expired(j Job) bool {
	at, ok := j.expires()
	return ok && !m.now().Before(at)
}

// Wait blocks until the job has finished or ctx ends, and returns it.
func (m *Manager) Wait(ctx context.Context, id string) (Job, error) {
	m.mu.RLock()
	e, ok := m.jobs[id]
	m.mu.RUnlock()
	if !ok {
		return Job{}, fmt.Errorf("wait for job %s: %w", id, ErrNotFound)
	}
	select {
	case <-e.done:
		return e.snapshot(), nil
	case <-ctx.Done():
		return e.snapshot(), fmt.Errorf("wait for job %s: %w", id, ctx.Err())
	}
}

// Stop asks a job to end: its context is cancelled, its undo steps run, and
// it ends Killed when kill is true, Terminated otherwise (Completed if the
// work finished first). It does not wait; see Wait. It fails with
// ErrFinished for a job that has already finished.
func (m *Manager) Stop(id string, kill bool) error {
	m.mu.RLock()
	e, ok := m.jobs[id]
	m.mu.RUnlock()
	if !ok {
		return fmt.Errorf("stop job %s: %w", id, ErrNotFound)
	}
	if e.finished() {
		return fmt.Errorf("stop job %s: %w", id, ErrFinished)
	}
	e.mu.Lock()
	if e.stopAs == 0 {
		e.stopAs = Terminated
		if kill {
			e.stopAs = Killed
		}
	}
	e.mu.Unlock()
	e.cancel()
	m.logger(e.snapshot()).Info("job stop requested", "kill", kill)
	return nil
}
