package libvirt

import (
	"encoding/binary"
	"encoding/xml"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ferrum-virt/ferrum/backends"
)

func TestPoolXML(t *testing.T) {
	tests := []struct {
		name string
		spec backends.PoolSpec
	}{
		{"a dir pool keeps its path", backends.PoolSpec{Name: "p", Type: backends.PoolDir, Path: "/srv/images"}},
		{"a netfs pool keeps server and export", backends.PoolSpec{Name: "nfs", Type: backends.PoolNetFS,
			Path: "/mnt/nfs", Source: "filer:/export/vms"}},
		{"an fs pool keeps its device", backends.PoolSpec{Name: "fs", Type: poolFS, Path: "/mnt/fs", Source: "/dev/sdb1"}},
		{"a logical pool keeps its volume group", backends.PoolSpec{Name: "lvm", Type: poolLogical, Path: "/dev/vg0", Source: "vg0"}},
		{"an iSCSI pool keeps portal and IQN", backends.PoolSpec{Name: "san", Type: poolISCSI, Path: "/dev/disk/by-path",
			Source: "10.0.0.9:3260/iqn.2004-04.com.example:lun1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, err := poolXMLOf(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			b, err := xml.Marshal(x)
			if err != nil {
				t.Fatal(err)
			}
			var back poolXML
			if err := xml.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if got := poolSpecOf(back); got != tt.spec {
				t.Fatalf("round trip of %s\n got  %+v\n want %+v", b, got, tt.spec)
			}
		})
	}
	invalid := []struct {
		name string
		spec backends.PoolSpec
		want error
	}{
		{"a dir pool without a path → ErrInvalidArgument", backends.PoolSpec{Name: "p", Type: backends.PoolDir}, backends.ErrInvalidArgument},
		{"a netfs pool without server:/export → ErrInvalidArgument", backends.PoolSpec{Name: "p", Type: backends.PoolNetFS,
			Path: "/mnt", Source: "filer"}, backends.ErrInvalidArgument},
		{"an iSCSI pool without an IQN → ErrInvalidArgument", backends.PoolSpec{Name: "p", Type: poolISCSI, Source: "10.0.0.9"},
			backends.ErrInvalidArgument},
		{"an unknown pool type → ErrUnsupported", backends.PoolSpec{Name: "p", Type: "zfs"}, backends.ErrUnsupported},
	}
	for _, tt := range invalid {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := poolXMLOf(tt.spec); !errors.Is(err, tt.want) {
				t.Fatalf("poolXMLOf(%+v) = %v, want %v", tt.spec, err, tt.want)
			}
		})
	}
}

func TestVLANSegments(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		sw     string
		vlan   int
		isSegm bool
	}{
		{"VLAN 42 of switch lan", "lan#42", "lan", 42, true},
		{"a switch name with a # keeps all but the last part", "a#b#7", "a#b", 7, true},
		{"a plain switch is no segment", "lan", "", 0, false},
		{"VLAN 0 is no segment", "lan#0", "", 0, false},
		{"VLAN 4095 is no segment", "lan#4095", "", 0, false},
		{"a padded number is no segment", "lan#042", "", 0, false},
		{"a segment needs a switch name", "#5", "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sw, vlan, ok := splitSegment(tt.in)
			if sw != tt.sw || vlan != tt.vlan || ok != tt.isSegm {
				t.Fatalf("splitSegment(%q) = %q, %d, %v", tt.in, sw, vlan, ok)
			}
			if ok && segmentName(sw, vlan) != tt.in {
				t.Fatalf("segmentName(%q, %d) = %q", sw, vlan, segmentName(sw, vlan))
			}
		})
	}
}

func TestSwitchKinds(t *testing.T) {
	tests := []struct {
		name string
		x    networkXML
		want backends.SwitchSpec
	}{
		{"an isolated network is internal", networkXMLOf(backends.SwitchSpec{Name: "i", Kind: backends.SwitchInternal}),
			backends.SwitchSpec{Name: "i", Kind: backends.SwitchInternal}},
		{"macvtap bridge mode on a NIC is external", networkXMLOf(backends.SwitchSpec{Name: "e",
			Kind: backends.SwitchExternal, Uplink: "eth1"}), backends.SwitchSpec{Name: "e", Kind: backends.SwitchExternal, Uplink: "eth1"}},
		{"a NAT network is external without an uplink", networkXML{Name: "default", Forward: &forwardXML{Mode: "nat"}},
			backends.SwitchSpec{Name: "default", Kind: backends.SwitchExternal}},
		{"a routed network names its device", networkXML{Name: "r", Forward: &forwardXML{Mode: "route", Dev: "eth0"}},
			backends.SwitchSpec{Name: "r", Kind: backends.SwitchExternal, Uplink: "eth0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := switchSpecOf(tt.x); got != tt.want {
				t.Fatalf("switchSpecOf = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestProbeImage(t *testing.T) {
	dir := t.TempDir()
	qcow2 := func(size, backingOffset uint64) []byte {
		b := make([]byte, 512)
		copy(b, qcow2Magic)
		binary.BigEndian.PutUint32(b[4:], 3)
		binary.BigEndian.PutUint64(b[8:], backingOffset)
		binary.BigEndian.PutUint64(b[24:], size)
		return b
	}
	tests := []struct {
		name     string
		content  []byte
		format   string
		capacity uint64
		err      error
	}{
		{"a qcow2 image's size comes from its header", qcow2(10<<30, 0), backends.FormatQCOW2, 10 << 30, nil},
		{"a raw image's size is the file's", make([]byte, 4096), backends.FormatRaw, 4096, nil},
		{"a qcow2 image with a backing file → ErrInvalidArgument", qcow2(1<<30, 512), "", 0, backends.ErrInvalidArgument},
		{"an empty file → ErrInvalidArgument", nil, "", 0, backends.ErrInvalidArgument},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, string(rune('a'+i)))
			if err := os.WriteFile(path, tt.content, 0o600); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			img, err := probeImage(f)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("probeImage = %+v, %v; want %v", img, err, tt.err)
				}
				return
			}
			if err != nil || img.format != tt.format || img.capacity != tt.capacity || img.fileSize != uint64(len(tt.content)) {
				t.Fatalf("probeImage = %+v, %v", img, err)
			}
		})
	}
}

func TestSizeUnits(t *testing.T) {
	tests := []struct {
		name  string
		size  sizeXML
		def   string
		bytes uint64
		fails bool
	}{
		{"KiB is libvirt's default memory unit", sizeXML{Value: "262144"}, "kib", 256 << 20, false},
		{"MiB", sizeXML{Unit: "MiB", Value: "96"}, "kib", 96 << 20, false},
		{"G means GiB", sizeXML{Unit: "G", Value: "2"}, "kib", 2 << 30, false},
		{"GB is decimal", sizeXML{Unit: "GB", Value: "1"}, "kib", 1e9, false},
		{"bytes", sizeXML{Unit: "bytes", Value: "512"}, "kib", 512, false},
		{"an unknown unit fails", sizeXML{Unit: "furlong", Value: "1"}, "kib", 0, true},
		{"an overflow fails", sizeXML{Unit: "EiB", Value: "99"}, "kib", 0, true},
		{"a negative size fails", sizeXML{Value: "-1"}, "kib", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.size.bytes(tt.def)
			if (err != nil) != tt.fails || got != tt.bytes {
				t.Fatalf("bytes(%+v) = %d, %v", tt.size, got, err)
			}
		})
	}
}
