package jobs

import (
	"time"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// State is a job's JobState (CIM_ConcreteJob).
type State uint16

// The job states Ferrum uses.
const (
	New        State = 2
	Starting   State = 3
	Running    State = 4
	Completed  State = 7
	Terminated State = 8
	Killed     State = 9
	Exception  State = 10
)

var stateNames = map[State]string{
	New: "New", Starting: "Starting", Running: "Running", Completed: "Completed",
	Terminated: "Terminated", Killed: "Killed", Exception: "Exception",
}

// String returns the DSP1103 name of s.
func (s State) String() string {
	if n, ok := stateNames[s]; ok {
		return n
	}
	return "Unknown"
}

// Finished reports whether s is a final state.
func (s State) Finished() bool {
	return s == Completed || s == Terminated || s == Killed || s == Exception
}

// ElementEffects values of CIM_AffectedJobElement.
const (
	EffectUnknown          uint16 = 0
	EffectOther            uint16 = 1
	EffectExclusiveUse     uint16 = 2
	EffectPerformance      uint16 = 3
	EffectElementIntegrity uint16 = 4
	EffectCreate           uint16 = 5
)

// DefaultTimeBeforeRemoval is how long a finished job with
// DeleteOnCompletion stays visible (CIM_ConcreteJob's default).
const DefaultTimeBeforeRemoval = 5 * time.Minute

// InterruptedByRestart is the ErrorDescription of a job that was not
// finished when ferrumd stopped.
const InterruptedByRestart = "interrupted by a restart of ferrumd"

// Affected is an element a job changes or creates (CIM_AffectedJobElement).
type Affected struct {
	Path    cim.ObjectPath
	Effects []uint16
}

// Spec describes a job to start.
type Spec struct {
	// Name is the operation, e.g. "DefineSystem"; it becomes the job's Name
	// and the op of its log records.
	Name string
	// Description tells people what the job does ("define vm web01").
	Description string
	// Owner is the user the job runs for; empty means the principal of the
	// context given to Start.
	Owner string
	// VM and Host name what the job works on, for the audit log.
	VM, Host string
	// OwningElement is the service that started the job
	// (CIM_OwningJobElement); the zero path means none.
	OwningElement cim.ObjectPath
	// Affected lists the elements known at the start; work can add more.
	Affected []Affected
	// In are the method's input parameters (JobInParameters).
	In cim.Params
	// KeepAfterCompletion clears DeleteOnCompletion: the job stays until a
	// client deletes it.
	KeepAfterCompletion bool
	// TimeBeforeRemoval overrides DefaultTimeBeforeRemoval when positive.
	TimeBeforeRemoval time.Duration
}

// Job is a snapshot of one job.
type Job struct {
	ID          string // the InstanceID
	Name        string
	Description string
	Owner       string
	VM, Host    string
	State       State
	// Status is JobStatus: the last step the work reported, or the state.
	Status          string
	PercentComplete int
	Submitted       time.Time
	Started         time.Time // zero until the work starts
	LastChange      time.Time // TimeOfLastStateChange
	// Finished is when the job reached a final state (zero before).
	Finished           time.Time
	DeleteOnCompletion bool
	TimeBeforeRemoval  time.Duration
	In, Out            cim.Params
	ErrorCode          uint16
	ErrorDescription   string
	// Errors are CIM_Error instances: the failure, then any undo step that
	// failed too.
	Errors        []*cim.Instance
	OwningElement cim.ObjectPath
	Affected      []Affected
	// PendingUndo names the undo steps registered and not yet run; after a
	// restart it tells an operator what a lost job left behind.
	PendingUndo []string
}

// clone returns a copy of j that shares no slices with it.
func (j Job) clone() Job {
	j.In = append(cim.Params(nil), j.In...)
	j.Out = append(cim.Params(nil), j.Out...)
	j.Errors = append([]*cim.Instance(nil), j.Errors...)
	j.Affected = append([]Affected(nil), j.Affected...)
	j.PendingUndo = append([]string(nil), j.PendingUndo...)
	return j
}

// expires returns when a finished job with DeleteOnCompletion is removed,
// and false when it is kept.
func (j Job) expires() (time.Time, bool) {
	if !j.State.Finished() || !j.DeleteOnCompletion {
		return time.Time{}, false
	}
	return j.Finished.Add(j.TimeBeforeRemoval), true
}

// operationalStatus is {2 OK, 17 Completed} for a job that completed,
// {6 Error, 17 Completed} for one that failed or was stopped, {2} before.
func (j Job) operationalStatus() []uint16 {
	switch j.State {
	case Completed:
		return []uint16{2, 17}
	case Exception, Terminated, Killed:
		return []uint16{6, 17}
	}
	return []uint16{2}
}
