package cim

import (
	"fmt"
	"strings"
)

// Derive flattens a class declaration against its already flattened
// superclass (nil for a root class): inherited properties and methods are
// copied with Propagated set and their ClassOrigin kept, local declarations
// override inherited ones of the same name, and qualifiers with the
// ToSubclass flavor propagate. It enforces DSP0004's rules: an Override must
// name an inherited feature, an overriding feature keeps its type, a
// DisableOverride qualifier keeps its value, a keyed superclass gets no new
// keys, only associations have references, and an association has at least
// two. The result has its lookup index built.
func Derive(local, super *Class) (*Class, error) {
	if super != nil && !strings.EqualFold(local.SuperClass, super.Name) {
		return nil, fmt.Errorf("class %s: superclass is %s, not %s", local.Name, local.SuperClass, super.Name)
	}
	out := &Class{Name: local.Name, SuperClass: local.SuperClass}
	var err error
	if out.Qualifiers, err = mergeQualifiers(inherited(super), local.Qualifiers); err != nil {
		return nil, fmt.Errorf("class %s: %w", local.Name, err)
	}
	if err := deriveProperties(out, local, super); err != nil {
		return nil, err
	}
	if err := deriveMethods(out, local, super); err != nil {
		return nil, err
	}
	if err := checkReferences(out); err != nil {
		return nil, err
	}
	out.BuildIndex()
	return out, nil
}

func inherited(super *Class) Qualifiers {
	if super == nil {
		return nil
	}
	return super.Qualifiers
}

// mergeQualifiers returns the qualifiers an element gets from its parent's
// (ToSubclass ones, marked Propagated) overridden by its own.
func mergeQualifiers(parent, own Qualifiers) (Qualifiers, error) {
	var out Qualifiers
	for _, q := range parent {
		if q.Flavor.ToSubclass {
			q.Propagated = true
			out = append(out, q)
		}
	}
	for _, q := range own {
		if prev, ok := out.Get(q.Name); ok && !prev.Flavor.Overridable && !Equal(prev.Value, q.Value) {
			return nil, fmt.Errorf("qualifier %s has flavor DisableOverride: cannot change %s to %s", q.Name, prev.Value, q.Value)
		}
		q.Propagated = false
		out = out.With(q)
	}
	return out, nil
}

func deriveProperties(out, local, super *Class) error {
	superHasKeys := false
	if super != nil {
		for _, p := range super.Properties {
			np := *p
			np.Propagated = true
			np.Qualifiers = propagatedOnly(p.Qualifiers)
			out.Properties = append(out.Properties, &np)
			superHasKeys = superHasKeys || p.IsKey()
		}
	}
	for _, lp := range local.Properties {
		if err := overrideOrAdd(out, lp, superHasKeys); err != nil {
			return fmt.Errorf("class %s: property %s: %w", local.Name, lp.Name, err)
		}
	}
	return nil
}

func propagatedOnly(qs Qualifiers) Qualifiers {
	var out Qualifiers
	for _, q := range qs {
		if q.Flavor.ToSubclass {
			q.Propagated = true
			out = append(out, q)
		}
	}
	return out
}

func overrideOrAdd(out *Class, lp *Property, superHasKeys bool) error {
	target := lp.Name
	if o := lp.Qualifiers.Str("Override"); o != "" {
		target = o
	}
	np := *lp
	np.ClassOrigin, np.Propagated = out.Name, false
	for i, p := range out.Properties {
		if !strings.EqualFold(p.Name, target) {
			continue
		}
		if p.Type != lp.Type || p.IsArray != lp.IsArray {
			return fmt.Errorf("overrides %s %s with a different type", p.Name, typeName(p.Type, p.IsArray))
		}
		qs, err := mergeQualifiers(p.Qualifiers, lp.Qualifiers)
		if err != nil {
			return err
		}
		np.Qualifiers = qs
		if np.Default.IsNull() && np.Default.Type() == TypeInvalid {
			np.Default = p.Default
		}
		out.Properties[i] = &np
		return nil
	}
	if lp.Qualifiers.Has("Override") {
		return fmt.Errorf("Override(%q) names no inherited property", target)
	}
	if superHasKeys && lp.IsKey() {
		return fmt.Errorf("cannot add a key to a subclass of a keyed class")
	}
	out.Properties = append(out.Properties, &np)
	return nil
}

func deriveMethods(out, local, super *Class) error {
	if super != nil {
		for _, m := range super.Methods {
			nm := *m
			nm.Propagated = true
			nm.Qualifiers = propagatedOnly(m.Qualifiers)
			out.Methods = append(out.Methods, &nm)
		}
	}
	for _, lm := range local.Methods {
		nm := *lm
		nm.ClassOrigin, nm.Propagated = out.Name, false
		replaced := false
		for i, m := range out.Methods {
			if !strings.EqualFold(m.Name, lm.Name) {
				continue
			}
			if m.ReturnType != lm.ReturnType {
				return fmt.Errorf("class %s: method %s overrides a %s method with a %s one", local.Name, lm.Name, m.ReturnType, lm.ReturnType)
			}
			qs, err := mergeQualifiers(m.Qualifiers, lm.Qualifiers)
			if err != nil {
				return fmt.Errorf("class %s: method %s: %w", local.Name, lm.Name, err)
			}
			nm.Qualifiers = qs
			out.Methods[i], replaced = &nm, true
			break
		}
		if !replaced {
			if lm.Qualifiers.Has("Override") {
				return fmt.Errorf("class %s: method %s: Override names no inherited method", local.Name, lm.Name)
			}
			out.Methods = append(out.Methods, &nm)
		}
	}
	return nil
}

func checkReferences(c *Class) error {
	refs := len(c.References())
	switch {
	case c.IsAssociation() && refs < 2:
		return fmt.Errorf("association %s has %d references; it needs at least two", c.Name, refs)
	case !c.IsAssociation() && refs > 0:
		return fmt.Errorf("class %s has references but is not an association", c.Name)
	}
	return nil
}

func typeName(t Type, array bool) string {
	if array {
		return t.String() + "[]"
	}
	return t.String()
}
