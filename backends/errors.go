package backends

import (
	"errors"
	"fmt"
)

// Sentinel errors. Implementations wrap them with context
// (fmt.Errorf("start %s on %s: %w", vm, host, backends.ErrConflict)) and
// callers test them with errors.Is.
var (
	// ErrNotFound reports that a named or identified object (VM, pool,
	// volume, switch, port, host NIC) does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict reports that an object already exists (a name, UUID or MAC
	// in use), that it is in use by another object, or that it is in a state
	// that does not allow the operation. A state conflict is a *StateError.
	ErrConflict = errors.New("conflict")
	// ErrInsufficientResources reports that the host or pool lacks the
	// memory, storage or other capacity the operation needs right now.
	ErrInsufficientResources = errors.New("insufficient resources")
	// ErrUnsupported reports that the backend cannot do the operation at
	// all, or not in the current mode (for example hot-plugging an IDE disk).
	ErrUnsupported = errors.New("unsupported")
	// ErrInvalidArgument reports a malformed or out-of-range request that
	// would fail on any host: a bad MAC, too many vCPUs, an empty name.
	ErrInvalidArgument = errors.New("invalid argument")
	// ErrIncompatible reports that a destination host cannot take a virtual
	// server: another CPU family, missing shared storage or networks.
	ErrIncompatible = errors.New("incompatible destination")
	// ErrNotConverged reports that a live migration gave up because the
	// guest dirtied memory faster than it could be copied. The virtual
	// server keeps running on the source.
	ErrNotConverged = errors.New("migration did not converge")
	// ErrUnavailable reports that the host cannot be reached or is down.
	ErrUnavailable = errors.New("host unavailable")
)

// A StateError reports that an operation is not allowed in a virtual
// server's current state. It matches ErrConflict with errors.Is, and carries
// the state so a caller can decide what to do (errors.As).
type StateError struct {
	VM    string // VM ID
	Op    string // operation refused, e.g. "start"
	State State  // state the VM was in
}

func (e *StateError) Error() string {
	return fmt.Sprintf("%s vm %s: not allowed in state %s", e.Op, e.VM, e.State)
}

// Unwrap makes a StateError match ErrConflict.
func (e *StateError) Unwrap() error { return ErrConflict }
