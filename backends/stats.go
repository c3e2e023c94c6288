package backends

import "time"

// VMStats are a virtual server's cumulative counters. Counters only grow
// while the VM stays on one host; gauges (MemoryUsedMiB, MemoryMiB) move
// both ways.
type VMStats struct {
	Time          time.Time // backend clock at sampling
	CPUTimeNs     uint64    // processor time consumed by all vCPUs
	VCPUs         int
	MemoryMiB     uint64 // current memory (balloon)
	MemoryUsedMiB uint64 // memory the guest uses
	Block         IOStats
	Net           NetStats
}

// IOStats counts block I/O across a VM's disks.
type IOStats struct {
	ReadBytes, WriteBytes uint64
	ReadOps, WriteOps     uint64
}

// NetStats counts network traffic across a VM's NICs.
type NetStats struct {
	RxBytes, TxBytes     uint64
	RxPackets, TxPackets uint64
}

// HostStats are a host's counters and gauges.
type HostStats struct {
	Time          time.Time
	CPUTimeNs     uint64 // busy processor time across all logical CPUs
	Threads       int    // logical CPUs, so utilisation = ΔCPUTimeNs / (Δt × Threads)
	MemoryMiB     uint64
	MemoryUsedMiB uint64 // dedicated to running VMs plus hypervisor overhead
	RunningVMs    int
	DefinedVMs    int
}
