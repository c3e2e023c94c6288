package lifecycle

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"io"
	"sync"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/store"
)

// A snapshot holds what was last published about a VM — its computer
// system, VSSD and RASDs — in the store's binary record form, deflated.
// The service keeps one per VM for as long as ferrumd runs, so it must be
// small: about 1 KiB for a VM with five devices (3 KiB of records), where
// the instances as Go values take tens of KiB of heap.
type snapshot []byte

// encodeSnapshot packs cs and st.
func encodeSnapshot(cs *cim.Instance, st settings) (snapshot, error) {
	var raw bytes.Buffer
	put := func(b []byte, err error) error {
		if err != nil {
			return err
		}
		raw.Write(binary.AppendUvarint(nil, uint64(len(b))))
		raw.Write(b)
		return nil
	}
	if err := put(store.EncodeInstance(cs)); err != nil {
		return nil, err
	}
	var vssd []byte
	if st.vssd != nil {
		var err error
		if vssd, err = store.EncodeInstance(st.vssd); err != nil {
			return nil, err
		}
	}
	if err := put(vssd, nil); err != nil {
		return nil, err
	}
	for _, k := range st.sortedKeys() {
		r := st.rasds[k]
		if err := put(store.EncodePath(r.path)); err != nil {
			return nil, err
		}
		if err := put(store.EncodeInstance(r.in)); err != nil {
			return nil, err
		}
	}
	var out bytes.Buffer
	w := writers.Get().(*flate.Writer)
	defer writers.Put(w)
	w.Reset(&out)
	if _, err := w.Write(raw.Bytes()); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return bytes.Clone(out.Bytes()), nil
}

// writers and readers reuse the deflate state (a writer holds about a
// megabyte), which would otherwise dominate a baseline of thousands of VMs.
var (
	writers = sync.Pool{New: func() any {
		w, _ := flate.NewWriter(nil, flate.BestSpeed)
		return w
	}}
	readers = sync.Pool{New: func() any { return flate.NewReader(bytes.NewReader(nil)) }}
)

// decode unpacks the snapshot.
func (s snapshot) decode() (*cim.Instance, settings, error) {
	st := settings{rasds: map[string]setting{}}
	r := readers.Get().(io.ReadCloser)
	defer readers.Put(r)
	if err := r.(flate.Resetter).Reset(bytes.NewReader(s), nil); err != nil {
		return nil, st, fmt.Errorf("inflate VM snapshot: %w", err)
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, st, fmt.Errorf("inflate VM snapshot: %w", err)
	}
	next := func() ([]byte, error) {
		n, k := binary.Uvarint(raw)
		if k <= 0 || uint64(len(raw)-k) < n {
			return nil, fmt.Errorf("truncated VM snapshot")
		}
		b := raw[k : k+int(n)]
		raw = raw[k+int(n):]
		return b, nil
	}
	b, err := next()
	if err != nil {
		return nil, st, err
	}
	cs, err := store.DecodeInstance(b)
	if err != nil {
		return nil, st, err
	}
	if b, err = next(); err != nil {
		return nil, st, err
	}
	if len(b) > 0 {
		if st.vssd, err = store.DecodeInstance(b); err != nil {
			return nil, st, err
		}
	}
	for len(raw) > 0 {
		pb, err := next()
		if err != nil {
			return nil, st, err
		}
		ib, err := next()
		if err != nil {
			return nil, st, err
		}
		p, err := store.DecodePath(pb)
		if err != nil {
			return nil, st, err
		}
		in, err := store.DecodeInstance(ib)
		if err != nil {
			return nil, st, err
		}
		st.rasds[p.Canonical()] = setting{path: p, in: in}
	}
	return cs, st, nil
}
