package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// The record format (version 1). Every record starts with one header byte,
// formatVersion<<4 | kind, so a blob of one kind is never read as another
// and a later format can be told apart. After it come the fields of the
// object in a fixed order, built from these primitives:
//
//	uvarint   unsigned LEB128 (encoding/binary), minimal length
//	varint    zig-zag signed LEB128, minimal length
//	string    uvarint byte length, then the bytes (any bytes, kept exactly)
//	list      uvarint 0 for a nil slice, n+1 for a slice of n elements
//	flags     one byte of bits; unknown bits are an error
//
// The decoder accepts exactly what the encoder writes (minimal varints, no
// unknown bits, no trailing bytes), so decode∘encode is the identity on
// bytes as well as on values; FuzzDecodeInstance checks that.
const (
	formatVersion = 1

	kindInstance      = 1
	kindClass         = 2
	kindQualifierDecl = 3
	kindPath          = 4
)

// maxDepth bounds the nesting of embedded instances and references inside
// a record, so that hostile or cyclic input cannot exhaust the stack.
const maxDepth = 32

// ErrCorrupt is wrapped by the errors of the Decode functions, and by store
// methods that read a record they cannot decode.
var ErrCorrupt = errors.New("store: corrupt record")

// encoder appends a record to b. The first error sticks; later writes are
// still appended but the record is discarded.
type encoder struct {
	b   []byte
	err error
}

func (e *encoder) fail(format string, args ...any) {
	if e.err == nil {
		e.err = fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
	}
}

func (e *encoder) byte(c byte)            { e.b = append(e.b, c) }
func (e *encoder) uvarint(x uint64)       { e.b = binary.AppendUvarint(e.b, x) }
func (e *encoder) varint(x int64)         { e.b = binary.AppendVarint(e.b, x) }
func (e *encoder) str(s string)           { e.uvarint(uint64(len(s))); e.b = append(e.b, s...) }
func (e *encoder) list(n int, isNil bool) { e.uvarint(listLen(n, isNil)) }

func listLen(n int, isNil bool) uint64 {
	if isNil {
		return 0
	}
	return uint64(n) + 1
}

func (e *encoder) header(kind byte) { e.byte(formatVersion<<4 | kind) }

// decoder reads a record from s. Strings are substrings of s, so a decoded
// object costs one copy of the record, not one allocation per name. The
// first error sticks: later reads return zero values and consume nothing.
type decoder struct {
	s   string
	off int
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: at byte %d: "+format, append([]any{ErrCorrupt, d.off}, args...)...)
		d.off = len(d.s)
	}
}

// remaining is the number of unread bytes: an upper bound on how many
// elements any list can still hold, which keeps allocations proportional to
// the input.
func (d *decoder) remaining() int { return len(d.s) - d.off }

func (d *decoder) byte() byte {
	if d.off >= len(d.s) {
		d.fail("unexpected end of record")
		return 0
	}
	c := d.s[d.off]
	d.off++
	return c
}

// flags reads a flags byte and rejects bits outside valid.
func (d *decoder) flags(valid byte) byte {
	f := d.byte()
	if f&^valid != 0 {
		d.fail("unknown flag bits %#x", f&^valid)
		return 0
	}
	return f
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	var x uint64
	for i := 0; i < binary.MaxVarintLen64; i++ {
		if d.off >= len(d.s) {
			d.fail("truncated varint")
			return 0
		}
		c := d.s[d.off]
		d.off++
		if i == binary.MaxVarintLen64-1 && c > 1 {
			break
		}
		x |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			if c == 0 && i > 0 {
				d.fail("non-minimal varint")
				return 0
			}
			return x
		}
	}
	d.fail("varint overflows 64 bits")
	return 0
}

func (d *decoder) varint() int64 {
	u := d.uvarint()
	x := int64(u >> 1)
	if u&1 != 0 {
		x = ^x
	}
	return x
}

// int reads a varint that must fit an int.
func (d *decoder) int() int {
	x := d.varint()
	if x < math.MinInt || x > math.MaxInt {
		d.fail("integer %d out of range", x)
		return 0
	}
	return int(x)
}

func (d *decoder) str() string {
	n := d.uvarint()
	if n > uint64(d.remaining()) {
		d.fail("string of %d bytes overruns the record", n)
		return ""
	}
	s := d.s[d.off : d.off+int(n)]
	d.off += int(n)
	return s
}

// list reads a list length: nil reports a nil slice. Every element takes at
// least min bytes, so a length the rest of the record cannot hold is corrupt.
func (d *decoder) list(min int) (n int, isNil bool) {
	u := d.uvarint()
	if u == 0 {
		return 0, true
	}
	u--
	if u > uint64(d.remaining()/min) {
		d.fail("list of %d elements overruns the record", u)
		return 0, false
	}
	return int(u), false
}

// header checks the header byte of a record of the given kind.
func (d *decoder) header(kind byte) {
	h := d.byte()
	if d.err != nil {
		return
	}
	if h>>4 != formatVersion {
		d.fail("record format %d, this build reads %d", h>>4, formatVersion)
	} else if h&0x0f != kind {
		d.fail("record kind %d, want %d", h&0x0f, kind)
	}
}

// finish rejects trailing bytes and returns the sticky error.
func (d *decoder) finish() error {
	if d.err == nil && d.off != len(d.s) {
		d.fail("%d trailing bytes", len(d.s)-d.off)
	}
	return d.err
}
