package main

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	wbem "github.com/ferrum-virt/ferrum/conformance/client"
)

// session drives one protocol-neutral client for one test. Values read over
// WS-Man carry no CIM type, so every read goes through the helpers below,
// which accept either protocol's values.
type session struct {
	t   testing.TB
	ctx context.Context
	c   wbem.Client
}

func newSession(t testing.TB, c wbem.Client) *session {
	ctx, cancel := context.WithTimeout(context.Background(), failsafe)
	t.Cleanup(cancel)
	return &session{t: t, ctx: ctx, c: c}
}

// get reads the instance at p, failing the test if it cannot.
func (s *session) get(p cim.ObjectPath) *cim.Instance {
	s.t.Helper()
	in, err := s.c.GetInstance(s.ctx, p)
	if err != nil {
		s.t.Fatalf("GetInstance %s: %v", p, err)
	}
	return in
}

// gone requires that p names no instance (CIM_ERR_NOT_FOUND).
func (s *session) gone(p cim.ObjectPath) {
	s.t.Helper()
	if _, err := s.c.GetInstance(s.ctx, p); wbem.StatusOf(err) != cim.ErrNotFound {
		s.t.Fatalf("GetInstance %s: %v, want CIM_ERR_NOT_FOUND", p, err)
	}
}

// call invokes method and returns its return code and output; a CIM error
// or fault fails the test.
func (s *session) call(p cim.ObjectPath, method string, in cim.Params) (uint32, cim.Params) {
	s.t.Helper()
	rv, out, err := s.c.InvokeMethod(s.ctx, p, method, in)
	if err != nil {
		s.t.Fatalf("%s on %s: %v", method, p, err)
	}
	n, ok := uintOf(rv)
	if !ok {
		s.t.Fatalf("%s returned %v, not a number", method, rv)
	}
	return uint32(n), out
}

// callErr invokes method and returns the CIM status of its failure.
func (s *session) callErr(p cim.ObjectPath, method string, in cim.Params) cim.Status {
	s.t.Helper()
	_, _, err := s.c.InvokeMethod(s.ctx, p, method, in)
	return wbem.StatusOf(err)
}

// jobState values of CIM_ConcreteJob.
const (
	jobCompleted = 7
	jobException = 10
)

// run invokes an asynchronous-capable method: 0 is done at once, 4096
// names a job, which run waits for and requires Completed (JobState 7,
// PercentComplete 100). It returns the output and the finished job (nil for
// 0).
func (s *session) run(p cim.ObjectPath, method string, in cim.Params) (cim.Params, *cim.Instance) {
	s.t.Helper()
	code, out := s.call(p, method, in)
	switch code {
	case 0:
		return out, nil
	case 4096:
		j := s.waitJob(out)
		if st, _ := prop(j, "JobState"); st != jobCompleted {
			code, _ := prop(j, "ErrorCode")
			s.t.Fatalf("%s: job ended in JobState %d: %s (ErrorCode %d)", method, st, j.Str("ErrorDescription"), code)
		}
		if pc, _ := prop(j, "PercentComplete"); pc != 100 {
			s.t.Fatalf("%s: completed job at %d%%", method, pc)
		}
		return out, j
	}
	s.t.Fatalf("%s on %s returned %d, want 0 or 4096", method, p, code)
	return nil, nil
}

// refused requires that method answers want at once, without a job.
func (s *session) refused(p cim.ObjectPath, method string, in cim.Params, want uint32) {
	s.t.Helper()
	code, out := s.call(p, method, in)
	if code != want {
		s.t.Fatalf("%s returned %d (out %v), want %d", method, code, out, want)
	}
	if v, ok := out.Get("Job"); ok && !v.IsNull() {
		s.t.Fatalf("%s refused with %d but started job %v", method, code, v)
	}
}

// jobRef returns the Job output parameter.
func (s *session) jobRef(out cim.Params) cim.ObjectPath {
	s.t.Helper()
	v, _ := out.Get("Job")
	ref, ok := v.AsRef()
	if !ok {
		s.t.Fatalf("no Job reference in %v", out)
	}
	return ref
}

// waitJob polls the job an answer names until it finishes (JobState 7 or
// beyond) and returns its last instance.
func (s *session) waitJob(out cim.Params) *cim.Instance {
	s.t.Helper()
	return s.pollJob(s.jobRef(out), nil)
}

// pollJob polls job until it finishes, calling seen with every instance
// read meanwhile.
func (s *session) pollJob(job cim.ObjectPath, seen func(*cim.Instance)) *cim.Instance {
	s.t.Helper()
	for {
		j := s.get(job)
		if seen != nil {
			seen(j)
		}
		if st, _ := prop(j, "JobState"); st >= jobCompleted {
			return j
		}
		select {
		case <-s.ctx.Done():
			s.t.Fatalf("job %s still in JobState %s", job, j.Str("JobState"))
		case <-time.After(25 * time.Millisecond):
		}
	}
}

// assoc returns the paths associated with p through assocClass (and of
// resultClass, if given).
func (s *session) assoc(p cim.ObjectPath, assocClass, resultClass string) []cim.ObjectPath {
	s.t.Helper()
	paths, err := s.c.AssociatorNames(s.ctx, p, wbem.AssocFilter{AssocClass: assocClass, ResultClass: resultClass})
	if err != nil {
		s.t.Fatalf("AssociatorNames of %s via %s: %v", p, assocClass, err)
	}
	return paths
}

// wbemAssoc filters an association traversal by association class.
func wbemAssoc(class string) wbem.AssocFilter { return wbem.AssocFilter{AssocClass: class} }

// assocInstances returns the instances associated with p.
func (s *session) assocInstances(p cim.ObjectPath, assocClass, resultClass string) []*cim.Instance {
	s.t.Helper()
	objs, err := s.c.Associators(s.ctx, p, wbem.AssocFilter{AssocClass: assocClass, ResultClass: resultClass})
	if err != nil {
		s.t.Fatalf("Associators of %s via %s: %v", p, assocClass, err)
	}
	var out []*cim.Instance
	for _, o := range objs {
		out = append(out, o.Instance)
	}
	return out
}

// requireLinked requires that p's associators through assocClass include
// (want true) or exclude want.
func (s *session) requireLinked(p cim.ObjectPath, assocClass string, other cim.ObjectPath, want bool) {
	s.t.Helper()
	if got := hasPath(s.assoc(p, assocClass, ""), other); got != want {
		s.t.Fatalf("%s linked to %s through %s: %v, want %v", p, other, assocClass, got, want)
	}
}

// enabledState returns a VM's EnabledState.
func (s *session) enabledState(vm cim.ObjectPath) uint64 {
	s.t.Helper()
	n, ok := prop(s.get(vm), "EnabledState")
	if !ok {
		s.t.Fatalf("%s has no EnabledState", vm)
	}
	return n
}

// requireState requires a VM's EnabledState.
func (s *session) requireState(vm cim.ObjectPath, want uint64) {
	s.t.Helper()
	if got := s.enabledState(vm); got != want {
		s.t.Fatalf("EnabledState of %s is %d, want %d", vm, got, want)
	}
}

// uintOf reads a number from either protocol's value.
func uintOf(v cim.Value) (uint64, bool) {
	if v.IsNull() || v.IsArray() {
		return 0, false
	}
	if n, ok := v.AsUint64(); ok && v.Type().IsInteger() {
		return n, true
	}
	n, err := strconv.ParseUint(strings.TrimSpace(v.Text()), 10, 64)
	return n, err == nil
}

// prop reads a numeric property.
func prop(in *cim.Instance, name string) (uint64, bool) {
	v, ok := in.Get(name)
	if !ok {
		return 0, false
	}
	return uintOf(v)
}

// props reads a numeric array property; a scalar is a one-element array
// (WS-Man cannot tell them apart).
func props(in *cim.Instance, name string) []uint64 {
	v, ok := in.Get(name)
	if !ok || v.IsNull() {
		return nil
	}
	elems := []cim.Value{v}
	if v.IsArray() {
		elems = v.Elems()
	}
	var out []uint64
	for _, e := range elems {
		if n, ok := uintOf(e); ok {
			out = append(out, n)
		}
	}
	return out
}

// strProps reads a string array property.
func strProps(in *cim.Instance, name string) []string {
	v, ok := in.Get(name)
	if !ok || v.IsNull() {
		return nil
	}
	if !v.IsArray() {
		return []string{v.Text()}
	}
	var out []string
	for _, e := range v.Elems() {
		out = append(out, e.Text())
	}
	return out
}

// boolProp reads a boolean property.
func boolProp(in *cim.Instance, name string) (bool, bool) {
	v, ok := in.Get(name)
	if !ok || v.IsNull() {
		return false, false
	}
	switch strings.ToLower(strings.TrimSpace(v.Text())) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// outRef returns the reference output parameter name.
func outRef(t testing.TB, out cim.Params, name string) cim.ObjectPath {
	t.Helper()
	v, _ := out.Get(name)
	if ref, ok := v.AsRef(); ok {
		return ref
	}
	if p, err := cim.ParseObjectPath(v.Text()); err == nil && p.ClassName != "" {
		return p
	}
	t.Fatalf("no reference %s in %v", name, out)
	return cim.ObjectPath{}
}

// keyOf is a protocol-neutral form of a path for comparison: class and
// keys case-folded, namespace and host dropped.
func keyOf(p cim.ObjectPath) string {
	var keys []string
	for _, k := range p.Keys {
		val := k.Value.Text()
		if r, ok := k.Value.AsRef(); ok {
			val = "{" + keyOf(r) + "}"
		}
		keys = append(keys, strings.ToLower(k.Name)+"="+strings.ToLower(val))
	}
	slices.Sort(keys)
	return strings.ToLower(p.ClassName) + "." + strings.Join(keys, ",")
}

func samePath(a, b cim.ObjectPath) bool { return keyOf(a) == keyOf(b) }

func hasPath(ps []cim.ObjectPath, p cim.ObjectPath) bool {
	return slices.ContainsFunc(ps, func(q cim.ObjectPath) bool { return samePath(q, p) })
}
