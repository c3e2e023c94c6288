package sim

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ferrum-virt/ferrum/backends"
)

const defaultNetFSBytes = 10 << 40

func (s *storageAPI) host() *Host { return (*Host)(s) }

// pool resolves a pool name. Called with h.mu held.
func (h *Host) pool(name string) (*pool, error) {
	p, ok := h.pools[name]
	if !ok {
		return nil, fmt.Errorf("pool %q on %s: %w", name, h, backends.ErrNotFound)
	}
	return p, nil
}

// ListPools lists the host's pools by name.
func (s *storageAPI) ListPools(ctx context.Context) ([]backends.Pool, error) {
	h := s.host()
	if err := h.lock("list pools"); err != nil {
		return nil, err
	}
	defer h.mu.Unlock()
	now := h.dc.clock.Now().UnixNano()
	out := make([]backends.Pool, 0, len(h.pools))
	for _, p := range h.pools {
		out = append(out, p.view(now))
	}
	slices.SortFunc(out, func(a, b backends.Pool) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// GetPool reports one pool.
func (s *storageAPI) GetPool(ctx context.Context, name string) (backends.Pool, error) {
	h := s.host()
	if err := h.lock("get pool"); err != nil {
		return backends.Pool{}, err
	}
	defer h.mu.Unlock()
	p, err := h.pool(name)
	if err != nil {
		return backends.Pool{}, err
	}
	return p.view(h.dc.clock.Now().UnixNano()), nil
}

// CreatePool creates a dir pool carved from the host's local disks, or
// mounts a netfs pool: the first host to mount a Source creates it, later
// hosts share it.
func (s *storageAPI) CreatePool(ctx context.Context, spec backends.PoolSpec) (backends.Pool, error) {
	h := s.host()
	if err := validatePoolSpec(spec); err != nil {
		return backends.Pool{}, err
	}
	if err := h.lock("create pool"); err != nil {
		return backends.Pool{}, err
	}
	defer h.mu.Unlock()
	if _, ok := h.pools[spec.Name]; ok {
		return backends.Pool{}, fmt.Errorf("pool %q on %s exists: %w", spec.Name, h, backends.ErrConflict)
	}
	var p *pool
	var err error
	if spec.Type == backends.PoolDir {
		p, err = h.newDirPool(spec)
	} else {
		p, err = h.dc.mountNetFS(spec)
	}
	if err != nil {
		return backends.Pool{}, fmt.Errorf("create pool %q on %s: %w", spec.Name, h, err)
	}
	h.pools[spec.Name] = p
	return p.view(h.dc.clock.Now().UnixNano()), nil
}

func validatePoolSpec(spec backends.PoolSpec) error {
	switch {
	case spec.Name == "" || strings.ContainsAny(spec.Name, "/\x00"):
		return fmt.Errorf("pool name %q: %w", spec.Name, backends.ErrInvalidArgument)
	case spec.Type != backends.PoolDir && spec.Type != backends.PoolNetFS:
		return fmt.Errorf("pool type %q: %w", spec.Type, backends.ErrUnsupported)
	case !filepath.IsAbs(spec.Path):
		return fmt.Errorf("pool path %q is not absolute: %w", spec.Path, backends.ErrInvalidArgument)
	case spec.Type == backends.PoolNetFS && !strings.Contains(spec.Source, ":/"):
		return fmt.Errorf("netfs source %q is not server:/export: %w", spec.Source, backends.ErrInvalidArgument)
	}
	return nil
}

// newDirPool partitions local disk space: dir pools together cannot exceed
// the host's local data disks. Called with h.mu held.
func (h *Host) newDirPool(spec backends.PoolSpec) (*pool, error) {
	free := localPoolBytes(h.info.Storage)
	for _, p := range h.pools {
		if !p.shared {
			free -= min(free, p.capacity)
		}
	}
	capacity := spec.Capacity
	if capacity == 0 {
		capacity = free
	}
	if capacity == 0 || capacity > free {
		return nil, fmt.Errorf("%d bytes wanted, %d free on local disks: %w",
			capacity, free, backends.ErrInsufficientResources)
	}
	return newPool(&h.dc.stor, spec, capacity, false), nil
}

// mountNetFS returns the shared pool for spec.Source, creating it on first
// mount.
func (dc *DataCenter) mountNetFS(spec backends.PoolSpec) (*pool, error) {
	dc.mu.Lock()
	defer dc.mu.Unlock()
	p, ok := dc.netfs[spec.Source]
	if !ok {
		capacity := spec.Capacity
		if capacity == 0 {
			capacity = defaultNetFSBytes
		}
		p = newPool(&dc.stor, spec, capacity, true)
		dc.netfs[spec.Source] = p
	} else if p.spec.Name != spec.Name || p.spec.Path != spec.Path {
		return nil, fmt.Errorf("%s is mounted elsewhere as %q at %s: %w",
			spec.Source, p.spec.Name, p.spec.Path, backends.ErrConflict)
	}
	p.mounts++
	return p, nil
}

// DeletePool removes an empty pool from the host; a shared pool stays for
// the other hosts that mount it.
func (s *storageAPI) DeletePool(ctx context.Context, name string) error {
	h := s.host()
	if err := h.lock("delete pool"); err != nil {
		return err
	}
	defer h.mu.Unlock()
	p, err := h.pool(name)
	if err != nil {
		return err
	}
	p.mu.Lock()
	n := len(p.vols)
	p.mu.Unlock()
	if n > 0 {
		return fmt.Errorf("delete pool %q on %s: %d volumes remain: %w", name, h, n, backends.ErrConflict)
	}
	delete(h.pools, name)
	if p.shared {
		h.dc.mu.Lock()
		if p.mounts--; p.mounts == 0 {
			delete(h.dc.netfs, p.spec.Source)
		}
		h.dc.mu.Unlock()
	}
	return nil
}
