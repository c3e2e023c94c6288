package model

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
)

// Outcome is what a failed operation means to a client, independent of
// the return-code numbering of the method that failed.
type Outcome uint8

// Outcomes of failed operations.
const (
	Failed Outcome = iota + 1
	NotSupported
	Timeout
	InvalidParameter
	InvalidState
	Incompatible
	Busy
	InsufficientResources
	Unavailable
	NotFound
)

// outcomeInfo is one row of the table: the CIM status of the outcome and
// its CIM_Error.ErrorType.
type outcomeInfo struct {
	name      string
	status    cim.Status
	errorType uint16
}

var outcomes = map[Outcome]outcomeInfo{
	Failed:                {"failed", cim.ErrFailed, jobs.ErrorTypeSoftware},
	NotSupported:          {"not supported", cim.ErrNotSupported, jobs.ErrorTypeUnsupported},
	Timeout:               {"timeout", cim.ErrFailed, jobs.ErrorTypeOther},
	InvalidParameter:      {"invalid parameter", cim.ErrInvalidParameter, jobs.ErrorTypeSoftware},
	InvalidState:          {"invalid state", cim.ErrFailed, jobs.ErrorTypeSoftware},
	Incompatible:          {"incompatible", cim.ErrFailed, jobs.ErrorTypeSoftware},
	Busy:                  {"busy", cim.ErrFailed, jobs.ErrorTypeUnavailable},
	InsufficientResources: {"insufficient resources", cim.ErrFailed, jobs.ErrorTypeOversubscribed},
	Unavailable:           {"host unavailable", cim.ErrFailed, jobs.ErrorTypeCommunications},
	NotFound:              {"not found", cim.ErrNotFound, jobs.ErrorTypeSoftware},
}

// Classify is the one table from backend errors to outcomes. A
// *StateError is an invalid state; another ErrConflict means the object is
// busy or in use.
func Classify(err error) Outcome {
	var se *backends.StateError
	var me *Error
	switch {
	case errors.As(err, &me):
		return me.Outcome
	case errors.As(err, &se):
		return InvalidState
	case errors.Is(err, context.DeadlineExceeded):
		return Timeout
	case errors.Is(err, backends.ErrNotFound):
		return NotFound
	case errors.Is(err, backends.ErrInvalidArgument):
		return InvalidParameter
	case errors.Is(err, backends.ErrUnsupported):
		return NotSupported
	case errors.Is(err, backends.ErrConflict):
		return Busy
	case errors.Is(err, backends.ErrInsufficientResources):
		return InsufficientResources
	case errors.Is(err, backends.ErrIncompatible), errors.Is(err, backends.ErrNotConverged):
		return Incompatible
	case errors.Is(err, backends.ErrUnavailable):
		return Unavailable
	}
	switch cim.StatusOf(err) {
	case cim.ErrInvalidParameter:
		return InvalidParameter
	case cim.ErrNotSupported:
		return NotSupported
	case cim.ErrNotFound:
		return NotFound
	}
	return Failed
}

// CIMError turns err into the *cim.Error an intrinsic operation returns,
// keeping err wrapped. A *cim.Error passes unchanged.
func CIMError(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	var ce *cim.Error
	if errors.As(err, &ce) {
		return err
	}
	what := fmt.Sprintf(format, args...)
	return &cim.Error{Code: outcomes[Classify(err)].status, Description: what + ": " + err.Error(), Err: err}
}

// Error is a failure with the outcome a client should see. It wraps the
// cause; Fail builds one for failures Ferrum itself detects.
type Error struct {
	Outcome Outcome
	Err     error
	code    uint32 // the method's return code, once known
}

// Fail returns an *Error with outcome o and a formatted cause (%w wraps).
func Fail(o Outcome, format string, args ...any) *Error {
	return &Error{Outcome: o, Err: fmt.Errorf(format, args...)}
}

func (e *Error) Error() string { return e.Err.Error() }

// Unwrap returns the cause and the *cim.Error of the outcome's status, so
// that cim.StatusOf sees the right code.
func (e *Error) Unwrap() []error {
	st := outcomes[e.Outcome].status
	return []error{e.Err, &cim.Error{Code: st, Description: e.Err.Error()}}
}

// ReturnCode is the method's return code, for jobs.ReturnCoder.
func (e *Error) ReturnCode() uint32 { return e.code }

// ErrorType is the CIM_Error.ErrorType of the outcome, for jobs.ErrorTyper.
func (e *Error) ErrorType() uint16 { return outcomes[e.Outcome].errorType }

// ReturnCodes numbers the outcomes for one family of methods. Outcomes
// missing from the map, or from the method's ValueMap, fall back to the
// Failed entry.
type ReturnCodes map[Outcome]uint32

// VSMSCodes number the outcomes of the management services' methods
// (CIM_VirtualSystemManagementService and its snapshot, migration and
// pool-configuration kin): 1 Not Supported, 2 Failed, 3 Timeout,
// 4 Invalid Parameter, 5 Invalid State, 6 Incompatible Parameters.
var VSMSCodes = ReturnCodes{
	NotSupported: 1, Failed: 2, Timeout: 3, InvalidParameter: 4, NotFound: 4,
	InvalidState: 5, Busy: 5, Incompatible: 6,
}

// StateChangeCodes number the outcomes of RequestStateChange on a VM:
// 1 Not Supported, 3 Timeout, 4 Failed, 5 Invalid Parameter, 4097 Invalid
// State Transition, 4099 Busy.
var StateChangeCodes = ReturnCodes{
	NotSupported: 1, Timeout: 3, Failed: 4, InvalidParameter: 5, NotFound: 5,
	InvalidState: 4097, Busy: 4099,
}

// Code returns the return code of outcome o for method m, honouring the
// ValueMap of m's return value when m is given.
func (rc ReturnCodes) Code(m *cim.Method, o Outcome) uint32 {
	code, ok := rc[o]
	if !ok || (m != nil && !inValueMap(m, code)) {
		return rc[Failed]
	}
	return code
}

// Wrap returns err as an *Error that carries its return code for m, for a
// job's ErrorCode.
func (rc ReturnCodes) Wrap(m *cim.Method, err error) *Error {
	o := Classify(err)
	return &Error{Outcome: o, Err: err, code: rc.Code(m, o)}
}

// inValueMap reports whether code is one of the values (or ranges) of m's
// ValueMap; a method without one accepts any code.
func inValueMap(m *cim.Method, code uint32) bool {
	q, ok := m.Qualifiers.Get("ValueMap")
	if !ok {
		return true
	}
	return slices.ContainsFunc(q.Value.Elems(), func(v cim.Value) bool {
		lo, hi, ok := valueRange(v.Str())
		return ok && code >= lo && code <= hi
	})
}

func valueRange(s string) (lo, hi uint32, ok bool) {
	a, b, isRange := strings.Cut(s, "..")
	if !isRange {
		n, err := strconv.ParseUint(s, 0, 32)
		return uint32(n), uint32(n), err == nil
	}
	if a == "" || b == "" {
		return 0, 0, false // ".." alone is DMTF Reserved
	}
	x, err1 := strconv.ParseUint(a, 0, 32)
	y, err2 := strconv.ParseUint(b, 0, 32)
	return uint32(x), uint32(y), err1 == nil && err2 == nil
}
