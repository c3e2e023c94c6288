package virt

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// vmClass serves Ferrum_ComputerSystem: instances, RequestStateChange and
// ModifyInstance of ElementName.
type vmClass struct {
	instances
	p *Provider
}

func (p *Provider) vmProvider() vmClass {
	return vmClass{instances: p.perVM(p.vmInstance, model.VMOf), p: p}
}

// InvokeMethod implements cimom.MethodProvider.
func (v vmClass) InvokeMethod(ctx context.Context, _ string, path cim.ObjectPath, m *cim.Method, in cim.Params) (cim.Value, cim.Params, error) {
	if !strings.EqualFold(m.Name, "RequestStateChange") {
		return cim.Value{}, nil, cim.Errorf(cim.ErrMethodNotAvailable, "%s.%s is not implemented", model.ClassVM, m.Name)
	}
	hr, vm, err := v.p.vmGet(ctx, path, model.VMOf)
	if err != nil {
		return cim.Value{}, nil, err
	}
	return v.p.requestStateChange(ctx, methodCall{p: v.p, m: m, codes: model.StateChangeCodes}, hr, vm, in)
}

// ModifyInstance renames a stopped VM (DSP1052: ElementName is editable,
// as the VM's capabilities say).
func (v vmClass) ModifyInstance(ctx context.Context, _ string, _ *cim.Class, path cim.ObjectPath, changes *cim.Instance) error {
	hr, vm, err := v.p.vmGet(ctx, path, model.VMOf)
	if err != nil {
		return err
	}
	name := vm.Name
	for _, pv := range changes.Properties {
		if !strings.EqualFold(pv.Name, "ElementName") {
			return cim.Errorf(cim.ErrNotSupported, "property %s of a virtual system cannot be modified; ElementName can", pv.Name)
		}
		name = pv.Value.Str()
	}
	if name == vm.Name {
		return nil
	}
	_, err = jobs.Inline(ctx, v.p.log, func(ctx context.Context, pr *jobs.Progress) (cim.Params, error) {
		return nil, v.p.rename(ctx, pr, hr, vm, name)
	})
	return model.CIMError(err, "rename vm %s", vm.Name)
}

// rename gives a stopped VM a new name.
func (p *Provider) rename(ctx context.Context, pr *jobs.Progress, hr hostRef, vm backends.VM, name string) error {
	if strings.TrimSpace(name) == "" || len(name) > maxNameLen {
		return invalid("ElementName %q: want 1–%d characters", name, maxNameLen)
	}
	_, err := p.redefine(ctx, pr, hr, vm, "rename", func(s *backends.VMSpec) error {
		s.Name = name
		return nil
	})
	return err
}

// stateOp is what a RequestStateChange does to a VM in a given state.
type stateOp uint8

const (
	opInvalid stateOp = iota
	opNone
	opStart
	opResume
	opStop
	opShutdown
	opSave
	opPause
	opReboot
	opReset
)

// planStateChange maps (current state, RequestedState) to an operation.
// Requests that change nothing (2 on a running VM) succeed as opNone.
func planStateChange(s backends.State, rs uint16) stateOp {
	type key struct {
		rs uint16
		s  backends.State
	}
	const (
		off, run, pause  = backends.StateOff, backends.StateRunning, backends.StatePaused
		saved, crash, sd = backends.StateSaved, backends.StateCrashed, backends.StateShuttingDown
	)
	table := map[key]stateOp{
		{2, off}: opStart, {2, crash}: opStart, {2, saved}: opStart, {2, pause}: opResume, {2, run}: opNone,
		{3, run}: opStop, {3, pause}: opStop, {3, sd}: opStop, {3, off}: opNone, {3, crash}: opNone,
		{4, run}: opShutdown, {4, sd}: opShutdown, {4, off}: opNone, {4, crash}: opNone,
		{6, run}: opSave, {6, pause}: opSave, {6, saved}: opNone,
		{9, run}: opPause, {9, pause}: opNone,
		{10, run}: opReboot,
		{11, run}: opReset, {11, pause}: opReset,
	}
	if op, ok := table[key{rs, s}]; ok {
		return op
	}
	return opInvalid
}

// requestStateChange serves RequestStateChange: 2, 3, 9, 10 and 11 complete
// at once (0); 4 (graceful shutdown, which waits for the guest) and 6
// (save, which writes the memory image) run as jobs (4096). 5 No Change
// returns 0; 0, 7, 8 and 12 are not supported (1); other values are
// invalid (5); a transition the state does not allow returns 4097; a
// TimeoutPeriod on anything but 4 returns 4098.
func (p *Provider) requestStateChange(ctx context.Context, c methodCall, hr hostRef, vm backends.VM, in cim.Params) (cim.Value, cim.Params, error) {
	rv, _ := in.Get("RequestedState")
	n, isInt := rv.AsUint64()
	if !isInt {
		return cim.Uint32(5), nil, nil
	}
	rs := uint16(n)
	switch {
	case rs == model.RequestedNoChange:
		return ok()
	case rs == 0 || rs == 7 || rs == 8 || rs == 12:
		return cim.Uint32(1), nil, nil
	case rs == 1 || rs > 12:
		return cim.Uint32(5), nil, nil
	}
	timeout, hasTimeout, err := timeoutPeriod(in)
	if err != nil {
		return cim.Uint32(5), nil, nil
	}
	if hasTimeout && rs != model.RequestedShutDown {
		return cim.Uint32(4098), nil, nil
	}
	op := planStateChange(vm.State, rs)
	switch op {
	case opInvalid:
		return cim.Uint32(4097), nil, nil
	case opNone:
		return ok()
	}
	p.requested.Store(vm.UUID, rs)
	if op == opShutdown || op == opSave {
		if !hasTimeout {
			timeout = p.opts.ShutdownTimeout
		}
		return c.run(ctx, p.stateJob(hr, vm, rs, op, timeout))
	}
	if err := p.doStateOp(ctx, hr, vm, op, 0); err != nil {
		return c.fail(ctx, err)
	}
	p.log.InfoContext(ctx, "vm state changed", "op", "RequestStateChange", "vm", vm.Name, "host", hr.ID, "requested", rs)
	return ok()
}

// timeoutPeriod reads the TimeoutPeriod interval; zero counts as absent.
func timeoutPeriod(in cim.Params) (time.Duration, bool, error) {
	v, ok := in.Get("TimeoutPeriod")
	if !ok || v.IsNull() {
		return 0, false, nil
	}
	dt, isDT := v.AsDatetime()
	if !isDT {
		return 0, false, fmt.Errorf("TimeoutPeriod is not a datetime")
	}
	d, err := dt.Duration()
	if err != nil {
		return 0, false, err
	}
	return d, d > 0, nil
}

// doStateOp performs op on vm.
func (p *Provider) doStateOp(ctx context.Context, hr hostRef, vm backends.VM, op stateOp, timeout time.Duration) error {
	l := hr.H.VMs()
	id := vm.UUID
	switch op {
	case opStart:
		return l.Start(ctx, id)
	case opResume:
		return l.Resume(ctx, id)
	case opStop:
		return l.Stop(ctx, id)
	case opShutdown:
		return l.Shutdown(ctx, id, timeout)
	case opSave:
		return l.Save(ctx, id)
	case opPause:
		return l.Pause(ctx, id)
	case opReboot:
		return l.Reboot(ctx, id)
	case opReset:
		return l.Reset(ctx, id)
	}
	return model.Fail(model.InvalidState, "no operation")
}

// stateJob is the job of a slow state change.
func (p *Provider) stateJob(hr hostRef, vm backends.VM, rs uint16, op stateOp, timeout time.Duration) Job {
	what := map[stateOp]string{opShutdown: "shut down", opSave: "save"}[op]
	return Job{
		Spec: jobs.Spec{
			Name: "RequestStateChange", Description: fmt.Sprintf("%s vm %s", what, vm.Name),
			VM: vm.Name, Host: hr.ID, OwningElement: model.VMPath(vm.UUID),
			Affected: []jobs.Affected{{Path: model.VMPath(vm.UUID), Effects: []uint16{jobs.EffectExclusiveUse}}},
			In:       cim.Params{{Name: "RequestedState", Value: cim.Uint16(rs)}},
		},
		Work: func(ctx context.Context, pr *jobs.Progress) (cim.Params, error) {
			pr.Status("%s vm %s", what, vm.Name)
			pr.Set(10)
			if err := p.doStateOp(ctx, hr, vm, op, timeout); err != nil {
				return nil, fmt.Errorf("%s vm %s: %w", what, vm.Name, err)
			}
			return nil, nil
		},
	}
}
