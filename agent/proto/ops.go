package proto

import (
	"time"

	"github.com/ferrum-virt/ferrum/backends"
)

// Op names a call: one per method of the backends contract, plus the
// subscriptions. Arguments and results are the types named beside each.
type Op string

// Host calls.
const (
	OpInfo       Op = "host.info"   // Empty → backends.HostInfo
	OpHostStats  Op = "host.stats"  // Empty → backends.HostStats
	OpEvents     Op = "host.events" // Empty → Empty, then Item frames of backends.Event
	OpWatchStats Op = "host.watch"  // WatchStatsArgs → Empty, then Item frames of StatsSample
)

// VM calls.
const (
	OpVMDefine     Op = "vm.define"      // backends.VMSpec → backends.VM
	OpVMUndefine   Op = "vm.undefine"    // ID → Empty
	OpVMGet        Op = "vm.get"         // ID → backends.VM
	OpVMList       Op = "vm.list"        // Empty → []backends.VM
	OpVMStats      Op = "vm.stats"       // ID → backends.VMStats
	OpVMStart      Op = "vm.start"       // ID → Empty, and the other lifecycle calls alike
	OpVMStop       Op = "vm.stop"        //
	OpVMShutdown   Op = "vm.shutdown"    // ShutdownArgs → Empty
	OpVMPause      Op = "vm.pause"       //
	OpVMResume     Op = "vm.resume"      //
	OpVMReboot     Op = "vm.reboot"      //
	OpVMReset      Op = "vm.reset"       //
	OpVMSave       Op = "vm.save"        //
	OpVMRestore    Op = "vm.restore"     //
	OpVMSetVCPUs   Op = "vm.set-vcpus"   // SetVCPUsArgs → Empty
	OpVMSetMemory  Op = "vm.set-memory"  // SetMemoryArgs → Empty
	OpVMAttachDisk Op = "vm.attach-disk" // AttachDiskArgs → backends.DiskSpec
	OpVMDetachDisk Op = "vm.detach-disk" // DetachArgs → Empty
	OpVMAttachNIC  Op = "vm.attach-nic"  // AttachNICArgs → backends.NICSpec
	OpVMDetachNIC  Op = "vm.detach-nic"  // DetachArgs → Empty
)

// Storage calls.
const (
	OpPoolList     Op = "pool.list"     // Empty → []backends.Pool
	OpPoolGet      Op = "pool.get"      // Name → backends.Pool
	OpPoolCreate   Op = "pool.create"   // backends.PoolSpec → backends.Pool
	OpPoolDelete   Op = "pool.delete"   // Name → Empty
	OpVolumeList   Op = "volume.list"   // Name (pool) → []backends.Volume
	OpVolumeGet    Op = "volume.get"    // backends.VolumeRef → backends.Volume
	OpVolumeCreate Op = "volume.create" // CreateVolumeArgs → backends.Volume
	OpVolumeClone  Op = "volume.clone"  // CloneVolumeArgs → backends.Volume
	OpVolumeResize Op = "volume.resize" // ResizeVolumeArgs → Empty
	OpVolumeDelete Op = "volume.delete" // backends.VolumeRef → Empty
	OpVolumeImport Op = "volume.import" // ImportVolumeArgs → backends.Volume
	OpVolumeExport Op = "volume.export" // ExportVolumeArgs → Empty
)

// Switch calls.
const (
	OpSwitchList   Op = "switch.list"     // Empty → []backends.Switch
	OpSwitchGet    Op = "switch.get"      // Name → backends.Switch
	OpSwitchCreate Op = "switch.create"   // backends.SwitchSpec → backends.Switch
	OpSwitchDelete Op = "switch.delete"   // Name → Empty
	OpPortList     Op = "switch.ports"    // Name (switch) → []backends.Port
	OpPortSetVLAN  Op = "switch.set-vlan" // PortVLANArgs → Empty
)

// Migration calls, served when Features.Migrator is set. OpMigrate sends
// Progress frames of backends.MigrationProgress before its Response.
const (
	OpMigrateCheck Op = "migrate.check" // CheckMigrationArgs → backends.MigrationCheck
	OpMigrate      Op = "migrate.run"   // MigrateArgs → backends.MigrationResult
)

// Snapshot calls, served when Features.Snapshots is set (protocol 1.1).
const (
	OpSnapshotCreate Op = "snapshot.create" // CreateSnapshotArgs → backends.Snapshot
	OpSnapshotList   Op = "snapshot.list"   // ID → []backends.Snapshot
	OpSnapshotGet    Op = "snapshot.get"    // SnapshotArgs → backends.Snapshot
	OpSnapshotApply  Op = "snapshot.apply"  // SnapshotArgs → Empty
	OpSnapshotDelete Op = "snapshot.delete" // SnapshotArgs → Empty
)

// CreateSnapshotArgs are CreateSnapshot's arguments.
type CreateSnapshotArgs struct {
	ID   string
	Spec backends.SnapshotSpec
}

// SnapshotArgs name one snapshot of a VM.
type SnapshotArgs struct {
	ID   string
	Name string
}

// ID names a VM.
type ID struct{ ID string }

// Name names a pool or a switch.
type Name struct{ Name string }

// ShutdownArgs are Shutdown's arguments.
type ShutdownArgs struct {
	ID      string
	Timeout time.Duration
}

// SetVCPUsArgs are SetVCPUs' arguments.
type SetVCPUsArgs struct {
	ID string
	N  int
}

// SetMemoryArgs are SetMemory's arguments.
type SetMemoryArgs struct {
	ID  string
	MiB uint64
}

// AttachDiskArgs are AttachDisk's arguments.
type AttachDiskArgs struct {
	ID   string
	Disk backends.DiskSpec
}

// AttachNICArgs are AttachNIC's arguments.
type AttachNICArgs struct {
	ID  string
	NIC backends.NICSpec
}

// DetachArgs name a device of a VM: a disk target or a NIC MAC.
type DetachArgs struct {
	ID     string
	Device string
}

// CreateVolumeArgs are CreateVolume's arguments.
type CreateVolumeArgs struct {
	Pool string
	Spec backends.VolumeSpec
}

// CloneVolumeArgs are CloneVolume's arguments.
type CloneVolumeArgs struct {
	Src  backends.VolumeRef
	Spec backends.CloneSpec
}

// ResizeVolumeArgs are ResizeVolume's arguments.
type ResizeVolumeArgs struct {
	Ref      backends.VolumeRef
	Capacity uint64
}

// ImportVolumeArgs are ImportVolume's arguments; Path is on the agent's host.
type ImportVolumeArgs struct{ Pool, Name, Path string }

// ExportVolumeArgs are ExportVolume's arguments; Path is on the agent's host.
type ExportVolumeArgs struct {
	Ref  backends.VolumeRef
	Path string
}

// PortVLANArgs are SetPortVLAN's arguments.
type PortVLANArgs struct {
	Switch, MAC string
	VLAN        int
}

// Target names a migration destination so that the source agent can reach
// it: the destination's host ID and, for backends that migrate peer to peer,
// its migration URI.
type Target struct {
	HostID   string
	Hostname string
	URI      string
}

// CheckMigrationArgs are CheckMigration's arguments.
type CheckMigrationArgs struct {
	ID   string
	Dest Target
}

// MigrateArgs are Migrate's arguments. Progress asks for Progress frames.
type MigrateArgs struct {
	ID       string
	Dest     Target
	Options  MigrateOptions
	Progress bool
}

// MigrateOptions are backends.MigrateOptions without the callback.
type MigrateOptions struct {
	Offline      bool
	MaxDowntime  time.Duration
	Bandwidth    uint64
	AutoConverge bool
	MaxRounds    int
}

// WireOptions drops the callback of o.
func WireOptions(o backends.MigrateOptions) MigrateOptions {
	return MigrateOptions{Offline: o.Offline, MaxDowntime: o.MaxDowntime, Bandwidth: o.Bandwidth,
		AutoConverge: o.AutoConverge, MaxRounds: o.MaxRounds}
}

// Backend returns the options with progress reported to p.
func (o MigrateOptions) Backend(p func(backends.MigrationProgress)) backends.MigrateOptions {
	return backends.MigrateOptions{Offline: o.Offline, MaxDowntime: o.MaxDowntime, Bandwidth: o.Bandwidth,
		AutoConverge: o.AutoConverge, MaxRounds: o.MaxRounds, Progress: p}
}

// WatchStatsArgs ask for a statistics sample every Interval (at least
// MinStatsInterval), with every VM's counters when VMs is set.
type WatchStatsArgs struct {
	Interval time.Duration
	VMs      bool
}

// MinStatsInterval bounds how often an agent samples statistics.
const MinStatsInterval = 100 * time.Millisecond

// StatsSample is one statistics sample pushed by the agent.
type StatsSample struct {
	Host backends.HostStats
	VMs  map[string]backends.VMStats // by VM ID; nil unless asked for
}
