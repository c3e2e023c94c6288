package backends

import (
	"context"
	"time"
)

// A VMManager manages the virtual servers of one host. It is the union of
// small interfaces so a caller can ask for only what it uses.
type VMManager interface {
	VMInventory
	Lifecycle
	Reconfigurer
	// Stats returns the VM's counters since it was defined. Counters never
	// decrease while the VM stays on this host.
	Stats(ctx context.Context, id string) (VMStats, error)
}

// VMInventory defines, removes and lists virtual servers.
//
// Define validates spec against the host's Limits and creates a stopped VM.
// An empty UUID is generated; empty NIC MACs are generated, never repeating a
// MAC the backend knows of. Define fails with ErrConflict when the name, UUID
// or a MAC is already in use, ErrNotFound when a referenced volume or switch
// does not exist, and ErrInvalidArgument for a malformed spec. Defining does
// not reserve memory: a defined VM uses none until it starts.
//
// Undefine removes a VM that is not running (Off, Crashed or Saved; a saved
// image is discarded) and releases its MACs and volume references. It fails
// with a *StateError for a running or paused VM.
//
// Get and List report the current configuration and state; IDs are UUIDs.
type VMInventory interface {
	Define(ctx context.Context, spec VMSpec) (VM, error)
	Undefine(ctx context.Context, id string) error
	Get(ctx context.Context, id string) (VM, error)
	List(ctx context.Context) ([]VM, error)
}

// Lifecycle changes a virtual server's run state. Each call fails with a
// *StateError (matching ErrConflict) when the VM's state does not allow it,
// and with ErrNotFound for an unknown ID. Allowed transitions:
//
//	Start:    Off, Crashed → Running; Saved → Running (restores the image).
//	          ErrInsufficientResources when the host lacks free memory.
//	Stop:     Running, Paused, ShuttingDown → Off (hard power-off).
//	Shutdown: Running → ShuttingDown → Off (asks the guest OS).
//	Pause:    Running → Paused.   Resume: Paused → Running.
//	Reboot:   Running → Running (asks the guest).
//	Reset:    Running, Paused → unchanged (hard reset of the virtual hardware).
//	Save:     Running, Paused → Saved (memory released).  Restore: Saved → Running.
//
// Shutdown waits up to timeout, measured on the backend's clock, for the guest
// to power off; a timeout of zero only sends the request. When the guest has
// not powered off in time Shutdown returns an error wrapping
// context.DeadlineExceeded and leaves the VM running or shutting down, for the
// caller to Stop. Cancelling ctx ends the wait the same way with ctx.Err().
type Lifecycle interface {
	Start(ctx context.Context, id string) error
	Stop(ctx context.Context, id string) error
	Shutdown(ctx context.Context, id string, timeout time.Duration) error
	Pause(ctx context.Context, id string) error
	Resume(ctx context.Context, id string) error
	Reboot(ctx context.Context, id string) error
	Reset(ctx context.Context, id string) error
	Save(ctx context.Context, id string) error
	Restore(ctx context.Context, id string) error
}

// Reconfigurer changes a virtual server's resources. On a stopped VM the
// change is cold: it applies to the definition, and raising VCPUs or memory
// above the maximum raises the maximum. On a running or paused VM the change
// is hot and fails with ErrUnsupported unless the host's Capabilities declare
// the matching hot-plug, and with ErrInvalidArgument beyond the VM's maximum
// (MaxVCPUs, MaxMemoryMiB). Growing a running VM's memory fails with
// ErrInsufficientResources when the host lacks free memory.
//
// AttachDisk and AttachNIC return the device as configured, with Target and
// MAC filled in; DetachDisk takes that Target, DetachNIC that MAC, and both
// fail with ErrNotFound for an unknown device.
type Reconfigurer interface {
	SetVCPUs(ctx context.Context, id string, n int) error
	SetMemory(ctx context.Context, id string, mib uint64) error
	AttachDisk(ctx context.Context, id string, d DiskSpec) (DiskSpec, error)
	DetachDisk(ctx context.Context, id string, target string) error
	AttachNIC(ctx context.Context, id string, n NICSpec) (NICSpec, error)
	DetachNIC(ctx context.Context, id string, mac string) error
}

// State is a virtual server's run state.
type State string

// The run states.
const (
	StateOff          State = "off" // defined, not running
	StateRunning      State = "running"
	StatePaused       State = "paused"
	StateSaved        State = "saved" // stopped with its memory image kept
	StateShuttingDown State = "shutting-down"
	StateCrashed      State = "crashed"
)

// Active reports whether a VM in this state holds host memory.
func (s State) Active() bool {
	return s == StateRunning || s == StatePaused || s == StateShuttingDown
}

// Reason tells why a VM entered its current state.
type Reason string

// Reasons for state changes.
const (
	ReasonDefined   Reason = "defined"   // never started
	ReasonBooted    Reason = "booted"    // Start
	ReasonUser      Reason = "user"      // Pause, or Shutdown requested
	ReasonUnpaused  Reason = "unpaused"  // Resume
	ReasonDestroyed Reason = "destroyed" // Stop
	ReasonShutdown  Reason = "shutdown"  // guest powered off
	ReasonRebooted  Reason = "rebooted"
	ReasonReset     Reason = "reset"
	ReasonSaved     Reason = "saved"
	ReasonRestored  Reason = "restored"
	ReasonMigrated  Reason = "migrated" // arrived by migration
	ReasonCrashed   Reason = "crashed"  // guest or hypervisor failure
	ReasonHostDown  Reason = "host-down"
	ReasonUnknown   Reason = "unknown"
)

// VM is a virtual server as reported by a host: its configuration plus its
// run state.
type VM struct {
	VMSpec
	Host   string // ID of the host it is defined on
	State  State
	Reason Reason
	// Since is when the VM entered State, on the backend's clock.
	Since time.Time
}
