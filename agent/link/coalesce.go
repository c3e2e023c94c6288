package link

import (
	"encoding/binary"
	"net"
)

// yamuxHeader is the size of a yamux frame header: version, type, flags,
// stream ID, length.
const yamuxHeader = 12

// coalescer joins each yamux data-frame header with the body write that
// yamux issues right after it, so that a frame costs one TLS record and one
// system call instead of two; on loopback that roughly halves the writes of
// a call. Only yamux's send loop writes to it, from one goroutine.
type coalescer struct {
	net.Conn
	hdr  [yamuxHeader]byte
	held bool
	buf  []byte
}

func (c *coalescer) Write(p []byte) (int, error) {
	if c.held {
		c.held = false
		c.buf = append(append(c.buf[:0], c.hdr[:]...), p...)
		if _, err := c.Conn.Write(c.buf); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	if isDataHeader(p) {
		copy(c.hdr[:], p)
		c.held = true
		return len(p), nil
	}
	return c.Conn.Write(p)
}

// isDataHeader reports whether p is exactly the header of a yamux data
// frame (version 0, type 0) announcing a body.
func isDataHeader(p []byte) bool {
	return len(p) == yamuxHeader && p[0] == 0 && p[1] == 0 && binary.BigEndian.Uint32(p[8:]) > 0
}
