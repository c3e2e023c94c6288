package jobs

import (
	"context"
	"errors"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// Errors of the Manager.
var (
	// ErrClosed: the Manager is shutting down and takes no new jobs.
	ErrClosed = cim.Errorf(cim.ErrServerIsShuttingDown, "the job manager is shutting down")
	// ErrNotFound: no such job (or not one the principal may see).
	ErrNotFound = errors.New("no such job")
	// ErrFinished: the job has already finished.
	ErrFinished = errors.New("job has finished")
	// ErrNotFinished: the job is still running.
	ErrNotFinished = errors.New("job has not finished")
)

// A ReturnCoder is an error that knows the return code its method would
// have given had it run synchronously, e.g. 4 Invalid Parameter; the job
// reports it as ErrorCode. Other errors give the ErrorCode of their CIM
// status (1 for a plain error).
type ReturnCoder interface {
	error
	ReturnCode() uint32
}

// An ErrorTyper is an error that knows its CIM_Error.ErrorType (4 Software
// Error, 8 Oversubscription Error, 10 Unsupported Operation Error, ...).
type ErrorTyper interface {
	error
	ErrorType() uint16
}

// CIM_Error.ErrorType values.
const (
	ErrorTypeUnknown        uint16 = 0
	ErrorTypeOther          uint16 = 1
	ErrorTypeCommunications uint16 = 2
	ErrorTypeSoftware       uint16 = 4
	ErrorTypeOversubscribed uint16 = 8
	ErrorTypeUnavailable    uint16 = 9
	ErrorTypeUnsupported    uint16 = 10
)

// errorCode is the ErrorCode a job reports for err.
func errorCode(err error) uint16 {
	var rc ReturnCoder
	if errors.As(err, &rc) {
		return uint16(rc.ReturnCode())
	}
	return uint16(cim.StatusOf(err))
}

// severity values of CIM_Error.PerceivedSeverity.
const (
	severityMajor = 5
)

// ErrorInstance returns the CIM_Error instance that describes err; source,
// when it names an object, is where the error happened.
func ErrorInstance(err error, messageID string, source cim.ObjectPath) *cim.Instance {
	typ := ErrorTypeSoftware
	var et ErrorTyper
	switch {
	case errors.As(err, &et):
		typ = et.ErrorType()
	case errors.Is(err, context.Canceled):
		typ = ErrorTypeOther
	}
	status := cim.StatusOf(err)
	in := cim.NewInstance("CIM_Error").
		Set("ErrorType", cim.Uint16(typ)).
		Set("OwningEntity", cim.String("Ferrum")).
		Set("MessageID", cim.String(messageID)).
		Set("Message", cim.String(err.Error())).
		Set("PerceivedSeverity", cim.Uint16(severityMajor)).
		Set("ProbableCause", cim.Uint16(0)).
		Set("CIMStatusCode", cim.Uint32(uint32(status))).
		Set("CIMStatusCodeDescription", cim.String(status.String()))
	if source.ClassName != "" {
		in.Set("ErrorSource", cim.String(source.String())).
			Set("ErrorSourceFormat", cim.Uint16(2))
	}
	return in
}
