package proto

import (
	"context"
	"errors"

	"github.com/ferrum-virt/ferrum/backends"
)

// ErrDenied reports that the manager refused to enrol or admit a node: an
// invalid, expired or used join token, or a revoked node.
var ErrDenied = errors.New("denied")

// Code names a sentinel error on the wire.
type Code string

// codes maps each wire code to the error it stands for. The order matters
// only for reading; an error may carry several codes.
var codes = []struct {
	code Code
	err  error
}{
	{"not-found", backends.ErrNotFound},
	{"conflict", backends.ErrConflict},
	{"insufficient-resources", backends.ErrInsufficientResources},
	{"unsupported", backends.ErrUnsupported},
	{"invalid-argument", backends.ErrInvalidArgument},
	{"incompatible", backends.ErrIncompatible},
	{"not-converged", backends.ErrNotConverged},
	{"unavailable", backends.ErrUnavailable},
	{"canceled", context.Canceled},
	{"deadline-exceeded", context.DeadlineExceeded},
	{"incompatible-version", ErrIncompatibleVersion},
	{"denied", ErrDenied},
	{"malformed", ErrMalformed},
}

// Error is an error as it crosses the wire: its message, the codes of the
// sentinel errors it matches, and a *backends.StateError's fields.
type Error struct {
	Message string
	Codes   []Code
	State   *StateInfo
}

// StateInfo carries a *backends.StateError.
type StateInfo struct {
	VM    string
	Op    string
	State backends.State
}

// WireError encodes err for the wire; nil stays nil.
func WireError(err error) *Error {
	if err == nil {
		return nil
	}
	e := &Error{Message: err.Error()}
	for _, c := range codes {
		if errors.Is(err, c.err) {
			e.Codes = append(e.Codes, c.code)
		}
	}
	var se *backends.StateError
	if errors.As(err, &se) {
		e.State = &StateInfo{VM: se.VM, Op: se.Op, State: se.State}
	}
	return e
}

// Err rebuilds the error: its text is the remote message, and errors.Is
// matches the sentinels the remote error matched; errors.As finds a
// *backends.StateError when the remote error was one. Codes this build does
// not know are ignored.
func (e *Error) Err() error {
	if e == nil {
		return nil
	}
	r := &RemoteError{msg: e.Message}
	if e.State != nil {
		r.errs = append(r.errs, &backends.StateError{VM: e.State.VM, Op: e.State.Op, State: e.State.State})
	}
	for _, code := range e.Codes {
		for _, c := range codes {
			if c.code == code {
				r.errs = append(r.errs, c.err)
			}
		}
	}
	return r
}

// A RemoteError is an error that happened on the other side of the link.
type RemoteError struct {
	msg  string
	errs []error
}

func (e *RemoteError) Error() string { return e.msg }

// Unwrap returns the sentinel errors and StateError the remote error matched.
func (e *RemoteError) Unwrap() []error { return e.errs }
