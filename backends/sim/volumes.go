package sim

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ferrum-virt/ferrum/backends"
)

// volume resolves a reference. Called with h.mu and the storage lock held.
func (h *Host) volume(ref backends.VolumeRef) (*volume, error) {
	p, err := h.pool(ref.Pool)
	if err != nil {
		return nil, err
	}
	v, ok := p.vols[ref.Name]
	if !ok {
		return nil, fmt.Errorf("volume %s on %s: %w", ref, h, backends.ErrNotFound)
	}
	return v, nil
}

// withStorage runs f holding the host lock and the storage lock.
func (h *Host) withStorage(op string, f func(now int64) error) error {
	if err := h.lock(op); err != nil {
		return err
	}
	defer h.mu.Unlock()
	h.dc.stor.Lock()
	defer h.dc.stor.Unlock()
	return f(h.dc.clock.Now().UnixNano())
}

// ListVolumes lists a pool's volumes by name.
func (s *storageAPI) ListVolumes(ctx context.Context, pool string) ([]backends.Volume, error) {
	var out []backends.Volume
	err := s.host().withStorage("list volumes", func(now int64) error {
		p, err := s.host().pool(pool)
		if err != nil {
			return err
		}
		for _, v := range p.vols {
			out = append(out, v.view(now))
		}
		return nil
	})
	slices.SortFunc(out, func(a, b backends.Volume) int { return strings.Compare(a.Ref.Name, b.Ref.Name) })
	return out, err
}

// GetVolume reports one volume.
func (s *storageAPI) GetVolume(ctx context.Context, ref backends.VolumeRef) (backends.Volume, error) {
	var out backends.Volume
	err := s.host().withStorage("get volume", func(now int64) error {
		v, err := s.host().volume(ref)
		if err == nil {
			out = v.view(now)
		}
		return err
	})
	return out, err
}

// CreateVolume creates a sparse volume.
func (s *storageAPI) CreateVolume(ctx context.Context, pool string, spec backends.VolumeSpec) (backends.Volume, error) {
	if spec.Format == "" {
		spec.Format = backends.FormatQCOW2
	}
	if err := validateVolumeSpec(spec); err != nil {
		return backends.Volume{}, err
	}
	v := &volume{name: spec.Name, format: spec.Format, capacity: spec.Capacity}
	if v.format == backends.FormatQCOW2 {
		v.alloc = qcow2Overhead(v.capacity)
	}
	return s.place(pool, v, "create volume")
}

// place adds a new volume to a pool and reports it.
func (s *storageAPI) place(pool string, v *volume, op string) (backends.Volume, error) {
	var out backends.Volume
	err := s.host().withStorage(op, func(now int64) (err error) {
		out, err = s.host().addVolume(pool, v, now)
		return err
	})
	if err != nil {
		return backends.Volume{}, fmt.Errorf("%s %s/%s: %w", op, pool, v.name, err)
	}
	return out, nil
}

// addVolume adds v to a pool. Called with h.mu and the storage lock held.
func (h *Host) addVolume(pool string, v *volume, now int64) (backends.Volume, error) {
	p, err := h.pool(pool)
	if err != nil {
		return backends.Volume{}, err
	}
	if err := p.add(v, now); err != nil {
		return backends.Volume{}, err
	}
	if v.backing != nil {
		v.backing.dependants++
	}
	return v.view(now), nil
}

func validateVolumeSpec(spec backends.VolumeSpec) error {
	switch {
	case spec.Name == "" || strings.ContainsAny(spec.Name, "/\x00"):
		return fmt.Errorf("volume name %q: %w", spec.Name, backends.ErrInvalidArgument)
	case spec.Capacity == 0:
		return fmt.Errorf("volume %q with zero capacity: %w", spec.Name, backends.ErrInvalidArgument)
	case spec.Format != backends.FormatQCOW2 && spec.Format != backends.FormatRaw:
		return fmt.Errorf("volume format %q: %w", spec.Format, backends.ErrUnsupported)
	}
	return nil
}

// CloneVolume makes a full copy, or a linked qcow2 overlay backed by src.
func (s *storageAPI) CloneVolume(ctx context.Context, src backends.VolumeRef, spec backends.CloneSpec) (backends.Volume, error) {
	if spec.Pool == "" {
		spec.Pool = src.Pool
	}
	if err := validateVolumeSpec(backends.VolumeSpec{Name: spec.Name, Capacity: 1, Format: backends.FormatRaw}); err != nil {
		return backends.Volume{}, err
	}
	var out backends.Volume
	err := s.host().withStorage("clone volume", func(now int64) error {
		base, err := s.host().volume(src)
		if err != nil {
			return err
		}
		if base.writers > 0 {
			return fmt.Errorf("%s is being written by a running guest: %w", src, backends.ErrConflict)
		}
		clone := &volume{name: spec.Name, format: base.format, capacity: base.capacity}
		if spec.Linked {
			clone.format, clone.backing = backends.FormatQCOW2, base
			clone.alloc = qcow2Overhead(base.capacity)
		} else {
			clone.alloc = base.chainData(now)
			if clone.format == backends.FormatQCOW2 {
				clone.alloc += qcow2Overhead(clone.capacity)
			}
		}
		out, err = s.host().addVolume(spec.Pool, clone, now)
		return err
	})
	if err != nil {
		return backends.Volume{}, fmt.Errorf("clone %s to %s/%s: %w", src, spec.Pool, spec.Name, err)
	}
	return out, nil
}

// ResizeVolume grows a volume's virtual size.
func (s *storageAPI) ResizeVolume(ctx context.Context, ref backends.VolumeRef, capacity uint64) error {
	return s.host().withStorage("resize volume", func(now int64) error {
		v, err := s.host().volume(ref)
		if err != nil {
			return err
		}
		if capacity < v.capacity {
			return fmt.Errorf("resize %s from %d to %d bytes: shrinking: %w", ref, v.capacity, capacity,
				backends.ErrInvalidArgument)
		}
		v.checkpoint(now)
		v.capacity = capacity
		return nil
	})
}

// DeleteVolume removes a volume no VM refers to and nothing is backed by.
func (s *storageAPI) DeleteVolume(ctx context.Context, ref backends.VolumeRef) error {
	return s.host().withStorage("delete volume", func(now int64) error {
		v, err := s.host().volume(ref)
		if err != nil {
			return err
		}
		if len(v.users) > 0 {
			return fmt.Errorf("delete %s: used by vm %s: %w", ref, v.users[0], backends.ErrConflict)
		}
		if v.dependants > 0 {
			return fmt.Errorf("delete %s: backing file of %d volumes: %w", ref, v.dependants, backends.ErrConflict)
		}
		v.checkpoint(now)
		v.pool.settled -= v.alloc
		delete(v.pool.vols, v.name)
		if v.backing != nil {
			v.backing.dependants--
		}
		return nil
	})
}
