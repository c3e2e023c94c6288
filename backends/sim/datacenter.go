package sim

import (
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ferrum-virt/ferrum/backends"
)

// Config shapes a simulated data center.
type Config struct {
	Hosts int   // number of hosts; 0 means 1
	Seed  int64 // decides hardware, UUIDs and MACs
	// Clock is the virtual clock; nil means a new auto-advancing clock at
	// Epoch.
	Clock *Clock
	// ClusterSize is how many consecutive hosts share one SAN pool; live
	// migration needs shared storage, so it only works within a cluster. 0
	// means all hosts form one cluster.
	ClusterSize int
	// Workload is what guests do unless SetWorkload says otherwise; the zero
	// value means DefaultWorkload.
	Workload Workload
	Logger   *slog.Logger // nil discards
}

// A DataCenter is a set of simulated hosts sharing a clock, SAN pools and
// one MAC address space.
type DataCenter struct {
	clock    *Clock
	log      *slog.Logger
	hosts    []*Host
	byID     map[string]*Host
	workload Workload

	mu    sync.Mutex
	macs  map[backends.MAC]string // owner: VM ID, or host ID for host NICs
	vms   map[string]*Host        // VM ID → host it is defined on
	netfs map[string]*pool        // shared pools by Source
	stor  sync.Mutex              // guards every pool and volume
}

// NewDataCenter builds the hosts described by cfg.
func NewDataCenter(cfg Config) (*DataCenter, error) {
	if cfg.Hosts < 0 || cfg.ClusterSize < 0 {
		return nil, fmt.Errorf("sim config %+v: %w", cfg, backends.ErrInvalidArgument)
	}
	dc := &DataCenter{
		clock: cfg.Clock, log: cfg.Logger, workload: cfg.Workload,
		macs: map[backends.MAC]string{}, vms: map[string]*Host{}, netfs: map[string]*pool{},
	}
	if dc.clock == nil {
		dc.clock = NewClock(Epoch)
	}
	if dc.log == nil {
		dc.log = slog.New(slog.DiscardHandler)
	}
	if dc.workload == (Workload{}) {
		dc.workload = DefaultWorkload()
	}
	if err := dc.workload.validate(); err != nil {
		return nil, err
	}
	n, size := max(cfg.Hosts, 1), cfg.ClusterSize
	if size == 0 {
		size = n
	}
	dc.hosts = make([]*Host, n)
	dc.byID = make(map[string]*Host, n)
	var san *pool
	for i := range n {
		if i%size == 0 {
			san = newSANPool(&dc.stor, i/size)
			dc.netfs[san.spec.Source] = san
		}
		san.mounts++
		h := newHost(dc, cfg.Seed, i, san)
		dc.hosts[i], dc.byID[h.info.ID] = h, h
		for _, nic := range h.info.NICs {
			m, _ := backends.ParseMAC(nic.MAC)
			dc.macs[m] = h.info.ID
		}
	}
	return dc, nil
}

// Clock returns the data center's virtual clock.
func (dc *DataCenter) Clock() *Clock { return dc.clock }

// Advance moves virtual time forward by d.
func (dc *DataCenter) Advance(d time.Duration) { dc.clock.Advance(d) }

// Hosts returns every host, in index order.
func (dc *DataCenter) Hosts() []*Host { return dc.hosts }

// Host returns the i-th host.
func (dc *DataCenter) Host(i int) *Host { return dc.hosts[i] }

// HostByID finds a host by its UUID.
func (dc *DataCenter) HostByID(id string) (*Host, bool) {
	h, ok := dc.byID[id]
	return h, ok
}

// FindVM returns the host a VM is defined on.
func (dc *DataCenter) FindVM(id string) (*Host, bool) {
	dc.mu.Lock()
	defer dc.mu.Unlock()
	h, ok := dc.vms[id]
	return h, ok
}

// claimMAC records owner as the user of m; it fails with ErrConflict when
// another owner holds it.
func (dc *DataCenter) claimMAC(m backends.MAC, owner string) error {
	dc.mu.Lock()
	defer dc.mu.Unlock()
	if o, ok := dc.macs[m]; ok && o != owner {
		return fmt.Errorf("mac %s is in use: %w", m, backends.ErrConflict)
	}
	dc.macs[m] = owner
	return nil
}

func (dc *DataCenter) releaseMAC(m backends.MAC, owner string) {
	dc.mu.Lock()
	defer dc.mu.Unlock()
	if dc.macs[m] == owner {
		delete(dc.macs, m)
	}
}

// claimVM records a VM ID as defined on h; IDs are unique data-center wide.
func (dc *DataCenter) claimVM(id string, h *Host) error {
	dc.mu.Lock()
	defer dc.mu.Unlock()
	if _, ok := dc.vms[id]; ok {
		return fmt.Errorf("vm uuid %s is in use: %w", id, backends.ErrConflict)
	}
	dc.vms[id] = h
	return nil
}

func (dc *DataCenter) moveVM(id string, h *Host) {
	dc.mu.Lock()
	defer dc.mu.Unlock()
	if h == nil {
		delete(dc.vms, id)
		return
	}
	dc.vms[id] = h
}
