package sim

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/ferrum-virt/ferrum/backends"
)

// qcow2Magic opens every qcow2 image ("QFI\xfb").
const qcow2Magic = 0x514649fb

// imageFile is what the simulator reads from a disk image: its format,
// virtual size and the bytes it occupies on disk.
type imageFile struct {
	format    string
	capacity  uint64
	allocated uint64
}

// probeImage reads a raw or qcow2 image's header. A qcow2 image's virtual
// size is the big-endian 64-bit field at offset 24.
func probeImage(path string) (imageFile, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return imageFile{}, fmt.Errorf("image %s: %w", path, backends.ErrNotFound)
		}
		return imageFile{}, fmt.Errorf("image %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return imageFile{}, fmt.Errorf("image %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return imageFile{}, fmt.Errorf("image %s is not a regular file: %w", path, backends.ErrInvalidArgument)
	}
	img := imageFile{format: backends.FormatRaw, capacity: uint64(fi.Size()), allocated: allocatedBytes(fi)}
	var hdr [32]byte
	if _, err := io.ReadFull(f, hdr[:]); err == nil && binary.BigEndian.Uint32(hdr[:4]) == qcow2Magic {
		img.format, img.capacity = backends.FormatQCOW2, binary.BigEndian.Uint64(hdr[24:32])
	}
	if img.capacity == 0 {
		return imageFile{}, fmt.Errorf("image %s is empty: %w", path, backends.ErrInvalidArgument)
	}
	return img, nil
}

// ImportVolume creates a volume from a raw or qcow2 image file.
func (s *storageAPI) ImportVolume(ctx context.Context, pool, name, path string) (backends.Volume, error) {
	img, err := probeImage(path)
	if err != nil {
		return backends.Volume{}, fmt.Errorf("import %s into %s/%s: %w", path, pool, name, err)
	}
	if err := validateVolumeSpec(backends.VolumeSpec{Name: name, Capacity: img.capacity, Format: img.format}); err != nil {
		return backends.Volume{}, err
	}
	return s.place(pool, &volume{name: name, format: img.format, capacity: img.capacity,
		alloc: min(img.allocated, img.capacity)}, "import volume")
}

// ExportVolume writes the volume as a sparse raw image of its virtual size.
// The simulator keeps no guest data, so the content reads as zeros.
func (s *storageAPI) ExportVolume(ctx context.Context, ref backends.VolumeRef, path string) error {
	var capacity uint64
	if err := s.host().withStorage("export volume", func(int64) error {
		v, err := s.host().volume(ref)
		if err == nil {
			capacity = v.capacity
		}
		return err
	}); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("export %s to %s: %w", ref, path, backends.ErrConflict)
		}
		return fmt.Errorf("export %s to %s: %w", ref, path, err)
	}
	if err := f.Truncate(int64(capacity)); err != nil {
		f.Close()
		return fmt.Errorf("export %s to %s: %w", ref, path, err)
	}
	return f.Close()
}
