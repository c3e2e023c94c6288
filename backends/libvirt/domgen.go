package libvirt

import (
	"encoding/xml"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/ferrum-virt/ferrum/backends"
)

// weightScale converts a Ferrum weight (Xen credit scale, default 256) to
// cgroup CPU shares (default 1024), so the default weight is the host's
// default share.
const weightScale = 4

// machine is what a host's driver needs in every new domain.
type machine struct {
	DomainType string      // "kvm", "qemu" or "test"
	Arch       string      // guest architecture, e.g. "x86_64"
	Kernel     *KernelBoot // boot every new domain from this kernel (tests)
}

// newDomain renders a normalized, validated spec whose UUID, MACs and disk
// targets are assigned. formats[i] is the image format of spec.Disks[i]
// ("" for an empty CD-ROM drive); nics[i] renders spec.NICs[i] (see
// nicElement).
func newDomain(spec backends.VMSpec, m machine, formats []string, nics []interfaceXML) *domainXML {
	d := &domainXML{
		Type: m.DomainType,
		Name: spec.Name,
		UUID: spec.UUID,
		OS:   osXML{Type: osTypeXML{Arch: m.Arch, Value: "hvm"}},
		// ACPI lets the guest take shutdown requests and PCI hot-plug.
		Other: []rawXML{raw("features", "<acpi/><apic/>")},
	}
	d.setVCPUs(spec.VCPUs, spec.MaxVCPUs)
	d.setMemory(spec.MemoryMiB, spec.MaxMemoryMiB)
	if spec.Weight != backends.DefaultWeight && spec.Weight > 0 {
		d.CPUTune = &cputuneXML{Shares: strconv.Itoa(spec.Weight * weightScale)}
	}
	for i, disk := range spec.Disks {
		d.addDisk(diskElement(disk, formats[i]))
	}
	d.Devices.Interfaces = append(d.Devices.Interfaces, nics...)
	if g := spec.Graphics; g != nil {
		d.Devices.Graphics = []graphicsXML{graphicsElement(*g)}
	}
	if spec.Console == backends.ConsoleSerial {
		d.Devices.Serials = []rawXML{raw("serial", "<target port='0'/>", "type", "pty")}
		d.Devices.Other = append(d.Devices.Other,
			raw("console", "<target type='serial' port='0'/>", "type", "pty"))
	}
	d.applyBoot(spec.BootOrder)
	if k := m.Kernel; k != nil {
		d.OS.Other = append(d.OS.Other, textElement("kernel", k.Kernel), textElement("initrd", k.Initrd),
			textElement("cmdline", k.Cmdline))
	}
	return d
}

// textElement is an element holding only escaped text.
func textElement(name, text string) rawXML {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(text))
	return raw(name, b.String())
}

// setVCPUs sets the current and maximum vCPU counts.
func (d *domainXML) setVCPUs(n, maxN int) {
	d.VCPU.Value = strconv.Itoa(max(n, maxN))
	d.VCPU.Current = ""
	if n < maxN {
		d.VCPU.Current = strconv.Itoa(n)
	}
}

// setMemory sets the current and maximum memory.
func (d *domainXML) setMemory(mib, maxMiB uint64) {
	d.Memory = mibSize(max(mib, maxMiB))
	cur := mibSize(mib)
	d.CurrentMemory = &cur
}

// diskElement renders a disk. A volume becomes a type='volume' disk that
// libvirt resolves through its pool; a path becomes a file, a block device
// (/dev/...) or an NBD network disk (nbd://host:port/export).
func diskElement(disk backends.DiskSpec, format string) diskXML {
	x := diskXML{Device: string(disk.Device), Target: targetXML{Dev: disk.Target, Bus: string(disk.Bus)}}
	switch {
	case disk.Volume != nil:
		x.Type = "volume"
		x.Source = &sourceXML{Pool: disk.Volume.Pool, Volume: disk.Volume.Name}
	case disk.IsNBD():
		x.Type = "network"
		x.Source = nbdSource(disk.Path)
	case strings.HasPrefix(disk.Path, "/dev/"):
		x.Type = "block"
		x.Source = &sourceXML{Dev: disk.Path}
	default:
		x.Type = "file"
		if disk.Path != "" {
			x.Source = &sourceXML{File: disk.Path}
		}
	}
	if format != "" {
		x.Driver = &driverXML{Name: "qemu", Type: format}
	}
	if disk.ReadOnly {
		x.ReadOnly = &struct{}{}
	}
	return x
}

// nbdSource renders nbd://host[:port][/export].
func nbdSource(path string) *sourceXML {
	src := &sourceXML{Protocol: "nbd"}
	u, err := url.Parse(path)
	if err != nil {
		return src
	}
	src.Name = strings.TrimPrefix(u.Path, "/")
	src.Hosts = []hostXML{{Name: u.Hostname(), Port: u.Port()}}
	return src
}

// nicElement renders a NIC on a libvirt network (Ferrum's switch). On a
// segmented switch (an internal one: see segmentName) a VLAN is a network of
// its own; elsewhere it is libvirt's <vlan> tag, which libvirt applies only
// on Open vSwitch, SR-IOV and macvtap passthrough networks.
func nicElement(n backends.NICSpec, segmented bool) interfaceXML {
	x := interfaceXML{
		Type:   "network",
		MAC:    &macXML{Address: n.MAC},
		Source: &sourceXML{Network: n.Switch},
		Model:  &modelXML{Type: n.Model},
	}
	x.setVLAN(n.Switch, n.VLAN, segmented)
	return x
}

// setVLAN puts the NIC's port on VLAN vlan of switch sw (0 untags it).
func (x *interfaceXML) setVLAN(sw string, vlan int, segmented bool) {
	x.VLAN = nil
	if x.Source == nil {
		x.Source = &sourceXML{}
	}
	x.Source.Network, x.Source.Bridge, x.Source.Attrs = sw, "", nil // drop the old port's bridge and portid
	switch {
	case vlan == 0:
	case segmented:
		x.Source.Network = segmentName(sw, vlan)
	default:
		x.VLAN = &vlanXML{Tags: []vlanTagXML{{ID: vlan}}}
	}
}

func graphicsElement(g backends.Graphics) graphicsXML {
	x := graphicsXML{Type: string(g.Type), Port: "-1", AutoPort: "yes", Listen: g.Listen}
	if g.Port > 0 {
		x.Port, x.AutoPort = strconv.Itoa(g.Port), "no"
	}
	return x
}

// addDisk appends a disk, adding the virtio-scsi controller a SCSI disk
// needs when the domain has no SCSI controller yet.
func (d *domainXML) addDisk(x diskXML) {
	d.Devices.Disks = append(d.Devices.Disks, x)
	if x.Target.Bus != string(backends.BusSCSI) {
		return
	}
	for _, o := range d.Devices.Other {
		if o.XMLName.Local == "controller" && o.attr("type") == "scsi" {
			return
		}
	}
	d.Devices.Other = append(d.Devices.Other, raw("controller", "", "type", "scsi", "index", "0", "model", "virtio-scsi"))
}

// applyBoot writes the boot order. Per-device <boot order='n'/> is exact and
// is used when every boot source names a device the domain has; otherwise
// the order goes to <os><boot dev=.../> (libvirt forbids mixing the two),
// where an NBD disk counts as a hard disk.
func (d *domainXML) applyBoot(order []backends.BootDevice) {
	d.OS.Boots = nil
	for i := range d.Devices.Disks {
		d.Devices.Disks[i].Boot = nil
	}
	for i := range d.Devices.Interfaces {
		d.Devices.Interfaces[i].Boot = nil
	}
	if d.bootPerDevice(order) {
		return
	}
	for _, b := range order {
		dev := map[backends.BootDevice]string{backends.BootCDROM: "cdrom", backends.BootNetwork: "network",
			backends.BootDisk: "hd", backends.BootNBD: "hd"}[b]
		if dev != "" && !slices.Contains(d.OS.Boots, bootDev{Dev: dev}) {
			d.OS.Boots = append(d.OS.Boots, bootDev{Dev: dev})
		}
	}
}

// bootPerDevice assigns per-device boot orders when every source in order
// has a device; it changes nothing and returns false otherwise.
func (d *domainXML) bootPerDevice(order []backends.BootDevice) bool {
	slots := make([]**bootOrder, len(order))
	for i, b := range order {
		if b == backends.BootNetwork {
			if len(d.Devices.Interfaces) == 0 {
				return false
			}
			slots[i] = &d.Devices.Interfaces[0].Boot
			continue
		}
		j := slices.IndexFunc(d.Devices.Disks, func(x diskXML) bool { return diskBootKind(x) == b })
		if j < 0 {
			return false
		}
		slots[i] = &d.Devices.Disks[j].Boot
	}
	for i, s := range slots {
		*s = &bootOrder{Order: i + 1}
	}
	return len(order) > 0
}

// diskBootKind tells which boot source a disk serves.
func diskBootKind(x diskXML) backends.BootDevice {
	switch {
	case x.Device == string(backends.DeviceCDROM):
		return backends.BootCDROM
	case x.Device != "" && x.Device != string(backends.DeviceDisk):
		return ""
	case x.Source != nil && x.Source.Protocol == "nbd":
		return backends.BootNBD
	}
	return backends.BootDisk
}

// freeTarget names the next guest device on a bus: vda, vdb… for virtio,
// sda… for SCSI and SATA, hda… for IDE.
func freeTarget(used []string, bus backends.DiskBus) (string, error) {
	prefix := map[backends.DiskBus]string{backends.BusVirtio: "vd", backends.BusSCSI: "sd",
		backends.BusSATA: "sd", backends.BusIDE: "hd"}[bus]
	for c := 'a'; c <= 'z'; c++ {
		t := fmt.Sprintf("%s%c", prefix, c)
		if !slices.Contains(used, t) {
			return t, nil
		}
	}
	return "", fmt.Errorf("no free %s target: %w", bus, backends.ErrInvalidArgument)
}
