package libvirt

import (
	"context"
	"encoding/xml"
	"fmt"
	"slices"
	"strconv"
	"strings"

	golibvirt "github.com/digitalocean/go-libvirt"
	"github.com/google/uuid"

	"github.com/ferrum-virt/ferrum/backends"
)

// driverKind is the hypervisor driver behind a connection, as
// virConnectGetType names it.
type driverKind string

const (
	driverQEMU driverKind = "QEMU"
	driverTest driverKind = "TEST"
)

// driverCaps declares what each driver can do. The test driver keeps
// definitions and states in memory: it has no device hot-plug, volume
// resize, volume streams nor migration; it checkpoints running domains,
// while QEMU's internal snapshots are taken of stopped domains only (a
// running checkpoint needs a qcow2 disk to hold the memory image). Graphics and pool types are refined
// from the daemon's domain and pool capabilities where it reports them.
var driverCaps = map[driverKind]backends.Capabilities{
	driverQEMU: {
		LiveMigration: true, OfflineMigration: true, SaveRestore: true, Snapshots: true,
		HotplugVCPU: true, HotplugMemory: true, HotplugDisk: true, HotplugNIC: true,
		Graphics:    []backends.GraphicsType{backends.GraphicsVNC, backends.GraphicsSPICE},
		VolumeClone: true, LinkedClone: true, VolumeResize: true, ImportExport: true,
		PoolTypes: []string{backends.PoolDir},
	},
	driverTest: {
		SaveRestore: true, Snapshots: true, LiveSnapshots: true, HotplugVCPU: true, HotplugMemory: true,
		VolumeClone: true, LinkedClone: true,
		PoolTypes: []string{backends.PoolDir},
	},
}

// poolTypes are the pool types Ferrum can describe (see poolXMLOf).
var poolTypes = []string{backends.PoolDir, backends.PoolNetFS, poolFS, poolLogical, poolISCSI}

// capsXML is the part of virConnectGetCapabilities Ferrum reads.
type capsXML struct {
	Host struct {
		UUID string `xml:"uuid"`
		CPU  struct {
			Arch      string `xml:"arch"`
			Model     string `xml:"model"`
			Vendor    string `xml:"vendor"`
			Signature *struct {
				Family int `xml:"family,attr"`
				Model  int `xml:"model,attr"`
			} `xml:"signature"`
		} `xml:"cpu"`
	} `xml:"host"`
	Guests []struct {
		OSType string `xml:"os_type"`
		Arch   struct {
			Name    string `xml:"name,attr"`
			Domains []struct {
				Type string `xml:"type,attr"`
			} `xml:"domain"`
		} `xml:"arch"`
	} `xml:"guest"`
}

// discover reads what does not change while the daemon runs: the driver,
// the host's identity, processors, capabilities and limits.
func (h *Host) discover(ctx context.Context) error {
	typ, err := h.l.ConnectGetType()
	if err != nil {
		return wrap(err, "get driver type")
	}
	h.driver = driverKind(strings.ToUpper(typ))
	caps, ok := driverCaps[h.driver]
	if !ok {
		return fmt.Errorf("driver %s: %w", typ, backends.ErrUnsupported)
	}
	capsText, err := h.l.ConnectGetCapabilities()
	if err != nil {
		return wrap(err, "get capabilities")
	}
	var c capsXML
	if err := xml.Unmarshal([]byte(capsText), &c); err != nil {
		return fmt.Errorf("parse capabilities: %w", err)
	}
	if h.machine, err = pickMachine(c, h.opts.DomainType); err != nil {
		return err
	}
	h.machine.Kernel = h.opts.GuestKernel
	info := &h.static
	if info.ID = c.Host.UUID; info.ID == "" {
		// The test driver has no host UUID; each connection is its own host.
		info.ID = uuid.NewString()
	}
	if info.Hostname, err = h.l.ConnectGetHostname(); err != nil {
		return wrap(err, "get hostname")
	}
	if err := h.discoverCPU(c, info); err != nil {
		return err
	}
	ver, err := h.l.ConnectGetVersion()
	if err != nil {
		return wrap(err, "get hypervisor version")
	}
	info.Hypervisor = backends.HypervisorInfo{Name: typ, Version: versionString(ver)}
	info.Caps = h.refineCaps(caps)
	maxV, err := h.l.ConnectGetMaxVcpus(golibvirt.OptString{h.machine.DomainType})
	if err != nil {
		return wrap(err, "get max vcpus")
	}
	minMem := h.opts.MinMemoryMiB
	if minMem == 0 {
		minMem = backends.MinMemoryMiB
	}
	info.Limits = backends.Limits{MaxVCPUs: min(int(maxV), info.CPU.Threads()), MinMemoryMiB: minMem,
		MaxMemoryMiB: info.MemoryMiB, MaxNICs: 4, MaxDisks: 8}
	return ctx.Err()
}

// pickMachine chooses the guest type for new domains: the one asked for,
// else hardware virtualization when the host has it, else QEMU's emulator
// (TCG).
func pickMachine(c capsXML, force string) (machine, error) {
	prefs := []string{"kvm", "qemu", "test"}
	if force != "" {
		prefs = []string{force}
	}
	for _, want := range prefs {
		for _, g := range c.Guests {
			if g.OSType != "hvm" || (g.Arch.Name != c.Host.CPU.Arch && g.Arch.Name != "x86_64") {
				continue
			}
			for _, d := range g.Arch.Domains {
				if d.Type == want {
					return machine{DomainType: want, Arch: g.Arch.Name}, nil
				}
			}
		}
	}
	return machine{}, fmt.Errorf("no hvm guest of type %v in capabilities: %w", prefs, backends.ErrUnsupported)
}

// discoverCPU fills the processor description and physical memory.
func (h *Host) discoverCPU(c capsXML, info *backends.HostInfo) error {
	model, memKiB, _, mhz, nodes, sockets, cores, threads, err := h.l.NodeGetInfo()
	if err != nil {
		return wrap(err, "get node info")
	}
	info.MemoryMiB = memKiB >> 10
	info.CPU = backends.CPUInfo{
		Model:          c.Host.CPU.Model,
		Vendor:         c.Host.CPU.Vendor,
		Sockets:        int(max(nodes, 1) * max(sockets, 1)),
		CoresPerSocket: int(max(cores, 1)),
		ThreadsPerCore: int(max(threads, 1)),
		MHz:            int(mhz),
	}
	if info.CPU.Model == "" {
		info.CPU.Model = cString(model[:])
	}
	if info.CPU.Vendor == "" {
		info.CPU.Vendor = "unknown"
	}
	if s := c.Host.CPU.Signature; s != nil {
		info.CPU.Family, info.CPU.ModelNumber = s.Family, s.Model
	}
	return nil
}

// refineCaps narrows the driver's declared graphics and pool types to what
// this daemon reports supporting.
func (h *Host) refineCaps(caps backends.Capabilities) backends.Capabilities {
	caps.Graphics = slices.Clone(caps.Graphics)
	if text, err := h.l.ConnectGetDomainCapabilities(nil, golibvirt.OptString{h.machine.Arch}, nil,
		golibvirt.OptString{h.machine.DomainType}, 0); err == nil {
		supported := enumValues(text, "graphics", "type")
		caps.Graphics = slices.DeleteFunc(caps.Graphics, func(g backends.GraphicsType) bool {
			return !slices.Contains(supported, string(g))
		})
	}
	if text, err := h.l.ConnectGetStoragePoolCapabilities(0); err == nil {
		var pc struct {
			Pools []struct {
				Type      string `xml:"type,attr"`
				Supported string `xml:"supported,attr"`
			} `xml:"pool"`
		}
		if xml.Unmarshal([]byte(text), &pc) == nil {
			caps.PoolTypes = nil
			for _, p := range pc.Pools {
				if p.Supported == "yes" && slices.Contains(poolTypes, p.Type) {
					caps.PoolTypes = append(caps.PoolTypes, p.Type)
				}
			}
		}
	}
	caps.PoolTypes = slices.Clone(caps.PoolTypes)
	return caps
}

// enumValues returns the values of <enum name='enum'> under the element
// named elem of a domain capabilities document.
func enumValues(text, elem, enum string) []string {
	var dc struct {
		Devices struct {
			Inner []struct {
				XMLName   xml.Name
				Supported string `xml:"supported,attr"`
				Enums     []struct {
					Name   string   `xml:"name,attr"`
					Values []string `xml:"value"`
				} `xml:"enum"`
			} `xml:",any"`
		} `xml:"devices"`
	}
	if xml.Unmarshal([]byte(text), &dc) != nil {
		return nil
	}
	for _, d := range dc.Devices.Inner {
		if d.XMLName.Local != elem || d.Supported != "yes" {
			continue
		}
		for _, e := range d.Enums {
			if e.Name == enum {
				return e.Values
			}
		}
	}
	return nil
}

// Info reports the host's hardware, free memory and capabilities.
func (h *Host) Info(ctx context.Context) (backends.HostInfo, error) {
	if err := h.alive(ctx); err != nil {
		return backends.HostInfo{}, err
	}
	info := h.static
	info.Caps.Graphics = slices.Clone(info.Caps.Graphics)
	info.Caps.PoolTypes = slices.Clone(info.Caps.PoolTypes)
	used, err := h.activeMemoryMiB()
	if err != nil {
		return backends.HostInfo{}, err
	}
	info.FreeMiB = h.freeMiB(used)
	info.NICs, info.Storage = h.hostDevices()
	return info, nil
}

// freeMiB is memory neither dedicated to active VMs nor reserved.
func (h *Host) freeMiB(usedMiB uint64) uint64 {
	used := usedMiB + h.opts.ReservedMiB
	if used >= h.static.MemoryMiB {
		return 0
	}
	return h.static.MemoryMiB - used
}

// activeMemoryMiB sums the current memory of running and paused domains.
func (h *Host) activeMemoryMiB() (uint64, error) {
	doms, _, err := h.l.ConnectListAllDomains(1, golibvirt.ConnectListDomainsActive)
	if err != nil {
		return 0, wrap(err, "list active domains")
	}
	var sum uint64
	for _, d := range doms {
		_, _, memKiB, _, _, err := h.l.DomainGetInfo(d)
		if err != nil {
			continue // stopped meanwhile
		}
		sum += memKiB >> 10
	}
	return sum, nil
}

func versionString(v uint64) string {
	return strconv.FormatUint(v/1000000, 10) + "." + strconv.FormatUint(v/1000%1000, 10) + "." +
		strconv.FormatUint(v%1000, 10)
}

// cString converts a NUL-terminated C char array.
func cString(b []int8) string {
	var sb strings.Builder
	for _, c := range b {
		if c == 0 {
			break
		}
		sb.WriteByte(byte(c))
	}
	return sb.String()
}
