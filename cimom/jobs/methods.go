package jobs

import (
	"context"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// RequestedState values of CIM_ConcreteJob.RequestStateChange.
const (
	stateStart     uint16 = 2
	stateSuspend   uint16 = 3
	stateTerminate uint16 = 4
	stateKill      uint16 = 5
	stateService   uint16 = 6
)

// Return codes of CIM_ConcreteJob.RequestStateChange.
const (
	rscOK               uint32 = 0
	rscNotSupported     uint32 = 1
	rscInvalidParameter uint32 = 5
	rscStarted          uint32 = 4096
	rscInvalidState     uint32 = 4097
	rscTimeoutNotSupp   uint32 = 4098
)

// InvokeMethod runs RequestStateChange, GetErrors, GetError and KillJob on a
// job.
func (p jobProvider) InvokeMethod(ctx context.Context, _ string, path cim.ObjectPath, m *cim.Method, in cim.Params) (cim.Value, cim.Params, error) {
	if !path.IsInstance() {
		return cim.Value{}, nil, cim.Errorf(cim.ErrInvalidParameter, "%s works on a job instance", m.Name)
	}
	j, err := p.m.lookup(ctx, path)
	if err != nil {
		return cim.Value{}, nil, err
	}
	switch strings.ToLower(m.Name) {
	case "requeststatechange":
		return p.requestStateChange(ctx, j, in)
	case "geterrors":
		return cim.Uint32(0), cim.Params{{Name: "Errors", Value: errorsValue(j.Errors)}}, nil
	case "geterror":
		v := cim.Null(cim.TypeInstance)
		if len(j.Errors) > 0 {
			v = cim.Embedded(j.Errors[0])
		}
		return cim.Uint32(0), cim.Params{{Name: "Error", Value: v}}, nil
	case "killjob":
		return p.killJob(ctx, j, in)
	}
	return cim.Value{}, nil, cim.Errorf(cim.ErrMethodNotAvailable, "method %s is not implemented for jobs", m.Name)
}

func errorsValue(errs []*cim.Instance) cim.Value {
	elems := make([]any, len(errs))
	for i, e := range errs {
		elems[i] = e
	}
	v, _ := cim.NewArray(cim.TypeInstance, elems)
	return v
}

// requestStateChange terminates (4) or kills (5) a job and waits, as long
// as the request lasts, for its rollback: 0 once the job has stopped, 4096
// if the request ended first. A finished job answers 4097; 2, 3 and 6 are
// not supported.
func (p jobProvider) requestStateChange(ctx context.Context, j Job, in cim.Params) (cim.Value, cim.Params, error) {
	rs, ok := in.Get("RequestedState")
	state, isInt := rs.AsUint64()
	if !ok || !isInt {
		return cim.Uint32(rscInvalidParameter), nil, nil
	}
	if tv, ok := in.Get("TimeoutPeriod"); ok && !tv.IsNull() {
		if d, _ := tv.AsDatetime(); !isZeroInterval(d) {
			return cim.Uint32(rscTimeoutNotSupp), nil, nil
		}
	}
	switch uint16(state) {
	case stateTerminate, stateKill:
	case stateStart, stateSuspend, stateService:
		return cim.Uint32(rscNotSupported), nil, nil
	default:
		return cim.Uint32(rscInvalidParameter), nil, nil
	}
	if j.State.Finished() {
		return cim.Uint32(rscInvalidState), nil, nil
	}
	if err := p.m.Stop(j.ID, uint16(state) == stateKill); err != nil {
		return cim.Uint32(rscInvalidState), nil, nil
	}
	if _, err := p.m.Wait(ctx, j.ID); err != nil {
		return cim.Uint32(rscStarted), nil, nil
	}
	return cim.Uint32(rscOK), nil, nil
}

func isZeroInterval(d cim.Datetime) bool {
	if d.IsZero() {
		return true
	}
	dur, err := d.Duration()
	return err == nil && dur == 0
}

// killJob is the deprecated CIM_Job.KillJob: a kill, and with DeleteOnKill
// the job's removal once it has stopped.
func (p jobProvider) killJob(ctx context.Context, j Job, in cim.Params) (cim.Value, cim.Params, error) {
	if j.State.Finished() {
		return cim.Uint32(4), nil, nil // Failed: nothing to kill
	}
	if err := p.m.Stop(j.ID, true); err != nil {
		return cim.Uint32(4), nil, nil
	}
	if _, err := p.m.Wait(ctx, j.ID); err != nil {
		return cim.Uint32(3), nil, nil // cannot complete within the timeout
	}
	if v, ok := in.Get("DeleteOnKill"); ok {
		if del, _ := v.AsBool(); del {
			if err := p.m.Delete(ctx, j.ID); err != nil {
				return cim.Uint32(4), nil, nil
			}
		}
	}
	return cim.Uint32(0), nil, nil
}
