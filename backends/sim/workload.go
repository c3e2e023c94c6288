package sim

import (
	"fmt"
	"time"

	"github.com/ferrum-virt/ferrum/backends"
)

// Workload is what a simulated guest does while it runs. Rates apply at full
// speed; when the host's processors are overcommitted a VM gets less CPU
// than it wants and its I/O and memory writes slow in proportion.
type Workload struct {
	CPUUtil    float64 // share of each vCPU the guest wants, 0–1
	MemoryUtil float64 // share of its memory the guest touches, 0–1
	// DirtyRate is how fast the guest writes memory, in bytes per second,
	// within a writable working set of WorkingSet bytes (0 means a quarter of
	// its memory): the two decide whether a live migration converges.
	DirtyRate  uint64
	WorkingSet uint64
	// Disk and network rates in bytes per second; ops and packets follow from
	// IOSize and PacketSize. Writes grow the first writable disk's volume.
	DiskReadBps, DiskWriteBps uint64
	IOSize                    uint64
	NetRxBps, NetTxBps        uint64
	PacketSize                uint64
	// ShutdownDelay is how long the guest takes to power off after a
	// graceful shutdown request; IgnoresShutdown makes it never do so (no
	// ACPI support, a hung guest).
	ShutdownDelay   time.Duration
	IgnoresShutdown bool
}

// DefaultWorkload is a lightly loaded server.
func DefaultWorkload() Workload {
	return Workload{
		CPUUtil: 0.25, MemoryUtil: 0.6,
		DirtyRate: 16 << 20, WorkingSet: 0,
		DiskReadBps: 2 << 20, DiskWriteBps: 1 << 20, IOSize: 16 << 10,
		NetRxBps: 1 << 20, NetTxBps: 512 << 10, PacketSize: 1000,
		ShutdownDelay: 5 * time.Second,
	}
}

func (w Workload) validate() error {
	if w.CPUUtil < 0 || w.CPUUtil > 1 || w.MemoryUtil < 0 || w.MemoryUtil > 1 {
		return fmt.Errorf("workload utilisation outside 0–1: %w", backends.ErrInvalidArgument)
	}
	if w.IOSize == 0 || w.PacketSize == 0 || w.ShutdownDelay < 0 {
		return fmt.Errorf("workload needs IOSize, PacketSize and a non-negative ShutdownDelay: %w",
			backends.ErrInvalidArgument)
	}
	return nil
}

// workingSet is the memory the guest's writes fall in.
func (w Workload) workingSet(memBytes uint64) uint64 {
	if w.WorkingSet == 0 || w.WorkingSet > memBytes {
		if w.WorkingSet == 0 {
			return memBytes / 4
		}
		return memBytes
	}
	return w.WorkingSet
}
