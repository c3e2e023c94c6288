package link

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/hashicorp/yamux"
)

// A Session is one multiplexed connection between the manager and an agent.
// It is safe for concurrent use.
type Session struct {
	mux  *yamux.Session
	peer string
	log  *slog.Logger
}

// Options tune a session.
type Options struct {
	// KeepAlive is how often the multiplexer pings the peer to detect a dead
	// connection; 0 means 15 s.
	KeepAlive time.Duration
	Logger    *slog.Logger // nil discards
}

func muxConfig(o Options) *yamux.Config {
	cfg := yamux.DefaultConfig()
	cfg.KeepAliveInterval = 15 * time.Second
	if o.KeepAlive > 0 {
		cfg.KeepAliveInterval = o.KeepAlive
	}
	cfg.LogOutput = io.Discard
	cfg.StreamCloseTimeout = time.Minute
	return cfg
}

// Dialer starts the session on the side that dialed the connection (the
// agent); Listener on the side that accepted it (the manager). peer names
// the other side in logs.
func Dialer(conn net.Conn, peer string, o Options) (*Session, error) {
	m, err := yamux.Client(&coalescer{Conn: conn}, muxConfig(o))
	return newSession(m, err, peer, o)
}

// Listener starts the session on the side that accepted the connection.
func Listener(conn net.Conn, peer string, o Options) (*Session, error) {
	m, err := yamux.Server(&coalescer{Conn: conn}, muxConfig(o))
	return newSession(m, err, peer, o)
}

func newSession(m *yamux.Session, err error, peer string, o Options) (*Session, error) {
	if err != nil {
		return nil, fmt.Errorf("start session with %s: %w", peer, err)
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Session{mux: m, peer: peer, log: log}, nil
}

// Peer names the other side.
func (s *Session) Peer() string { return s.peer }

// Open opens a stream to the peer.
func (s *Session) Open() (*Stream, error) {
	st, err := s.mux.OpenStream()
	if err != nil {
		return nil, err
	}
	return &Stream{s: st}, nil
}

// Accept waits for the peer to open a stream.
func (s *Session) Accept(ctx context.Context) (*Stream, error) {
	st, err := s.mux.AcceptStreamWithContext(ctx)
	if err != nil {
		return nil, err
	}
	return &Stream{s: st}, nil
}

// Close closes the session and its connection; open streams fail.
func (s *Session) Close() error { return s.mux.Close() }

// Done is closed when the session ends.
func (s *Session) Done() <-chan struct{} { return s.mux.CloseChan() }

// Closed reports whether the session has ended.
func (s *Session) Closed() bool { return s.mux.IsClosed() }
