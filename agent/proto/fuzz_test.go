package proto

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/ferrum-virt/ferrum/backends"
)

// FuzzReadFrame feeds untrusted bytes to the frame reader and decodes the
// payload as every message a peer may send. Nothing may panic, and a frame
// never exceeds the limit it was read with.
func FuzzReadFrame(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add(seed)
	}
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 6})
	f.Add(append(binary.BigEndian.AppendUint32(nil, 6), 6, 0x9b, 0xff, 0xff, 0xff, 0xff))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		for {
			fr, err := ReadFrame(r, MaxJoinFrame)
			if err != nil {
				return
			}
			if len(fr.Payload)+1 > MaxJoinFrame {
				t.Fatalf("frame of %d bytes passed a limit of %d", len(fr.Payload), MaxJoinFrame)
			}
			decodeAll(fr)
		}
	})
}

// decodeAll decodes a payload as each message type, ignoring errors.
func decodeAll(fr Frame) {
	targets := []any{&Hello{}, &Welcome{}, &Error{}, &JoinRequest{}, &JoinResponse{}, &Request{},
		&Response{}, &Heartbeat{}, &Goodbye{}, &backends.Event{}, &StatsSample{}, &MigrateArgs{},
		&backends.VMSpec{}, &[]backends.VM{}, &backends.HostInfo{}}
	for _, v := range targets {
		if fr.Decode(v) == nil {
			if e, ok := v.(*Error); ok {
				_ = e.Err()
			}
		}
	}
}

func fuzzSeeds(f *testing.F) [][]byte {
	msgs := []struct {
		t FrameType
		v any
	}{
		{FrameHello, Hello{Version: Current, Host: backends.HostInfo{ID: "h1", NICs: []backends.HostNIC{{Name: "eno1"}}}}},
		{FrameRequest, Request{Op: OpVMGet, Args: mustMarshal(f, ID{ID: "vm1"})}},
		{FrameResponse, Response{Err: WireError(&backends.StateError{VM: "v", Op: "start", State: backends.StateRunning})}},
		{FrameJoin, JoinRequest{Version: Current, Token: "x", HostID: "h1", CSR: []byte{1, 2, 3}}},
		{FrameItem, backends.Event{Seq: 1, Type: backends.EventStarted, Migration: &backends.MigrationProgress{Round: 1}}},
	}
	var seeds [][]byte
	for _, m := range msgs {
		b, err := AppendFrame(nil, m.t, m.v)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	return seeds
}

func mustMarshal(tb testing.TB, v any) []byte {
	b, err := Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
