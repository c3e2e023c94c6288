package inproc

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// pair dials l and accepts the other end.
func pair(t *testing.T) (client, server net.Conn) {
	t.Helper()
	l := Listen()
	t.Cleanup(func() { l.Close() })
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			t.Error(err)
		}
		accepted <- c
	}()
	client, err := l.Dial(t.Context(), "tcp", "ignored")
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	t.Cleanup(func() { client.Close(); server.Close() })
	return client, server
}

func TestDialAcceptCarriesBytesBothWays(t *testing.T) {
	c, s := pair(t)
	if _, err := c.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	n, err := s.Read(buf)
	if err != nil || string(buf[:n]) != "hello" {
		t.Fatalf("server read %q, %v", buf[:n], err)
	}
	if _, err := s.Write([]byte("world")); err != nil {
		t.Fatal(err)
	}
	if n, err = c.Read(buf); err != nil || string(buf[:n]) != "world" {
		t.Fatalf("client read %q, %v", buf[:n], err)
	}
	if c.RemoteAddr().String() != s.LocalAddr().String() || c.LocalAddr().Network() != Network {
		t.Fatalf("addresses: client %v→%v, server %v→%v", c.LocalAddr(), c.RemoteAddr(), s.LocalAddr(), s.RemoteAddr())
	}
}

// TestWritesBufferLikeASocket: both ends write without reading, as a TLS
// server sending tickets while its client sends its first record does;
// net.Pipe would deadlock here.
func TestWritesBufferLikeASocket(t *testing.T) {
	c, s := pair(t)
	errs := make(chan error, 2)
	go func() { _, err := c.Write([]byte("from client")); errs <- err }()
	go func() { _, err := s.Write([]byte("from server")); errs <- err }()
	for range 2 {
		select {
		case err := <-errs:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("concurrent small writes blocked")
		}
	}
}

func TestLargeWriteBlocksUntilRead(t *testing.T) {
	c, s := pair(t)
	want := bytes.Repeat([]byte("0123456789abcdef"), 3*BufferSize/16)
	done := make(chan error, 1)
	go func() { _, err := c.Write(want); done <- err }()
	select {
	case err := <-done:
		t.Fatalf("a write of 3×BufferSize returned before any read: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	got, err := io.ReadAll(io.LimitReader(s, int64(len(want))))
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("read %d of %d bytes, equal %v, err %v", len(got), len(want), bytes.Equal(got, want), err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestCloseGivesThePeerEOFAfterTheData(t *testing.T) {
	c, s := pair(t)
	if _, err := c.Write([]byte("last words")); err != nil {
		t.Fatal(err)
	}
	c.Close()
	got, err := io.ReadAll(s)
	if err != nil || string(got) != "last words" {
		t.Fatalf("peer read %q, %v after close; want the data, then EOF", got, err)
	}
	if _, err := s.Write([]byte("x")); err == nil {
		t.Fatal("a write to a closed peer succeeded")
	}
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("read on the closed end: %v, want net.ErrClosed", err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestCloseWakesABlockedRead(t *testing.T) {
	c, _ := pair(t)
	done := make(chan error, 1)
	go func() { _, err := c.Read(make([]byte, 1)); done <- err }()
	time.Sleep(20 * time.Millisecond)
	c.Close()
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("blocked read after Close: %v, want net.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not wake a blocked read")
	}
}

func TestListenerClose(t *testing.T) {
	l := Listen()
	accepted := make(chan error, 1)
	go func() { _, err := l.Accept(); accepted <- err }()
	time.Sleep(20 * time.Millisecond)
	l.Close()
	if err := <-accepted; !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Accept after Close: %v, want net.ErrClosed", err)
	}
	if _, err := l.Dial(t.Context(), "", ""); !errors.Is(err, ErrRefused) {
		t.Fatalf("Dial after Close: %v, want ErrRefused", err)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestDialWaitsForAcceptUntilContextEnds(t *testing.T) {
	l := Listen()
	defer l.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Millisecond)
	defer cancel()
	if _, err := l.Dial(ctx, "", ""); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Dial with no Accept: %v, want the context's deadline", err)
	}
}

func TestReadDeadline(t *testing.T) {
	c, s := pair(t)
	c.SetReadDeadline(time.Now().Add(30 * time.Millisecond))
	start := time.Now()
	_, err := c.Read(make([]byte, 1))
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read past its deadline: %v, want a timeout", err)
	}
	if d := time.Since(start); d < 25*time.Millisecond || d > 2*time.Second {
		t.Fatalf("read timed out after %v, want about 30ms", d)
	}
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read after the deadline passed: %v, want a timeout still", err)
	}
	c.SetReadDeadline(time.Time{})
	s.Write([]byte("y"))
	if n, err := c.Read(make([]byte, 1)); n != 1 || err != nil {
		t.Fatalf("read with the deadline cleared: %d, %v", n, err)
	}
}

func TestPastDeadlineWakesABlockedRead(t *testing.T) {
	c, _ := pair(t)
	done := make(chan error, 1)
	go func() { _, err := c.Read(make([]byte, 1)); done <- err }()
	time.Sleep(20 * time.Millisecond)
	c.SetDeadline(time.Now().Add(-time.Second))
	select {
	case err := <-done:
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("blocked read after a past deadline: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a past deadline did not wake a blocked read")
	}
}

func TestWriteDeadlineOnAFullBuffer(t *testing.T) {
	c, _ := pair(t)
	c.SetWriteDeadline(time.Now().Add(30 * time.Millisecond))
	n, err := c.Write(make([]byte, 2*BufferSize))
	if !errors.Is(err, os.ErrDeadlineExceeded) || n != BufferSize {
		t.Fatalf("write to a full buffer: %d, %v; want %d and a timeout", n, err, BufferSize)
	}
}
