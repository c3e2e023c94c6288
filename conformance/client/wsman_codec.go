package client

import (
	"fmt"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// faultStatus maps WS-Man fault subcodes back to the CIM status DSP0227 maps
// onto them, so that checks can compare outcomes across protocols.
var faultStatus = map[string]cim.Status{
	"AccessDenied":                      cim.ErrAccessDenied,
	"AlreadyExists":                     cim.ErrAlreadyExists,
	"DestinationUnreachable":            cim.ErrNotFound,
	"InvalidSelectors":                  cim.ErrInvalidParameter,
	"InvalidParameter":                  cim.ErrInvalidParameter,
	"InvalidRepresentation":             cim.ErrInvalidParameter,
	"ActionNotSupported":                cim.ErrNotSupported,
	"CannotProcessFilter":               cim.ErrInvalidQuery,
	"FilteringNotSupported":             cim.ErrQueryLanguageNotSupported,
	"FilterDialectRequestedUnavailable": cim.ErrQueryLanguageNotSupported,
	"InvalidEnumerationContext":         cim.ErrInvalidEnumerationContext,
}

func decodeFault(f *node) *Error {
	code := f.kid("Code")
	sub := code.kid("Subcode").kid("Value").text()
	e := &Error{Fault: sub, Status: cim.ErrFailed}
	_, local, ok := strings.Cut(sub, ":")
	if !ok {
		local = sub
	}
	if st, ok := faultStatus[local]; ok {
		e.Status = st
	}
	if strings.HasSuffix(f.find("FaultDetail").text(), "/InvalidResourceURI") {
		e.Status = cim.ErrInvalidClass
	}
	e.Detail = f.find("FaultDetail").text()
	e.Message = f.kid("Reason").kid("Text").text()
	return e
}

func className(resourceURI string) string {
	return resourceURI[strings.LastIndex(resourceURI, "/")+1:]
}

// decodeEPR turns an EPR (any element holding wsa:ReferenceParameters) into a
// path; selector values are strings, nested EPRs references.
func (c *WSMan) decodeEPR(n *node) cim.ObjectPath {
	rp := n.kid("ReferenceParameters")
	if rp == nil {
		rp = n.find("ReferenceParameters")
	}
	uri := rp.kid("ResourceURI").text()
	p := cim.ObjectPath{ClassName: className(uri)}
	c.learn(p.ClassName, uri)
	for _, s := range rp.kid("SelectorSet").all("Selector") {
		name := s.attr("Name")
		if name == "__cimnamespace" {
			p.Namespace = s.text()
			continue
		}
		if epr := s.kid("EndpointReference"); epr != nil {
			p.Keys = append(p.Keys, cim.KeyBinding{Name: name, Value: cim.Ref(c.decodeEPR(epr))})
			continue
		}
		p.Keys = append(p.Keys, cim.KeyBinding{Name: name, Value: cim.String(s.text())})
	}
	return p
}

func isNil(n *node) bool {
	for _, a := range n.Attrs {
		if a.Name.Local == "nil" && strings.EqualFold(a.Value, "true") {
			return true
		}
	}
	return false
}

// decodeInstance decodes an instance element: one child per property,
// repeated for arrays. Values are untyped: strings, references for EPRs and
// embedded instances for elements with element children.
func (c *WSMan) decodeInstance(n *node, ns string) *cim.Instance {
	inst := cim.NewInstance(n.XMLName.Local)
	if n.XMLName.Space != "" {
		c.learn(inst.ClassName, n.XMLName.Space)
	}
	var order []string
	vals := map[string][]cim.Value{}
	for _, k := range n.Kids {
		name := k.XMLName.Local
		if _, seen := vals[name]; !seen {
			order = append(order, name)
		}
		vals[name] = append(vals[name], c.decodeValue(k, ns))
	}
	for _, name := range order {
		vs := vals[name]
		if len(vs) == 1 {
			inst.Set(name, vs[0])
			continue
		}
		elems := make([]any, len(vs))
		t := vs[0].Type()
		for i, v := range vs {
			elems[i] = v.Raw()
		}
		arr, err := cim.NewArray(t, elems)
		if err != nil {
			arr = cim.StringArray()
		}
		inst.Set(name, arr)
	}
	return inst
}

func (c *WSMan) decodeValue(k *node, ns string) cim.Value {
	switch {
	case isNil(k):
		return cim.Null(cim.TypeString)
	case k.kid("ReferenceParameters") != nil || k.kid("EndpointReference") != nil:
		return cim.Ref(c.decodeEPR(k))
	case len(k.Kids) == 1 && isDatetimeElem(k.Kids[0].XMLName.Local):
		return decodeDatetime(k.Kids[0].XMLName.Local, k.Kids[0].text())
	case len(k.Kids) == 1:
		return cim.Embedded(c.decodeInstance(k.Kids[0], ns))
	}
	return cim.String(k.Text)
}

func isDatetimeElem(name string) bool {
	switch name {
	case "Datetime", "Interval", "Date", "Time", "CIM_DateTime":
		return true
	}
	return false
}

// writeInstance writes inst as a WS-CIM element with prefix pfx.
func (c *WSMan) writeInstance(b *strings.Builder, pfx string, inst *cim.Instance) {
	uri := c.ResourceURI(inst.ClassName)
	fmt.Fprintf(b, `<%s:%s xmlns:%s="%s" xsi:type="%s:%s_Type">`, pfx, inst.ClassName, pfx, esc(uri), pfx, inst.ClassName)
	for _, p := range inst.Properties {
		c.writeElement(b, pfx, p.Name, p.Value)
	}
	fmt.Fprintf(b, "</%s:%s>", pfx, inst.ClassName)
}

// writeElement writes v as element pfx:name, repeated for arrays.
func (c *WSMan) writeElement(b *strings.Builder, pfx, name string, v cim.Value) {
	if v.IsArray() {
		for _, e := range v.Elems() {
			c.writeElement(b, pfx, name, e)
		}
		return
	}
	if v.IsNull() {
		fmt.Fprintf(b, `<%s:%s xsi:nil="true"/>`, pfx, name)
		return
	}
	fmt.Fprintf(b, "<%s:%s>", pfx, name)
	switch {
	case v.AsInstance() != nil:
		c.writeInstance(b, "e"+pfx, v.AsInstance())
	case v.Type() == cim.TypeReference:
		ref, _ := v.AsRef()
		// the EPR's content, not a nested wsa:EndpointReference element
		var epr strings.Builder
		writeEPR(&epr, c, ref)
		s := strings.TrimSuffix(strings.TrimPrefix(epr.String(), "<wsa:EndpointReference>"), "</wsa:EndpointReference>")
		b.WriteString(s)
	case v.Type() == cim.TypeBoolean:
		b.WriteString(strings.ToLower(v.Text()))
	default:
		b.WriteString(esc(v.Text()))
	}
	fmt.Fprintf(b, "</%s:%s>", pfx, name)
}
