package conformance

import (
	"context"
	"fmt"
	"time"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/conformance/client"
)

// Deadlines of the destructive checks: a job or a state change that takes
// longer fails its step.
var (
	jobDeadline      = 2 * time.Minute
	stateDeadline    = time.Minute
	shutdownDeadline = 20 * time.Second // a test guest may ignore ACPI
	pollInterval     = 200 * time.Millisecond
)

// Return codes shared by the profiles' methods (DSP1042, DSP1057, DSP1081).
const (
	rcOK         = 0
	rcJobStarted = 4096
)

// A callResult is what a method answered once its job, if any, ended.
type callResult struct {
	RC  uint64
	Out cim.Params
	Job *cim.ObjectPath // the CIM_ConcreteJob of an asynchronous call
}

// call invokes method on target and, when it returns 4096 Job Started,
// waits for the job (DSP1103: JobState 7 Completed). It returns an error
// for a CIM error, a return code other than 0 or 4096, or a failed job.
func call(ctx context.Context, c client.Client, target cim.ObjectPath, method string, in cim.Params) (callResult, error) {
	rv, out, err := c.InvokeMethod(ctx, target, method, in)
	if err != nil {
		return callResult{}, fmt.Errorf("%s: %w", method, err)
	}
	rc, ok := uintValue(rv)
	if !ok {
		return callResult{}, fmt.Errorf("%s returned %q, not an integer", method, rv.Text())
	}
	res := callResult{RC: rc, Out: out}
	switch rc {
	case rcOK:
		return res, nil
	case rcJobStarted:
		refs := refsOf(paramValue(out, "Job"))
		if len(refs) != 1 {
			return res, fmt.Errorf("%s returned 4096 (Job Started) without a Job reference", method)
		}
		res.Job = &refs[0]
		return res, waitJob(ctx, c, refs[0], method)
	}
	return res, fmt.Errorf("%s returned %d", method, rc)
}

// paramValue returns the output parameter name, or a null value.
func paramValue(ps cim.Params, name string) cim.Value {
	v, _ := ps.Get(name)
	return v
}

// waitJob polls a CIM_ConcreteJob until JobState 7 (Completed), failing on
// 8 Terminated, 9 Killed or 10 Exception, or when jobDeadline passes
// (DSP1103 §7: a job ends in one of these states).
func waitJob(ctx context.Context, c client.Client, job cim.ObjectPath, method string) error {
	deadline := time.Now().Add(jobDeadline)
	for {
		inst, err := c.GetInstance(ctx, job)
		if err != nil {
			return fmt.Errorf("%s: GetInstance of its job %s: %w", method, job, err)
		}
		switch st, _ := uintProp(inst, "JobState"); st {
		case 7:
			return nil
		case 8, 9, 10:
			return fmt.Errorf("%s: job %s ended in JobState %d: %s %s", method, job, st, propText(inst, "ErrorCode"), inst.Str("ErrorDescription"))
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: job %s not completed after %s (JobState %s)", method, job, jobDeadline, propText(inst, "JobState"))
		}
		if err := sleep(ctx, pollInterval); err != nil {
			return fmt.Errorf("%s: waiting for job %s: %w", method, job, err)
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// outRef returns the reference output parameter name of a call; an
// asynchronous call may give it only through its job's
// CIM_AffectedJobElement (DSP1103), with resultClass.
func outRef(ctx context.Context, c client.Client, res callResult, name, resultClass string) (cim.ObjectPath, bool) {
	if refs := refsOf(paramValue(res.Out, name)); len(refs) == 1 {
		return refs[0], true
	}
	if res.Job == nil {
		return cim.ObjectPath{}, false
	}
	refs, err := c.AssociatorNames(ctx, *res.Job, client.AssocFilter{AssocClass: "CIM_AffectedJobElement", ResultClass: resultClass})
	if err != nil || len(refs) != 1 {
		return cim.ObjectPath{}, false
	}
	return refs[0], true
}

// waitState polls the EnabledState of p until it is want or the deadline
// passes, and returns the last value read.
func waitState(ctx context.Context, c client.Client, p cim.ObjectPath, want uint64, d time.Duration) (uint64, error) {
	deadline := time.Now().Add(d)
	for {
		inst, err := c.GetInstance(ctx, p)
		if err != nil {
			return 0, err
		}
		st, _ := uintProp(inst, "EnabledState")
		if st == want || time.Now().After(deadline) {
			return st, nil
		}
		if err := sleep(ctx, pollInterval); err != nil {
			return st, err
		}
	}
}
