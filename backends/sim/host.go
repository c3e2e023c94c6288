package sim

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/ferrum-virt/ferrum/backends"
)

var simCaps = backends.Capabilities{
	LiveMigration: true, OfflineMigration: true, SaveRestore: true, Snapshots: true, LiveSnapshots: true,
	HotplugVCPU: true, HotplugMemory: true, HotplugDisk: true, HotplugNIC: true,
	Graphics:    []backends.GraphicsType{backends.GraphicsVNC, backends.GraphicsSPICE},
	VolumeClone: true, LinkedClone: true, VolumeResize: true, ImportExport: true,
	PoolTypes: []string{backends.PoolDir, backends.PoolNetFS},
}

// A Host is one simulated node. It implements backends.Host,
// backends.Migrator and backends.Snapshots.
type Host struct {
	dc       *DataCenter
	idx      int
	info     backends.HostInfo // hardware; FreeMiB is filled on Info
	threads  int
	overhead uint64 // MiB the hypervisor keeps

	mu       sync.Mutex
	rng      *rand.Rand
	down     bool
	vms      map[string]*vm // by UUID
	names    map[string]*vm
	running  []*vm // VMs whose guests run, in start order
	pools    map[string]*pool
	switches map[string]*vswitch
	usedMiB  uint64 // dedicated to active VMs
	reserved uint64 // MiB held for incoming migrations
	cpuNs    uint64 // busy CPU time as of cpuAt
	cpuAt    int64
	cpuRate  float64
	hub      backends.Hub
}

var (
	_ backends.Host      = (*Host)(nil)
	_ backends.Migrator  = (*Host)(nil)
	_ backends.Snapshots = (*Host)(nil)
)

func newHost(dc *DataCenter, seed int64, idx int, san *pool) *Host {
	info, r := generateHardware(seed, idx)
	h := &Host{
		dc: dc, idx: idx, info: info, rng: r,
		threads:  info.CPU.Threads(),
		overhead: hypervisorOverheadMiB(info.MemoryMiB),
		vms:      map[string]*vm{}, names: map[string]*vm{},
		cpuAt: dc.clock.Now().UnixNano(),
	}
	h.cpuRate = hypervisorLoad(0)
	local := newPool(&dc.stor, backends.PoolSpec{Name: "default", Type: backends.PoolDir,
		Path: "/var/lib/ferrum/images"}, localPoolBytes(info.Storage)/2, false)
	h.pools = map[string]*pool{local.spec.Name: local, san.spec.Name: san}
	h.switches = map[string]*vswitch{
		"internal": {spec: backends.SwitchSpec{Name: "internal", Kind: backends.SwitchInternal}},
		"external": {spec: backends.SwitchSpec{Name: "external", Kind: backends.SwitchExternal,
			Uplink: info.NICs[1].Name}},
	}
	return h
}

// ID returns the host's UUID.
func (h *Host) ID() string { return h.info.ID }

// String names the host for logs.
func (h *Host) String() string { return h.info.Hostname }

// DataCenter returns the data center the host belongs to.
func (h *Host) DataCenter() *DataCenter { return h.dc }

// lock takes h.mu and fails with ErrUnavailable while the host is down.
func (h *Host) lock(op string) error {
	h.mu.Lock()
	if h.down {
		h.mu.Unlock()
		return fmt.Errorf("%s on %s: %w", op, h, backends.ErrUnavailable)
	}
	return nil
}

// Info reports the host's hardware and current free memory.
func (h *Host) Info(ctx context.Context) (backends.HostInfo, error) {
	if err := h.lock("info"); err != nil {
		return backends.HostInfo{}, err
	}
	defer h.mu.Unlock()
	info := h.info
	info.FreeMiB = h.freeMiB()
	info.NICs = slices.Clone(h.info.NICs)
	info.Storage.HBAs = slices.Clone(h.info.Storage.HBAs)
	info.Storage.Disks = slices.Clone(h.info.Storage.Disks)
	info.Caps.Graphics = slices.Clone(h.info.Caps.Graphics)
	info.Caps.PoolTypes = slices.Clone(h.info.Caps.PoolTypes)
	return info, nil
}

// freeMiB is memory neither dedicated, reserved nor the hypervisor's.
func (h *Host) freeMiB() uint64 {
	used := h.overhead + h.usedMiB + h.reserved
	if used >= h.info.MemoryMiB {
		return 0
	}
	return h.info.MemoryMiB - used
}

// Stats reports the host's CPU time and memory use.
func (h *Host) Stats(ctx context.Context) (backends.HostStats, error) {
	if err := h.lock("host stats"); err != nil {
		return backends.HostStats{}, err
	}
	defer h.mu.Unlock()
	now := h.dc.clock.Now()
	busy := h.cpuNs
	if dt := now.UnixNano() - h.cpuAt; dt > 0 {
		busy += uint64(h.cpuRate * float64(dt))
	}
	return backends.HostStats{
		Time: now, CPUTimeNs: busy, Threads: h.threads,
		MemoryMiB: h.info.MemoryMiB, MemoryUsedMiB: h.overhead + h.usedMiB + h.reserved,
		RunningVMs: len(h.running), DefinedVMs: len(h.vms),
	}, nil
}

// Events subscribes to the host's events; see backends.Subscription.
func (h *Host) Events(ctx context.Context) (*backends.Subscription, error) {
	if err := h.lock("events"); err != nil {
		return nil, err
	}
	defer h.mu.Unlock()
	return h.hub.Subscribe(ctx, 0), nil
}

// publish stamps and sends an event. Called with h.mu held, so events leave
// in the order the changes happened.
func (h *Host) publish(e backends.Event) {
	if h.hub.Subscribers() == 0 {
		return
	}
	e.Time, e.Host = h.dc.clock.Now(), h.info.ID
	h.hub.Publish(e)
}

func (h *Host) publishVM(v *vm, t backends.EventType, detail string) {
	h.publish(backends.Event{Type: t, VM: v.spec.UUID, VMName: v.spec.Name,
		State: v.state, Reason: v.reason, Detail: detail})
}

func (h *Host) logOp(op string, v *vm, args ...any) {
	h.dc.log.Debug("sim "+op, append([]any{slog.String("op", op), slog.String("host", h.info.Hostname),
		slog.String("vm", v.spec.Name)}, args...)...)
}

// VMs returns the host's virtual server manager.
func (h *Host) VMs() backends.VMManager { return (*vmAPI)(h) }

// Storage returns the host's storage manager.
func (h *Host) Storage() backends.StorageManager { return (*storageAPI)(h) }

// Switches returns the host's switch manager.
func (h *Host) Switches() backends.SwitchManager { return (*switchAPI)(h) }

// vmAPI, storageAPI and switchAPI are views of a Host implementing the
// manager interfaces without allocating.
type (
	vmAPI      Host
	storageAPI Host
	switchAPI  Host
)
