package backends

import "context"

// A SwitchManager manages a host's virtual switches and lists their ports.
//
// A switch is internal (VMs on it reach only each other) or external
// (bridged to a host NIC, its uplink). Switches meant to span hosts carry the
// same name on each host, which is how migration finds a VM's networks on the
// destination. A port is one VM NIC attached to a switch; it exists while the
// VM is defined with that NIC.
//
// CreateSwitch fails with ErrConflict for a name in use or an uplink already
// bridged by another switch, and ErrNotFound for an uplink that is not a host
// NIC. DeleteSwitch refuses with ErrConflict while ports remain. SetPortVLAN
// retags a port (0 untags it), live or not; it fails with ErrInvalidArgument
// outside 0–MaxVLAN.
type SwitchManager interface {
	ListSwitches(ctx context.Context) ([]Switch, error)
	GetSwitch(ctx context.Context, name string) (Switch, error)
	CreateSwitch(ctx context.Context, spec SwitchSpec) (Switch, error)
	DeleteSwitch(ctx context.Context, name string) error
	ListPorts(ctx context.Context, sw string) ([]Port, error)
	SetPortVLAN(ctx context.Context, sw, mac string, vlan int) error
}

// SwitchKind tells whether a switch reaches the physical network.
type SwitchKind string

// Switch kinds.
const (
	SwitchInternal SwitchKind = "internal"
	SwitchExternal SwitchKind = "external"
)

// SwitchSpec describes a switch to create.
type SwitchSpec struct {
	Name   string
	Kind   SwitchKind
	Uplink string // host NIC name; required for external, empty for internal
}

// Switch is a virtual switch.
type Switch struct {
	SwitchSpec
	Ports int
}

// Port is a VM NIC attached to a switch.
type Port struct {
	Switch string
	VM     string // VM ID
	MAC    string
	VLAN   int
	Model  string
}
