package cimxml

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
)

// An element is one node of a parsed request: its name, attributes,
// children and, for a leaf, its text. CIM-XML has no mixed content, so
// the text of an element with children (whitespace between them) is
// dropped.
type element struct {
	name  string
	attrs []xml.Attr
	kids  []*element
	text  string
}

// attr returns the value of the attribute named name (exact case, as the
// DTD spells it) and whether it is present.
func (e *element) attr(name string) (string, bool) {
	for _, a := range e.attrs {
		if a.Name.Space == "" && a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// attrOr returns the value of an attribute, or def when it is absent.
func (e *element) attrOr(name, def string) string {
	if v, ok := e.attr(name); ok {
		return v
	}
	return def
}

// child returns the first child named name, or nil.
func (e *element) child(name string) *element {
	for _, k := range e.kids {
		if k.name == name {
			return k
		}
	}
	return nil
}

// Errors parseXML wraps: a body that is not XML, and XML that CIM-XML
// forbids.
var (
	errNotWellFormed = errors.New("request is not well-formed XML")
	errNotAllowed    = errors.New("request uses XML that CIM-XML does not allow")
)

// readers are reused buffers for parseXML: encoding/xml reads through
// the reader it is given when that is a bufio.Reader, and allocates one
// otherwise.
var readers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 4096) }}

// xmlLimits bound what parseXML accepts from a client.
type xmlLimits struct {
	depth    int // element nesting
	elements int // elements in all
}

var defaultXMLLimits = xmlLimits{depth: 64, elements: 1 << 20}

// parseXML reads one XML document into a tree. It refuses DOCTYPE (and so
// any entity declaration; encoding/xml expands only the five predefined
// entities and character references), encodings other than UTF-8, nesting
// deeper than lim.depth, more than lim.elements elements, and content after
// the root element. Errors wrap errNotWellFormed or errNotAllowed, or the
// reader's error (such as *http.MaxBytesError).
func parseXML(r io.Reader, lim xmlLimits) (*element, error) {
	br := readers.Get().(*bufio.Reader)
	br.Reset(r)
	defer func() {
		br.Reset(nil)
		readers.Put(br)
	}()
	d := xml.NewDecoder(br)
	d.Strict = true
	d.CharsetReader = func(charset string, input io.Reader) (io.Reader, error) {
		if strings.EqualFold(charset, "utf-8") || strings.EqualFold(charset, "utf8") {
			return input, nil
		}
		return nil, fmt.Errorf("%w: encoding %q (only UTF-8 is)", errNotAllowed, charset)
	}
	var root *element
	var stack []*element
	var text bytes.Buffer
	count := 0
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, classifyXMLError(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root != nil && len(stack) == 0 {
				return nil, fmt.Errorf("%w: content after the root element", errNotWellFormed)
			}
			if count++; count > lim.elements {
				return nil, fmt.Errorf("%w: more than %d elements", errNotAllowed, lim.elements)
			}
			if len(stack) >= lim.depth {
				return nil, fmt.Errorf("%w: elements nested more than %d deep", errNotAllowed, lim.depth)
			}
			e := &element{name: qualifiedName(t.Name), attrs: t.Attr}
			if len(stack) > 0 {
				parent := stack[len(stack)-1]
				parent.kids = append(parent.kids, e)
			} else {
				root = e
			}
			stack = append(stack, e)
			text.Reset()
		case xml.EndElement:
			if len(stack) == 0 || stack[len(stack)-1].name != qualifiedName(t.Name) {
				return nil, fmt.Errorf("%w: unexpected end tag </%s>", errNotWellFormed, qualifiedName(t.Name))
			}
			e := stack[len(stack)-1]
			if len(e.kids) == 0 {
				e.text = text.String()
			}
			text.Reset()
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				if len(bytes.TrimSpace(t)) > 0 {
					return nil, fmt.Errorf("%w: text outside the root element", errNotWellFormed)
				}
				continue
			}
			text.Write(t)
		case xml.Directive:
			return nil, fmt.Errorf("%w: <!%s>", errNotAllowed, firstWord(t))
		}
	}
	if root == nil || len(stack) > 0 {
		return nil, fmt.Errorf("%w: the document ends early", errNotWellFormed)
	}
	return root, nil
}

func qualifiedName(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

func firstWord(b []byte) string {
	f := bytes.Fields(b)
	if len(f) == 0 {
		return ""
	}
	return string(f[0])
}

// classifyXMLError wraps a decoder error: syntax errors (including invalid
// UTF-8 and unknown entities) as errNotWellFormed; reader errors and our
// own charset refusal as they are.
func classifyXMLError(err error) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("%w: line %d: %s", errNotWellFormed, se.Line, se.Msg)
	}
	if errors.Is(err, errNotAllowed) {
		return err
	}
	if strings.HasPrefix(err.Error(), "xml: ") {
		return fmt.Errorf("%w: %v", errNotWellFormed, err)
	}
	return err
}
