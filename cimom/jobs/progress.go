package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// Work is what a job does. It runs once, in its own goroutine, with a
// context that ends when the job is terminated or killed (or ferrumd shuts
// down). It reports progress and registers undo steps on p, and returns the
// method's output parameters. A non-nil error fails the job: the undo steps
// run and the job ends in Exception.
type Work func(ctx context.Context, p *Progress) (cim.Params, error)

// UndoFunc reverses one step of a job's work. It runs with a context that
// is not cancelled by the job's termination.
type UndoFunc func(ctx context.Context) error

type undoStep struct {
	name string
	fn   UndoFunc
}

// Progress is a job's handle on its own record, given to its Work. Its
// methods are safe for concurrent use. A Progress from Inline belongs to no
// job: Set, Status and Affect only log.
type Progress struct {
	m   *Manager
	e   *entry // nil for Inline
	log *slog.Logger

	mu   sync.Mutex
	undo []undoStep
}

// ID returns the job's InstanceID ("" for Inline work).
func (p *Progress) ID() string {
	if p.e == nil {
		return ""
	}
	return p.e.id
}

// Set records how far the work is, in percent (clamped to 0–100).
func (p *Progress) Set(percent int) {
	if p.e == nil {
		return
	}
	percent = min(max(percent, 0), 100)
	changed := false
	p.e.update(func(j *Job) { changed, j.PercentComplete = j.PercentComplete != percent, percent })
	if changed {
		p.m.notify(p.e, JobUpdated)
	}
}

// Status records the step the work is on as the job's JobStatus.
func (p *Progress) Status(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	p.log.Debug("job step", "status", msg)
	if p.e != nil {
		p.e.update(func(j *Job) { j.Status = msg })
	}
}

// Affect adds an element the job changes or creates, e.g. the new virtual
// system with EffectCreate; it shows through CIM_AffectedJobElement.
func (p *Progress) Affect(path cim.ObjectPath, effects ...uint16) {
	if p.e == nil {
		return
	}
	p.e.update(func(j *Job) { j.Affected = append(j.Affected, Affected{Path: path, Effects: effects}) })
}

// Undo registers a step that reverses something the work has just done.
// If the job fails or is stopped, the steps run in reverse order of
// registration. The step's name is persisted until the job finishes, so
// that a job lost to a restart tells what it left behind.
func (p *Progress) Undo(name string, fn UndoFunc) {
	p.mu.Lock()
	p.undo = append(p.undo, undoStep{name: name, fn: fn})
	names := p.pendingLocked()
	p.mu.Unlock()
	if p.e != nil {
		p.e.update(func(j *Job) { j.PendingUndo = names })
		p.m.persist(context.Background(), p.e)
	}
}

func (p *Progress) pendingLocked() []string {
	names := make([]string, len(p.undo))
	for i, s := range p.undo {
		names[i] = s.name
	}
	return names
}

// Log returns the job's logger, carrying its job, op, user, vm and host.
func (p *Progress) Log() *slog.Logger { return p.log }

// rollback runs the undo steps in reverse order and returns the failures,
// each wrapped with the step's name.
func (p *Progress) rollback(ctx context.Context) []error {
	p.mu.Lock()
	steps := p.undo
	p.undo = nil
	p.mu.Unlock()
	var errs []error
	for i := len(steps) - 1; i >= 0; i-- {
		s := steps[i]
		if err := runUndo(ctx, s); err != nil {
			p.log.Error("job undo step failed", "step", s.name, "err", err)
			errs = append(errs, fmt.Errorf("undo %s: %w", s.name, err))
			continue
		}
		p.log.Info("job undo step done", "step", s.name)
	}
	return errs
}

// runUndo runs one step, turning a panic into an error.
func runUndo(ctx context.Context, s undoStep) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return s.fn(ctx)
}

// Inline runs work synchronously with the rollback semantics of a job but
// no job record: when work fails, its undo steps run in reverse order, and
// the error returned joins the work's error with any undo failure. Methods
// that complete synchronously use it.
func Inline(ctx context.Context, log *slog.Logger, work Work) (cim.Params, error) {
	if log == nil {
		log = slog.Default()
	}
	p := &Progress{log: log}
	out, err := runWork(ctx, p, work)
	if err == nil {
		return out, nil
	}
	undoErrs := p.rollback(context.WithoutCancel(ctx))
	return nil, errors.Join(append([]error{err}, undoErrs...)...)
}

// runWork calls work, turning a panic into an error so that a faulty
// provider fails its job instead of ferrumd.
func runWork(ctx context.Context, p *Progress, work Work) (out cim.Params, err error) {
	defer func() {
		if r := recover(); r != nil {
			p.log.Error("job work panicked", "panic", r)
			out, err = nil, fmt.Errorf("internal error: panic: %v", r)
		}
	}()
	return work(ctx, p)
}
