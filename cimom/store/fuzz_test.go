package store

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzDecodeInstance feeds arbitrary bytes to the instance decoder. It must
// never panic; it must reject bad input with ErrCorrupt; and since the
// format is canonical, whatever it accepts must re-encode to the same bytes.
func FuzzDecodeInstance(f *testing.F) {
	g := newGen(7)
	for range 40 {
		f.Add(must(EncodeInstance(g.instance(0))))
	}
	f.Add(deepRecord(maxDepth + 2))
	f.Add([]byte{0x11, 1, 'X', 0, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, rec []byte) {
		inst, err := DecodeInstance(rec)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		again, err := EncodeInstance(inst)
		if err != nil {
			t.Fatalf("a decoded instance does not encode: %v", err)
		}
		if !bytes.Equal(again, rec) {
			t.Fatalf("accepted a non-canonical record:\n in  %x\n out %x", rec, again)
		}
	})
}

// FuzzDecodeClass does the same for class records, which share the value
// decoder but add declarations.
func FuzzDecodeClass(f *testing.F) {
	g := newGen(8)
	for range 20 {
		f.Add(must(EncodeClass(g.class())))
	}
	f.Fuzz(func(t *testing.T, rec []byte) {
		c, err := DecodeClass(rec)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		again, err := EncodeClass(c)
		if err != nil {
			t.Fatalf("a decoded class does not encode: %v", err)
		}
		if !bytes.Equal(again, rec) {
			t.Fatalf("accepted a non-canonical record:\n in  %x\n out %x", rec, again)
		}
	})
}
