package libvirt

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/ferrum-virt/ferrum/backends"
)

var testMachine = machine{DomainType: "qemu", Arch: "x86_64"}

// render renders a spec as Define does once the host has resolved it:
// targets assigned, formats known, NICs on segmented (internal) switches.
func render(t *testing.T, spec backends.VMSpec, segmented bool) string {
	t.Helper()
	spec.Normalize()
	var used []string
	formats := make([]string, len(spec.Disks))
	for i := range spec.Disks {
		d := &spec.Disks[i]
		if d.Target == "" {
			tg, err := freeTarget(used, d.Bus)
			if err != nil {
				t.Fatal(err)
			}
			d.Target = tg
		}
		used = append(used, d.Target)
		if d.Volume != nil || d.Path != "" {
			formats[i] = "qcow2"
		}
	}
	nics := make([]interfaceXML, len(spec.NICs))
	for i, n := range spec.NICs {
		nics[i] = nicElement(n, segmented)
	}
	text, err := newDomain(spec, testMachine, formats, nics).marshal()
	if err != nil {
		t.Fatal(err)
	}
	return text
}

// roundTrip renders spec and reads it back.
func roundTrip(t *testing.T, spec backends.VMSpec, segmented bool) (backends.VMSpec, string) {
	t.Helper()
	text := render(t, spec, segmented)
	doc, err := parseDomainXML(text)
	if err != nil {
		t.Fatalf("parse %s: %v", text, err)
	}
	got, err := specOf(doc)
	if err != nil {
		t.Fatalf("specOf %s: %v", text, err)
	}
	return got, text
}

func vol(pool, name string) *backends.VolumeRef { return &backends.VolumeRef{Pool: pool, Name: name} }

func TestDomainXMLRoundTrip(t *testing.T) {
	base := func(mut func(*backends.VMSpec)) backends.VMSpec {
		s := backends.VMSpec{Name: "vm1", UUID: "0b7c0a52-4a1d-4c39-9a1e-8c1f3e2d0001", VCPUs: 1, MemoryMiB: 256}
		mut(&s)
		return s
	}
	tests := []struct {
		name      string
		spec      backends.VMSpec
		segmented bool
		inXML     []string // fragments the rendered document must hold
	}{
		{"name, UUID, one vCPU and memory survive", base(func(*backends.VMSpec) {}), false,
			[]string{"<name>vm1</name>", "<memory unit=\"MiB\">256</memory>", "<acpi/>"}},
		{"current and maximum vCPUs survive", base(func(s *backends.VMSpec) { s.VCPUs, s.MaxVCPUs = 2, 4 }), false,
			[]string{`<vcpu current="2">4</vcpu>`}},
		{"current and maximum memory survive", base(func(s *backends.VMSpec) { s.MaxMemoryMiB = 1024 }), false,
			[]string{`<memory unit="MiB">1024</memory>`, `<currentMemory unit="MiB">256</currentMemory>`}},
		{"a weight becomes cgroup CPU shares", base(func(s *backends.VMSpec) { s.Weight = 512 }), false,
			[]string{"<shares>2048</shares>"}},
		{"the default weight sets no shares", base(func(s *backends.VMSpec) { s.Weight = backends.DefaultWeight }), false, nil},
		{"a volume disk on virtio", base(func(s *backends.VMSpec) {
			s.Disks = []backends.DiskSpec{{Volume: vol("default", "a.qcow2")}}
		}), false, []string{`type="volume"`, `pool="default" volume="a.qcow2"`, `dev="vda" bus="virtio"`, `type="qcow2"`}},
		{"a file disk on SATA, read-only", base(func(s *backends.VMSpec) {
			s.Disks = []backends.DiskSpec{{Path: "/images/base.img", Bus: backends.BusSATA, ReadOnly: true}}
		}), false, []string{`type="file"`, `file="/images/base.img"`, `dev="sda" bus="sata"`, "<readonly>"}},
		{"a SAN LUN on SCSI gets a virtio-scsi controller", base(func(s *backends.VMSpec) {
			s.Disks = []backends.DiskSpec{{Path: "/dev/disk/by-id/wwn-0x5000", Bus: backends.BusSCSI}}
		}), false, []string{`type="block"`, `dev="/dev/disk/by-id/wwn-0x5000"`, `model="virtio-scsi"`}},
		{"an NBD disk is a network disk", base(func(s *backends.VMSpec) {
			s.Disks = []backends.DiskSpec{{Path: "nbd://10.0.0.5:10809/golden"}}
			s.BootOrder = []backends.BootDevice{backends.BootNBD}
		}), false, []string{`type="network"`, `protocol="nbd" name="golden"`, `<host name="10.0.0.5" port="10809">`, `<boot order="1">`}},
		{"an empty CD-ROM drive on IDE", base(func(s *backends.VMSpec) {
			s.Disks = []backends.DiskSpec{{Device: backends.DeviceCDROM}}
		}), false, []string{`device="cdrom"`, `dev="hda" bus="ide"`}},
		{"NICs keep MAC, model and switch", base(func(s *backends.VMSpec) {
			s.NICs = []backends.NICSpec{{Switch: "lan", MAC: "52:54:00:00:00:01", Model: "e1000"},
				{Switch: "lan", MAC: "52:54:00:00:00:02"}}
		}), false, []string{`<mac address="52:54:00:00:00:01">`, `<model type="e1000">`, `<source network="lan">`}},
		{"a VLAN on a segmented switch is its segment network", base(func(s *backends.VMSpec) {
			s.NICs = []backends.NICSpec{{Switch: "lan", MAC: "52:54:00:00:00:01", VLAN: 42}}
		}), true, []string{`<source network="lan#42">`}},
		{"a VLAN on another network is libvirt's tag", base(func(s *backends.VMSpec) {
			s.NICs = []backends.NICSpec{{Switch: "uplink", MAC: "52:54:00:00:00:01", VLAN: 42}}
		}), false, []string{`<tag id="42">`, `<source network="uplink">`}},
		{"boot order cdrom, network, disk with every device present is per device", base(func(s *backends.VMSpec) {
			s.Disks = []backends.DiskSpec{{Volume: vol("p", "d")}, {Device: backends.DeviceCDROM, Path: "/iso/x.iso"}}
			s.NICs = []backends.NICSpec{{Switch: "lan", MAC: "52:54:00:00:00:01"}}
			s.BootOrder = []backends.BootDevice{backends.BootCDROM, backends.BootNetwork, backends.BootDisk}
		}), false, []string{`<boot order="1">`, `<boot order="3">`}},
		{"boot from network without a NIC falls back to os/boot", base(func(s *backends.VMSpec) {
			s.BootOrder = []backends.BootDevice{backends.BootNetwork, backends.BootDisk}
		}), false, []string{`<boot dev="network">`, `<boot dev="hd">`}},
		{"a VNC console on a fixed port and address", base(func(s *backends.VMSpec) {
			s.Graphics = &backends.Graphics{Type: backends.GraphicsVNC, Port: 5905, Listen: "0.0.0.0"}
		}), false, []string{`<graphics type="vnc" port="5905" autoport="no" listen="0.0.0.0">`}},
		{"a SPICE console on a port chosen at start", base(func(s *backends.VMSpec) {
			s.Graphics = &backends.Graphics{Type: backends.GraphicsSPICE}
		}), false, []string{`<graphics type="spice" port="-1" autoport="yes">`}},
		{"a serial console", base(func(s *backends.VMSpec) { s.Console = backends.ConsoleSerial }), false,
			[]string{`<serial type="pty">`, `<console type="pty">`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := cloneSpec(tt.spec)
			want.Normalize()
			got, text := roundTrip(t, tt.spec, tt.segmented)
			for i := range want.Disks {
				want.Disks[i].Target = got.Disks[i].Target
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("round trip changed the spec\n got  %+v\n want %+v\n xml %s", got, want, text)
			}
			for _, frag := range tt.inXML {
				if !strings.Contains(text, frag) {
					t.Errorf("rendered XML lacks %s:\n%s", frag, text)
				}
			}
		})
	}
}

func TestDiskTargets(t *testing.T) {
	tests := []struct {
		name string
		used []string
		bus  backends.DiskBus
		want string
	}{
		{"the first virtio disk is vda", nil, backends.BusVirtio, "vda"},
		{"a virtio disk takes the next free name", []string{"vda", "vdc"}, backends.BusVirtio, "vdb"},
		{"SATA and SCSI share the sd names", []string{"sda"}, backends.BusSCSI, "sdb"},
		{"IDE disks are hd", []string{"vda"}, backends.BusIDE, "hda"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := freeTarget(tt.used, tt.bus)
			if err != nil || got != tt.want {
				t.Fatalf("freeTarget(%v, %s) = %q, %v; want %q", tt.used, tt.bus, got, err, tt.want)
			}
		})
	}
	t.Run("26 disks on a bus exhaust its names → ErrInvalidArgument", func(t *testing.T) {
		var used []string
		for c := 'a'; c <= 'z'; c++ {
			used = append(used, "vd"+string(c))
		}
		if _, err := freeTarget(used, backends.BusVirtio); err == nil {
			t.Fatal("freeTarget found a 27th virtio name")
		}
	})
}

func TestParseLibvirtDefinition(t *testing.T) {
	text, err := os.ReadFile("testdata/qemu-inactive.xml")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := parseDomainXML(string(text))
	if err != nil {
		t.Fatal(err)
	}
	got, err := specOf(doc)
	if err != nil {
		t.Fatal(err)
	}
	want := backends.VMSpec{
		Name: "fixture", UUID: "6d1d4a8e-2a3b-4c5d-8e9f-0a1b2c3d4e5f",
		VCPUs: 1, MaxVCPUs: 2, MemoryMiB: 256, MaxMemoryMiB: 512, Weight: 512,
		Disks: []backends.DiskSpec{
			{Path: "/tmp/t1.qcow2", Device: backends.DeviceDisk, Bus: backends.BusVirtio, Target: "vda"},
			{Device: backends.DeviceCDROM, Bus: backends.BusIDE, Target: "hdc", ReadOnly: true},
		},
		NICs:      []backends.NICSpec{{Switch: "default", MAC: "52:54:00:ab:cd:ef", VLAN: 7, Model: "virtio"}},
		BootOrder: []backends.BootDevice{backends.BootCDROM, backends.BootDisk},
		Graphics:  &backends.Graphics{Type: backends.GraphicsVNC, Listen: "127.0.0.1"},
		Console:   backends.ConsoleSerial,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("spec of libvirt's definition\n got  %+v\n want %+v", got, want)
	}
}

// TestRedefinitionKeepsWhatFerrumDoesNotModel checks the read-change-write
// cycle of cold changes: extension namespaces, metadata, driver options,
// addresses and devices Ferrum does not know are written back.
func TestRedefinitionKeepsWhatFerrumDoesNotModel(t *testing.T) {
	text, err := os.ReadFile("testdata/qemu-inactive.xml")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := parseDomainXML(string(text))
	if err != nil {
		t.Fatal(err)
	}
	doc.setVCPUs(2, 2)
	out, err := doc.marshal()
	if err != nil {
		t.Fatal(err)
	}
	for _, frag := range []string{
		`xmlns:qemu="http://libvirt.org/schemas/domain/qemu/1.0"`,
		`<qemu:commandline>`, `<qemu:arg value='-no-user-config'/>`,
		`<app:owner xmlns:app="https://example.org/app/1">team-a</app:owner>`,
		`cache="none"`, `<address type="pci" domain="0x0000" bus="0x00" slot="0x05" function="0x0">`,
		`<memballoon model="virtio">`, `<cpu mode="custom" match="exact" check="none">`,
		`<on_poweroff>destroy</on_poweroff>`, `<vcpu placement="static">2</vcpu>`,
	} {
		if !strings.Contains(out, frag) {
			t.Errorf("redefinition lacks %s:\n%s", frag, out)
		}
	}
	again, err := parseDomainXML(out)
	if err != nil {
		t.Fatalf("redefinition does not parse: %v\n%s", err, out)
	}
	if len(again.Devices.Other) != len(doc.Devices.Other) || len(again.Other) != len(doc.Other) {
		t.Fatalf("elements lost in a second cycle: devices %d→%d, domain %d→%d",
			len(doc.Devices.Other), len(again.Devices.Other), len(doc.Other), len(again.Other))
	}
}
