// Package conformance is a client-side conformance suite for WBEM servers
// that implement the DMTF system-virtualization profiles. It discovers the
// profiles a server advertises the DMTF way (DSP1033: the Interop namespace,
// CIM_RegisteredProfile, CIM_ElementConformsToProfile or GetCentralInstances,
// or the scoping-class methodology) and checks each one's mandatory elements
// over every protocol it is given. Profiles the server does not advertise are
// skipped, so the suite runs against any CIMOM.
package conformance

import "fmt"

// Status is the outcome of one check.
type Status int

// The outcomes.
const (
	Pass Status = iota
	Fail
	Skip
)

func (s Status) String() string { return [...]string{"PASS", "FAIL", "SKIP"}[s] }

// A Result is one check's outcome over one protocol.
type Result struct {
	Profile     string // e.g. "DSP1033"
	Requirement string // the requirement verified, e.g. "DSP1033 RegisteredProfile.RegisteredVersion is Required, M.N.U"
	Check       string // the check's name
	Protocol    string // "cimxml", "wsman", or "both" for cross-protocol checks
	Status      Status
	Reason      string // why it failed or was skipped; empty on PASS
}

// Report is the outcome of a run.
type Report struct {
	Target  string
	Results []Result
}

// Counts returns the numbers of passed, failed and skipped results.
func (r *Report) Counts() (passed, failed, skipped int) {
	for _, res := range r.Results {
		switch res.Status {
		case Pass:
			passed++
		case Fail:
			failed++
		default:
			skipped++
		}
	}
	return
}

// Summary is the report's last line: "N passed, N failed, N skipped".
func (r *Report) Summary() string {
	p, f, s := r.Counts()
	return fmt.Sprintf("%d passed, %d failed, %d skipped", p, f, s)
}

// Failed reports whether any check failed.
func (r *Report) Failed() bool {
	_, f, _ := r.Counts()
	return f > 0
}
