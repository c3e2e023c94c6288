package backends

import "context"

// A Host is one virtualized node: a physical server running a hypervisor.
// The manager talks to many Hosts; each one answers only for itself.
//
// A Host is safe for concurrent use. The managers it returns are views of the
// same host and stay valid as long as the Host does. Info and Stats read the
// host as it is at the moment of the call.
//
// Events subscribes to the host's event stream until ctx ends or the
// subscription is closed; see Subscription for the delivery guarantees.
//
// A Host that can move virtual servers to another host also implements
// Migrator; one that can snapshot them implements Snapshots.
type Host interface {
	Info(ctx context.Context) (HostInfo, error)
	VMs() VMManager
	Storage() StorageManager
	Switches() SwitchManager
	Stats(ctx context.Context) (HostStats, error)
	Events(ctx context.Context) (*Subscription, error)
}

// HostInfo is the discovered hardware and hypervisor of a host.
type HostInfo struct {
	ID         string // stable UUID of the host
	Hostname   string
	CPU        CPUInfo
	MemoryMiB  uint64 // physical memory
	FreeMiB    uint64 // memory not dedicated to running VMs nor the hypervisor
	NICs       []HostNIC
	Storage    HostStorage
	Hypervisor HypervisorInfo
	Caps       Capabilities
	Limits     Limits
}

// CPUInfo describes the host's processors.
type CPUInfo struct {
	Model          string // e.g. "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz"
	Vendor         string // "Intel" or "AMD"; migration requires the same vendor
	Family         int    // x86 family number (6 Intel, 23 or 25 AMD)
	ModelNumber    int    // x86 model number within the family
	Sockets        int
	CoresPerSocket int
	ThreadsPerCore int
	MHz            int
}

// Threads is the number of logical processors the scheduler shares.
func (c CPUInfo) Threads() int { return c.Sockets * c.CoresPerSocket * c.ThreadsPerCore }

// HostNIC is a physical network interface.
type HostNIC struct {
	Name      string // e.g. "eno1"
	MAC       string // lower-case colon form
	LinkUp    bool
	SpeedMbps int
	Network   string // physical network it is cabled to, if known ("mgmt", "public")
}

// HostStorage lists storage adapters and the disks behind them.
type HostStorage struct {
	HBAs  []HBA
	Disks []HostDisk
}

// HBA is a storage adapter (SAS/SATA controller, Fibre Channel or iSCSI).
type HBA struct {
	Name  string // e.g. "host0"
	Model string
	Type  string // "sas", "sata", "fc", "iscsi"
	WWPN  string // Fibre Channel port name, if any
}

// HostDisk is a block device seen by the host: a local disk or a SAN LUN.
type HostDisk struct {
	Name      string // e.g. "sda"
	Model     string
	SizeBytes uint64
	HBA       string // HBA name it is attached through
	Shared    bool   // a SAN LUN other hosts can see
}

// HypervisorInfo names the hypervisor software.
type HypervisorInfo struct {
	Name    string // e.g. "QEMU", "Test", "ferrum-sim"
	Version string
}

// Capabilities declare what the backend can do on this host. The conformance
// suite skips a test only when the backend declares it cannot do what the
// test needs.
type Capabilities struct {
	LiveMigration    bool // Migrator.Migrate with Live
	OfflineMigration bool // Migrator.Migrate of a stopped VM
	SaveRestore      bool // Save/Restore of running state (libvirt-cim's "snapshot")
	Snapshots        bool // the Host implements Snapshots (stopped VMs at least)
	LiveSnapshots    bool // Snapshots.CreateSnapshot of a running or paused VM (memory included)
	HotplugVCPU      bool // SetVCPUs on a running VM
	HotplugMemory    bool // SetMemory (balloon) on a running VM
	HotplugDisk      bool // AttachDisk/DetachDisk on a running VM
	HotplugNIC       bool // AttachNIC/DetachNIC on a running VM
	Graphics         []GraphicsType
	VolumeClone      bool // CloneVolume full
	LinkedClone      bool // CloneVolume linked (backing chain)
	VolumeResize     bool
	ImportExport     bool // ImportVolume/ExportVolume
	PoolTypes        []string
}

// Limits bound a virtual server's configuration on this host.
type Limits struct {
	MaxVCPUs     int    // per VM
	MinMemoryMiB uint64 // per VM
	MaxMemoryMiB uint64 // per VM
	MaxNICs      int    // per VM
	MaxDisks     int    // per VM
}
