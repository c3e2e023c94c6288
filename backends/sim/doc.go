// Package sim is an in-process data center: hosts with seed-determined
// hardware, virtual servers with a real state machine and dedicated memory,
// a credit scheduler sharing processors by weight, sparse volumes with
// backing chains, virtual switches with VLANs and data-center-wide MAC
// uniqueness, statistics that move with a virtual clock, and a pre-copy
// live-migration model. Every Host implements backends.Host and
// backends.Migrator.
//
// Time is virtual. A Clock moves only when told (Advance), when a blocking
// operation waits on it in auto-advance mode (the default: a graceful
// shutdown or a migration jumps the clock by the time it takes), or in step
// with real time (RunRealTime, for ferrumd demos). Statistics are computed
// lazily from rates that change only at events, so an idle data center of
// 10,000 hosts and 100,000 VMs costs memory but no CPU.
//
// The simulator is deterministic under Config.Seed: the same seed and the
// same sequence of calls give the same hardware, UUIDs, MACs and figures.
package sim
