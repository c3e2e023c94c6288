package inproc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
)

// Network is the network name of inproc addresses.
const Network = "inproc"

// ErrRefused reports a Dial to a closed listener.
var ErrRefused = errors.New("inproc: connection refused: listener closed")

// Addr is an inproc address.
type Addr string

// Network returns "inproc".
func (Addr) Network() string { return Network }

// String returns the address.
func (a Addr) String() string { return string(a) }

// A Listener accepts the connections its Dial makes. It is safe for
// concurrent use.
type Listener struct {
	conns  chan net.Conn
	done   chan struct{}
	once   sync.Once
	nextID atomic.Uint64
}

// Listen returns a listener; Close releases it.
func Listen() *Listener {
	return &Listener{conns: make(chan net.Conn), done: make(chan struct{})}
}

// Accept waits for the next Dial and returns its server end, or an error
// wrapping net.ErrClosed once the listener is closed.
func (l *Listener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, &net.OpError{Op: "accept", Net: Network, Addr: l.Addr(), Err: net.ErrClosed}
	}
}

// Close stops the listener: blocked and later Accepts fail, and so do
// Dials. Connections already made stay open. It is safe to call twice.
func (l *Listener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

// Addr returns the listener's address, "inproc".
func (l *Listener) Addr() net.Addr { return Addr(Network) }

// Dial makes a connection pair, waits until Accept takes the server end,
// and returns the client end. network and addr are ignored (Dial has the
// signature of net.Dialer.DialContext). It fails when ctx ends first or
// the listener is closed.
func (l *Listener) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	id := l.nextID.Add(1)
	client, server := newPair(Addr(fmt.Sprintf("inproc-client-%d", id)), l.Addr().(Addr))
	select {
	case <-l.done:
		return nil, &net.OpError{Op: "dial", Net: Network, Addr: l.Addr(), Err: ErrRefused}
	default:
	}
	select {
	case l.conns <- server:
		return client, nil
	case <-l.done:
		return nil, &net.OpError{Op: "dial", Net: Network, Addr: l.Addr(), Err: ErrRefused}
	case <-ctx.Done():
		return nil, &net.OpError{Op: "dial", Net: Network, Addr: l.Addr(), Err: ctx.Err()}
	}
}
