// Package sim is an in-process data center: hosts with seed-determined
// hardware, virtual servers with a real state machine and dedicated memory,
// a credit scheduler sharing processors by weight, sparse volumes with
// backing chains, virtual switches with VLANs and data-center-wide MAC
// uniqueness, statistics that move with a virtual clock, a pre-copy
// live-migration model, and snapshot trees whose metadata (and a
// checkpoint's memory image) is charged to the VM's qcow2 volumes. Every Host
// implements backends.Host, backends.Migrator and backends.Snapshots.
//
// Time is virtual. A Clock moves only when told (Advance), when a blocking
// operation waits on it in auto-advance mode (the default: a graceful
// shutdown or a migration jumps the clock by the time it takes), or in step
// with real time (RunRealTime, for ferrumd demos). Statistics are computed
// lazily from rates that change only at events, so an idle data center of
// 10,000 hosts and 100,000 VMs costs memory but no CPU.
//
// Each host starts with a local dir pool "default" (half its local data
// disks), the cluster's shared SAN pool "san" (Config.ClusterSize hosts per
// SAN), an internal switch "internal" and an external switch "external"
// bridged to its second NIC. Beyond the backends contract, a Host offers the
// simulator's levers: SetWorkload (what a guest does: CPU, I/O, memory
// dirtying, how it answers a shutdown), Crash, Fail and Repair, RaiseAlert.
//
// Events follow backends.Subscription: in order per subscriber, dropped and
// counted (never blocking the simulator) when a subscriber falls more than
// its buffer behind.
//
// The simulator is deterministic under Config.Seed: the same seed and the
// same sequence of calls give the same hardware, UUIDs, MACs and figures.
package sim
