package wsman

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// A node is one element of a parsed request: its resolved name, attributes,
// element children and the character data directly inside it. Requests are
// small (bounded by Options.MaxRequestSize), so a tree is the simplest shape
// to validate them against.
type node struct {
	Space, Local string // namespace URI and local name
	Prefix       string // the prefix the request used, for messages
	Attrs        []xml.Attr
	Children     []*node
	Text         string // character data directly inside, untrimmed

	parent *node
	nsDecl map[string]string // prefixes declared on this element
}

// Parser limits. maxDepth bounds nesting (an embedded instance holding an
// EPR holding a SelectorSet holding an EPR is about 12 deep).
const maxDepth = 64

var (
	errDoctype = errors.New("DOCTYPE and other DTD declarations are not accepted")
	errDepth   = fmt.Errorf("elements are nested more than %d deep", maxDepth)
)

// parseXML reads one XML document into a tree. It refuses DTDs (so there are
// no custom entities to expand), nesting beyond maxDepth and any character
// set but UTF-8; encoding/xml already rejects unknown entities and
// malformed markup.
func parseXML(data []byte) (*node, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	var root, cur *node
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth > maxDepth {
				return nil, errDepth
			}
			if root != nil && cur == nil {
				return nil, errors.New("more than one root element")
			}
			n := newNode(t, cur, d)
			if cur == nil {
				root = n
			} else {
				cur.Children = append(cur.Children, n)
			}
			cur = n
		case xml.EndElement:
			depth--
			cur = cur.parent
		case xml.CharData:
			if cur != nil {
				cur.Text += string(t)
			} else if len(bytes.TrimSpace(t)) > 0 {
				return nil, errors.New("text outside the root element")
			}
		case xml.Directive:
			return nil, errDoctype
		case xml.ProcInst:
			if t.Target != "xml" {
				continue
			}
		}
	}
	if root == nil {
		return nil, errors.New("no root element")
	}
	return root, nil
}

func newNode(t xml.StartElement, parent *node, d *xml.Decoder) *node {
	n := &node{Space: t.Name.Space, Local: t.Name.Local, parent: parent}
	for _, a := range t.Attr {
		switch {
		case a.Name.Space == "xmlns":
			n.declare(a.Name.Local, a.Value)
		case a.Name.Space == "" && a.Name.Local == "xmlns":
			n.declare("", a.Value)
		default:
			n.Attrs = append(n.Attrs, a)
		}
	}
	n.Prefix = n.prefixOf(n.Space)
	return n
}

func (n *node) declare(prefix, uri string) {
	if n.nsDecl == nil {
		n.nsDecl = map[string]string{}
	}
	n.nsDecl[prefix] = uri
}

// lookupPrefix returns the namespace bound to prefix where n stands.
func (n *node) lookupPrefix(prefix string) (string, bool) {
	for e := n; e != nil; e = e.parent {
		if uri, ok := e.nsDecl[prefix]; ok {
			return uri, true
		}
	}
	if prefix == "xml" {
		return nsXML, true
	}
	return "", false
}

// prefixOf returns a prefix bound to uri where n stands, or "".
func (n *node) prefixOf(uri string) string {
	for e := n; e != nil; e = e.parent {
		for p, u := range e.nsDecl {
			if u == uri {
				return p
			}
		}
	}
	return ""
}

// is reports whether n is the element {space}local.
func (n *node) is(space, local string) bool {
	return n != nil && n.Space == space && n.Local == local
}

// child returns the first child {space}local, or nil.
func (n *node) child(space, local string) *node {
	if n == nil {
		return nil
	}
	for _, c := range n.Children {
		if c.is(space, local) {
			return c
		}
	}
	return nil
}

// childrenNamed returns every child {space}local.
func (n *node) childrenNamed(space, local string) []*node {
	var out []*node
	for _, c := range n.Children {
		if c.is(space, local) {
			out = append(out, c)
		}
	}
	return out
}

// text returns n's character data without surrounding white space.
func (n *node) text() string {
	if n == nil {
		return ""
	}
	return strings.TrimSpace(n.Text)
}

// attr returns the value of the attribute {space}local.
func (n *node) attr(space, local string) (string, bool) {
	for _, a := range n.Attrs {
		if a.Name.Space == space && a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

// isNil reports whether n carries xsi:nil="true".
func (n *node) isNil() bool {
	v, ok := n.attr(nsXSI, "nil")
	return ok && isTrue(v)
}

// qname formats n's name as the request wrote it, for messages.
func (n *node) qname() string {
	if n.Prefix != "" {
		return n.Prefix + ":" + n.Local
	}
	return n.Local
}

// resolveQName resolves a QName-valued attribute (xsi:type="p:X_Type") in
// n's scope.
func (n *node) resolveQName(v string) (space, local string) {
	prefix, local, found := strings.Cut(strings.TrimSpace(v), ":")
	if !found {
		prefix, local = "", prefix
	}
	space, _ = n.lookupPrefix(prefix)
	return space, local
}

// isTrue reads an xs:boolean.
func isTrue(s string) bool {
	s = strings.TrimSpace(s)
	return s == "true" || s == "1" || strings.EqualFold(s, "true")
}
