package proto

import (
	"time"

	"github.com/ferrum-virt/ferrum/backends"
)

// ALPN protocol names: what a TLS connection to the manager is for.
const (
	ALPNAgent = "ferrum-agent" // the management link; client certificate required
	ALPNJoin  = "ferrum-join"  // enrolment with a join token
)

// Hello opens the management link. The agent reports its host's inventory so
// the manager knows the node before its first call.
type Hello struct {
	Version      Version
	AgentVersion string // software build, for logs
	Host         backends.HostInfo
	Heartbeat    time.Duration // interval the agent sends heartbeats at
	Features     Features
	// MigrationURI is where other hosts reach this one for a migration
	// (e.g. qemu+tls://node2/system); empty when the backend needs none.
	MigrationURI string
}

// Features are optional abilities of the agent's backend.
type Features struct {
	Migrator bool // the backend implements backends.Migrator
	// Snapshots: the backend implements backends.Snapshots and the agent
	// serves the snapshot ops (protocol 1.1; an older agent leaves it
	// false).
	Snapshots bool
}

// Welcome accepts a Hello.
type Welcome struct {
	Version        Version
	ManagerVersion string
	NodeID         string // the identity the manager knows the agent by
}

// JoinRequest asks the manager to enrol a node. CSR is a DER PKCS#10
// request whose subject common name is HostID.
type JoinRequest struct {
	Version  Version
	Token    string // the secret part of the join token
	HostID   string
	Hostname string
	CSR      []byte
}

// JoinResponse carries the node's client certificate and the manager's CA,
// both DER.
type JoinResponse struct {
	Certificate []byte
	CA          []byte
}

// Request is a call. Timeout is what remained of the caller's deadline when
// it sent the request (0: none); the callee applies it on its own clock.
type Request struct {
	Op      Op
	Timeout time.Duration
	Args    RawMessage
}

// Response ends a call: Err, or the result.
type Response struct {
	Err    *Error
	Result RawMessage
}

// Cancel tells the callee that the caller's context ended.
type Cancel struct{}

// Heartbeat tells the manager the agent is alive. Seq counts from 1 per
// connection; Time is the agent's clock.
type Heartbeat struct {
	Seq  uint64
	Time time.Time
}

// Goodbye tells the manager the agent is shutting down on purpose.
type Goodbye struct {
	Reason string
}

// Empty is the argument or result of calls that have none.
type Empty struct{}
