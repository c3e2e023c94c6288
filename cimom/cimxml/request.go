package cimxml

import (
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// A call is the operation a request asks for, checked against its
// headers.
type call struct {
	id        string // MESSAGE ID, echoed in the response
	protocol  string // MESSAGE PROTOCOLVERSION
	intrinsic bool
	method    string // IMETHODCALL or METHODCALL NAME
	ns        string
	target    cim.ObjectPath // METHODCALL: the class or instance
	params    []*element     // IPARAMVALUE or PARAMVALUE elements
}

// readCall checks the envelope of a request (CIM, MESSAGE, SIMPLEREQ) and
// its call against the headers, as DSP0200 §7.3 orders the checks.
func readCall(root *element, h *cimHeaders) (*call, *protocolError) {
	if root.name != "CIM" {
		return nil, badRequest(errNotValid, "the root element is %s, not CIM", root.name)
	}
	if perr := checkVersion(root, "CIMVERSION", errUnsupportedCIMVersion, "2"); perr != nil {
		return nil, perr
	}
	if perr := checkVersion(root, "DTDVERSION", errUnsupportedDTDVersion, "2"); perr != nil {
		return nil, perr
	}
	msg := only(root)
	if msg == nil || msg.name != "MESSAGE" {
		return nil, badRequest(errNotValid, "CIM must hold one MESSAGE")
	}
	c := &call{}
	var ok bool
	if c.id, ok = msg.attr("ID"); !ok {
		return nil, badRequest(errNotValid, "MESSAGE has no ID")
	}
	if c.protocol, ok = msg.attr("PROTOCOLVERSION"); !ok {
		return nil, badRequest(errNotValid, "MESSAGE has no PROTOCOLVERSION")
	}
	if !strings.EqualFold(strings.TrimSpace(c.protocol), h.protocol) {
		return nil, badRequest(errHeaderMismatch, "CIMProtocolVersion %q does not match PROTOCOLVERSION %q", h.protocol, c.protocol)
	}
	if major, _, _ := strings.Cut(strings.TrimSpace(c.protocol), "."); major != "1" {
		return nil, notImplemented(errUnsupportedProtocolVersion, "protocol version %q is not supported; Ferrum speaks 1.x", c.protocol)
	}
	req := only(msg)
	switch {
	case req != nil && req.name == "MULTIREQ":
		return nil, badRequest(errHeaderMismatch, "MULTIREQ without a CIMBatch header")
	case req == nil || req.name != "SIMPLEREQ":
		return nil, badRequest(errNotValid, "MESSAGE must hold one SIMPLEREQ")
	}
	var callElem *element
	for _, k := range req.kids {
		switch {
		case k.name == "CORRELATOR":
		case (k.name == "IMETHODCALL" || k.name == "METHODCALL") && callElem == nil:
			callElem = k
		default:
			return nil, badRequest(errNotValid, "SIMPLEREQ cannot hold %s here", k.name)
		}
	}
	if callElem == nil {
		return nil, badRequest(errNotValid, "SIMPLEREQ holds no IMETHODCALL or METHODCALL")
	}
	return c, c.readMethodCall(callElem, h)
}

// checkVersion requires a version attribute with the given major number.
func checkVersion(e *element, attr, cimError, major string) *protocolError {
	v, ok := e.attr(attr)
	if !ok {
		return badRequest(errNotValid, "CIM has no %s", attr)
	}
	if m, _, _ := strings.Cut(strings.TrimSpace(v), "."); m != major {
		return notImplemented(cimError, "%s %q is not supported; Ferrum speaks %s.x", attr, v, major)
	}
	return nil
}

// only returns the single child of e, or nil.
func only(e *element) *element {
	if len(e.kids) != 1 {
		return nil
	}
	return e.kids[0]
}

// readMethodCall reads IMETHODCALL or METHODCALL and checks CIMMethod and
// CIMObject against it.
func (c *call) readMethodCall(e *element, h *cimHeaders) *protocolError {
	c.intrinsic = e.name == "IMETHODCALL"
	c.method = e.attrOr("NAME", "")
	if !isName(c.method) {
		return badRequest(errNotValid, "%s has no valid NAME", e.name)
	}
	if h.method == "" {
		return badRequest(errHeaderMismatch, "no CIMMethod header")
	}
	if !strings.EqualFold(h.method, c.method) {
		return badRequest(errHeaderMismatch, "CIMMethod %q does not match %s %q", h.method, e.name, c.method)
	}
	if len(e.kids) == 0 {
		return badRequest(errNotValid, "%s has no path", e.name)
	}
	paramName := "IPARAMVALUE"
	if c.intrinsic {
		ns, err := decodeNamespace(e.kids[0])
		if err != nil {
			return badRequest(errNotValid, "IMETHODCALL: %v", err)
		}
		c.ns = ns
		if h.object == "" {
			return badRequest(errHeaderMismatch, "no CIMObject header")
		}
		if !strings.EqualFold(strings.Trim(h.object, "/"), ns) {
			return badRequest(errHeaderMismatch, "CIMObject %q does not match namespace %q", h.object, ns)
		}
	} else {
		paramName = "PARAMVALUE"
		if perr := c.readTarget(e.kids[0], h); perr != nil {
			return perr
		}
	}
	for _, k := range e.kids[1:] {
		if k.name != paramName {
			return badRequest(errNotValid, "%s cannot hold %s", e.name, k.name)
		}
		c.params = append(c.params, k)
	}
	return nil
}

// readTarget reads the LOCALINSTANCEPATH or LOCALCLASSPATH of a METHODCALL
// and requires CIMObject to name the same object.
func (c *call) readTarget(e *element, h *cimHeaders) *protocolError {
	if e.name != "LOCALINSTANCEPATH" && e.name != "LOCALCLASSPATH" {
		return badRequest(errNotValid, "METHODCALL wants LOCALINSTANCEPATH or LOCALCLASSPATH, not %s", e.name)
	}
	p, err := decodePath(e)
	if err != nil {
		return badRequest(errNotValid, "METHODCALL: %v", err)
	}
	c.target, c.ns = p, p.Namespace
	if h.object == "" {
		return badRequest(errHeaderMismatch, "no CIMObject header")
	}
	hp, err := cim.ParseObjectPath(h.object)
	if err != nil {
		return badRequest(errHeaderMismatch, "CIMObject %q: %v", h.object, err)
	}
	if !samePath(hp, p) {
		return badRequest(errHeaderMismatch, "CIMObject %q does not match the METHODCALL path %s", h.object, p)
	}
	return nil
}

// samePath compares the CIMObject path with the METHODCALL path: the same
// namespace and class, and the same keys with the same values as text
// (the header has no types).
func samePath(header, body cim.ObjectPath) bool {
	if !strings.EqualFold(strings.Trim(header.Namespace, "/"), body.Namespace) ||
		!strings.EqualFold(header.ClassName, body.ClassName) || len(header.Keys) != len(body.Keys) {
		return false
	}
	for _, k := range body.Keys {
		hv, ok := header.Key(k.Name)
		if !ok {
			return false
		}
		hr, hIsRef := hv.AsRef()
		br, bIsRef := k.Value.AsRef()
		if hIsRef && bIsRef {
			if !hr.Equal(br) {
				return false
			}
			continue
		}
		if hv.Text() != k.Value.Text() {
			return false
		}
	}
	return true
}
