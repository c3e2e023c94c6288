package client

import (
	"encoding/xml"
	"strings"
)

// node is a generic XML element, enough to walk CIM-XML and SOAP responses
// without a schema.
type node struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Text    string     `xml:",chardata"`
	Kids    []*node    `xml:",any"`
}

func parseXML(b []byte) (*node, error) {
	var n node
	if err := xml.Unmarshal(b, &n); err != nil {
		return nil, err
	}
	return &n, nil
}

// attr returns the attribute with the local name name (case-insensitive).
func (n *node) attr(name string) string {
	for _, a := range n.Attrs {
		if strings.EqualFold(a.Name.Local, name) {
			return a.Value
		}
	}
	return ""
}

func (n *node) hasAttr(name string) bool {
	for _, a := range n.Attrs {
		if strings.EqualFold(a.Name.Local, name) {
			return true
		}
	}
	return false
}

// kid returns the first child with the local name name, or nil.
func (n *node) kid(name string) *node {
	if n == nil {
		return nil
	}
	for _, k := range n.Kids {
		if k.XMLName.Local == name {
			return k
		}
	}
	return nil
}

// all returns the children with the local name name.
func (n *node) all(name string) []*node {
	if n == nil {
		return nil
	}
	var out []*node
	for _, k := range n.Kids {
		if k.XMLName.Local == name {
			out = append(out, k)
		}
	}
	return out
}

// find returns the first descendant (depth first) with the local name name.
func (n *node) find(name string) *node {
	if n == nil {
		return nil
	}
	for _, k := range n.Kids {
		if k.XMLName.Local == name {
			return k
		}
		if f := k.find(name); f != nil {
			return f
		}
	}
	return nil
}

func (n *node) text() string {
	if n == nil {
		return ""
	}
	return strings.TrimSpace(n.Text)
}

// esc escapes s for XML text and attribute values.
func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return strings.ReplaceAll(b.String(), `"`, "&#34;")
}
