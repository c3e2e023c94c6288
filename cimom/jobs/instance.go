package jobs

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// Class names of the embedded parameter instances (CIM_ConcreteJob's
// JobInParameters and JobOutParameters descriptions).
const (
	inParamsClass  = "__JobInParameters"
	outParamsClass = "__JobOutParameters"
	// ReturnValueParam holds a job's return value in JobOutParameters.
	ReturnValueParam = "__ReturnValue"
)

// Properties kept only in the persisted record, never served: what the
// public instance cannot carry.
const (
	propVM       = "FerrumVM"
	propHost     = "FerrumHost"
	propFinished = "FerrumFinished"
	propOwning   = "FerrumOwningElement"
	propAffected = "FerrumAffected"
	propEffects  = "FerrumEffects"
	propErrors   = "FerrumErrors"
	propUndo     = "FerrumUndo"
)

func timestamp(t time.Time) cim.Value { return cim.DateTimeValue(cim.NewTimestamp(t)) }

// instance returns the Ferrum_ConcreteJob instance clients see, as of now.
func (j Job) instance(class string, now time.Time) *cim.Instance {
	in := cim.NewInstance(class).
		Set("InstanceID", cim.String(j.ID)).
		Set("Name", cim.String(j.Name)).
		Set("ElementName", cim.String(j.Name)).
		Set("Caption", cim.String(j.Name)).
		Set("Description", cim.String(j.Description)).
		Set("Owner", cim.String(j.Owner)).
		Set("JobState", cim.Uint16(uint16(j.State))).
		Set("JobStatus", cim.String(j.Status)).
		Set("OperationalStatus", cim.Uint16Array(j.operationalStatus()...)).
		Set("PercentComplete", cim.Uint16(uint16(j.PercentComplete))).
		Set("TimeSubmitted", timestamp(j.Submitted)).
		Set("TimeOfLastStateChange", timestamp(j.LastChange)).
		Set("TimeBeforeRemoval", cim.DateTimeValue(cim.NewInterval(j.TimeBeforeRemoval))).
		Set("DeleteOnCompletion", cim.Bool(j.DeleteOnCompletion)).
		Set("LocalOrUtcTime", cim.Uint16(2)).
		Set("ErrorCode", cim.Uint16(j.ErrorCode)).
		Set("JobInParameters", cim.Embedded(paramsInstance(inParamsClass, j.In)))
	if j.ErrorDescription != "" {
		in.Set("ErrorDescription", cim.String(j.ErrorDescription))
	}
	if !j.Started.IsZero() {
		end := now
		if !j.Finished.IsZero() {
			end = j.Finished
		}
		in.Set("StartTime", timestamp(j.Started)).
			Set("ElapsedTime", cim.DateTimeValue(cim.NewInterval(end.Sub(j.Started))))
	}
	if j.State == Completed {
		in.Set("JobOutParameters", cim.Embedded(paramsInstance(outParamsClass, j.Out)))
	}
	return in
}

// paramsInstance maps method parameters to the embedded instance
// CIM_ConcreteJob describes: one property per parameter, references as
// WBEM URI strings.
func paramsInstance(class string, ps cim.Params) *cim.Instance {
	in := cim.NewInstance(class)
	for _, p := range ps {
		in.Set(p.Name, uriValue(p.Value))
	}
	return in
}

func uriValue(v cim.Value) cim.Value {
	if v.Type() != cim.TypeReference {
		return v
	}
	if !v.IsArray() {
		if p, ok := v.AsRef(); ok {
			return cim.String(p.String())
		}
		return cim.Null(cim.TypeString)
	}
	ss := make([]string, v.Len())
	for i, e := range v.Elems() {
		if p, ok := e.AsRef(); ok {
			ss[i] = p.String()
		}
	}
	return cim.StringArray(ss...)
}

func paramsOf(v cim.Value) cim.Params {
	in := v.AsInstance()
	if in == nil {
		return nil
	}
	out := make(cim.Params, 0, len(in.Properties))
	for _, p := range in.Properties {
		out = append(out, cim.Param{Name: p.Name, Value: p.Value})
	}
	return out
}

// record returns the instance the store keeps: the public one plus what
// only Ferrum needs to restore the job.
func (j Job) record(class string) *cim.Instance {
	in := j.instance(class, j.LastChange)
	in.Set("JobOutParameters", cim.Embedded(paramsInstance(outParamsClass, j.Out)))
	in.Set(propVM, cim.String(j.VM)).Set(propHost, cim.String(j.Host))
	if !j.Finished.IsZero() {
		in.Set(propFinished, timestamp(j.Finished))
	}
	if j.OwningElement.ClassName != "" {
		in.Set(propOwning, cim.Ref(j.OwningElement))
	}
	paths := make([]cim.ObjectPath, len(j.Affected))
	effects := make([]string, len(j.Affected))
	for i, a := range j.Affected {
		paths[i] = a.Path
		effects[i] = joinEffects(a.Effects)
	}
	in.Set(propAffected, cim.RefArray(paths...)).Set(propEffects, cim.StringArray(effects...))
	errs := make([]any, len(j.Errors))
	for i, e := range j.Errors {
		errs[i] = e
	}
	ev, _ := cim.NewArray(cim.TypeInstance, errs)
	in.Set(propErrors, ev).Set(propUndo, cim.StringArray(j.PendingUndo...))
	return in
}

func joinEffects(es []uint16) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = strconv.Itoa(int(e))
	}
	return strings.Join(parts, ",")
}

func splitEffects(s string) []uint16 {
	var out []uint16
	for _, f := range strings.Split(s, ",") {
		if n, err := strconv.ParseUint(f, 10, 16); err == nil {
			out = append(out, uint16(n))
		}
	}
	return out
}

// fromRecord restores a job from its persisted instance.
func fromRecord(in *cim.Instance) (Job, error) {
	j := Job{
		ID: in.Str("InstanceID"), Name: in.Str("Name"), Description: in.Str("Description"),
		Owner: in.Str("Owner"), VM: in.Str(propVM), Host: in.Str(propHost),
		Status: in.Str("JobStatus"), ErrorDescription: in.Str("ErrorDescription"),
	}
	if j.ID == "" {
		return Job{}, fmt.Errorf("job record without an InstanceID")
	}
	j.State = State(uintOf(in, "JobState"))
	j.PercentComplete = int(uintOf(in, "PercentComplete"))
	j.ErrorCode = uint16(uintOf(in, "ErrorCode"))
	j.Submitted = timeOf(in, "TimeSubmitted")
	j.Started = timeOf(in, "StartTime")
	j.LastChange = timeOf(in, "TimeOfLastStateChange")
	j.Finished = timeOf(in, propFinished)
	if v, ok := in.Get("DeleteOnCompletion"); ok {
		j.DeleteOnCompletion, _ = v.AsBool()
	}
	j.TimeBeforeRemoval = DefaultTimeBeforeRemoval
	if v, ok := in.Get("TimeBeforeRemoval"); ok {
		if d, ok := v.AsDatetime(); ok {
			j.TimeBeforeRemoval, _ = d.Duration()
		}
	}
	v, _ := in.Get("JobInParameters")
	j.In = paramsOf(v)
	v, _ = in.Get("JobOutParameters")
	j.Out = paramsOf(v)
	if v, ok := in.Get(propOwning); ok {
		j.OwningElement, _ = v.AsRef()
	}
	restoreLists(&j, in)
	return j, nil
}

func restoreLists(j *Job, in *cim.Instance) {
	paths, _ := in.Get(propAffected)
	effects, _ := in.Get(propEffects)
	for i, e := range paths.Elems() {
		p, ok := e.AsRef()
		if !ok {
			continue
		}
		a := Affected{Path: p}
		if i < effects.Len() {
			a.Effects = splitEffects(effects.Index(i).Str())
		}
		j.Affected = append(j.Affected, a)
	}
	errs, _ := in.Get(propErrors)
	for _, e := range errs.Elems() {
		if ei := e.AsInstance(); ei != nil {
			j.Errors = append(j.Errors, ei)
		}
	}
	undo, _ := in.Get(propUndo)
	for _, u := range undo.Elems() {
		j.PendingUndo = append(j.PendingUndo, u.Str())
	}
}

func uintOf(in *cim.Instance, name string) uint64 {
	v, _ := in.Get(name)
	n, _ := v.AsUint64()
	return n
}

func timeOf(in *cim.Instance, name string) time.Time {
	v, _ := in.Get(name)
	d, ok := v.AsDatetime()
	if !ok {
		return time.Time{}
	}
	t, err := d.Time()
	if err != nil {
		return time.Time{}
	}
	return t
}
