package cimom

import (
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// InstanceOptions are the response options of the instance and association
// operations.
type InstanceOptions struct {
	// DeepInheritance, for EnumerateInstances, returns the properties of
	// subclass instances that the requested class does not declare.
	DeepInheritance bool
	// LocalOnly is deprecated for instance operations (DSP0200 1.4); Ferrum
	// treats it as false, as DSP0200 permits, so clients that send the old
	// default TRUE still receive whole instances.
	LocalOnly bool
	// IncludeQualifiers (deprecated) adds the class's qualifiers to the
	// instance and its properties.
	IncludeQualifiers bool
	// IncludeClassOrigin sets each property's ClassOrigin.
	IncludeClassOrigin bool
	// PropertyList, when not nil, limits the properties returned to those
	// named (names the class lacks are ignored); an empty non-nil list
	// returns no properties.
	PropertyList []string
}

// ClassOptions are the response options of GetClass and EnumerateClasses.
type ClassOptions struct {
	LocalOnly          bool
	IncludeQualifiers  bool
	IncludeClassOrigin bool
	PropertyList       []string
}

func inList(list []string, name string) bool {
	for _, n := range list {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}

// shapeInstance applies opts to an instance of class (the class the instance
// belongs to); requested is the class the client asked for, whose properties
// bound the result when DeepInheritance is false.
func shapeInstance(inst *cim.Instance, class, requested *cim.Class, opts InstanceOptions) *cim.Instance {
	trim := !opts.DeepInheritance && requested != nil && requested != class
	if !trim && opts.PropertyList == nil && !opts.IncludeClassOrigin && !opts.IncludeQualifiers {
		return inst
	}
	out := &cim.Instance{ClassName: inst.ClassName}
	if opts.IncludeQualifiers {
		out.Qualifiers = class.Qualifiers
	}
	for _, pv := range inst.Properties {
		if opts.PropertyList != nil && !inList(opts.PropertyList, pv.Name) {
			continue
		}
		decl := class.Property(pv.Name)
		if trim && requested.Property(pv.Name) == nil {
			continue
		}
		np := cim.PropertyValue{Name: pv.Name, Value: pv.Value}
		if decl != nil {
			np.Name = decl.Name
			if opts.IncludeClassOrigin {
				np.ClassOrigin = decl.ClassOrigin
				np.Propagated = decl.Propagated
			}
			if opts.IncludeQualifiers {
				np.Qualifiers = decl.Qualifiers
			}
		}
		out.Properties = append(out.Properties, np)
	}
	return out
}

// shapeClass applies opts to a flattened class, returning a copy.
func shapeClass(c *cim.Class, opts ClassOptions) *cim.Class {
	out := &cim.Class{Name: c.Name, SuperClass: c.SuperClass}
	if opts.IncludeQualifiers {
		out.Qualifiers = localQualifiers(c.Qualifiers, opts.LocalOnly)
	}
	for _, p := range c.Properties {
		if opts.LocalOnly && p.Propagated || opts.PropertyList != nil && !inList(opts.PropertyList, p.Name) {
			continue
		}
		np := *p
		np.Qualifiers = nil
		if opts.IncludeQualifiers {
			np.Qualifiers = p.Qualifiers
		}
		if !opts.IncludeClassOrigin {
			np.ClassOrigin = ""
		}
		out.Properties = append(out.Properties, &np)
	}
	for _, m := range c.Methods {
		if opts.LocalOnly && m.Propagated {
			continue
		}
		nm := *m
		if !opts.IncludeClassOrigin {
			nm.ClassOrigin = ""
		}
		if !opts.IncludeQualifiers {
			nm.Qualifiers = nil
			nm.Parameters = make([]*cim.Parameter, len(m.Parameters))
			for i, prm := range m.Parameters {
				np := *prm
				np.Qualifiers = nil
				nm.Parameters[i] = &np
			}
		}
		out.Methods = append(out.Methods, &nm)
	}
	out.BuildIndex()
	return out
}

func localQualifiers(qs cim.Qualifiers, localOnly bool) cim.Qualifiers {
	if !localOnly {
		return qs
	}
	var out cim.Qualifiers
	for _, q := range qs {
		if !q.Propagated {
			out = append(out, q)
		}
	}
	return out
}
