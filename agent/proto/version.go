package proto

import (
	"errors"
	"fmt"
)

// Version is a protocol version. Peers with the same Major interoperate: a
// minor version only adds optional fields, frame types and ops, which the
// older side ignores or answers with ErrUnsupported.
type Version struct {
	Major, Minor uint16
}

// Current is the version this build speaks. Minor versions: 1.1 adds the
// snapshot ops and Features.Snapshots.
var Current = Version{Major: 1, Minor: 1}

func (v Version) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// ErrIncompatibleVersion matches every *VersionError.
var ErrIncompatibleVersion = errors.New("incompatible protocol version")

// A VersionError reports a peer speaking another major version.
type VersionError struct {
	Local, Remote Version
	Side          string // who refused: "manager" or "agent"
}

func (e *VersionError) Error() string {
	return fmt.Sprintf("%s speaks ferrum-agent protocol %s, peer speaks %s: major versions differ; "+
		"upgrade the older of the manager and the agent", e.Side, e.Local, e.Remote)
}

// Unwrap makes a VersionError match ErrIncompatibleVersion.
func (e *VersionError) Unwrap() error { return ErrIncompatibleVersion }

// Check returns a *VersionError, refused by side, when remote cannot talk
// to local.
func Check(side string, local, remote Version) error {
	if local.Major != remote.Major {
		return &VersionError{Local: local, Remote: remote, Side: side}
	}
	return nil
}
