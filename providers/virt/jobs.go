package virt

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// Return codes shared by the methods.
const (
	codeOK         uint32 = 0
	codeJobStarted uint32 = 4096
)

// methodCall is one extrinsic method call being served: the method (for
// its return-code ValueMap) and the numbering of its family.
type methodCall struct {
	p     *Provider
	m     *cim.Method
	codes model.ReturnCodes
}

// fail answers a failure with the method's return code for it; the
// details go to the log, as a method has no other place for them unless
// it runs as a job.
func (c methodCall) fail(ctx context.Context, err error) (cim.Value, cim.Params, error) {
	code := c.codes.Code(c.m, model.Classify(err))
	c.p.log.InfoContext(ctx, "method failed", "op", c.m.Name, "code", code, "err", err)
	return cim.Uint32(code), nil, nil
}

// ok answers success with out.
func ok(out ...cim.Param) (cim.Value, cim.Params, error) { return cim.Uint32(codeOK), out, nil }

// Job is a job to start for a method: what it is about and its work.
type Job struct {
	Spec jobs.Spec
	Work jobs.Work
	// Out are output parameters known before the job runs, returned with
	// 4096 (DefineSystem's ResultingSystem).
	Out cim.Params
}

// run starts j as a job and answers 4096 with its path; without a job
// manager it runs j at once and answers 0 or the failure's code. The
// work's errors carry the method's return code to the job's ErrorCode.
func (c methodCall) run(ctx context.Context, j Job) (cim.Value, cim.Params, error) {
	work := func(ctx context.Context, pr *jobs.Progress) (cim.Params, error) {
		out, err := j.Work(ctx, pr)
		if err != nil {
			return nil, c.codes.Wrap(c.m, err)
		}
		return out, nil
	}
	if j.Spec.Name == "" {
		j.Spec.Name = c.m.Name
	}
	if c.p.jobs == nil {
		out, err := jobs.Inline(ctx, c.p.log.With("op", c.m.Name, "vm", j.Spec.VM, "host", j.Spec.Host), work)
		if err != nil {
			return c.fail(ctx, err)
		}
		return ok(out...)
	}
	started, err := c.p.jobs.Start(ctx, j.Spec, work)
	if err != nil {
		if cim.StatusOf(err) == cim.ErrServerIsShuttingDown {
			return cim.Value{}, nil, err
		}
		return c.fail(ctx, err)
	}
	out := append(cim.Params{{Name: "Job", Value: cim.Ref(c.p.jobs.Path(started.ID))}}, j.Out...)
	return cim.Uint32(codeJobStarted), out, nil
}

// inline runs work at once with rollback and answers 0 or the failure's
// code: the synchronous methods.
func (c methodCall) inline(ctx context.Context, vm, host string, work jobs.Work) (cim.Value, cim.Params, error) {
	out, err := jobs.Inline(ctx, c.p.log.With("op", c.m.Name, "vm", vm, "host", host), work)
	if err != nil {
		return c.fail(ctx, err)
	}
	return ok(out...)
}

// cloneSpec deep-copies a spec.
func cloneSpec(s backends.VMSpec) backends.VMSpec {
	s.Disks = slices.Clone(s.Disks)
	for i, d := range s.Disks {
		if d.Volume != nil {
			ref := *d.Volume
			s.Disks[i].Volume = &ref
		}
	}
	s.NICs = slices.Clone(s.NICs)
	s.BootOrder = slices.Clone(s.BootOrder)
	if s.Graphics != nil {
		g := *s.Graphics
		s.Graphics = &g
	}
	return s
}

// redefine replaces the definition of a stopped VM with what mutate makes
// of it. The backends have no call to rename a VM or change its boot
// order, weight, maximums or console, so Ferrum undefines it and defines
// it again with the same UUID, MACs and volumes; the undo steps put the old
// definition back. A VM that is active (or saved, whose image undefining
// would discard) fails with InvalidState.
func (p *Provider) redefine(ctx context.Context, pr *jobs.Progress, hr hostRef, vm backends.VM, what string,
	mutate func(*backends.VMSpec) error) (backends.VM, error) {
	if vm.State != backends.StateOff && vm.State != backends.StateCrashed {
		return backends.VM{}, model.Fail(model.InvalidState, "%s of vm %s needs it stopped; it is %s", what, vm.Name, vm.State)
	}
	old := cloneSpec(vm.VMSpec)
	next := cloneSpec(vm.VMSpec)
	if err := mutate(&next); err != nil {
		return backends.VM{}, err
	}
	vms := hr.H.VMs()
	if err := vms.Undefine(ctx, vm.UUID); err != nil {
		return backends.VM{}, fmt.Errorf("%s: undefine vm %s: %w", what, vm.Name, err)
	}
	pr.Undo("define vm "+vm.Name+" as it was", func(ctx context.Context) error {
		_, err := vms.Define(ctx, old)
		return err
	})
	out, err := vms.Define(ctx, next)
	if err != nil {
		return backends.VM{}, fmt.Errorf("%s: define vm %s again: %w", what, vm.Name, err)
	}
	pr.Undo("undefine the changed vm "+next.Name, func(ctx context.Context) error {
		err := vms.Undefine(ctx, out.UUID)
		if errors.Is(err, backends.ErrNotFound) {
			return nil
		}
		return err
	})
	return out, nil
}
