package wsman

import (
	"fmt"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// A decl is what decoding needs to know about a property or parameter.
type decl struct {
	name     string
	typ      cim.Type
	array    bool
	embedded bool
}

func propertyDecl(p *cim.Property) decl {
	return decl{name: p.Name, typ: p.Type, array: p.IsArray, embedded: p.IsEmbeddedObject()}
}

func parameterDecl(p *cim.Parameter) decl {
	return decl{name: p.Name, typ: p.Type, array: p.IsArray,
		embedded: p.Qualifiers.Has("EmbeddedInstance") || p.Qualifiers.IsTrue("EmbeddedObject")}
}

// A decoder reads DSP0230 XML into CIM values, the reverse of encoder.
type decoder struct {
	classOf func(ns, class string) *cim.Class
	ns      string
}

// instance reads an instance element against class: each child element is
// a property, repeated for arrays, xsi:nil for null.
func (d *decoder) instance(n *node, class *cim.Class) (*cim.Instance, error) {
	inst := cim.NewInstance(class.Name)
	err := d.members(n, func(name string) (decl, bool) {
		p := class.Property(name)
		if p == nil {
			return decl{}, false
		}
		return propertyDecl(p), true
	}, func(name string, v cim.Value) { inst.Set(name, v) })
	if err != nil {
		return nil, fmt.Errorf("%s: %w", class.Name, err)
	}
	return inst, nil
}

// params reads the children of a Method_INPUT element against method.
func (d *decoder) params(n *node, m *cim.Method) (cim.Params, error) {
	var out cim.Params
	err := d.members(n, func(name string) (decl, bool) {
		p := m.Parameter(name)
		if p == nil || !p.IsIn() {
			return decl{}, false
		}
		return parameterDecl(p), true
	}, func(name string, v cim.Value) { out = append(out, cim.Param{Name: name, Value: v}) })
	return out, err
}

// members groups the children of n by name, in order of first appearance,
// and decodes each group with the declaration lookup returns.
func (d *decoder) members(n *node, lookup func(string) (decl, bool), set func(string, cim.Value)) error {
	var order []string
	groups := map[string][]*node{}
	for _, c := range n.Children {
		k := strings.ToLower(c.Local)
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], c)
	}
	for _, k := range order {
		elems := groups[k]
		dc, ok := lookup(elems[0].Local)
		if !ok {
			return fmt.Errorf("no property or input parameter %s", elems[0].Local)
		}
		v, err := d.value(dc, elems)
		if err != nil {
			return fmt.Errorf("%s: %w", dc.name, err)
		}
		set(dc.name, v)
	}
	return nil
}

// value decodes the elements that carry one property or parameter.
func (d *decoder) value(dc decl, elems []*node) (cim.Value, error) {
	t := dc.typ
	if dc.embedded && t == cim.TypeString {
		t = cim.TypeInstance // may still turn out to be text, see scalar
	}
	if !dc.array {
		if len(elems) > 1 {
			return cim.Value{}, fmt.Errorf("given %d times but it is not an array", len(elems))
		}
		if elems[0].isNil() {
			return cim.Null(dc.typ), nil
		}
		return d.scalar(dc, elems[0])
	}
	if len(elems) == 1 && elems[0].isNil() {
		return cim.NullArray(dc.typ), nil
	}
	raw := make([]any, len(elems))
	for i, e := range elems {
		if e.isNil() {
			continue
		}
		v, err := d.scalar(dc, e)
		if err != nil {
			return cim.Value{}, fmt.Errorf("element %d: %w", i, err)
		}
		raw[i] = v.Raw()
		if v.Type() != t {
			t = v.Type()
		}
	}
	return cim.NewArray(t, raw)
}

// scalar decodes one element as a value of the declared type.
func (d *decoder) scalar(dc decl, e *node) (cim.Value, error) {
	switch {
	case dc.typ == cim.TypeReference:
		p, err := eprToPath(e, d.ns)
		if err != nil {
			return cim.Value{}, err
		}
		return cim.Ref(p), nil
	case dc.typ == cim.TypeDateTime:
		elem, text := "", e.Text
		if len(e.Children) == 1 {
			// cim:Datetime and friends; their namespace is not checked,
			// since line-oriented clients copy them without declarations.
			elem, text = e.Children[0].Local, e.Children[0].Text
		}
		dt, err := parseDatetimeXML(elem, text)
		if err != nil {
			return cim.Value{}, err
		}
		return cim.DateTimeValue(dt), nil
	case dc.embedded && len(e.Children) > 0:
		inst, err := d.embedded(e.Children[0])
		if err != nil {
			return cim.Value{}, err
		}
		return cim.Embedded(inst), nil
	case dc.typ == cim.TypeString:
		return cim.String(e.Text), nil
	case dc.typ == cim.TypeBoolean:
		switch e.text() {
		case "1":
			return cim.Bool(true), nil
		case "0":
			return cim.Bool(false), nil
		}
	}
	if len(e.Children) > 0 {
		return cim.Value{}, fmt.Errorf("a %s cannot hold the element %s", dc.typ, e.Children[0].qname())
	}
	return cim.ParseScalar(dc.typ, e.text())
}

// embedded decodes an embedded instance; its class comes from xsi:type
// (p:Class_Type) or, without one, from the element's name.
func (d *decoder) embedded(e *node) (*cim.Instance, error) {
	name := e.Local
	if t, ok := e.attr(nsXSI, "type"); ok {
		_, local := e.resolveQName(t)
		name = strings.TrimSuffix(local, "_Type")
	}
	class := d.classOf(d.ns, name)
	if class == nil {
		return nil, fmt.Errorf("embedded instance of unknown class %s", name)
	}
	return d.instance(e, class)
}
