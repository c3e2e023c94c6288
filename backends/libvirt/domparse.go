package libvirt

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/ferrum-virt/ferrum/backends"
)

// maxParsedVCPUs bounds vCPU counts read from the daemon, far above any
// hypervisor's limit, so a hostile document cannot make Ferrum allocate.
const maxParsedVCPUs = 1 << 14

// specOf reads a VM's configuration back from a domain document, live or
// inactive. A live document reports the graphics port the VM listens on.
func specOf(d *domainXML) (backends.VMSpec, error) {
	s := backends.VMSpec{Name: d.Name, UUID: d.UUID, Weight: backends.DefaultWeight}
	var err error
	if s.VCPUs, s.MaxVCPUs, err = d.vcpus(); err != nil {
		return s, err
	}
	if s.MemoryMiB, s.MaxMemoryMiB, err = d.memory(); err != nil {
		return s, err
	}
	if d.CPUTune != nil && strings.TrimSpace(d.CPUTune.Shares) != "" {
		shares, err := strconv.ParseUint(strings.TrimSpace(d.CPUTune.Shares), 10, 64)
		if err != nil {
			return s, fmt.Errorf("domain %q cputune shares: %w", d.Name, err)
		}
		s.Weight = int(min(max(shares/weightScale, 1), 65535))
	}
	for _, x := range d.Devices.Disks {
		if disk, ok := diskSpecOf(x); ok {
			s.Disks = append(s.Disks, disk)
		}
	}
	for _, x := range d.Devices.Interfaces {
		s.NICs = append(s.NICs, nicSpecOf(x))
	}
	for _, g := range d.Devices.Graphics {
		if g.Type == string(backends.GraphicsVNC) || g.Type == string(backends.GraphicsSPICE) {
			port, _ := strconv.Atoi(g.Port)
			s.Graphics = &backends.Graphics{Type: backends.GraphicsType(g.Type), Port: max(port, 0), Listen: g.Listen}
			break
		}
	}
	if len(d.Devices.Serials) > 0 {
		s.Console = backends.ConsoleSerial
	}
	s.BootOrder = d.bootOrder()
	return s, nil
}

// vcpus returns the current and maximum vCPU counts.
func (d *domainXML) vcpus() (cur, maxN int, err error) {
	maxN, err = strconv.Atoi(strings.TrimSpace(d.VCPU.Value))
	if err != nil || maxN < 1 || maxN > maxParsedVCPUs {
		return 0, 0, fmt.Errorf("domain %q: vcpu %q is not a count", d.Name, d.VCPU.Value)
	}
	cur = maxN
	if c := strings.TrimSpace(d.VCPU.Current); c != "" {
		cur, err = strconv.Atoi(c)
		if err != nil || cur < 1 || cur > maxN {
			return 0, 0, fmt.Errorf("domain %q: current vcpus %q of %d", d.Name, d.VCPU.Current, maxN)
		}
	}
	return cur, maxN, nil
}

// memory returns the current and maximum memory in MiB.
func (d *domainXML) memory() (cur, maxMiB uint64, err error) {
	maxMiB, err = d.Memory.mib("kib")
	if err != nil {
		return 0, 0, fmt.Errorf("domain %q memory: %w", d.Name, err)
	}
	cur = maxMiB
	if d.CurrentMemory != nil {
		if cur, err = d.CurrentMemory.mib("kib"); err != nil {
			return 0, 0, fmt.Errorf("domain %q currentMemory: %w", d.Name, err)
		}
	}
	return min(cur, maxMiB), maxMiB, nil
}

// diskSpecOf reads a disk; it reports false for devices Ferrum does not
// model (floppies).
func diskSpecOf(x diskXML) (backends.DiskSpec, bool) {
	disk := backends.DiskSpec{
		Device:   backends.DeviceDisk,
		Bus:      backends.DiskBus(x.Target.Bus),
		Target:   x.Target.Dev,
		ReadOnly: x.ReadOnly != nil,
	}
	switch x.Device {
	case "", "disk", "lun":
	case "cdrom":
		disk.Device = backends.DeviceCDROM
	default:
		return disk, false
	}
	src := x.Source
	if src == nil {
		return disk, true
	}
	switch x.Type {
	case "volume":
		disk.Volume = &backends.VolumeRef{Pool: src.Pool, Name: src.Volume}
	case "file":
		disk.Path = src.File
	case "block":
		disk.Path = src.Dev
	case "network":
		disk.Path = networkDiskURL(src)
	}
	return disk, true
}

// networkDiskURL spells a network disk source as protocol://host:port/name.
func networkDiskURL(src *sourceXML) string {
	host := ""
	if len(src.Hosts) > 0 {
		host = src.Hosts[0].Name
		if src.Hosts[0].Port != "" {
			host = net.JoinHostPort(host, src.Hosts[0].Port)
		}
	}
	u := src.Protocol + "://" + host
	if src.Name != "" {
		u += "/" + src.Name
	}
	return u
}

// nicSpecOf reads an interface. Its switch is the libvirt network, or the
// host bridge or device for interfaces Ferrum did not define.
func nicSpecOf(x interfaceXML) backends.NICSpec {
	var n backends.NICSpec
	if x.MAC != nil {
		n.MAC = strings.ToLower(x.MAC.Address)
		if m, err := backends.ParseMAC(x.MAC.Address); err == nil {
			n.MAC = m.String()
		}
	}
	if x.Source != nil {
		n.Switch = x.Source.Network
		switch x.Type {
		case "bridge":
			n.Switch = x.Source.Bridge
		case "direct":
			n.Switch = x.Source.Dev
		}
	}
	if x.Model != nil {
		n.Model = x.Model.Type
	}
	if x.VLAN != nil && len(x.VLAN.Tags) > 0 {
		n.VLAN = x.VLAN.Tags[0].ID
	}
	if sw, vlan, ok := splitSegment(n.Switch); ok && x.Type == "network" {
		n.Switch, n.VLAN = sw, vlan
	}
	return n
}

// bootOrder reads the boot sources: per-device orders when present, else
// <os><boot dev=.../>, else the hard disk (libvirt's default).
func (d *domainXML) bootOrder() []backends.BootDevice {
	type ranked struct {
		order int
		dev   backends.BootDevice
	}
	var per []ranked
	for _, x := range d.Devices.Disks {
		if x.Boot != nil {
			per = append(per, ranked{x.Boot.Order, diskBootKind(x)})
		}
	}
	for _, x := range d.Devices.Interfaces {
		if x.Boot != nil {
			per = append(per, ranked{x.Boot.Order, backends.BootNetwork})
		}
	}
	slices.SortStableFunc(per, func(a, b ranked) int { return a.order - b.order })
	var out []backends.BootDevice
	add := func(b backends.BootDevice) {
		if b != "" && !slices.Contains(out, b) {
			out = append(out, b)
		}
	}
	for _, r := range per {
		add(r.dev)
	}
	if len(per) == 0 {
		for _, b := range d.OS.Boots {
			add(map[string]backends.BootDevice{"hd": backends.BootDisk, "cdrom": backends.BootCDROM,
				"network": backends.BootNetwork}[b.Dev])
		}
	}
	if len(out) == 0 {
		out = []backends.BootDevice{backends.BootDisk}
	}
	return out
}

// usedTargets lists the guest device names the domain's disks occupy.
func (d *domainXML) usedTargets() []string {
	out := make([]string, len(d.Devices.Disks))
	for i, x := range d.Devices.Disks {
		out[i] = x.Target.Dev
	}
	return out
}
