package libvirt

import (
	"os"
	"reflect"
	"testing"

	"github.com/ferrum-virt/ferrum/backends"
)

// FuzzParseDomainXML feeds the domain parser documents as a compromised or
// buggy daemon might send them (in the agent design the daemon is not
// trusted). Parsing must never panic, and what Ferrum writes back from a
// document it understood must read back as the same configuration.
func FuzzParseDomainXML(f *testing.F) {
	if b, err := os.ReadFile("testdata/qemu-inactive.xml"); err == nil {
		f.Add(string(b))
	}
	f.Add(render(&testing.T{}, backends.VMSpec{Name: "s", UUID: "0b7c0a52-4a1d-4c39-9a1e-8c1f3e2d0001", VCPUs: 2,
		MemoryMiB: 256, Disks: []backends.DiskSpec{{Path: "nbd://h:1/e"}, {Device: backends.DeviceCDROM}},
		NICs:     []backends.NICSpec{{Switch: "lan", MAC: "52:54:00:00:00:01", VLAN: 3}},
		Graphics: &backends.Graphics{Type: backends.GraphicsVNC}, Console: backends.ConsoleSerial}, true))
	f.Add(`<domain type='test'><name>x</name><memory unit='GiB'>1</memory><vcpu current='9'>2</vcpu></domain>`)
	f.Add(`<domain><memory unit='EiB'>99</memory><vcpu>1</vcpu></domain>`)
	f.Add(`<domain><name>a</name><memory>1</memory><vcpu>1</vcpu><devices><interface type='network'><source network='x#0042'/></interface></devices></domain>`)
	f.Fuzz(func(t *testing.T, s string) {
		doc, err := parseDomainXML(s)
		if err != nil {
			return
		}
		spec, err := specOf(doc)
		if err != nil {
			return
		}
		out, err := doc.marshal()
		if err != nil {
			t.Fatalf("cannot write back a document it read: %v", err)
		}
		again, err := parseDomainXML(out)
		if err != nil {
			t.Fatalf("written document does not parse: %v\nin:  %q\nout: %q", err, s, out)
		}
		spec2, err := specOf(again)
		if err != nil {
			t.Fatalf("written document not understood: %v\nout: %q", err, out)
		}
		if !reflect.DeepEqual(spec, spec2) {
			t.Fatalf("configuration changed by a write-read cycle\n%+v\n%+v\nin:  %q\nout: %q", spec, spec2, s, out)
		}
	})
}
