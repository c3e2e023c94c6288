package conformance

import (
	"context"
	"fmt"
	"strings"

	"github.com/ferrum-virt/ferrum/conformance/client"
)

// A Check verifies one requirement of one profile over one client. Run
// reports problems through t; a check that returns without calling t.Fail
// or t.Skip passes.
type Check struct {
	Profile     string
	Requirement string
	Name        string
	Destructive bool // changes server state; only runs with Options.Destructive
	Run         func(ctx context.Context, t *T)
}

// T is what a running check sees: the client, what discovery found, and
// the means to fail or skip.
type T struct {
	C        client.Client
	D        *Discovery
	failures []string
	skipped  string
	steps    []string // steps skipped by SkipStep
	halted   bool
}

// haltCheck is panicked by Fatalf and Skipf to end a check early.
type haltCheck struct{}

// Errorf records a failure and continues.
func (t *T) Errorf(format string, args ...any) {
	t.failures = append(t.failures, fmt.Sprintf(format, args...))
}

// Fatalf records a failure and ends the check.
func (t *T) Fatalf(format string, args ...any) {
	t.Errorf(format, args...)
	panic(haltCheck{})
}

// Skipf ends the check as skipped, with the reason.
func (t *T) Skipf(format string, args ...any) {
	t.skipped = fmt.Sprintf(format, args...)
	panic(haltCheck{})
}

// SkipStep records that one step of a multi-step check was skipped, with
// the reason, and lets the check go on. A check that has skipped steps and
// no failures ends as skipped, naming them: it did not verify everything.
func (t *T) SkipStep(format string, args ...any) {
	t.steps = append(t.steps, fmt.Sprintf(format, args...))
}

// Profile returns the registered profile for dsp, or skips the check.
func (t *T) Profile(dsp string) *Profile {
	if p := t.D.Profile(dsp); p != nil {
		return p
	}
	t.Skipf("the server does not advertise %s (%s) in %s", dsp, profileNames[dsp][0], t.D.InteropOrNone())
	return nil
}

// run executes c and returns its result.
func run(ctx context.Context, c Check, cl client.Client, d *Discovery) (res Result) {
	res = Result{Profile: c.Profile, Requirement: c.Requirement, Check: c.Name, Protocol: cl.Protocol()}
	t := &T{C: cl, D: d}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(haltCheck); !ok {
				t.failures = append(t.failures, fmt.Sprintf("panic: %v", r))
			}
		}
		switch {
		case len(t.failures) > 0:
			res.Status, res.Reason = Fail, strings.Join(t.failures, "; ")
		case t.skipped != "":
			res.Status, res.Reason = Skip, t.skipped
		case len(t.steps) > 0:
			res.Status, res.Reason = Skip, "skipped steps: "+strings.Join(t.steps, "; ")
		default:
			res.Status = Pass
		}
	}()
	c.Run(ctx, t)
	return res
}
