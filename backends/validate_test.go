package backends

import (
	"errors"
	"testing"
)

var testLimits = Limits{MaxVCPUs: 8, MinMemoryMiB: 250, MaxMemoryMiB: 96 << 10, MaxNICs: 4, MaxDisks: 8}

func validSpec() VMSpec {
	return VMSpec{
		Name: "web01", VCPUs: 2, MemoryMiB: 1024,
		Disks: []DiskSpec{{Volume: &VolumeRef{Pool: "default", Name: "web01.qcow2"}}},
		NICs:  []NICSpec{{Switch: "external", VLAN: 10}},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*VMSpec)
		ok     bool
	}{
		{"a complete spec is valid", func(*VMSpec) {}, true},
		{"an empty name is rejected", func(s *VMSpec) { s.Name = " " }, false},
		{"a malformed UUID is rejected", func(s *VMSpec) { s.UUID = "nope" }, false},
		{"zero vCPUs are rejected", func(s *VMSpec) { s.VCPUs = 0 }, false},
		{"8 vCPUs fit the white paper's limit", func(s *VMSpec) { s.VCPUs = 8 }, true},
		{"9 vCPUs exceed the host limit", func(s *VMSpec) { s.VCPUs = 9 }, false},
		{"a max vCPUs above the host limit is rejected", func(s *VMSpec) { s.MaxVCPUs = 16 }, false},
		{"memory below 250 MiB is rejected", func(s *VMSpec) { s.MemoryMiB = 249 }, false},
		{"250 MiB is the smallest memory", func(s *VMSpec) { s.MemoryMiB = 250 }, true},
		{"memory above 96 GiB is rejected", func(s *VMSpec) { s.MemoryMiB = 97 << 10 }, false},
		{"a weight above 65535 is rejected", func(s *VMSpec) { s.Weight = 70000 }, false},
		{"a disk with both volume and path is rejected", func(s *VMSpec) { s.Disks[0].Path = "/x.img" }, false},
		{"a disk with neither volume nor path is rejected", func(s *VMSpec) { s.Disks[0].Volume = nil }, false},
		{"an empty cdrom drive is valid", func(s *VMSpec) { s.Disks = append(s.Disks, DiskSpec{Device: DeviceCDROM}) }, true},
		{"a cdrom on virtio is rejected", func(s *VMSpec) {
			s.Disks = append(s.Disks, DiskSpec{Device: DeviceCDROM, Bus: BusVirtio})
		}, false},
		{"an unknown bus is rejected", func(s *VMSpec) { s.Disks[0].Bus = "floppy" }, false},
		{"a NIC without switch is rejected", func(s *VMSpec) { s.NICs[0].Switch = "" }, false},
		{"a malformed MAC is rejected", func(s *VMSpec) { s.NICs[0].MAC = "52:54:00:zz:00:01" }, false},
		{"a multicast MAC is rejected", func(s *VMSpec) { s.NICs[0].MAC = "01:00:5e:00:00:01" }, false},
		{"VLAN 4095 is rejected", func(s *VMSpec) { s.NICs[0].VLAN = 4095 }, false},
		{"VLAN 4094 is valid", func(s *VMSpec) { s.NICs[0].VLAN = 4094 }, true},
		{"five NICs exceed the limit of four", func(s *VMSpec) {
			for range 4 {
				s.NICs = append(s.NICs, NICSpec{Switch: "internal"})
			}
		}, false},
		{"an unknown NIC model is rejected", func(s *VMSpec) { s.NICs[0].Model = "ne2k" }, false},
		{"boot from cdrom needs a cdrom drive", func(s *VMSpec) { s.BootOrder = []BootDevice{BootCDROM} }, false},
		{"boot from nbd needs an nbd disk", func(s *VMSpec) { s.BootOrder = []BootDevice{BootNBD} }, false},
		{"boot from nbd with an nbd disk is valid", func(s *VMSpec) {
			s.Disks = append(s.Disks, DiskSpec{Path: "nbd://10.0.0.5:10809/root"})
			s.BootOrder = []BootDevice{BootNBD, BootNetwork}
		}, true},
		{"a boot device listed twice is rejected", func(s *VMSpec) { s.BootOrder = []BootDevice{BootDisk, BootDisk} }, false},
		{"an unknown graphics type is rejected", func(s *VMSpec) { s.Graphics = &Graphics{Type: "rdp"} }, false},
		{"spice graphics are valid", func(s *VMSpec) { s.Graphics = &Graphics{Type: GraphicsSPICE} }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := validSpec()
			tt.mutate(&s)
			s.Normalize()
			err := s.Validate(testLimits)
			if tt.ok && err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if !tt.ok && !errors.Is(err, ErrInvalidArgument) {
				t.Fatalf("Validate = %v, want ErrInvalidArgument", err)
			}
		})
	}
}

func TestNormalizeFillsDefaults(t *testing.T) {
	s := VMSpec{Name: "a", VCPUs: 2, MemoryMiB: 512,
		UUID:  "6F8A1C3E-0000-4000-8000-000000000001",
		Disks: []DiskSpec{{Device: DeviceCDROM}, {Path: "/d.img"}},
		NICs:  []NICSpec{{Switch: "s", MAC: "52-54-00-AB-CD-EF"}}}
	s.Normalize()
	if s.MaxVCPUs != 2 || s.MaxMemoryMiB != 512 || s.Weight != DefaultWeight {
		t.Errorf("max/weight defaults = %d/%d/%d", s.MaxVCPUs, s.MaxMemoryMiB, s.Weight)
	}
	if s.UUID != "6f8a1c3e-0000-4000-8000-000000000001" {
		t.Errorf("UUID not canonical: %s", s.UUID)
	}
	if d := s.Disks[0]; d.Bus != BusIDE || !d.ReadOnly {
		t.Errorf("cdrom defaults = %+v, want ide read-only", d)
	}
	if d := s.Disks[1]; d.Bus != BusVirtio || d.Device != DeviceDisk {
		t.Errorf("disk defaults = %+v", d)
	}
	if n := s.NICs[0]; n.MAC != "52:54:00:ab:cd:ef" || n.Model != "virtio" {
		t.Errorf("nic defaults = %+v", n)
	}
	if len(s.BootOrder) != 1 || s.BootOrder[0] != BootDisk {
		t.Errorf("boot order = %v", s.BootOrder)
	}
}

func TestStateErrorMatchesConflict(t *testing.T) {
	var err error = &StateError{VM: "x", Op: "start", State: StateRunning}
	wrapped := errors.Join(errors.New("ctx"), err)
	if !errors.Is(wrapped, ErrConflict) {
		t.Fatal("StateError does not match ErrConflict")
	}
	var se *StateError
	if !errors.As(wrapped, &se) || se.State != StateRunning {
		t.Fatalf("errors.As = %v", se)
	}
}

func TestRandomMACUsesPrefix(t *testing.T) {
	m, err := RandomMAC(fixedReader{7}, KVMOUI)
	if err != nil {
		t.Fatal(err)
	}
	if m.String() != "52:54:00:07:07:07" || m.Multicast() {
		t.Fatalf("RandomMAC = %s", m)
	}
	if _, err := ParseMAC("00:11:22:33:44:55:66:77"); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("64-bit MAC accepted: %v", err)
	}
}

type fixedReader struct{ b byte }

func (r fixedReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = r.b
	}
	return len(p), nil
}
