package inproc

import (
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// BufferSize is how many bytes a direction holds before Write blocks.
const BufferSize = 256 << 10

// keepCap is the largest drained buffer kept for reuse; a bigger one is
// dropped, so an idle connection holds little memory.
const keepCap = 64 << 10

// buffer is one direction of a connection pair.
type buffer struct {
	mu      sync.Mutex
	data    []byte
	eof     bool          // the writer closed: reads drain, then io.EOF
	broken  bool          // the reader closed: writes fail
	changed chan struct{} // closed and replaced on every change
}

func newBuffer() *buffer { return &buffer{changed: make(chan struct{})} }

// signal wakes every waiter. Called with b.mu held.
func (b *buffer) signal() {
	close(b.changed)
	b.changed = make(chan struct{})
}

// read takes up to len(p) bytes; with none it returns a channel that is
// closed on the next change, or io.EOF.
func (b *buffer) read(p []byte) (int, <-chan struct{}, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.data) == 0 {
		if b.eof {
			return 0, nil, io.EOF
		}
		return 0, b.changed, nil
	}
	n := copy(p, b.data)
	b.data = b.data[n:]
	if len(b.data) == 0 {
		b.data = nil
	}
	b.signal()
	return n, nil, nil
}

// write appends as much of p as fits; when nothing fits it returns a
// channel closed on the next change.
func (b *buffer) write(p []byte) (int, <-chan struct{}, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.broken:
		return 0, nil, io.ErrClosedPipe
	case b.eof:
		return 0, nil, net.ErrClosed
	}
	n := min(len(p), BufferSize-len(b.data))
	if n == 0 {
		return 0, b.changed, nil
	}
	if len(b.data)+n > cap(b.data) && cap(b.data) > keepCap {
		b.data = append([]byte(nil), b.data...) // compact what read left behind
	}
	b.data = append(b.data, p[:n]...)
	b.signal()
	return n, nil, nil
}

// close marks the buffer's end: eof for the writer's side, broken for
// the reader's.
func (b *buffer) close(eof, broken bool) {
	b.mu.Lock()
	b.eof = b.eof || eof
	b.broken = b.broken || broken
	if broken {
		b.data = nil
	}
	b.signal()
	b.mu.Unlock()
}

// A Conn is one end of an in-memory connection. It is safe for concurrent
// use, and its deadlines behave as a socket's: a passed deadline fails
// blocked and later calls with os.ErrDeadlineExceeded until it is moved.
type Conn struct {
	in, out       *buffer
	local, remote Addr
	rd, wd        deadline
	done          chan struct{}
	once          sync.Once
}

// newPair returns the two connected ends.
func newPair(clientAddr, serverAddr Addr) (client, server *Conn) {
	a, b := newBuffer(), newBuffer()
	client = &Conn{in: a, out: b, local: clientAddr, remote: serverAddr, done: make(chan struct{})}
	server = &Conn{in: b, out: a, local: serverAddr, remote: clientAddr, done: make(chan struct{})}
	client.rd.init()
	client.wd.init()
	server.rd.init()
	server.wd.init()
	return client, server
}

// Read reads what the peer wrote; io.EOF once the peer closed and
// everything is read.
func (c *Conn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, c.check("read", &c.rd)
	}
	for {
		if err := c.check("read", &c.rd); err != nil {
			return 0, err
		}
		n, wait, err := c.in.read(p)
		if n > 0 || err != nil {
			return n, err
		}
		if err := c.block("read", wait, &c.rd); err != nil {
			return 0, err
		}
	}
}

// Write writes all of p, blocking while the peer's buffer is full.
func (c *Conn) Write(p []byte) (int, error) {
	written := 0
	for {
		if err := c.check("write", &c.wd); err != nil {
			return written, err
		}
		if written == len(p) {
			return written, nil
		}
		n, wait, err := c.out.write(p[written:])
		written += n
		if err != nil {
			return written, c.opErr("write", err)
		}
		if n == 0 {
			if err := c.block("write", wait, &c.wd); err != nil {
				return written, err
			}
		}
	}
}

// check fails a call on a closed connection or a passed deadline.
func (c *Conn) check(op string, d *deadline) error {
	select {
	case <-c.done:
		return c.opErr(op, net.ErrClosed)
	default:
	}
	if d.expired() {
		return c.opErr(op, os.ErrDeadlineExceeded)
	}
	return nil
}

// block waits for a change of the buffer, the connection's closing or the
// deadline.
func (c *Conn) block(op string, wait <-chan struct{}, d *deadline) error {
	select {
	case <-wait:
		return nil
	case <-c.done:
		return c.opErr(op, net.ErrClosed)
	case <-d.wait():
		return c.opErr(op, os.ErrDeadlineExceeded)
	}
}

func (c *Conn) opErr(op string, err error) error {
	if err == io.EOF {
		return err
	}
	return &net.OpError{Op: op, Net: Network, Source: c.local, Addr: c.remote, Err: err}
}

// Close closes this end: the peer reads what was written and then io.EOF,
// and its writes fail. It is safe to call twice.
func (c *Conn) Close() error {
	c.once.Do(func() {
		close(c.done)
		c.out.close(true, false)
		c.in.close(false, true)
	})
	return nil
}

// LocalAddr returns this end's address.
func (c *Conn) LocalAddr() net.Addr { return c.local }

// RemoteAddr returns the peer's address.
func (c *Conn) RemoteAddr() net.Addr { return c.remote }

// SetDeadline sets the read and write deadlines.
func (c *Conn) SetDeadline(t time.Time) error {
	c.rd.set(t)
	c.wd.set(t)
	return nil
}

// SetReadDeadline sets the read deadline; the zero time means none.
func (c *Conn) SetReadDeadline(t time.Time) error { c.rd.set(t); return nil }

// SetWriteDeadline sets the write deadline; the zero time means none.
func (c *Conn) SetWriteDeadline(t time.Time) error { c.wd.set(t); return nil }
