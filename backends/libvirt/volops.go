package libvirt

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"

	"github.com/ferrum-virt/ferrum/backends"
)

// CloneVolume copies src into a new volume: a full copy through
// virStorageVolCreateXMLFrom (which flattens a backing chain), or a linked
// clone, a qcow2 overlay backed by src.
func (s *storageAPI) CloneVolume(ctx context.Context, src backends.VolumeRef, spec backends.CloneSpec) (backends.Volume, error) {
	h := s.host()
	if err := h.alive(ctx); err != nil {
		return backends.Volume{}, err
	}
	if spec.Pool == "" {
		spec.Pool = src.Pool
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	sv, sx, err := h.volumeRaw(src)
	if err != nil {
		return backends.Volume{}, err
	}
	capacity, err := sx.Capacity.bytes("bytes")
	if err != nil {
		return backends.Volume{}, fmt.Errorf("volume %s on %s: %w", src, h, err)
	}
	format := backends.FormatQCOW2
	if !spec.Linked {
		format = sx.format()
	}
	if err := checkVolumeSpec(backends.VolumeSpec{Name: spec.Name, Capacity: capacity, Format: format}); err != nil {
		return backends.Volume{}, fmt.Errorf("clone %s on %s: %w", src, h, err)
	}
	if err := h.checkNotWritten(src, sx.path()); err != nil {
		return backends.Volume{}, err
	}
	p, err := h.l.StoragePoolLookupByName(spec.Pool)
	if err != nil {
		return backends.Volume{}, wrap(err, "pool %q on %s", spec.Pool, h)
	}
	if _, err := h.l.StorageVolLookupByName(p, spec.Name); err == nil {
		return backends.Volume{}, fmt.Errorf("clone to %s/%s on %s: name in use: %w", spec.Pool, spec.Name, h, backends.ErrConflict)
	}
	if spec.Linked {
		_, err = h.l.StorageVolCreateXML(p, newVolumeXML(spec.Name, format, capacity, &sx), 0)
	} else {
		_, err = h.l.StorageVolCreateXMLFrom(p, newVolumeXML(spec.Name, format, capacity, nil), sv, 0)
	}
	if err != nil {
		return backends.Volume{}, wrap(err, "clone %s to %s/%s on %s", src, spec.Pool, spec.Name, h)
	}
	h.log.Debug("libvirt clone volume", "op", "clone-volume", "host", h.static.Hostname, "volume", src.String(),
		"clone", spec.Name, "linked", spec.Linked)
	_, v, err := h.volume(backends.VolumeRef{Pool: spec.Pool, Name: spec.Name})
	return v, err
}

// checkNotWritten fails with ErrConflict while a running or paused VM has
// the volume attached writable: a copy would be torn. Called with h.mu held.
func (h *Host) checkNotWritten(ref backends.VolumeRef, path string) error {
	defs, err := h.definitions()
	if err != nil {
		return err
	}
	for _, d := range defs {
		if !slices.ContainsFunc(d.spec.Disks, func(disk backends.DiskSpec) bool {
			return !disk.ReadOnly && refersTo(disk, ref, path)
		}) {
			continue
		}
		if s, _, err := h.state(d.dom); err == nil && s.Active() {
			return fmt.Errorf("volume %s is written by running vm %s: %w", ref, d.spec.Name, backends.ErrConflict)
		}
	}
	return nil
}

// ResizeVolume grows a volume to capacity bytes.
func (s *storageAPI) ResizeVolume(ctx context.Context, ref backends.VolumeRef, capacity uint64) error {
	h := s.host()
	if err := h.alive(ctx); err != nil {
		return err
	}
	v, x, err := h.volumeRaw(ref)
	if err != nil {
		return err
	}
	cur, err := x.Capacity.bytes("bytes")
	if err != nil {
		return fmt.Errorf("volume %s on %s: %w", ref, h, err)
	}
	switch {
	case capacity < cur:
		return fmt.Errorf("resize %s on %s from %d to %d bytes: volumes only grow: %w", ref, h, cur, capacity,
			backends.ErrInvalidArgument)
	case capacity == cur:
		return nil
	}
	return wrap(h.l.StorageVolResize(v, capacity, 0), "resize %s on %s", ref, h)
}

// DeleteVolume deletes a volume no VM definition refers to and no volume is
// backed by.
func (s *storageAPI) DeleteVolume(ctx context.Context, ref backends.VolumeRef) error {
	h := s.host()
	if err := h.alive(ctx); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	v, vol, err := h.volume(ref)
	if err != nil {
		return err
	}
	switch {
	case len(vol.UsedBy) > 0:
		return fmt.Errorf("delete volume %s on %s: used by vm %s: %w", ref, h, vol.UsedBy[0], backends.ErrConflict)
	case vol.Dependants > 0:
		return fmt.Errorf("delete volume %s on %s: backs %d volumes: %w", ref, h, vol.Dependants, backends.ErrConflict)
	}
	return wrap(h.l.StorageVolDelete(v, 0), "delete volume %s on %s", ref, h)
}

// ImportVolume creates a volume from a raw or qcow2 image file on the
// machine running Ferrum, streaming it to the daemon (virStorageVolUpload).
func (s *storageAPI) ImportVolume(ctx context.Context, pool, name, path string) (backends.Volume, error) {
	h := s.host()
	if err := h.alive(ctx); err != nil {
		return backends.Volume{}, err
	}
	f, err := os.Open(path)
	if err != nil {
		return backends.Volume{}, fileError("import", path, err)
	}
	defer f.Close()
	img, err := probeImage(f)
	if err != nil {
		return backends.Volume{}, fmt.Errorf("import %s: %w", path, err)
	}
	if err := checkVolumeSpec(backends.VolumeSpec{Name: name, Capacity: img.capacity, Format: img.format}); err != nil {
		return backends.Volume{}, fmt.Errorf("import %s: %w", path, err)
	}
	p, err := h.l.StoragePoolLookupByName(pool)
	if err != nil {
		return backends.Volume{}, wrap(err, "pool %q on %s", pool, h)
	}
	if _, err := h.l.StorageVolLookupByName(p, name); err == nil {
		return backends.Volume{}, fmt.Errorf("import to %s/%s on %s: name in use: %w", pool, name, h, backends.ErrConflict)
	}
	v, err := h.l.StorageVolCreateXML(p, newVolumeXML(name, img.format, img.capacity, nil), 0)
	if err != nil {
		return backends.Volume{}, wrap(err, "create volume %s/%s on %s", pool, name, h)
	}
	if err := h.l.StorageVolUpload(v, f, 0, img.fileSize, 0); err != nil {
		_ = h.l.StorageVolDelete(v, 0)
		return backends.Volume{}, wrap(err, "upload %s to %s/%s on %s", path, pool, name, h)
	}
	_ = h.l.StoragePoolRefresh(p, 0) // re-read the uploaded image's header
	_, vol, err := h.volume(backends.VolumeRef{Pool: pool, Name: name})
	return vol, err
}

// ExportVolume writes a volume's image to a new file at path on the machine
// running Ferrum (virStorageVolDownload); an existing file is ErrConflict.
func (s *storageAPI) ExportVolume(ctx context.Context, ref backends.VolumeRef, path string) error {
	h := s.host()
	if err := h.alive(ctx); err != nil {
		return err
	}
	v, _, err := h.volumeRaw(ref)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fileError("export", path, err)
	}
	err = h.l.StorageVolDownload(v, f, 0, 0, 0)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
		return wrap(err, "download %s from %s to %s", ref, h, path)
	}
	return nil
}

// fileError gives a local file error its backends meaning.
func fileError(op, path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrExist):
		return fmt.Errorf("%s %s: %w: %w", op, path, backends.ErrConflict, err)
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s %s: %w: %w", op, path, backends.ErrNotFound, err)
	}
	return fmt.Errorf("%s %s: %w", op, path, err)
}
