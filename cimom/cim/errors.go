package cim

import (
	"errors"
	"fmt"
)

// Status is a CIM status code (DSP0200 §5.3.1, CIM_Error.CIMStatusCode).
type Status int

// The CIM status codes 0–29.
const (
	StatusOK                           Status = 0
	ErrFailed                          Status = 1
	ErrAccessDenied                    Status = 2
	ErrInvalidNamespace                Status = 3
	ErrInvalidParameter                Status = 4
	ErrInvalidClass                    Status = 5
	ErrNotFound                        Status = 6
	ErrNotSupported                    Status = 7
	ErrClassHasChildren                Status = 8
	ErrClassHasInstances               Status = 9
	ErrInvalidSuperclass               Status = 10
	ErrAlreadyExists                   Status = 11
	ErrNoSuchProperty                  Status = 12
	ErrTypeMismatch                    Status = 13
	ErrQueryLanguageNotSupported       Status = 14
	ErrInvalidQuery                    Status = 15
	ErrMethodNotAvailable              Status = 16
	ErrMethodNotFound                  Status = 17
	ErrUnexpectedResponse              Status = 18
	ErrInvalidResponseDestination      Status = 19
	ErrNamespaceNotEmpty               Status = 20
	ErrInvalidEnumerationContext       Status = 21
	ErrInvalidOperationTimeout         Status = 22
	ErrPullHasBeenAbandoned            Status = 23
	ErrPullCannotBeAbandoned           Status = 24
	ErrFilteredEnumerationNotSupported Status = 25
	ErrContinuationOnErrorNotSupported Status = 26
	ErrServerLimitsExceeded            Status = 27
	ErrServerIsShuttingDown            Status = 28
	ErrQueryFeatureNotSupported        Status = 29
)

var statusNames = [...]string{
	"CIM_ERR_OK", "CIM_ERR_FAILED", "CIM_ERR_ACCESS_DENIED", "CIM_ERR_INVALID_NAMESPACE",
	"CIM_ERR_INVALID_PARAMETER", "CIM_ERR_INVALID_CLASS", "CIM_ERR_NOT_FOUND",
	"CIM_ERR_NOT_SUPPORTED", "CIM_ERR_CLASS_HAS_CHILDREN", "CIM_ERR_CLASS_HAS_INSTANCES",
	"CIM_ERR_INVALID_SUPERCLASS", "CIM_ERR_ALREADY_EXISTS", "CIM_ERR_NO_SUCH_PROPERTY",
	"CIM_ERR_TYPE_MISMATCH", "CIM_ERR_QUERY_LANGUAGE_NOT_SUPPORTED", "CIM_ERR_INVALID_QUERY",
	"CIM_ERR_METHOD_NOT_AVAILABLE", "CIM_ERR_METHOD_NOT_FOUND", "CIM_ERR_UNEXPECTED_RESPONSE",
	"CIM_ERR_INVALID_RESPONSE_DESTINATION", "CIM_ERR_NAMESPACE_NOT_EMPTY",
	"CIM_ERR_INVALID_ENUMERATION_CONTEXT", "CIM_ERR_INVALID_OPERATION_TIMEOUT",
	"CIM_ERR_PULL_HAS_BEEN_ABANDONED", "CIM_ERR_PULL_CANNOT_BE_ABANDONED",
	"CIM_ERR_FILTERED_ENUMERATION_NOT_SUPPORTED", "CIM_ERR_CONTINUATION_ON_ERROR_NOT_SUPPORTED",
	"CIM_ERR_SERVER_LIMITS_EXCEEDED", "CIM_ERR_SERVER_IS_SHUTTING_DOWN",
	"CIM_ERR_QUERY_FEATURE_NOT_SUPPORTED",
}

// String returns the symbolic name of s, e.g. "CIM_ERR_NOT_FOUND".
func (s Status) String() string {
	if s >= 0 && int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("CIM_ERR_%d", int(s))
}

// Error is an error a CIM client should see: a status code with a description
// for people. It may wrap the internal error that caused it.
type Error struct {
	Code        Status
	Description string
	Err         error
}

// Errorf returns a *Error with the given code and a formatted description. A
// %w verb in format wraps its operand, as with fmt.Errorf.
func Errorf(code Status, format string, args ...any) *Error {
	wrapped := fmt.Errorf(format, args...)
	return &Error{Code: code, Description: wrapped.Error(), Err: errors.Unwrap(wrapped)}
}

func (e *Error) Error() string {
	if e.Description == "" {
		return e.Code.String()
	}
	return e.Code.String() + ": " + e.Description
}

// Unwrap returns the error that caused e, if any.
func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, &Error{Code: c}) match any *Error with code c.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Description == "" && t.Err == nil && t.Code == e.Code
}

// StatusOf returns the CIM status carried by err: StatusOK for nil, the code of
// the first *Error in err's chain, or ErrFailed for any other error.
func StatusOf(err error) Status {
	if err == nil {
		return StatusOK
	}
	var ce *Error
	if errors.As(err, &ce) {
		return ce.Code
	}
	return ErrFailed
}
