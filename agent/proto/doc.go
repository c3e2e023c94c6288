// Package proto is the wire protocol between ferrum-agent and the manager.
//
// An agent dials the manager over TLS 1.3 and names what it wants with ALPN:
// ALPNJoin to enrol with a one-time join token (no client certificate yet),
// ALPNAgent for the management link (client certificate required). On the
// management link the agent sends a Hello (protocol version, its host's
// inventory, heartbeat interval, features) and the manager answers Welcome
// or Refuse; a different major version is refused with a *VersionError. The
// connection is then multiplexed (yamux): the agent opens one control stream
// for heartbeats, and the manager opens one stream per call.
//
// Every stream carries frames: a 4-byte big-endian length, a FrameType byte
// and a CBOR payload (RFC 8949). CBOR is compact (integers and byte strings
// are binary, so a GetVM answer is about half its JSON size), maps onto Go
// structs like encoding/json with no generated code, and its decoder takes
// limits on nesting, array and map sizes, so hostile input cannot exhaust
// memory; encoding/gob was rejected because its decoder is documented as not
// hardened against adversarial input. ReadFrame bounds each frame and grows
// its buffer only as bytes arrive.
//
// A call is a Request frame (Op, the caller's remaining deadline, CBOR
// arguments) answered by one Response frame (result or *Error); a migration
// sends Progress frames before its Response. The caller sends a Cancel
// frame when its context ends. A subscription (events, statistics) is a
// Request answered by a Response and then Item frames until either side
// closes the stream. Errors keep their meaning across the wire: Error
// carries the backends sentinel codes and a StateError's fields, and
// Error.Err rebuilds an error that errors.Is and errors.As recognise.
package proto
