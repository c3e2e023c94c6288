package cimxml

import (
	"strconv"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// decodeClass reads CLASS as a local declaration for CreateClass or
// ModifyClass: qualifiers, properties and methods marked PROPAGATED="true"
// are inherited, so they are left for the repository to flatten in.
func decodeClass(e *element) (*cim.Class, error) {
	name, ok := e.attr("NAME")
	if e.name != "CLASS" || !ok || !isName(name) {
		return nil, invalidf("want CLASS with a valid NAME")
	}
	c := &cim.Class{Name: name, SuperClass: e.attrOr("SUPERCLASS", "")}
	for _, k := range e.kids {
		if propagated, err := boolAttr(k, "PROPAGATED", false); err != nil || propagated {
			if err != nil {
				return nil, invalidf("class %s: %w", name, err)
			}
			continue
		}
		var err error
		switch k.name {
		case "QUALIFIER":
			var q cim.Qualifier
			if q, err = decodeQualifier(k); err == nil {
				c.Qualifiers = append(c.Qualifiers, q)
			}
		case "PROPERTY", "PROPERTY.ARRAY", "PROPERTY.REFERENCE":
			var p *cim.Property
			if p, err = decodeClassProperty(k); err == nil {
				c.Properties = append(c.Properties, p)
			}
		case "METHOD":
			var m *cim.Method
			if m, err = decodeMethod(k); err == nil {
				c.Methods = append(c.Methods, m)
			}
		default:
			err = invalidf("CLASS cannot hold %s", k.name)
		}
		if err != nil {
			return nil, invalidf("class %s: %w", name, err)
		}
	}
	return c, nil
}

// decodeClassProperty reads a property declaration with its default.
func decodeClassProperty(e *element) (*cim.Property, error) {
	d := &decoder{}
	name, v, err := d.propertyValue(e)
	if err != nil {
		return nil, err
	}
	p := &cim.Property{Name: name, Type: v.Type(), IsArray: v.IsArray(), Default: v, ClassOrigin: e.attrOr("CLASSORIGIN", "")}
	if p.Type == cim.TypeInstance {
		p.Type = cim.TypeString
	}
	if e.name == "PROPERTY.REFERENCE" {
		p.RefClass = e.attrOr("REFERENCECLASS", "")
	}
	if s, ok := e.attr("ARRAYSIZE"); ok {
		if p.ArraySize, err = strconv.Atoi(s); err != nil || p.ArraySize < 0 {
			return nil, invalidf("property %s: invalid ARRAYSIZE %q", name, s)
		}
	}
	if p.Qualifiers, err = decodeQualifiers(e); err != nil {
		return nil, invalidf("property %s: %w", name, err)
	}
	if embeddedKind(e) == "object" && !p.Qualifiers.Has("EmbeddedObject") {
		p.Qualifiers = append(p.Qualifiers, cim.Qualifier{Name: "EmbeddedObject", Value: cim.Bool(true), Flavor: cim.Flavor{ToSubclass: true}})
	}
	return p, nil
}

// decodeQualifiers reads the QUALIFIER children of e.
func decodeQualifiers(e *element) (cim.Qualifiers, error) {
	var qs cim.Qualifiers
	for _, k := range e.kids {
		if k.name != "QUALIFIER" {
			continue
		}
		q, err := decodeQualifier(k)
		if err != nil {
			return nil, err
		}
		qs = append(qs, q)
	}
	return qs, nil
}

// decodeMethod reads METHOD and its parameters.
func decodeMethod(e *element) (*cim.Method, error) {
	name, ok := e.attr("NAME")
	if !ok || !isName(name) {
		return nil, invalidf("METHOD without a valid NAME")
	}
	m := &cim.Method{Name: name, ClassOrigin: e.attrOr("CLASSORIGIN", "")}
	if tn, ok := e.attr("TYPE"); ok {
		t, known := cim.ParseType(tn)
		if !known {
			return nil, invalidf("method %s: unknown TYPE %q", name, tn)
		}
		m.ReturnType = t
	}
	var err error
	if m.Qualifiers, err = decodeQualifiers(e); err != nil {
		return nil, invalidf("method %s: %w", name, err)
	}
	for _, k := range e.kids {
		if k.name == "QUALIFIER" {
			continue
		}
		p, err := decodeParameter(k)
		if err != nil {
			return nil, invalidf("method %s: %w", name, err)
		}
		m.Parameters = append(m.Parameters, p)
	}
	return m, nil
}

// decodeParameter reads PARAMETER, PARAMETER.ARRAY, PARAMETER.REFERENCE or
// PARAMETER.REFARRAY.
func decodeParameter(e *element) (*cim.Parameter, error) {
	name, ok := e.attr("NAME")
	if !ok || !isName(name) {
		return nil, invalidf("%s without a valid NAME", e.name)
	}
	p := &cim.Parameter{Name: name}
	switch e.name {
	case "PARAMETER", "PARAMETER.ARRAY":
		t, err := attrType(e)
		if err != nil {
			return nil, invalidf("parameter %s: %w", name, err)
		}
		p.Type, p.IsArray = t, e.name == "PARAMETER.ARRAY"
	case "PARAMETER.REFERENCE", "PARAMETER.REFARRAY":
		p.Type, p.IsArray = cim.TypeReference, e.name == "PARAMETER.REFARRAY"
		p.RefClass = e.attrOr("REFERENCECLASS", "")
	default:
		return nil, invalidf("METHOD cannot hold %s", e.name)
	}
	if s, ok := e.attr("ARRAYSIZE"); ok {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return nil, invalidf("parameter %s: invalid ARRAYSIZE %q", name, s)
		}
		p.ArraySize = n
	}
	var err error
	if p.Qualifiers, err = decodeQualifiers(e); err != nil {
		return nil, invalidf("parameter %s: %w", name, err)
	}
	return p, nil
}
