package proto

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
)

// FrameType says what a frame's payload is.
type FrameType uint8

// Frame types. New types may be added in a minor version; a peer answers an
// unknown type on a call stream with an *Error.
const (
	FrameHello     FrameType = 1  // agent → manager: Hello
	FrameWelcome   FrameType = 2  // manager → agent: Welcome
	FrameRefuse    FrameType = 3  // either way: Error, then the connection closes
	FrameJoin      FrameType = 4  // agent → manager: JoinRequest
	FrameJoined    FrameType = 5  // manager → agent: JoinResponse
	FrameRequest   FrameType = 6  // caller → callee: Request
	FrameResponse  FrameType = 7  // callee → caller: Response
	FrameProgress  FrameType = 8  // callee → caller during a call: e.g. MigrationProgress
	FrameItem      FrameType = 9  // callee → caller on a subscription: Event, StatsSample
	FrameCancel    FrameType = 10 // caller → callee: the caller's context ended
	FrameHeartbeat FrameType = 11 // agent → manager on the control stream: Heartbeat
	FrameGoodbye   FrameType = 12 // agent → manager on the control stream: Goodbye
)

func (t FrameType) String() string {
	names := [...]string{"", "hello", "welcome", "refuse", "join", "joined", "request", "response",
		"progress", "item", "cancel", "heartbeat", "goodbye"}
	if int(t) < len(names) && t != 0 {
		return names[t]
	}
	return fmt.Sprintf("frame(%d)", uint8(t))
}

// Frame size limits. MaxFrame bounds every frame on the management link;
// MaxJoinFrame bounds what an unauthenticated peer may send.
const (
	headerSize   = 5
	MaxFrame     = 16 << 20
	MaxJoinFrame = 64 << 10
	readChunk    = 32 << 10
)

// ErrFrameTooLarge reports a frame whose length exceeds the reader's limit.
var ErrFrameTooLarge = errors.New("frame too large")

// ErrMalformed reports a frame or payload that does not decode.
var ErrMalformed = errors.New("malformed message")

// A Frame is one message on a stream.
type Frame struct {
	Type    FrameType
	Payload []byte // CBOR
}

// Decode unmarshals the payload into v.
func (f Frame) Decode(v any) error { return Unmarshal(f.Payload, v) }

// ReadFrame reads one frame of at most limit bytes (type and payload). It
// allocates no more than about twice the bytes actually received, whatever
// the header claims, so a peer cannot make it reserve memory it never sends.
func ReadFrame(r io.Reader, limit int) (Frame, error) {
	var hdr [headerSize]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return Frame{}, err
	}
	n := int64(binary.BigEndian.Uint32(hdr[:4]))
	switch {
	case n < 1:
		return Frame{}, fmt.Errorf("frame length 0: %w", ErrMalformed)
	case n > int64(limit):
		return Frame{}, fmt.Errorf("frame of %d bytes, limit %d: %w", n, limit, ErrFrameTooLarge)
	}
	payload, err := readPayload(r, int(n-1))
	if err != nil {
		return Frame{}, err
	}
	return Frame{Type: FrameType(hdr[4]), Payload: payload}, nil
}

// readPayload reads n bytes in chunks, growing the buffer as data arrives.
func readPayload(r io.Reader, n int) ([]byte, error) {
	buf := make([]byte, 0, min(n, readChunk))
	for len(buf) < n {
		k := min(n-len(buf), readChunk)
		buf = slices.Grow(buf, k)
		m, err := io.ReadFull(r, buf[len(buf):len(buf)+k])
		buf = buf[:len(buf)+m]
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
	return buf, nil
}

// AppendFrame appends the frame for v to dst.
func AppendFrame(dst []byte, t FrameType, v any) ([]byte, error) {
	payload, err := Marshal(v)
	if err != nil {
		return dst, fmt.Errorf("encode %s frame: %w", t, err)
	}
	if len(payload)+1 > MaxFrame {
		return dst, fmt.Errorf("%s frame of %d bytes: %w", t, len(payload)+1, ErrFrameTooLarge)
	}
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(payload)+1))
	dst = append(dst, byte(t))
	return append(dst, payload...), nil
}

// WriteFrame writes the frame for v with a single Write.
func WriteFrame(w io.Writer, t FrameType, v any) error {
	buf, err := AppendFrame(make([]byte, 0, 256), t, v)
	if err != nil {
		return err
	}
	_, err = w.Write(buf)
	return err
}
