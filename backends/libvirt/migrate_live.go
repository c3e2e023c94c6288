package libvirt

import (
	"context"
	"fmt"
	"time"

	golibvirt "github.com/digitalocean/go-libvirt"

	"github.com/ferrum-virt/ferrum/backends"
)

// migrateLive runs a peer-to-peer live migration and watches its job.
func (h *Host) migrateLive(ctx context.Context, d golibvirt.Domain, dst *Host, opts backends.MigrateOptions) (backends.MigrationResult, error) {
	downtime := opts.MaxDowntime
	if downtime <= 0 {
		downtime = backends.DefaultMaxDowntime
	}
	if err := h.l.DomainMigrateSetMaxDowntime(d, uint64(downtime.Milliseconds()), 0); err != nil {
		return backends.MigrationResult{}, wrap(err, "set max downtime of vm %s on %s", d.Name, h)
	}
	flags := golibvirt.MigrateLive | golibvirt.MigratePeer2peer | golibvirt.MigratePersistDest |
		golibvirt.MigrateUndefineSource
	if opts.AutoConverge {
		flags |= golibvirt.MigrateAutoConverge
	}
	var params []golibvirt.TypedParam
	if opts.Bandwidth > 0 {
		mibps := (opts.Bandwidth + 1<<20 - 1) >> 20 // libvirt takes MiB/s
		params = append(params, golibvirt.TypedParam{Field: golibvirt.MigrateParamBandwidth,
			Value: *golibvirt.NewTypedParamValueUllong(mibps)})
	}
	maxRounds := opts.MaxRounds
	if maxRounds <= 0 {
		maxRounds = DefaultMaxRounds
	}
	start := time.Now()
	done := make(chan error, 1)
	go func() {
		_, err := h.l.DomainMigratePerform3Params(d, golibvirt.OptString{dst.peerURI}, params, nil, flags)
		done <- err
	}()
	w := jobWatch{h: h, d: d, vm: domainID(d), start: start, progress: opts.Progress}
	tick := time.NewTicker(jobPollInterval)
	defer tick.Stop()
	var abortWhy error
	for {
		select {
		case err := <-done:
			if err != nil {
				if abortWhy != nil {
					return w.result(), fmt.Errorf("migrate vm %s from %s to %s: %w", d.Name, h, dst, abortWhy)
				}
				return w.result(), wrap(err, "migrate vm %s from %s to %s", d.Name, h, dst)
			}
			return h.finished(d, dst, w), nil
		case <-ctx.Done():
			if abortWhy == nil {
				abortWhy = ctx.Err()
				h.abort(d)
			}
		case <-tick.C:
			w.poll()
			if abortWhy == nil && w.round > maxRounds {
				abortWhy = fmt.Errorf("aborted after %d rounds, at most %d: %w", w.round, maxRounds,
					backends.ErrNotConverged)
				h.abort(d)
			}
		}
	}
}

// abort cancels the domain's migration job; the guest keeps running on the
// source.
func (h *Host) abort(d golibvirt.Domain) {
	if err := h.l.DomainAbortJob(d); err != nil {
		h.log.Warn("libvirt abort migration", "host", h.static.Hostname, "vm", d.Name, "err", err)
	}
}

// jobWatch follows a migration job's statistics and reports each new
// pre-copy round.
type jobWatch struct {
	h        *Host
	d        golibvirt.Domain
	vm       string
	start    time.Time
	progress func(backends.MigrationProgress)
	round    int
	last     backends.MigrationProgress
}

// poll reads the job statistics; a round counter that moved is reported to
// the caller's Progress and as an EventMigration.
func (w *jobWatch) poll() {
	typ, params, err := w.h.l.DomainGetJobStats(w.d, 0)
	if err != nil || typ == 0 { // no job (yet, or any more)
		return
	}
	m := newStatParams(params)
	round := int(m[golibvirt.DomainJobMemoryIteration])
	if round <= w.round {
		return
	}
	w.round = round
	w.last = backends.MigrationProgress{
		VM: w.vm, Round: round, Elapsed: time.Since(w.start),
		BytesSent:      m[golibvirt.DomainJobMemoryProcessed],
		BytesRemaining: m[golibvirt.DomainJobMemoryRemaining],
		DirtyRate:      m[golibvirt.DomainJobMemoryDirtyRate] * max(m[golibvirt.DomainJobMemoryPageSize], 4096),
		ThrottlePct:    int(m[golibvirt.DomainJobAutoConvergeThrottle]),
	}
	if w.progress != nil {
		w.progress(w.last)
	}
	p := w.last
	w.h.publish(backends.Event{Type: backends.EventMigration, VM: w.vm, VMName: w.d.Name,
		State: backends.StateRunning, Migration: &p}, time.Now())
}

// result reports what the watch saw, for a migration that did not finish.
func (w *jobWatch) result() backends.MigrationResult {
	return backends.MigrationResult{Rounds: w.round, BytesSent: w.last.BytesSent, TotalTime: time.Since(w.start),
		ThrottlePct: w.last.ThrottlePct}
}

// finished reports a completed migration from the destination's record of
// the job (the source has undefined the VM), falling back to what the
// watch saw.
func (h *Host) finished(d golibvirt.Domain, dst *Host, w jobWatch) backends.MigrationResult {
	res := w.result()
	dd, err := dst.l.DomainLookupByUUID(d.UUID)
	if err != nil {
		return res
	}
	_, params, err := dst.l.DomainGetJobStats(dd, golibvirt.DomainJobStatsCompleted)
	if err != nil {
		h.log.Debug("libvirt completed job stats unavailable", "host", dst.static.Hostname, "vm", d.Name, "err", err)
		return res
	}
	m := newStatParams(params)
	if v, ok := m[golibvirt.DomainJobTimeElapsed]; ok && v > 0 {
		res.TotalTime = time.Duration(v) * time.Millisecond
	}
	res.Downtime = time.Duration(m[golibvirt.DomainJobDowntime]) * time.Millisecond
	if v := int(m[golibvirt.DomainJobMemoryIteration]); v > res.Rounds {
		res.Rounds = v
	}
	if v := m[golibvirt.DomainJobDataProcessed]; v > res.BytesSent {
		res.BytesSent = v
	}
	res.ThrottlePct = int(m[golibvirt.DomainJobAutoConvergeThrottle])
	res.TotalTime = max(res.TotalTime, res.Downtime)
	return res
}
