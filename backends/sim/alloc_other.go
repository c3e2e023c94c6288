//go:build !unix

package sim

import "io/fs"

// allocatedBytes is the file size where block counts are unknown.
func allocatedBytes(fi fs.FileInfo) uint64 { return uint64(fi.Size()) }
