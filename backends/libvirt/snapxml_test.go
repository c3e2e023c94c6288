package libvirt

import (
	"strings"
	"testing"

	"github.com/ferrum-virt/ferrum/backends"
)

const runningSnapshotXML = `<domainsnapshot>
  <name>after-boot</name>
  <description>a &lt;checkpoint&gt;</description>
  <state>running</state>
  <parent><name>base</name></parent>
  <creationTime>1700000000</creationTime>
  <memory snapshot='internal'/>
  <domain type='kvm'><name>web</name><uuid>4dea22b3-1d52-d8f3-2516-782e98a23fa0</uuid>
    <memory unit='KiB'>1048576</memory><vcpu placement='static'>2</vcpu></domain>
  <inactiveDomain type='kvm'><name>web</name><uuid>4dea22b3-1d52-d8f3-2516-782e98a23fa0</uuid>
    <memory unit='KiB'>2097152</memory><vcpu placement='static'>1</vcpu></inactiveDomain>
</domainsnapshot>`

func TestSnapshotXMLKeepsParentTimeStateAndPersistentConfig(t *testing.T) {
	x, err := parseSnapshotXML(runningSnapshotXML)
	if err != nil {
		t.Fatal(err)
	}
	s, err := x.snapshot("4dea22b3-1d52-d8f3-2516-782e98a23fa0", true)
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "after-boot" || s.Parent != "base" || s.Description != "a <checkpoint>" || !s.Current {
		t.Fatalf("snapshot %+v", s)
	}
	if s.State != backends.StateRunning || s.Created.Unix() != 1700000000 {
		t.Fatalf("state %s created %v", s.State, s.Created)
	}
	if s.Config.MemoryMiB != 2048 || s.Config.VCPUs != 1 {
		t.Fatalf("config %d MiB %d vCPUs: want the inactive definition's", s.Config.MemoryMiB, s.Config.VCPUs)
	}
}

func TestNewSnapshotXMLEscapes(t *testing.T) {
	doc, err := newSnapshotXML("a&b", "<x>")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(doc, "<name>a&amp;b</name>") || !strings.Contains(doc, "&lt;x&gt;") || strings.Contains(doc, "<domain ") || strings.Contains(doc, "<domain>") {
		t.Fatalf("document %s", doc)
	}
	x, err := parseSnapshotXML(doc)
	if err != nil || x.Name != "a&b" {
		t.Fatalf("round trip %+v, %v", x, err)
	}
}
