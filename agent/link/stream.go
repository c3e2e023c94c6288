package link

import (
	"sync"
	"time"

	"github.com/ferrum-virt/ferrum/agent/proto"
	"github.com/hashicorp/yamux"
)

// A Stream carries frames in both directions. Send may be called from
// several goroutines; Recv from one at a time.
type Stream struct {
	s   *yamux.Stream
	wmu sync.Mutex
	buf []byte
}

// Send writes one frame.
func (s *Stream) Send(t proto.FrameType, v any) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	buf, err := proto.AppendFrame(s.buf[:0], t, v)
	if err != nil {
		return err
	}
	s.buf = buf
	_, err = s.s.Write(buf)
	return err
}

// Recv reads one frame.
func (s *Stream) Recv() (proto.Frame, error) { return proto.ReadFrame(s.s, proto.MaxFrame) }

// SetReadDeadline bounds the next Recv.
func (s *Stream) SetReadDeadline(t time.Time) error { return s.s.SetReadDeadline(t) }

// SetWriteDeadline bounds Send.
func (s *Stream) SetWriteDeadline(t time.Time) error { return s.s.SetWriteDeadline(t) }

// Close ends the local side; the peer's Recv returns io.EOF once it has read
// what was sent.
func (s *Stream) Close() error { return s.s.Close() }
