package migration

import (
	"context"
	"fmt"
	"time"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// run is a migration job's work: wait for a slot on the source, look at
// the VM again (it may have changed while the job waited), and move it.
func (p *Provider) run(ctx context.Context, pr *jobs.Progress, r request) (backends.MigrationResult, error) {
	release, err := p.slots.acquire(ctx, r.src.id, r.s.priority, func(ahead int) {
		pr.Status("waiting for a migration slot on host %s (%d ahead)", r.src.id, ahead)
	})
	if err != nil {
		return backends.MigrationResult{}, fmt.Errorf("wait for a migration slot: %w", err)
	}
	defer release()
	vm, err := r.src.h.VMs().Get(ctx, r.vm.UUID)
	if err != nil {
		return backends.MigrationResult{}, fmt.Errorf("vm %s before its migration: %w", r.vm.Name, err)
	}
	r.vm = vm
	if r.offline, err = mode(vm, r.s.kind); err != nil {
		return backends.MigrationResult{}, err
	}
	var res backends.MigrationResult
	switch {
	case r.offline:
		pr.Status("moving the definition of stopped vm %s to host %s", vm.Name, r.dst.id)
		res, err = r.mig.Migrate(ctx, vm.UUID, r.dst.h, backends.MigrateOptions{Offline: true})
	case r.s.kind == typeRestart:
		res, err = p.moveRestart(ctx, pr, r)
	case r.s.kind == typeResume:
		res, err = p.moveResume(ctx, pr, r)
	default:
		res, err = p.moveLive(ctx, pr, r)
	}
	if err != nil {
		return res, fmt.Errorf("migrate vm %s from host %s to host %s: %w", vm.Name, r.src.id, r.dst.id, err)
	}
	p.vp.NoteVMHost(vm.UUID, r.dst.id)
	pr.Status("vm %s is on host %s: %d rounds, %s sent, downtime %v", vm.Name, r.dst.id, res.Rounds, size(res.BytesSent), res.Downtime)
	return res, nil
}

// moveLive pre-copies the VM's memory while it runs.
func (p *Provider) moveLive(ctx context.Context, pr *jobs.Progress, r request) (backends.MigrationResult, error) {
	pr.Status("live migration of vm %s to host %s: round 1, copying %s", r.vm.Name, r.dst.id, size(r.vm.MemoryMiB<<20))
	return r.mig.Migrate(ctx, r.vm.UUID, r.dst.h, p.liveOptions(pr, r))
}

// moveResume pauses a running VM, moves it and resumes it on the
// destination; when the move fails it resumes it where it was.
func (p *Provider) moveResume(ctx context.Context, pr *jobs.Progress, r request) (backends.MigrationResult, error) {
	running := r.vm.State == backends.StateRunning
	if running {
		if err := r.src.h.VMs().Pause(ctx, r.vm.UUID); err != nil {
			return backends.MigrationResult{}, fmt.Errorf("pause: %w", err)
		}
	}
	pr.Status("vm %s paused; copying %s to host %s", r.vm.Name, size(r.vm.MemoryMiB<<20), r.dst.id)
	res, err := r.mig.Migrate(ctx, r.vm.UUID, r.dst.h, p.liveOptions(pr, r))
	if err != nil {
		if running {
			if rerr := r.src.h.VMs().Resume(context.WithoutCancel(ctx), r.vm.UUID); rerr != nil {
				pr.Log().WarnContext(ctx, "vm left paused on its source after a failed migration", "err", rerr)
			}
		}
		return res, err
	}
	if running {
		if err := r.dst.h.VMs().Resume(ctx, r.vm.UUID); err != nil {
			return res, fmt.Errorf("moved, but not resumed on host %s: %w", r.dst.id, err)
		}
	}
	return res, nil
}

// moveRestart shuts the VM down, moves its definition and starts it on the
// destination; when the move fails it starts it where it was.
func (p *Provider) moveRestart(ctx context.Context, pr *jobs.Progress, r request) (backends.MigrationResult, error) {
	pr.Status("shutting vm %s down (up to %v)", r.vm.Name, p.opts.ShutdownTimeout)
	if err := r.src.h.VMs().Shutdown(ctx, r.vm.UUID, p.opts.ShutdownTimeout); err != nil {
		return backends.MigrationResult{}, fmt.Errorf("shut down: %w", err)
	}
	pr.Set(30)
	pr.Status("vm %s stopped; moving its definition to host %s", r.vm.Name, r.dst.id)
	res, err := r.mig.Migrate(ctx, r.vm.UUID, r.dst.h, backends.MigrateOptions{Offline: true})
	if err != nil {
		if serr := r.src.h.VMs().Start(context.WithoutCancel(ctx), r.vm.UUID); serr != nil {
			pr.Log().WarnContext(ctx, "vm left stopped on its source after a failed migration", "err", serr)
		}
		return res, err
	}
	pr.Set(70)
	pr.Status("vm %s moved; starting it on host %s", r.vm.Name, r.dst.id)
	if err := r.dst.h.VMs().Start(ctx, r.vm.UUID); err != nil {
		return res, fmt.Errorf("moved, but not started on host %s: %w", r.dst.id, err)
	}
	return res, nil
}

// liveOptions are the options of a live copy, reporting each round to the
// job.
func (p *Provider) liveOptions(pr *jobs.Progress, r request) backends.MigrateOptions {
	mem := r.vm.MemoryMiB << 20
	return backends.MigrateOptions{
		Bandwidth:    r.s.bandwidth,
		MaxDowntime:  p.opts.MaxDowntime,
		AutoConverge: p.opts.AutoConverge,
		Progress: func(mp backends.MigrationProgress) {
			pr.Set(percentDone(mp, mem))
			pr.Status("round %d: %s sent, %s remaining, dirtying %s/s, throttle %d%%, %v elapsed",
				mp.Round, size(mp.BytesSent), size(mp.BytesRemaining), size(mp.DirtyRate), mp.ThrottlePct, mp.Elapsed.Round(time.Millisecond))
		},
	}
}

// percentDone is the share of the VM's memory no longer dirty, below 100
// until the migration has finished.
func percentDone(mp backends.MigrationProgress, mem uint64) int {
	if mem == 0 {
		return 0
	}
	rem := min(mp.BytesRemaining, mem)
	return min(int((mem-rem)*100/mem), 99)
}

// results are the job's output parameters: NewComputerSystem and the
// migration's figures.
func (r request) results(res backends.MigrationResult) cim.Params {
	return cim.Params{
		{Name: "NewComputerSystem", Value: cim.Ref(model.VMPath(r.vm.UUID))},
		{Name: "DestinationHost", Value: cim.String(r.dst.id)},
		{Name: "MigrationType", Value: cim.Uint16(r.kind())},
		{Name: "Rounds", Value: cim.Uint32(uint32(res.Rounds))},
		{Name: "BytesSent", Value: cim.Uint64(res.BytesSent)},
		{Name: "Downtime", Value: cim.DateTimeValue(cim.NewInterval(res.Downtime))},
		{Name: "TotalTime", Value: cim.DateTimeValue(cim.NewInterval(res.TotalTime))},
		{Name: "ThrottlePercent", Value: cim.Uint16(uint16(res.ThrottlePct))},
	}
}

// kind is the MigrationType that ran: the requested one, or 1 (Other:
// offline) for a stopped VM.
func (r request) kind() uint16 {
	if r.offline {
		return typeOther
	}
	return r.s.kind
}

func (r request) describe() string {
	switch {
	case r.offline:
		return "offline"
	case r.s.kind == typeResume:
		return "resume"
	case r.s.kind == typeRestart:
		return "restart"
	}
	return "live"
}

// size formats a byte count for people.
func size(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTP"[exp])
}
