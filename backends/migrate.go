package backends

import (
	"context"
	"time"
)

// A Migrator moves virtual servers from its host to another. A Host
// implements it when it can; check with a type assertion.
//
// CheckMigration reports whether the VM could move to dest now, without
// changing anything. It returns an error only when the check itself fails
// (unknown VM, unreachable host); a refusal is a report with OK false and
// Reasons.
//
// Migrate moves the VM to dest. A live migration (opts.Live) copies memory
// while the VM runs, calling opts.Progress after each pre-copy round, then
// pauses it for the final copy and resumes it on dest. An offline migration
// moves a stopped VM's definition. On success the VM is gone from the source
// and defined on dest with the same UUID, MACs and volumes. Migrate performs
// CheckMigration first and fails with ErrInsufficientResources (memory) or
// ErrIncompatible (CPU family, storage, networks); a VM in the wrong state
// fails with a *StateError; a backend that cannot reach dest (another kind
// of backend) fails with ErrUnsupported, and dest being the source itself
// fails with ErrInvalidArgument. A live migration that cannot
// converge fails with ErrNotConverged. Cancelling ctx aborts the migration
// with ctx.Err(). On any failure the VM keeps running on the source.
type Migrator interface {
	CheckMigration(ctx context.Context, id string, dest Host) (MigrationCheck, error)
	Migrate(ctx context.Context, id string, dest Host, opts MigrateOptions) (MigrationResult, error)
}

// MigrationCheck is the answer to "could this VM move there now?".
type MigrationCheck struct {
	OK              bool
	MemoryFits      bool // dest has free memory for the VM's current memory
	CPUCompatible   bool // same processor vendor family
	StorageShared   bool // every disk (and its backing chain) is on storage dest shares
	NetworksPresent bool // every switch the VM uses exists on dest
	Reasons         []string
}

// DefaultMaxDowntime is QEMU's default downtime limit for the final
// stop-and-copy.
const DefaultMaxDowntime = 300 * time.Millisecond

// MigrateOptions tune a migration. The zero value is a live migration with
// the backend's defaults.
type MigrateOptions struct {
	Offline bool // move a stopped VM's definition instead of a live migration
	// MaxDowntime bounds the final pause; 0 means DefaultMaxDowntime.
	MaxDowntime time.Duration
	// Bandwidth caps the copy rate in bytes per second; 0 means the link.
	Bandwidth uint64
	// AutoConverge throttles the guest's vCPUs step by step when memory is
	// dirtied faster than it is sent.
	AutoConverge bool
	// MaxRounds bounds the pre-copy rounds before giving up with
	// ErrNotConverged; 0 means the backend's default.
	MaxRounds int
	// Progress, if set, is called after each pre-copy round, from the
	// migrating goroutine; it must not block for long.
	Progress func(MigrationProgress)
}

// MigrationProgress reports one pre-copy round.
type MigrationProgress struct {
	VM             string
	Round          int           // 1 is the full copy
	BytesSent      uint64        // total so far
	BytesRemaining uint64        // dirty memory still to copy
	DirtyRate      uint64        // bytes per second dirtied during the round
	ThrottlePct    int           // auto-converge vCPU throttle in force
	Elapsed        time.Duration // since the migration began
}

// MigrationResult reports a finished migration.
type MigrationResult struct {
	Rounds      int
	BytesSent   uint64
	TotalTime   time.Duration
	Downtime    time.Duration // the final pause the guest saw
	ThrottlePct int           // auto-converge throttle at the end
}
