package backends

import "context"

// A StorageManager manages a host's storage pools and the volumes in them.
type StorageManager interface {
	PoolManager
	VolumeManager
}

// PoolManager manages storage pools. Pools are named uniquely per host. A
// shared pool (a SAN or NFS export) shows on every host that mounts it, with
// the same Source; its volumes are the same volumes on each.
//
// CreatePool fails with ErrConflict for a name in use, ErrUnsupported for a
// pool type the host does not offer (Capabilities.PoolTypes) and
// ErrInvalidArgument for a spec missing what its type needs. DeletePool
// refuses with ErrConflict while the pool holds volumes.
type PoolManager interface {
	ListPools(ctx context.Context) ([]Pool, error)
	GetPool(ctx context.Context, name string) (Pool, error)
	CreatePool(ctx context.Context, spec PoolSpec) (Pool, error)
	DeletePool(ctx context.Context, name string) error
}

// VolumeManager manages the volumes (virtual disks) in pools.
//
// CreateVolume makes a sparse volume: its Allocation starts near zero and
// grows as the guest writes, up to Capacity. The sum of capacities may exceed
// the pool (thin provisioning), but a volume whose initial allocation does not
// fit fails with ErrInsufficientResources.
//
// CloneVolume copies src into a new volume. A full clone is independent; a
// linked clone is a thin qcow2 overlay whose Backing is src, so src cannot be
// deleted while the clone exists. A clone of a volume attached writable to a
// running VM fails with ErrConflict.
//
// ResizeVolume only grows a volume (ErrInvalidArgument otherwise).
// DeleteVolume refuses with ErrConflict while a VM's definition refers to the
// volume or another volume is backed by it.
//
// ImportVolume creates a volume from a disk image file at path, raw or
// qcow2, failing with ErrNotFound for a missing file. ExportVolume writes the
// volume's image to a new file at path, in a format ImportVolume reads back
// with the same capacity; an existing file fails with ErrConflict.
type VolumeManager interface {
	ListVolumes(ctx context.Context, pool string) ([]Volume, error)
	GetVolume(ctx context.Context, ref VolumeRef) (Volume, error)
	CreateVolume(ctx context.Context, pool string, spec VolumeSpec) (Volume, error)
	CloneVolume(ctx context.Context, src VolumeRef, spec CloneSpec) (Volume, error)
	ResizeVolume(ctx context.Context, ref VolumeRef, capacity uint64) error
	DeleteVolume(ctx context.Context, ref VolumeRef) error
	ImportVolume(ctx context.Context, pool, name, path string) (Volume, error)
	ExportVolume(ctx context.Context, ref VolumeRef, path string) error
}

// Pool types every backend understands; a backend may offer more.
const (
	PoolDir   = "dir"   // a directory on a local file system
	PoolNetFS = "netfs" // an NFS export mounted on every host that shares it
)

// PoolSpec describes a pool to create.
type PoolSpec struct {
	Name string
	Type string // PoolDir, PoolNetFS, ...
	Path string // target directory (mount point for netfs)
	// Source names what backs the pool: "server:/export" for netfs, a device
	// or IQN for others; empty for dir.
	Source string
	// Capacity caps a pool the backend cannot measure (the simulator); 0
	// means what the backing store offers.
	Capacity uint64
}

// Pool is a storage pool and its space accounting in bytes.
type Pool struct {
	PoolSpec
	Allocation uint64 // bytes in use by volumes
	Available  uint64 // bytes still free
	Shared     bool   // visible to other hosts with the same Source
	Volumes    int
}

// VolumeRef names a volume within a host's pools.
type VolumeRef struct {
	Pool string
	Name string
}

// String spells the reference as pool/name.
func (r VolumeRef) String() string { return r.Pool + "/" + r.Name }

// Volume formats.
const (
	FormatQCOW2 = "qcow2"
	FormatRaw   = "raw"
)

// VolumeSpec describes a volume to create.
type VolumeSpec struct {
	Name     string
	Capacity uint64 // virtual size in bytes
	Format   string // "" means FormatQCOW2
}

// CloneSpec describes a clone to make.
type CloneSpec struct {
	Name   string
	Pool   string // "" means the source's pool
	Linked bool   // a qcow2 overlay backed by the source instead of a copy
}

// Volume is a virtual disk.
type Volume struct {
	Ref        VolumeRef
	Path       string // where the host keeps it
	Format     string
	Capacity   uint64 // virtual size in bytes
	Allocation uint64 // bytes actually used
	Backing    *VolumeRef
	Dependants int      // volumes backed by this one
	UsedBy     []string // IDs of VMs whose definitions refer to it
}
