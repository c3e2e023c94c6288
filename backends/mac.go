package backends

import (
	"fmt"
	"io"
	"net"
)

// MaxVLAN is the highest 802.1Q VLAN ID a port can carry.
const MaxVLAN = 4094

// MAC is a 48-bit Ethernet address packed in a comparable value, cheap to
// keep in maps.
type MAC [6]byte

// ParseMAC parses a 48-bit MAC in any form net.ParseMAC accepts. It fails
// with ErrInvalidArgument.
func ParseMAC(s string) (MAC, error) {
	hw, err := net.ParseMAC(s)
	if err != nil || len(hw) != 6 {
		return MAC{}, fmt.Errorf("mac %q: %w", s, ErrInvalidArgument)
	}
	return MAC(hw), nil
}

// String spells the MAC in lower-case colon form.
func (m MAC) String() string { return net.HardwareAddr(m[:]).String() }

// Multicast reports whether the group bit is set; such a MAC cannot name a NIC.
func (m MAC) Multicast() bool { return m[0]&1 == 1 }

// KVMOUI is the locally administered prefix QEMU/KVM uses for guest NICs.
var KVMOUI = [3]byte{0x52, 0x54, 0x00}

// RandomMAC draws a guest MAC under prefix from r. The caller checks it
// against the MACs in use and draws again on a collision.
func RandomMAC(r io.Reader, prefix [3]byte) (MAC, error) {
	var m MAC
	copy(m[:3], prefix[:])
	if _, err := io.ReadFull(r, m[3:]); err != nil {
		return MAC{}, fmt.Errorf("draw mac: %w", err)
	}
	return m, nil
}
