package libvirt

import (
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
)

// rawXML is an element Ferrum does not model, kept verbatim so a definition
// read from libvirt, changed and defined again loses nothing.
type rawXML struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Inner   string     `xml:",innerxml"`
}

// MarshalXML writes the element back. Namespace declarations are dropped
// from the attributes (the element's own namespace becomes xmlns=, and
// prefixes declared on the document element are restored by
// domainXML.MarshalXML); encoding/xml would otherwise invent prefixes.
func (r rawXML) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	out := struct {
		XMLName xml.Name
		Attrs   []xml.Attr `xml:",any,attr"`
		Inner   string     `xml:",innerxml"`
	}{XMLName: xml.Name{Local: r.XMLName.Local}, Inner: r.Inner}
	if r.XMLName.Space != "" {
		out.Attrs = append(out.Attrs, xml.Attr{Name: xml.Name{Local: "xmlns"}, Value: r.XMLName.Space})
	}
	out.Attrs = append(out.Attrs, plainAttrs(r.Attrs)...)
	return e.Encode(out)
}

// plainAttrs drops namespace declarations and the namespace of namespaced
// attributes, which encoding/xml cannot write back faithfully.
func plainAttrs(attrs []xml.Attr) []xml.Attr {
	var out []xml.Attr
	for _, a := range attrs {
		if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
			continue
		}
		out = append(out, xml.Attr{Name: xml.Name{Local: a.Name.Local}, Value: a.Value})
	}
	return out
}

// raw builds an element with attributes given as name, value pairs and inner
// XML.
func raw(name, inner string, attrs ...string) rawXML {
	r := rawXML{XMLName: xml.Name{Local: name}, Inner: inner}
	for i := 0; i+1 < len(attrs); i += 2 {
		r.Attrs = append(r.Attrs, xml.Attr{Name: xml.Name{Local: attrs[i]}, Value: attrs[i+1]})
	}
	return r
}

// attr returns the value of a raw element's attribute.
func (r rawXML) attr(name string) string {
	for _, a := range r.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// sizeXML is a scaled integer such as <memory unit='KiB'>262144</memory> or
// <capacity unit='bytes'>1073741824</capacity>.
type sizeXML struct {
	Unit  string `xml:"unit,attr,omitempty"`
	Value string `xml:",chardata"`
}

// unitScale gives the multiplier of each unit libvirt accepts
// (docs: formatdomain.html#memory-allocation).
var unitScale = map[string]uint64{
	"b": 1, "bytes": 1,
	"kb": 1e3, "k": 1 << 10, "kib": 1 << 10,
	"mb": 1e6, "m": 1 << 20, "mib": 1 << 20,
	"gb": 1e9, "g": 1 << 30, "gib": 1 << 30,
	"tb": 1e12, "t": 1 << 40, "tib": 1 << 40,
	"pb": 1e15, "p": 1 << 50, "pib": 1 << 50,
	"eb": 1e18, "e": 1 << 60, "eib": 1 << 60,
}

// bytes returns the size in bytes; def is the unit when none is given.
func (s sizeXML) bytes(def string) (uint64, error) {
	unit := strings.ToLower(strings.TrimSpace(s.Unit))
	if unit == "" {
		unit = def
	}
	scale, ok := unitScale[unit]
	if !ok {
		return 0, fmt.Errorf("unknown unit %q", s.Unit)
	}
	v, err := strconv.ParseUint(strings.TrimSpace(s.Value), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("size %q: %w", s.Value, err)
	}
	if v > ^uint64(0)/scale {
		return 0, fmt.Errorf("size %s %s overflows", s.Value, s.Unit)
	}
	return v * scale, nil
}

// mib returns the size in MiB (rounded down); def is the unit when none is
// given.
func (s sizeXML) mib(def string) (uint64, error) {
	b, err := s.bytes(def)
	return b >> 20, err
}

func mibSize(mib uint64) sizeXML { return sizeXML{Unit: "MiB", Value: strconv.FormatUint(mib, 10)} }

func byteSize(b uint64) sizeXML { return sizeXML{Unit: "bytes", Value: strconv.FormatUint(b, 10)} }
