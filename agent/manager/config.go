package manager

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"
)

// DefaultAddr is where the manager listens for agents.
const DefaultAddr = ":5990"

// A Clock tells the registry the time, for heartbeats, liveness and token
// expiry. Tests substitute one they move by hand.
type Clock interface{ Now() time.Time }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// Config configures a Registry.
type Config struct {
	// DataDir holds the CA (DataDir/agent-ca, key 0600) and, unless Store
	// is set, the node file (DataDir/agent-nodes.json). Required.
	DataDir string
	// Addr is the agent listener of ListenAndServe; "" means DefaultAddr.
	Addr string
	// Names are the DNS names and IP addresses put in the manager's server
	// certificate, for tools that check them (agents pin the CA instead);
	// empty means the hostname and loopback.
	Names []string
	// Store persists enrolled nodes and revocations; nil means a
	// FileStore in DataDir.
	Store Store
	// Clock is the registry's time; nil means the system clock.
	Clock Clock
	// SuspectAfter and DeadAfter are the missed heartbeats after which a
	// node is suspect and dead; 0 means 3 and 10.
	SuspectAfter, DeadAfter int
	// DefaultHeartbeat is assumed for an agent that reports no interval; 0
	// means one second.
	DefaultHeartbeat time.Duration
	// SweepInterval is how often liveness is checked; 0 means 250 ms, and a
	// negative value means never (call Sweep).
	SweepInterval time.Duration
	// HandshakeTimeout bounds a connection's TLS handshake and Hello or
	// join exchange; 0 means 15 s.
	HandshakeTimeout time.Duration
	// Version is the manager's software version, sent in Welcome.
	Version string
	Logger  *slog.Logger // nil discards
}

func (c *Config) setDefaults() error {
	if c.DataDir == "" {
		return errors.New("node registry: no data dir")
	}
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if len(c.Names) == 0 {
		c.Names = []string{"localhost", "127.0.0.1", "::1"}
		if h, err := os.Hostname(); err == nil {
			c.Names = append(c.Names, h)
		}
	}
	if c.Store == nil {
		c.Store = NewFileStore(filepath.Join(c.DataDir, "agent-nodes.json"))
	}
	if c.Clock == nil {
		c.Clock = systemClock{}
	}
	if c.SuspectAfter == 0 {
		c.SuspectAfter = 3
	}
	if c.DeadAfter == 0 {
		c.DeadAfter = 10
	}
	if c.SuspectAfter < 1 || c.DeadAfter <= c.SuspectAfter {
		return fmt.Errorf("node registry: suspect after %d and dead after %d missed heartbeats: need 1 ≤ suspect < dead",
			c.SuspectAfter, c.DeadAfter)
	}
	if c.DefaultHeartbeat <= 0 {
		c.DefaultHeartbeat = time.Second
	}
	if c.SweepInterval == 0 {
		c.SweepInterval = 250 * time.Millisecond
	}
	if c.HandshakeTimeout <= 0 {
		c.HandshakeTimeout = 15 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}
