package libvirt

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"

	"github.com/ferrum-virt/ferrum/backends"
)

// imageInfo is what ImportVolume learns from an image file.
type imageInfo struct {
	format   string // FormatQCOW2 or FormatRaw
	capacity uint64 // virtual size in bytes
	fileSize uint64 // bytes to upload
}

// qcow2Magic opens every qcow2 image ("QFI\xfb").
var qcow2Magic = []byte{'Q', 'F', 'I', 0xfb}

// probeImage tells a qcow2 image (virtual size from its header) from a raw
// one (virtual size is the file size). A qcow2 image with a backing file is
// refused: it would not be self-contained once imported.
func probeImage(f *os.File) (imageInfo, error) {
	st, err := f.Stat()
	if err != nil {
		return imageInfo{}, err
	}
	info := imageInfo{format: backends.FormatRaw, capacity: uint64(st.Size()), fileSize: uint64(st.Size())}
	var hdr [32]byte
	if _, err := f.ReadAt(hdr[:], 0); err != nil && err != io.EOF {
		return imageInfo{}, err
	}
	if string(hdr[:4]) == string(qcow2Magic) {
		if binary.BigEndian.Uint64(hdr[8:16]) != 0 {
			return imageInfo{}, fmt.Errorf("qcow2 image has a backing file; flatten it first: %w", backends.ErrInvalidArgument)
		}
		info.format, info.capacity = backends.FormatQCOW2, binary.BigEndian.Uint64(hdr[24:32])
	}
	if info.capacity == 0 {
		return imageInfo{}, fmt.Errorf("empty image: %w", backends.ErrInvalidArgument)
	}
	return info, nil
}
