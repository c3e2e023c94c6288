package libvirt

import (
	"encoding/xml"
	"fmt"
	"strings"
	"time"

	"github.com/ferrum-virt/ferrum/backends"
)

// snapshotXML is the part of a <domainsnapshot> document Ferrum reads and
// writes.
type snapshotXML struct {
	XMLName      xml.Name     `xml:"domainsnapshot"`
	Name         string       `xml:"name"`
	Description  string       `xml:"description,omitempty"`
	State        string       `xml:"state,omitempty"`
	Parent       *parentXML   `xml:"parent,omitempty"`
	CreationTime int64        `xml:"creationTime,omitempty"`
	Memory       *memoryRef   `xml:"memory,omitempty"`
	Domain       *domainXML   `xml:"domain,omitempty"`
	Inactive     *inactiveXML `xml:"inactiveDomain,omitempty"`
}

type parentXML struct {
	Name string `xml:"name"`
}

// memoryRef says where a snapshot keeps the guest's memory ("no": nowhere).
type memoryRef struct {
	Snapshot string `xml:"snapshot,attr"`
}

// inactiveXML is the persistent definition libvirt keeps beside a running
// snapshot's live <domain>.
type inactiveXML struct {
	domainXML
	XMLName xml.Name `xml:"inactiveDomain"`
}

// maxSnapshotXML bounds a snapshot document: two domain documents and the
// disk list.
const maxSnapshotXML = 3 * maxDomainXML

// newSnapshotXML renders the document CreateSnapshot sends.
func newSnapshotXML(name, description string) (string, error) {
	out, err := xml.Marshal(snapshotXML{Name: name, Description: description})
	if err != nil {
		return "", fmt.Errorf("render snapshot %q: %w", name, err)
	}
	return string(out), nil
}

// metadataSnapshotXML renders the document that redefines an offline
// snapshot holding nothing but domain, the persistent definition (libvirt
// text): libvirt refuses to snapshot a domain with no disk it could
// snapshot, but takes such a snapshot's metadata, and reverting to it
// restores the definition.
func metadataSnapshotXML(name, description, parent string, created time.Time, domain string) (string, error) {
	x := snapshotXML{Name: name, Description: description, State: "shutoff", CreationTime: created.Unix(),
		Memory: &memoryRef{Snapshot: "no"}}
	if parent != "" {
		x.Parent = &parentXML{Name: parent}
	}
	out, err := xml.Marshal(x)
	if err != nil {
		return "", fmt.Errorf("render snapshot %q: %w", name, err)
	}
	const end = "</domainsnapshot>"
	return strings.TrimSuffix(string(out), end) + domain + end, nil
}

func parseSnapshotXML(s string) (*snapshotXML, error) {
	if len(s) > maxSnapshotXML {
		return nil, fmt.Errorf("snapshot XML of %d bytes exceeds %d", len(s), maxSnapshotXML)
	}
	var x snapshotXML
	if err := xml.NewDecoder(strings.NewReader(s)).Decode(&x); err != nil {
		return nil, fmt.Errorf("parse snapshot XML: %w", err)
	}
	return &x, nil
}

// snapshotState maps a snapshot's <state>: what the domain was doing when
// it was taken. A disk-only or shut-off snapshot is offline.
func snapshotState(s string) backends.State {
	switch s {
	case "running", "blocked", "shutdown":
		return backends.StateRunning
	case "paused", "pmsuspended":
		return backends.StatePaused
	}
	return backends.StateOff
}

// snapshot turns a parsed document into a backends.Snapshot of vm. The
// configuration is the persistent one (inactiveDomain) when libvirt keeps
// both.
func (x *snapshotXML) snapshot(vm string, current bool) (backends.Snapshot, error) {
	s := backends.Snapshot{Name: x.Name, Description: x.Description, VM: vm, State: snapshotState(x.State),
		Current: current}
	if x.Parent != nil {
		s.Parent = x.Parent.Name
	}
	if x.CreationTime > 0 {
		s.Created = time.Unix(x.CreationTime, 0)
	}
	doc := x.Domain
	if x.Inactive != nil {
		doc = &x.Inactive.domainXML
	}
	if doc == nil {
		return s, fmt.Errorf("snapshot %q of vm %s has no domain configuration", x.Name, vm)
	}
	spec, err := specOf(doc)
	if err != nil {
		return s, fmt.Errorf("snapshot %q of vm %s: %w", x.Name, vm, err)
	}
	s.Config = spec
	return s, nil
}
