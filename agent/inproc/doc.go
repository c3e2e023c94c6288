// Package inproc is an in-memory net.Listener for a manager and agents that
// run in one process: Dial hands the listener one end of a connection pair
// and returns the other, so no port is opened and nothing outside the
// process can connect. The connections carry the same mutual TLS as a TCP
// link; inproc only replaces the transport.
//
// Unlike net.Pipe, each direction buffers up to BufferSize bytes, as a
// socket would: a TLS 1.3 server writing its session tickets while the
// client writes its first record, or two multiplexed streams writing at
// once, would deadlock on an unbuffered pipe.
package inproc
