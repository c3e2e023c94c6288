package mof

import (
	"github.com/ferrum-virt/ferrum/cimom/cim"
)

func (c *Compiler) classDecl(d *ClassDecl) *ParseError {
	ns, perr := c.namespace(d.Context, d.Position)
	if perr != nil {
		return perr
	}
	if d.SuperClass != "" {
		if _, err := c.Target.Class(ns, d.SuperClass); err != nil {
			return errorf(d.SuperPos, "class %s: superclass %s is not defined in namespace %s", d.Name, d.SuperClass, ns)
		}
	}
	out := &cim.Class{Name: d.Name, SuperClass: d.SuperClass}
	if out.Qualifiers, perr = c.qualifiers(ns, d.Qualifiers); perr != nil {
		return perr
	}
	seen := map[string]Position{}
	for _, f := range d.Features {
		key := lower(f.FeatureName())
		if prev, dup := seen[key]; dup {
			return errorf(f.Pos(), "class %s: %s is declared twice (first at %s)", d.Name, f.FeatureName(), prev)
		}
		seen[key] = f.Pos()
		switch f := f.(type) {
		case *PropertyDecl:
			p, perr := c.property(ns, d.Name, f)
			if perr != nil {
				return perr
			}
			out.Properties = append(out.Properties, p)
		case *MethodDecl:
			m, perr := c.method(ns, d.Name, f)
			if perr != nil {
				return perr
			}
			out.Methods = append(out.Methods, m)
		}
	}
	if err := c.Target.AddClass(ns, out); err != nil {
		return errorf(d.NamePos, "class %s: %v", d.Name, err)
	}
	return nil
}

func (c *Compiler) checkRefTarget(ns, self string, t Type) *ParseError {
	if !t.Ref || lower(t.Name) == lower(self) {
		return nil
	}
	if _, err := c.Target.Class(ns, t.Name); err != nil {
		return errorf(t.Pos, "class %s is not defined in namespace %s", t.Name, ns)
	}
	return nil
}

func (c *Compiler) property(ns, class string, f *PropertyDecl) (*cim.Property, *ParseError) {
	t, ok := cimType(f.Type)
	if !ok {
		return nil, errorf(f.Type.Pos, "property %s: unknown type %s", f.Name, f.Type.Name)
	}
	if perr := c.checkRefTarget(ns, class, f.Type); perr != nil {
		return nil, perr
	}
	p := &cim.Property{Name: f.Name, Type: t, IsArray: f.Type.Array, ArraySize: f.Type.ArraySize}
	if f.Type.Ref {
		p.RefClass = f.Type.Name
	}
	var perr *ParseError
	if p.Qualifiers, perr = c.qualifiers(ns, f.Qualifiers); perr != nil {
		return nil, perr
	}
	if f.Default != nil {
		if p.Default, perr = c.convert(ns, f.Default, t, f.Type.Array, p.RefClass, false); perr != nil {
			return nil, errorf(perr.Pos, "property %s: %s", f.Name, perr.Msg)
		}
	}
	return p, nil
}

func (c *Compiler) method(ns, class string, f *MethodDecl) (*cim.Method, *ParseError) {
	rt, ok := cimType(f.ReturnType)
	if !ok || f.ReturnType.Array {
		return nil, errorf(f.ReturnType.Pos, "method %s: %s is not a method return type", f.Name, f.ReturnType.Name)
	}
	m := &cim.Method{Name: f.Name, ReturnType: rt}
	var perr *ParseError
	if m.Qualifiers, perr = c.qualifiers(ns, f.Qualifiers); perr != nil {
		return nil, perr
	}
	seen := map[string]bool{}
	for _, prm := range f.Parameters {
		if seen[lower(prm.Name)] {
			return nil, errorf(prm.NamePos, "method %s: parameter %s is declared twice", f.Name, prm.Name)
		}
		seen[lower(prm.Name)] = true
		t, ok := cimType(prm.Type)
		if !ok {
			return nil, errorf(prm.Type.Pos, "parameter %s: unknown type %s", prm.Name, prm.Type.Name)
		}
		if perr := c.checkRefTarget(ns, class, prm.Type); perr != nil {
			return nil, perr
		}
		p := &cim.Parameter{Name: prm.Name, Type: t, IsArray: prm.Type.Array, ArraySize: prm.Type.ArraySize}
		if prm.Type.Ref {
			p.RefClass = prm.Type.Name
		}
		if p.Qualifiers, perr = c.qualifiers(ns, prm.Qualifiers); perr != nil {
			return nil, perr
		}
		m.Parameters = append(m.Parameters, p)
	}
	return m, nil
}
