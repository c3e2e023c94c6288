package backends

import (
	"fmt"
	"strings"

	"github.com/google/uuid"
)

// Normalize fills a spec's defaults in place: MaxVCPUs, MaxMemoryMiB, Weight,
// disk devices and buses, NIC models and MAC spelling. Backends call it
// before Validate so every backend reads the same defaults.
func (s *VMSpec) Normalize() {
	if s.MaxVCPUs < s.VCPUs {
		s.MaxVCPUs = s.VCPUs
	}
	if s.MaxMemoryMiB < s.MemoryMiB {
		s.MaxMemoryMiB = s.MemoryMiB
	}
	if s.Weight == 0 {
		s.Weight = DefaultWeight
	}
	if s.UUID != "" {
		if u, err := uuid.Parse(s.UUID); err == nil {
			s.UUID = u.String()
		}
	}
	for i := range s.Disks {
		s.Disks[i].Normalize()
	}
	for i := range s.NICs {
		s.NICs[i].Normalize()
	}
	if len(s.BootOrder) == 0 {
		s.BootOrder = []BootDevice{BootDisk}
	}
}

// Normalize fills a disk's default device and bus; a CD-ROM is read-only.
func (d *DiskSpec) Normalize() {
	if d.Device == "" {
		d.Device = DeviceDisk
	}
	if d.Bus == "" {
		d.Bus = BusVirtio
		if d.Device == DeviceCDROM {
			d.Bus = BusIDE
		}
	}
	if d.Device == DeviceCDROM {
		d.ReadOnly = true
	}
}

// Normalize fills a NIC's default model and spells its MAC canonically.
func (n *NICSpec) Normalize() {
	if n.Model == "" {
		n.Model = "virtio"
	}
	if m, err := ParseMAC(n.MAC); err == nil {
		n.MAC = m.String()
	}
}

// Validate checks a normalized spec against a host's limits. It returns an
// error wrapping ErrInvalidArgument that names the first problem found.
func (s VMSpec) Validate(l Limits) error {
	if err := s.validateScalars(l); err != nil {
		return fmt.Errorf("vm %q: %w", s.Name, err)
	}
	for i, d := range s.Disks {
		if err := d.Validate(); err != nil {
			return fmt.Errorf("vm %q disk %d: %w", s.Name, i, err)
		}
	}
	if l.MaxDisks > 0 && len(s.Disks) > l.MaxDisks {
		return fmt.Errorf("vm %q: %d disks, at most %d: %w", s.Name, len(s.Disks), l.MaxDisks, ErrInvalidArgument)
	}
	for i, n := range s.NICs {
		if err := n.Validate(); err != nil {
			return fmt.Errorf("vm %q nic %d: %w", s.Name, i, err)
		}
	}
	if l.MaxNICs > 0 && len(s.NICs) > l.MaxNICs {
		return fmt.Errorf("vm %q: %d NICs, at most %d: %w", s.Name, len(s.NICs), l.MaxNICs, ErrInvalidArgument)
	}
	if err := s.validateBoot(); err != nil {
		return fmt.Errorf("vm %q: %w", s.Name, err)
	}
	return nil
}

func (s VMSpec) validateScalars(l Limits) error {
	switch {
	case strings.TrimSpace(s.Name) == "" || strings.ContainsAny(s.Name, "/\x00"):
		return fmt.Errorf("name %q: %w", s.Name, ErrInvalidArgument)
	case s.UUID != "" && uuid.Validate(s.UUID) != nil:
		return fmt.Errorf("uuid %q: %w", s.UUID, ErrInvalidArgument)
	case s.VCPUs < 1 || s.MaxVCPUs < s.VCPUs || (l.MaxVCPUs > 0 && s.MaxVCPUs > l.MaxVCPUs):
		return fmt.Errorf("vcpus %d (max %d, host limit %d): %w", s.VCPUs, s.MaxVCPUs, l.MaxVCPUs, ErrInvalidArgument)
	case s.MemoryMiB < max(l.MinMemoryMiB, 1) || s.MaxMemoryMiB < s.MemoryMiB ||
		(l.MaxMemoryMiB > 0 && s.MaxMemoryMiB > l.MaxMemoryMiB):
		return fmt.Errorf("memory %d MiB (max %d, host limits %d–%d): %w",
			s.MemoryMiB, s.MaxMemoryMiB, l.MinMemoryMiB, l.MaxMemoryMiB, ErrInvalidArgument)
	case s.Weight < 1 || s.Weight > 65535:
		return fmt.Errorf("weight %d outside 1–65535: %w", s.Weight, ErrInvalidArgument)
	}
	if g := s.Graphics; g != nil {
		if g.Type != GraphicsVNC && g.Type != GraphicsSPICE {
			return fmt.Errorf("graphics type %q: %w", g.Type, ErrInvalidArgument)
		}
		if g.Port < 0 || g.Port > 65535 {
			return fmt.Errorf("graphics port %d: %w", g.Port, ErrInvalidArgument)
		}
	}
	if s.Console != ConsoleNone && s.Console != ConsoleSerial {
		return fmt.Errorf("console %q: %w", s.Console, ErrInvalidArgument)
	}
	return nil
}

func (s VMSpec) validateBoot() error {
	seen := map[BootDevice]bool{}
	for _, b := range s.BootOrder {
		if seen[b] {
			return fmt.Errorf("boot device %q listed twice: %w", b, ErrInvalidArgument)
		}
		seen[b] = true
		switch b {
		case BootDisk, BootNetwork:
		case BootCDROM:
			if !s.hasDisk(func(d DiskSpec) bool { return d.Device == DeviceCDROM }) {
				return fmt.Errorf("boot from cdrom without a cdrom drive: %w", ErrInvalidArgument)
			}
		case BootNBD:
			if !s.hasDisk(func(d DiskSpec) bool { return d.IsNBD() }) {
				return fmt.Errorf("boot from nbd without an nbd:// disk: %w", ErrInvalidArgument)
			}
		default:
			return fmt.Errorf("boot device %q: %w", b, ErrInvalidArgument)
		}
	}
	return nil
}

func (s VMSpec) hasDisk(match func(DiskSpec) bool) bool {
	for _, d := range s.Disks {
		if match(d) {
			return true
		}
	}
	return false
}

// IsNBD reports whether the disk is a network block device.
func (d DiskSpec) IsNBD() bool { return strings.HasPrefix(d.Path, "nbd://") }

// Validate checks a normalized disk.
func (d DiskSpec) Validate() error {
	switch d.Device {
	case DeviceDisk:
		if (d.Volume == nil) == (d.Path == "") {
			return fmt.Errorf("disk needs exactly one of volume or path: %w", ErrInvalidArgument)
		}
	case DeviceCDROM:
		if d.Volume != nil && d.Path != "" {
			return fmt.Errorf("cdrom with both volume and path: %w", ErrInvalidArgument)
		}
	default:
		return fmt.Errorf("disk device %q: %w", d.Device, ErrInvalidArgument)
	}
	switch d.Bus {
	case BusVirtio, BusSCSI, BusIDE, BusSATA:
	default:
		return fmt.Errorf("disk bus %q: %w", d.Bus, ErrInvalidArgument)
	}
	if d.Device == DeviceCDROM && d.Bus == BusVirtio {
		return fmt.Errorf("cdrom on virtio bus: %w", ErrInvalidArgument)
	}
	if d.Volume != nil && (d.Volume.Pool == "" || d.Volume.Name == "") {
		return fmt.Errorf("volume reference %+v: %w", *d.Volume, ErrInvalidArgument)
	}
	return nil
}

// Validate checks a normalized NIC. An empty MAC is valid: it is generated.
func (n NICSpec) Validate() error {
	if n.Switch == "" {
		return fmt.Errorf("nic without a switch: %w", ErrInvalidArgument)
	}
	if n.MAC != "" {
		m, err := ParseMAC(n.MAC)
		if err != nil {
			return err
		}
		if m.Multicast() {
			return fmt.Errorf("mac %s is multicast: %w", n.MAC, ErrInvalidArgument)
		}
	}
	if n.VLAN < 0 || n.VLAN > MaxVLAN {
		return fmt.Errorf("vlan %d outside 0–%d: %w", n.VLAN, MaxVLAN, ErrInvalidArgument)
	}
	switch n.Model {
	case "virtio", "e1000", "rtl8139", "pcnet":
	default:
		return fmt.Errorf("nic model %q: %w", n.Model, ErrInvalidArgument)
	}
	return nil
}
