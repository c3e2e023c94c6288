package libvirt

import (
	"encoding/xml"
	"fmt"
	"strings"
)

// domainXML is the part of libvirt's domain XML (formatdomain.html) that
// Ferrum reads and writes. Elements it does not model are kept in the Other
// fields and written back unchanged, so a definition survives Ferrum's
// read-change-define cycle with an administrator's additions intact.
type domainXML struct {
	XMLName       xml.Name    `xml:"domain"`
	Type          string      `xml:"type,attr"`
	ID            string      `xml:"id,attr,omitempty"`
	Attrs         []xml.Attr  `xml:",any,attr"`
	Name          string      `xml:"name"`
	UUID          string      `xml:"uuid,omitempty"`
	Memory        sizeXML     `xml:"memory"`
	CurrentMemory *sizeXML    `xml:"currentMemory"`
	VCPU          vcpuXML     `xml:"vcpu"`
	CPUTune       *cputuneXML `xml:"cputune"`
	OS            osXML       `xml:"os"`
	Devices       devicesXML  `xml:"devices"`
	Other         []rawXML    `xml:",any"`
}

type vcpuXML struct {
	Placement string `xml:"placement,attr,omitempty"`
	CPUSet    string `xml:"cpuset,attr,omitempty"`
	Current   string `xml:"current,attr,omitempty"`
	Value     string `xml:",chardata"`
}

type cputuneXML struct {
	Shares string   `xml:"shares,omitempty"`
	Other  []rawXML `xml:",any"`
}

type osXML struct {
	Type  osTypeXML `xml:"type"`
	Boots []bootDev `xml:"boot"`
	Other []rawXML  `xml:",any"`
}

type osTypeXML struct {
	Arch    string `xml:"arch,attr,omitempty"`
	Machine string `xml:"machine,attr,omitempty"`
	Value   string `xml:",chardata"`
}

// bootDev is <os><boot dev='hd'/>.
type bootDev struct {
	Dev string `xml:"dev,attr"`
}

// bootOrder is a device's <boot order='1'/>.
type bootOrder struct {
	Order int `xml:"order,attr"`
}

type devicesXML struct {
	Disks      []diskXML      `xml:"disk"`
	Interfaces []interfaceXML `xml:"interface"`
	Graphics   []graphicsXML  `xml:"graphics"`
	Serials    []rawXML       `xml:"serial"`
	Other      []rawXML       `xml:",any"`
}

// diskXML is a <disk> device.
type diskXML struct {
	XMLName  xml.Name   `xml:"disk"`
	Type     string     `xml:"type,attr"`
	Device   string     `xml:"device,attr,omitempty"`
	Attrs    []xml.Attr `xml:",any,attr"`
	Driver   *driverXML `xml:"driver"`
	Source   *sourceXML `xml:"source"`
	Target   targetXML  `xml:"target"`
	ReadOnly *struct{}  `xml:"readonly"`
	Boot     *bootOrder `xml:"boot"`
	Other    []rawXML   `xml:",any"`
}

type driverXML struct {
	Name  string     `xml:"name,attr,omitempty"`
	Type  string     `xml:"type,attr,omitempty"`
	Attrs []xml.Attr `xml:",any,attr"`
}

// sourceXML is a disk's or interface's <source>; each device type uses some
// of the attributes.
type sourceXML struct {
	File     string     `xml:"file,attr,omitempty"`
	Dev      string     `xml:"dev,attr,omitempty"`
	Pool     string     `xml:"pool,attr,omitempty"`
	Volume   string     `xml:"volume,attr,omitempty"`
	Protocol string     `xml:"protocol,attr,omitempty"`
	Name     string     `xml:"name,attr,omitempty"`
	Network  string     `xml:"network,attr,omitempty"`
	Bridge   string     `xml:"bridge,attr,omitempty"`
	Mode     string     `xml:"mode,attr,omitempty"`
	Attrs    []xml.Attr `xml:",any,attr"`
	Hosts    []hostXML  `xml:"host"`
	Other    []rawXML   `xml:",any"`
}

type hostXML struct {
	Name string `xml:"name,attr,omitempty"`
	Port string `xml:"port,attr,omitempty"`
}

type targetXML struct {
	Dev   string     `xml:"dev,attr"`
	Bus   string     `xml:"bus,attr,omitempty"`
	Attrs []xml.Attr `xml:",any,attr"`
}

// interfaceXML is an <interface> device.
type interfaceXML struct {
	XMLName xml.Name   `xml:"interface"`
	Type    string     `xml:"type,attr"`
	Attrs   []xml.Attr `xml:",any,attr"`
	MAC     *macXML    `xml:"mac"`
	Source  *sourceXML `xml:"source"`
	Model   *modelXML  `xml:"model"`
	VLAN    *vlanXML   `xml:"vlan"`
	Boot    *bootOrder `xml:"boot"`
	Other   []rawXML   `xml:",any"`
}

type macXML struct {
	Address string `xml:"address,attr"`
}

type modelXML struct {
	Type string `xml:"type,attr"`
}

type vlanXML struct {
	Trunk string       `xml:"trunk,attr,omitempty"`
	Tags  []vlanTagXML `xml:"tag"`
}

type vlanTagXML struct {
	ID         int    `xml:"id,attr"`
	NativeMode string `xml:"nativeMode,attr,omitempty"`
}

// graphicsXML is a <graphics> device.
type graphicsXML struct {
	Type     string     `xml:"type,attr"`
	Port     string     `xml:"port,attr,omitempty"`
	AutoPort string     `xml:"autoport,attr,omitempty"`
	Listen   string     `xml:"listen,attr,omitempty"`
	Attrs    []xml.Attr `xml:",any,attr"`
	Other    []rawXML   `xml:",any"`
}

// MarshalXML writes the domain with the namespace prefixes declared on it
// (xmlns:qemu=...) restored, so namespaced extension elements such as
// <qemu:commandline> keep the prefixes their contents use.
func (d domainXML) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	prefixes := map[string]string{} // namespace URL → prefix
	var attrs []xml.Attr
	for _, a := range d.Attrs {
		switch {
		case a.Name.Space == "xmlns":
			prefixes[a.Value] = a.Name.Local
			attrs = append(attrs, xml.Attr{Name: xml.Name{Local: "xmlns:" + a.Name.Local}, Value: a.Value})
		case a.Name.Local == "xmlns" || a.Name.Space != "":
		default:
			attrs = append(attrs, a)
		}
	}
	other := make([]rawXML, len(d.Other))
	for i, r := range d.Other {
		if p, ok := prefixes[r.XMLName.Space]; ok && r.XMLName.Space != "" {
			r.XMLName = xml.Name{Local: p + ":" + r.XMLName.Local}
		}
		other[i] = r
	}
	type plain domainXML // without this method
	out := plain(d)
	out.Attrs, out.Other = attrs, other
	return e.EncodeElement(out, xml.StartElement{Name: xml.Name{Local: "domain"}})
}

// marshal renders the document for libvirt.
func (d *domainXML) marshal() (string, error) {
	b, err := xml.Marshal(d)
	if err != nil {
		return "", fmt.Errorf("marshal domain %q: %w", d.Name, err)
	}
	return string(b), nil
}

// marshalDevice renders one device (disk, interface) for the device APIs.
func marshalDevice(v any) (string, error) {
	b, err := xml.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("marshal device: %w", err)
	}
	return string(b), nil
}

// maxDomainXML bounds the documents Ferrum parses; libvirt's own are a few
// kilobytes.
const maxDomainXML = 4 << 20

// parseDomainXML decodes a domain document. It is the entry point for text
// from the daemon, which Ferrum does not trust (fuzzed by
// FuzzParseDomainXML).
func parseDomainXML(s string) (*domainXML, error) {
	if len(s) > maxDomainXML {
		return nil, fmt.Errorf("domain XML of %d bytes exceeds %d", len(s), maxDomainXML)
	}
	var d domainXML
	dec := xml.NewDecoder(strings.NewReader(s))
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("parse domain XML: %w", err)
	}
	return &d, nil
}
