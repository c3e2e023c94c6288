package cimxml

import (
	"strconv"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// instance writes INSTANCE. ns is the namespace whose class declarations
// type the properties ("" for the request's namespace).
func (e *encoder) instance(ns string, inst *cim.Instance) {
	if ns == "" {
		ns = e.ns
	}
	if e.classOf != nil && !e.last.matches(ns, inst.ClassName) {
		e.last = classLookup{ns: ns, name: inst.ClassName, info: e.classOf(ns, inst.ClassName)}
	}
	class := e.last.info
	e.open("INSTANCE")
	e.attr("CLASSNAME", inst.ClassName)
	e.end()
	e.qualifiers(inst.Qualifiers)
	for i := range inst.Properties {
		pv := &inst.Properties[i]
		e.property(pv.Name, pv.Value, class.property(pv.Name), pv.ClassOrigin, pv.Propagated, pv.Qualifiers)
	}
	e.raw("</INSTANCE>")
}

// propType is how a property or parameter appears in CIM-XML.
type propType struct {
	typ      cim.Type // never TypeInstance: embedded objects are strings
	array    bool
	refClass string
	embedded string // "", "instance" or "object"
}

// typeOf works out the CIM-XML type of a value from its declaration when
// there is one, and from the value otherwise.
func typeOf(v cim.Value, pi *propInfo) propType {
	pt := propType{typ: v.Type(), array: v.IsArray()}
	if pi != nil {
		pt.typ, pt.array, pt.refClass, pt.embedded = pi.decl.Type, pi.decl.IsArray, pi.decl.RefClass, pi.embedded
	}
	switch {
	case pt.typ == cim.TypeInstance:
		pt.typ = cim.TypeString
		if pt.embedded == "" {
			pt.embedded = "instance"
		}
	case pt.typ == cim.TypeInvalid:
		pt.typ = cim.TypeString
	}
	return pt
}

// property writes PROPERTY, PROPERTY.ARRAY or PROPERTY.REFERENCE. The
// start tag of a declared property spelled as declared comes ready-made
// from its propInfo.
func (e *encoder) property(name string, v cim.Value, pi *propInfo, origin string, propagated bool, qs cim.Qualifiers) {
	var elem string
	if pi != nil && !e.classOrigin && name == pi.decl.Name {
		e.b = append(e.b, pi.start...)
		elem = pi.elem
	} else {
		elem = e.propertyStart(name, typeOf(v, pi), pi, origin, propagated)
	}
	e.qualifiers(qs)
	e.anyValue(v)
	e.close(elem)
}

// propertyStart writes the start tag of a property and returns the
// element's name.
func (e *encoder) propertyStart(name string, pt propType, pi *propInfo, origin string, propagated bool) string {
	elem := "PROPERTY"
	switch {
	case pt.typ == cim.TypeReference && !pt.array:
		elem = "PROPERTY.REFERENCE"
	case pt.array:
		elem = "PROPERTY.ARRAY"
	}
	e.open(elem)
	e.attr("NAME", name)
	if elem == "PROPERTY.REFERENCE" {
		if pt.refClass != "" {
			e.attr("REFERENCECLASS", pt.refClass)
		}
	} else {
		e.attr("TYPE", pt.typ.String())
		if pt.array && pi != nil && pi.decl.ArraySize > 0 {
			e.attr("ARRAYSIZE", strconv.Itoa(pi.decl.ArraySize))
		}
	}
	e.origin(origin, propagated)
	if pt.embedded != "" && elem != "PROPERTY.REFERENCE" {
		e.attr("EmbeddedObject", pt.embedded)
	}
	e.end()
	return elem
}

// origin writes CLASSORIGIN and PROPAGATED when the request asked for them.
func (e *encoder) origin(origin string, propagated bool) {
	if !e.classOrigin {
		return
	}
	if origin != "" {
		e.attr("CLASSORIGIN", origin)
	}
	if propagated {
		e.attr("PROPAGATED", "true")
	}
}

// qualifiers writes a QUALIFIER per qualifier.
func (e *encoder) qualifiers(qs cim.Qualifiers) {
	for _, q := range qs {
		t := q.Value.Type()
		if t == cim.TypeInvalid {
			t = cim.TypeString
		}
		e.open("QUALIFIER")
		e.attr("NAME", q.Name)
		e.attr("TYPE", t.String())
		if e.classOrigin && q.Propagated {
			e.attr("PROPAGATED", "true")
		}
		e.flavor(q.Flavor, false)
		e.end()
		e.anyValue(q.Value)
		e.raw("</QUALIFIER>")
	}
}

// flavor writes the flavor attributes: those that differ from the DTD's
// defaults, or all of them when explicit.
func (e *encoder) flavor(f cim.Flavor, explicit bool) {
	if explicit || !f.Overridable {
		e.attr("OVERRIDABLE", strconv.FormatBool(f.Overridable))
	}
	if explicit || !f.ToSubclass {
		e.attr("TOSUBCLASS", strconv.FormatBool(f.ToSubclass))
	}
	if explicit || f.Translatable {
		e.attr("TRANSLATABLE", strconv.FormatBool(f.Translatable))
	}
}

// class writes CLASS with its qualifiers, properties (with defaults) and
// methods.
func (e *encoder) class(c *cim.Class) {
	e.open("CLASS")
	e.attr("NAME", c.Name)
	if c.SuperClass != "" {
		e.attr("SUPERCLASS", c.SuperClass)
	}
	e.end()
	e.qualifiers(c.Qualifiers)
	for _, p := range c.Properties {
		e.property(p.Name, p.Default, infoOf(p), p.ClassOrigin, p.Propagated, p.Qualifiers)
	}
	for _, m := range c.Methods {
		e.method(m)
	}
	e.raw("</CLASS>")
}

func (e *encoder) method(m *cim.Method) {
	e.open("METHOD")
	e.attr("NAME", m.Name)
	if m.ReturnType != cim.TypeInvalid {
		e.attr("TYPE", m.ReturnType.String())
	}
	e.origin(m.ClassOrigin, m.Propagated)
	e.end()
	e.qualifiers(m.Qualifiers)
	for _, p := range m.Parameters {
		e.parameter(p)
	}
	e.raw("</METHOD>")
}

// parameter writes PARAMETER, PARAMETER.ARRAY, PARAMETER.REFERENCE or
// PARAMETER.REFARRAY.
func (e *encoder) parameter(p *cim.Parameter) {
	elem := "PARAMETER"
	switch {
	case p.Type == cim.TypeReference && p.IsArray:
		elem = "PARAMETER.REFARRAY"
	case p.Type == cim.TypeReference:
		elem = "PARAMETER.REFERENCE"
	case p.IsArray:
		elem = "PARAMETER.ARRAY"
	}
	e.open(elem)
	e.attr("NAME", p.Name)
	if p.Type == cim.TypeReference {
		if p.RefClass != "" {
			e.attr("REFERENCECLASS", p.RefClass)
		}
	} else {
		t := p.Type
		if t == cim.TypeInstance {
			t = cim.TypeString
		}
		e.attr("TYPE", t.String())
	}
	if p.IsArray && p.ArraySize > 0 {
		e.attr("ARRAYSIZE", strconv.Itoa(p.ArraySize))
	}
	e.end()
	e.qualifiers(p.Qualifiers)
	e.close(elem)
}

// qualifierDecl writes QUALIFIER.DECLARATION with its SCOPE, every flavor
// attribute and its default value.
func (e *encoder) qualifierDecl(d *cim.QualifierDecl) {
	e.open("QUALIFIER.DECLARATION")
	e.attr("NAME", d.Name)
	e.attr("TYPE", d.Type.String())
	e.attr("ISARRAY", strconv.FormatBool(d.IsArray))
	if d.ArraySize > 0 {
		e.attr("ARRAYSIZE", strconv.Itoa(d.ArraySize))
	}
	e.flavor(d.Flavor, true)
	e.end()
	e.open("SCOPE")
	for _, s := range scopeAttrs {
		if d.Scope&s.scope != 0 {
			e.attr(s.attr, "true")
		}
	}
	e.empty()
	e.anyValue(d.Default)
	e.raw("</QUALIFIER.DECLARATION>")
}

// scopeAttrs maps qualifier scopes to the attributes of SCOPE.
var scopeAttrs = []struct {
	scope cim.Scope
	attr  string
}{
	{cim.ScopeClass, "CLASS"}, {cim.ScopeAssociation, "ASSOCIATION"}, {cim.ScopeReference, "REFERENCE"},
	{cim.ScopeProperty, "PROPERTY"}, {cim.ScopeMethod, "METHOD"}, {cim.ScopeParameter, "PARAMETER"},
	{cim.ScopeIndication, "INDICATION"},
}
