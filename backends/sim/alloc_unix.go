//go:build unix

package sim

import (
	"io/fs"
	"syscall"
)

// allocatedBytes is the disk space a file occupies (sparse files less than
// their size).
func allocatedBytes(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Blocks) * 512
	}
	return uint64(fi.Size())
}
