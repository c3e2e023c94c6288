// Package snapshot serves virtual machine snapshots in root/virt: a
// Ferrum_VirtualSystemSnapshotService on every host whose backend takes
// snapshots (backends.Snapshots, Capabilities.Snapshots), linked to its
// host by Ferrum_HostedService and to its
// Ferrum_VirtualSystemSnapshotServiceCapabilities by
// Ferrum_ElementCapabilities, and a Ferrum_VirtualSystemSnapshotCapabilities
// per VM telling which snapshot types can be taken now. The service's
// CreateSnapshot (SnapshotType 2, Full Snapshot), ApplySnapshot and
// DestroySnapshot check their parameters at once (4 Invalid Parameter for
// an unknown VM or snapshot, 5 Invalid State, 6 Invalid Type for a type
// other than 2) and run the backend call as a job (4096).
//
// A snapshot is a Ferrum_VirtualSystemSettingData with InstanceID
// "Ferrum:<vm>/snapshot/<name>" (the VM's own VSSD is "Ferrum:<vm>"), with
// ChangeableType 0 (Not Changeable - Persistent), ConfigurationName and
// ElementName its name, CreationTime when it was taken, and RASDs
// "Ferrum:<vm>/snapshot/<name>/<device>" aggregated by
// Ferrum_VirtualSystemSettingDataComponent; those classes are the
// virtualization provider's, extended (virt.Provider.Extend). The settings
// Ferrum keeps beside the backends (automatic startup and shutdown
// actions, notes) are not snapshotted: a snapshot's VSSD shows the VM's.
// Ferrum_SnapshotOfVirtualSystem links each snapshot to its VM, and
// Ferrum_LastAppliedSnapshot links the VM to its current snapshot (the one
// last taken or applied, which its state derives from).
//
// The DMTF schema has no association for snapshot parentage
// (CIM_MostCurrentSnapshotInBranch is experimental and says something
// else), so Ferrum links a snapshot to its parent with
// Ferrum_ElementSettingData: ManagedElement is the child snapshot,
// SettingData the parent, IsDefault, IsCurrent and IsNext 2 (Is Not). From
// a snapshot, the associators with Role ManagedElement are its parent and
// those with Role SettingData its children.
package snapshot
