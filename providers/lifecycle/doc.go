// Package lifecycle raises the DSP1054 indications of the classes Ferrum's
// providers serve (not its instance store, whose classes are covered by
// indication.ObserveStore): the life of virtual systems, their settings
// and jobs, and the alerts of hosts.
//
// Virtual systems. The service follows the inventory (polled every
// Config.PollInterval, and at once when a node changes state) and
// subscribes to every host's event stream. For each VM event it reads the
// VM's Ferrum_ComputerSystem through the dispatcher and publishes:
//
//   - defined: CIM_InstCreation of the computer system, then of its
//     Ferrum_VirtualSystemSettingData and RASDs;
//   - undefined: CIM_InstDeletion of the RASDs, the VSSD, then the computer
//     system, with the last instances published;
//   - started, paused, resumed, stopped, shutdown, rebooted, reset,
//     crashed, saved, restored: CIM_InstModification of the computer
//     system, PreviousInstance being the last instance published;
//   - modified: CIM_InstModification of the computer system and VSSD when
//     they changed, and CIM_InstCreation, CIM_InstModification or
//     CIM_InstDeletion of each RASD, from a diff of the VM's RASDs;
//   - migrated-in: CIM_InstModification (a migrated VM keeps its UUID and
//     therefore its CIM path, so it is not created anew; ChangedPropertyNames
//     may be empty, the hosting association being what changed); the
//     source's migrated-out raises nothing. A VM never seen before arrives
//     as a CIM_InstCreation.
//
// Events are handled after the fact, so the instance read may already
// reflect a later event; the state properties (EnabledState, HealthState,
// OperationalStatus, AvailableRequestedStates, TransitioningToState,
// TimeOfLastStateChange) are set from the event, so that each modification
// shows the transition the event reports. A modification that changes no
// property is not published (migrations excepted).
//
// The service keeps the last instances it published per VM (bounded by
// the number of VMs: an undefined VM is forgotten). The VMs present when a
// host is first seen are its baseline and raise nothing. When a host's
// stream has a gap (Event.Seq jumps: the subscription dropped events), the
// service closes the subscription, subscribes again and resynchronises:
// it re-reads the host's VMs and publishes the creations, modifications and
// deletions that bring subscribers to the current state. Some intermediate
// transitions are lost that way; the state is not.
//
// Jobs (cimom/jobs Manager.Observe): CIM_InstCreation when a job is
// submitted, CIM_InstModification on each state change and on
// PercentComplete changes (at most one per Config.ProgressInterval per job;
// the latest progress is published when the interval ends), CIM_InstDeletion
// when it is removed. A job ending in Exception or Killed also raises a
// CIM_AlertIndication (Processing Error, Major, ProbableCause 48 Software
// Program Abnormally Terminated), with the migration's source and VM in the
// message for a migration job.
//
// Alerts (CIM_AlertIndication, in root/virt):
//
//   - a backend host alert, its severity mapped (info 2 Information,
//     warning 3 Degraded/Warning, critical 6 Critical) and its component to
//     AlertType and ProbableCause (nic: Communications/Loss of Signal,
//     agent: Communications/Unknown,
//     pool: Quality of Service/Storage Capacity Problem, host: Device
//     Alert/Element Unavailable when critical);
//   - node liveness (Config.Nodes, the agents' registry): a node going
//     dead raises a Critical Communications alert (Element Unavailable), one
//     coming back an Information alert;
//   - memory capacity: when the memory of a host's active VMs reaches
//     Config.MemoryThreshold of its physical memory, one Warning (Quality of
//     Service, Threshold Crossed); when it falls below the threshold minus
//     Config.MemoryClearMargin, one Information alert. Computed on the VM
//     events that change what runs.
//
// Resource pools and virtual switches change when a job creates or deletes
// one (or a volume in a pool): after each job that finishes, the service
// enumerates Config.WatchedClasses (the pools and
// Ferrum_VirtualEthernetSwitch by default) and publishes the difference
// from the previous enumeration; a resynchronisation after a gap diffs
// them too. Changes made behind Ferrum's back (a volume created on the
// host directly) show at the next job or resynchronisation only.
package lifecycle
