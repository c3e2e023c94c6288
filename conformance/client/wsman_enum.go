package client

import (
	"context"
	"fmt"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// enumerate runs Enumerate (optimized) then Pull until EndOfSequence and
// returns the items: instances with their EPRs in ObjectAndEPR mode, EPRs
// alone otherwise.
func (c *WSMan) enumerate(ctx context.Context, uri, ns string, withObjects bool, filter string) ([]Object, error) {
	mode := "EnumerateEPR"
	if withObjects {
		mode = "EnumerateObjectAndEPR"
	}
	body := fmt.Sprintf("<wsen:Enumerate>%s<wsman:EnumerationMode>%s</wsman:EnumerationMode><wsman:OptimizeEnumeration/><wsman:MaxElements>100</wsman:MaxElements></wsen:Enumerate>", filter, mode)
	sel := cim.ObjectPath{Namespace: ns}
	resp, err := c.call(ctx, actionEnum, uri, &sel, body, true)
	if err != nil {
		return nil, err
	}
	r := resp.kid("EnumerateResponse")
	if r == nil {
		return nil, fmt.Errorf("Enumerate: no EnumerateResponse")
	}
	var out []Object
	for {
		for _, it := range r.kid("Items").Kids {
			out = append(out, c.decodeItem(it, ns))
		}
		if r.kid("EndOfSequence") != nil {
			return out, nil
		}
		ectx := r.kid("EnumerationContext").text()
		if ectx == "" {
			return out, fmt.Errorf("Enumerate: neither EndOfSequence nor EnumerationContext")
		}
		pull := fmt.Sprintf("<wsen:Pull><wsen:EnumerationContext>%s</wsen:EnumerationContext><wsen:MaxElements>100</wsen:MaxElements></wsen:Pull>", esc(ectx))
		resp, err = c.call(ctx, actionPull, uri, &sel, pull, true)
		if err != nil {
			return out, err
		}
		if r = resp.kid("PullResponse"); r == nil {
			return out, fmt.Errorf("Pull: no PullResponse")
		}
	}
}

func (c *WSMan) decodeItem(it *node, ns string) Object {
	switch it.XMLName.Local {
	case "EndpointReference":
		return Object{Path: c.decodeEPR(it)}
	case "Item":
		var o Object
		for _, k := range it.Kids {
			if k.XMLName.Local == "EndpointReference" {
				o.Path = c.decodeEPR(k)
			} else {
				o.Instance = c.decodeInstance(k, ns)
			}
		}
		return o
	}
	return Object{Instance: c.decodeInstance(it, ns)}
}

func paths(objs []Object) []cim.ObjectPath {
	out := make([]cim.ObjectPath, len(objs))
	for i, o := range objs {
		out[i] = o.Path
	}
	return out
}

// EnumerateInstances is Enumerate in EnumerateObjectAndEPR mode.
func (c *WSMan) EnumerateInstances(ctx context.Context, ns, class string) ([]Object, error) {
	return c.enumerate(ctx, c.ResourceURI(class), ns, true, "")
}

// EnumerateInstanceNames is Enumerate in EnumerateEPR mode.
func (c *WSMan) EnumerateInstanceNames(ctx context.Context, ns, class string) ([]cim.ObjectPath, error) {
	objs, err := c.enumerate(ctx, c.ResourceURI(class), ns, false, "")
	return paths(objs), err
}

func (c *WSMan) assocFilter(kind string, p cim.ObjectPath, f AssocFilter) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<wsman:Filter Dialect="%s"><wsmb:%s><wsmb:Object>`, assocDialect, kind)
	var epr strings.Builder
	writeEPR(&epr, c, p)
	b.WriteString(strings.TrimSuffix(strings.TrimPrefix(epr.String(), "<wsa:EndpointReference>"), "</wsa:EndpointReference>"))
	b.WriteString("</wsmb:Object>")
	if f.AssocClass != "" {
		fmt.Fprintf(&b, "<wsmb:AssociationClassName>%s</wsmb:AssociationClassName>", esc(f.AssocClass))
	}
	if f.Role != "" {
		fmt.Fprintf(&b, "<wsmb:Role>%s</wsmb:Role>", esc(f.Role))
	}
	if f.ResultClass != "" {
		fmt.Fprintf(&b, "<wsmb:ResultClassName>%s</wsmb:ResultClassName>", esc(f.ResultClass))
	}
	if f.ResultRole != "" {
		fmt.Fprintf(&b, "<wsmb:ResultRole>%s</wsmb:ResultRole>", esc(f.ResultRole))
	}
	fmt.Fprintf(&b, "</wsmb:%s></wsman:Filter>", kind)
	return b.String()
}

// Associators is Enumerate of the all-classes URI with an
// AssociatedInstances filter.
func (c *WSMan) Associators(ctx context.Context, p cim.ObjectPath, f AssocFilter) ([]Object, error) {
	return c.enumerate(ctx, allClassesURI, p.Namespace, true, c.assocFilter("AssociatedInstances", p, f))
}

// AssociatorNames is Associators in EnumerateEPR mode.
func (c *WSMan) AssociatorNames(ctx context.Context, p cim.ObjectPath, f AssocFilter) ([]cim.ObjectPath, error) {
	objs, err := c.enumerate(ctx, allClassesURI, p.Namespace, false, c.assocFilter("AssociatedInstances", p, f))
	return paths(objs), err
}

// References is Enumerate with an AssociationInstances filter.
func (c *WSMan) References(ctx context.Context, p cim.ObjectPath, resultClass, role string) ([]Object, error) {
	return c.enumerate(ctx, allClassesURI, p.Namespace, true, c.assocFilter("AssociationInstances", p, AssocFilter{ResultClass: resultClass, Role: role}))
}

// ReferenceNames is References in EnumerateEPR mode.
func (c *WSMan) ReferenceNames(ctx context.Context, p cim.ObjectPath, resultClass, role string) ([]cim.ObjectPath, error) {
	objs, err := c.enumerate(ctx, allClassesURI, p.Namespace, false, c.assocFilter("AssociationInstances", p, AssocFilter{ResultClass: resultClass, Role: role}))
	return paths(objs), err
}

// InvokeMethod sends ResourceURI/Method with a Method_INPUT body and
// decodes Method_OUTPUT; ReturnValue is a uint32 when it is numeric.
func (c *WSMan) InvokeMethod(ctx context.Context, p cim.ObjectPath, method string, in cim.Params) (cim.Value, cim.Params, error) {
	uri := c.ResourceURI(p.ClassName)
	var b strings.Builder
	fmt.Fprintf(&b, `<p:%s_INPUT xmlns:p="%s">`, method, esc(uri))
	for _, prm := range in {
		c.writeElement(&b, "p", prm.Name, prm.Value)
	}
	fmt.Fprintf(&b, "</p:%s_INPUT>", method)
	body, err := c.call(ctx, uri+"/"+method, uri, &p, b.String(), true)
	if err != nil {
		return cim.Value{}, nil, err
	}
	outN := body.kid(method + "_OUTPUT")
	if outN == nil {
		return cim.Value{}, nil, fmt.Errorf("%s: no %s_OUTPUT", method, method)
	}
	var rv cim.Value
	var out cim.Params
	byName := map[string][]cim.Value{}
	var order []string
	for _, k := range outN.Kids {
		name := k.XMLName.Local
		if name == "ReturnValue" {
			rv = cim.String(k.text())
			if n, err := cim.ParseScalar(cim.TypeUint32, k.text()); err == nil {
				rv = n
			}
			continue
		}
		if _, ok := byName[name]; !ok {
			order = append(order, name)
		}
		byName[name] = append(byName[name], c.decodeValue(k, p.Namespace))
	}
	for _, name := range order {
		vs := byName[name]
		v := vs[0]
		if len(vs) > 1 {
			elems := make([]any, len(vs))
			for i, x := range vs {
				elems[i] = x.Raw()
			}
			if arr, err := cim.NewArray(vs[0].Type(), elems); err == nil {
				v = arr
			}
		}
		out = append(out, cim.Param{Name: name, Value: v})
	}
	return rv, out, nil
}
