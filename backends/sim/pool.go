package sim

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/ferrum-virt/ferrum/backends"
)

// pool is a storage pool. A shared pool is one object referenced by every
// host that mounts it, so its volumes are the same volumes everywhere. All
// pools and volumes of a data center share one lock (backing chains cross
// pools); lock order: Host.mu before it.
type pool struct {
	mu       *sync.Mutex
	spec     backends.PoolSpec
	shared   bool
	mounts   int // hosts that list it
	capacity uint64
	vols     map[string]*volume
	settled  uint64               // Σ volume allocations as of their checkpoints
	growing  map[*volume]struct{} // volumes running guests write to
}

func newPool(mu *sync.Mutex, spec backends.PoolSpec, capacity uint64, shared bool) *pool {
	spec.Capacity = capacity
	return &pool{mu: mu, spec: spec, shared: shared, capacity: capacity, vols: map[string]*volume{}}
}

func newSANPool(mu *sync.Mutex, cluster int) *pool {
	return newPool(mu, backends.PoolSpec{Name: "san", Type: backends.PoolNetFS, Path: "/mnt/san",
		Source: fmt.Sprintf("san%02d.vdc.example:/vdc", cluster)}, sanBytes, true)
}

// volume is a sparse disk image. Its allocation grows as running guests
// write to it: random writes land on unallocated clusters with probability
// (free/capacity), so growth slows as the disk fills.
type volume struct {
	pool       *pool
	name       string
	format     string
	capacity   uint64
	alloc      uint64 // as of at
	at         int64  // virtual Unix ns
	rate       float64
	writers    int // running guests writing to it
	backing    *volume
	dependants int
	users      []string // IDs of VMs whose definitions refer to it
	rwUser     string   // the one VM attaching it writable, if any
}

// allocation extrapolates the volume's allocation to now. Called with
// pool.mu held.
func (v *volume) allocation(now int64) uint64 {
	if v.rate <= 0 || now <= v.at || v.alloc >= v.capacity {
		return v.alloc
	}
	sec := float64(now-v.at) / float64(time.Second)
	free := float64(v.capacity - v.alloc)
	grown := free * -math.Expm1(-v.rate*sec/float64(v.capacity))
	return v.alloc + uint64(grown)
}

func (v *volume) checkpoint(now int64) {
	a := v.allocation(now)
	v.pool.settled += a - v.alloc
	v.alloc, v.at = a, now
}

// addWriter changes the write rate running guests put on v by rate and
// their count by n (+1 a writer joins, -1 one leaves, 0 a rate change).
func (v *volume) addWriter(now time.Time, rate float64, n int) {
	p := v.pool
	p.mu.Lock()
	defer p.mu.Unlock()
	v.checkpoint(now.UnixNano())
	v.rate += rate
	v.writers += n
	if v.writers <= 0 || v.rate < 0 {
		v.rate, v.writers = 0, max(v.writers, 0)
	}
	if p.growing == nil {
		p.growing = map[*volume]struct{}{}
	}
	if v.rate > 0 {
		p.growing[v] = struct{}{}
	} else {
		delete(p.growing, v)
	}
}

// allocation is the pool's used bytes at now. Called with p.mu held.
func (p *pool) allocation(now int64) uint64 {
	a := p.settled
	for v := range p.growing {
		a += v.allocation(now) - v.alloc
	}
	return a
}

func (p *pool) available(now int64) uint64 {
	if a := p.allocation(now); a < p.capacity {
		return p.capacity - a
	}
	return 0
}

func (p *pool) view(now int64) backends.Pool {
	p.mu.Lock()
	defer p.mu.Unlock()
	a := p.allocation(now)
	return backends.Pool{PoolSpec: p.spec, Allocation: a, Available: p.capacity - min(a, p.capacity),
		Shared: p.shared, Volumes: len(p.vols)}
}

// add places a new volume whose initial allocation must fit. Called with
// p.mu held.
func (p *pool) add(v *volume, now int64) error {
	if _, ok := p.vols[v.name]; ok {
		return fmt.Errorf("volume %s/%s exists: %w", p.spec.Name, v.name, backends.ErrConflict)
	}
	if avail := p.available(now); v.alloc > avail {
		return fmt.Errorf("volume %s/%s needs %d bytes, pool has %d: %w",
			p.spec.Name, v.name, v.alloc, avail, backends.ErrInsufficientResources)
	}
	v.pool, v.at = p, now
	p.vols[v.name] = v
	p.settled += v.alloc
	return nil
}

func (v *volume) view(now int64) backends.Volume {
	out := backends.Volume{
		Ref: backends.VolumeRef{Pool: v.pool.spec.Name, Name: v.name}, Path: v.pool.spec.Path + "/" + v.name,
		Format: v.format, Capacity: v.capacity, Allocation: v.allocation(now),
		Dependants: v.dependants, UsedBy: slices.Clone(v.users),
	}
	if b := v.backing; b != nil {
		out.Backing = &backends.VolumeRef{Pool: b.pool.spec.Name, Name: b.name}
	}
	return out
}

// qcow2Overhead is the metadata a fresh qcow2 image of capacity bytes
// occupies: header, refcount table and block, and the L1 table, in 64 KiB
// clusters.
func qcow2Overhead(capacity uint64) uint64 {
	const cluster = 64 << 10
	l1 := (capacity + (512<<20 - 1)) / (512 << 20) * 8
	return 3*cluster + (l1+cluster-1)/cluster*cluster
}

// chainData is the guest data reachable through v's backing chain, as a
// full clone would copy it.
func (v *volume) chainData(now int64) uint64 {
	var sum uint64
	for c := v; c != nil; c = c.backing {
		a := c.allocation(now)
		if c.format == backends.FormatQCOW2 {
			a -= min(a, qcow2Overhead(c.capacity))
		}
		sum += a
	}
	return min(sum, v.capacity)
}
