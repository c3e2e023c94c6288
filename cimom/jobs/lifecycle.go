package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// persist writes the job's current record to the store: created the first
// time, replaced afterwards. Writes of one job are serialised, and each
// writes the record as it is when the write starts, so the store never
// goes back to an older state.
func (m *Manager) persist(ctx context.Context, e *entry) error {
	if m.cfg.Store == nil {
		return nil
	}
	e.wmu.Lock()
	defer e.wmu.Unlock()
	if e.deleted {
		return nil
	}
	rec := e.snapshot().record(m.cfg.Class)
	path := m.Path(e.id)
	var err error
	if e.stored {
		err = m.cfg.Store.ReplaceInstance(ctx, m.cfg.Namespace, path, rec)
	} else if err = m.cfg.Store.CreateInstance(ctx, m.cfg.Namespace, path, rec); err == nil {
		e.stored = true
	}
	if err != nil {
		m.log.Error("persist job", "job", e.id, "err", err)
		return fmt.Errorf("persist job %s: %w", e.id, err)
	}
	return nil
}

// reload restores the jobs the store holds, ending the unfinished ones.
func (m *Manager) reload(ctx context.Context) error {
	if m.cfg.Store == nil {
		return nil
	}
	var loaded []*entry
	err := m.cfg.Store.EnumerateInstances(ctx, m.cfg.Namespace, m.cfg.Class, func(_ cim.ObjectPath, in *cim.Instance) bool {
		j, err := fromRecord(in)
		if err != nil {
			m.log.Warn("skip unreadable job record", "err", err)
			return true
		}
		e := &entry{id: j.ID, job: j, stored: true, cancel: func() {}, done: make(chan struct{})}
		close(e.done)
		loaded = append(loaded, e)
		return true
	})
	if err != nil {
		return fmt.Errorf("reload jobs: %w", err)
	}
	for _, e := range loaded {
		m.jobs[e.id] = e
		if e.job.State.Finished() {
			continue
		}
		m.interrupt(ctx, e)
	}
	return nil
}

// interrupt ends a job whose work was lost with the process.
func (m *Manager) interrupt(ctx context.Context, e *entry) {
	now := m.now()
	e.update(func(j *Job) {
		desc := InterruptedByRestart
		if len(j.PendingUndo) > 0 {
			desc += "; not rolled back: " + strings.Join(j.PendingUndo, ", ")
		}
		j.State, j.Status, j.LastChange, j.Finished = Exception, Exception.String(), now, now
		j.ErrorDescription = desc
		j.ErrorCode = uint16(cim.ErrFailed)
		j.Errors = append(j.Errors, ErrorInstance(errors.New(desc), "Ferrum.Job.Interrupted", cim.ObjectPath{}))
	})
	_ = m.persist(ctx, e)
	m.logger(e.snapshot()).Warn("job finished", "result", Exception.String(), "err", InterruptedByRestart)
}

// Delete removes a finished job from memory and the store. It fails with
// ErrNotFinished while the job runs.
func (m *Manager) Delete(ctx context.Context, id string) error {
	m.mu.RLock()
	e, ok := m.jobs[id]
	m.mu.RUnlock()
	if !ok {
		return fmt.Errorf("delete job %s: %w", id, ErrNotFound)
	}
	if !e.finished() {
		return fmt.Errorf("delete job %s: %w", id, ErrNotFinished)
	}
	return m.remove(ctx, e)
}

func (m *Manager) remove(ctx context.Context, e *entry) error {
	m.mu.Lock()
	_, present := m.jobs[e.id]
	delete(m.jobs, e.id)
	m.mu.Unlock()
	if present {
		defer m.notify(e, JobRemoved)
	}
	e.wmu.Lock()
	defer e.wmu.Unlock()
	e.deleted = true
	if m.cfg.Store == nil || !e.stored {
		return nil
	}
	err := m.cfg.Store.DeleteInstance(ctx, m.cfg.Namespace, m.Path(e.id))
	if err != nil && cim.StatusOf(err) != cim.ErrNotFound {
		return fmt.Errorf("delete job %s: %w", e.id, err)
	}
	return nil
}

// SetRetention changes whether a job is removed after it finishes and how
// long after; a zero keep leaves TimeBeforeRemoval as it is.
func (m *Manager) SetRetention(ctx context.Context, id string, deleteOnCompletion bool, keep time.Duration) error {
	m.mu.RLock()
	e, ok := m.jobs[id]
	m.mu.RUnlock()
	if !ok {
		return fmt.Errorf("modify job %s: %w", id, ErrNotFound)
	}
	e.update(func(j *Job) {
		j.DeleteOnCompletion = deleteOnCompletion
		if keep > 0 {
			j.TimeBeforeRemoval = keep
		}
	})
	defer m.notify(e, JobUpdated)
	return m.persist(ctx, e)
}

// Sweep removes the finished jobs whose TimeBeforeRemoval has passed and
// returns how many it removed.
func (m *Manager) Sweep(ctx context.Context) int {
	m.mu.RLock()
	var expired []*entry
	for _, e := range m.jobs {
		if e.finished() && m.expired(e.snapshot()) {
			expired = append(expired, e)
		}
	}
	m.mu.RUnlock()
	for _, e := range expired {
		if err := m.remove(ctx, e); err != nil {
			m.log.Warn("remove expired job", "job", e.id, "err", err)
		}
	}
	return len(expired)
}

func (m *Manager) sweepLoop(t *time.Ticker) {
	for {
		select {
		case <-m.base.Done():
			return
		case <-t.C:
			m.Sweep(m.base)
		}
	}
}

// Close stops taking jobs and waits for the running ones to finish until
// ctx ends; then it cancels those still running (they roll back and end in
// Exception, "interrupted by a shutdown of ferrumd") and waits for them to
// return. Work must honour its context for Close to return.
func (m *Manager) Close(ctx context.Context) error {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	if m.sweeper != nil {
		m.sweeper.Stop()
	}
	idle := make(chan struct{})
	go func() {
		m.wg.Wait()
		close(idle)
	}()
	var err error
	select {
	case <-idle:
	case <-ctx.Done():
		err = ctx.Err()
		m.mu.Lock()
		m.shutdown = true
		m.mu.Unlock()
		m.stop()
		<-idle
	}
	m.stop()
	return err
}
