package proto

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/backends"
)

func TestFrameRoundTrip(t *testing.T) {
	since := time.Date(2008, 3, 3, 9, 0, 0, 123456789, time.UTC)
	vm := backends.VM{
		VMSpec: backends.VMSpec{Name: "web01", UUID: "6f8a1c3e-0000-4000-8000-000000000001", VCPUs: 2,
			MemoryMiB: 1024, MaxMemoryMiB: 2048, Weight: 256,
			Disks:     []backends.DiskSpec{{Volume: &backends.VolumeRef{Pool: "san", Name: "web01.qcow2"}, Bus: backends.BusVirtio, Target: "vda"}},
			NICs:      []backends.NICSpec{{Switch: "external", MAC: "52:54:00:ab:cd:ef", VLAN: 10, Model: "virtio"}},
			BootOrder: []backends.BootDevice{backends.BootDisk},
			Graphics:  &backends.Graphics{Type: backends.GraphicsVNC, Port: 5900}},
		Host: "h1", State: backends.StateRunning, Reason: backends.ReasonBooted, Since: since,
	}
	var buf bytes.Buffer
	if err := WriteFrame(&buf, FrameResponse, vm); err != nil {
		t.Fatal(err)
	}
	f, err := ReadFrame(&buf, MaxFrame)
	if err != nil {
		t.Fatal(err)
	}
	var got backends.VM
	if err := f.Decode(&got); err != nil {
		t.Fatal(err)
	}
	if f.Type != FrameResponse || !got.Since.Equal(since) {
		t.Fatalf("frame %s, since %v", f.Type, got.Since)
	}
	got.Since = since
	if !reflect.DeepEqual(got, vm) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, vm)
	}
}

func TestReadFrameRejects(t *testing.T) {
	header := func(n uint32, typ byte) []byte {
		return append(binary.BigEndian.AppendUint32(nil, n), typ)
	}
	tests := []struct {
		name  string
		input []byte
		want  error
	}{
		{"a length above the limit → ErrFrameTooLarge", header(MaxJoinFrame+1, byte(FrameJoin)), ErrFrameTooLarge},
		{"a zero length → ErrMalformed", header(0, 0), ErrMalformed},
		{"a payload shorter than its length → unexpected EOF", append(header(10, 1), 1, 2), io.ErrUnexpectedEOF},
		{"a truncated header → unexpected EOF", []byte{0, 0}, io.ErrUnexpectedEOF},
		{"nothing → EOF", nil, io.EOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadFrame(bytes.NewReader(tt.input), MaxJoinFrame)
			if !errors.Is(err, tt.want) {
				t.Fatalf("ReadFrame = %v, want %v", err, tt.want)
			}
		})
	}
}

// A header that claims the largest frame but sends a few bytes must not make
// the reader reserve the claimed size.
func TestReadFrameAllocatesOnlyWhatArrives(t *testing.T) {
	input := append(binary.BigEndian.AppendUint32(nil, MaxFrame), byte(FrameItem), 1, 2, 3)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range 10 {
		if _, err := ReadFrame(bytes.NewReader(input), MaxFrame); !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("ReadFrame = %v", err)
		}
	}
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > 2<<20 {
		t.Fatalf("10 reads of a 3-byte frame claiming %d bytes allocated %d bytes", MaxFrame, got)
	}
}

func TestUnmarshalLimits(t *testing.T) {
	tests := []struct {
		name  string
		input []byte
	}{
		{"an array claiming 2^32 elements", []byte{0x9a, 0xff, 0xff, 0xff, 0xff}},
		{"an indefinite-length array", []byte{0x9f, 0x01, 0xff}},
		{"nesting deeper than the limit", bytes.Repeat([]byte{0x81}, maxNesting+2)},
		{"a map with a duplicated key", []byte{0xa2, 0x61, 'a', 0x01, 0x61, 'a', 0x02}},
	}
	for _, tt := range tests {
		t.Run(tt.name+" → ErrMalformed", func(t *testing.T) {
			var v any
			if err := Unmarshal(tt.input, &v); !errors.Is(err, ErrMalformed) {
				t.Fatalf("Unmarshal = %v, want ErrMalformed", err)
			}
		})
	}
}

func TestWriteFrameRefusesOversizedPayload(t *testing.T) {
	err := WriteFrame(io.Discard, FrameItem, make([]byte, MaxFrame))
	if !errors.Is(err, ErrFrameTooLarge) {
		t.Fatalf("WriteFrame = %v, want ErrFrameTooLarge", err)
	}
}

func TestVersionCheck(t *testing.T) {
	tests := []struct {
		name   string
		remote Version
		ok     bool
	}{
		{"the same version is accepted", Current, true},
		{"a newer minor is accepted", Version{Current.Major, Current.Minor + 3}, true},
		{"a newer major is refused", Version{Current.Major + 1, 0}, false},
		{"an older major is refused", Version{0, 9}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check("manager", Current, tt.remote)
			if tt.ok != (err == nil) {
				t.Fatalf("Check(%s) = %v", tt.remote, err)
			}
			if !tt.ok && !errors.Is(WireError(err).Err(), ErrIncompatibleVersion) {
				t.Fatalf("refusal %v does not survive the wire as ErrIncompatibleVersion", err)
			}
		})
	}
}
