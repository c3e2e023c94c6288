package cim

import "strings"

// A Property declares a property or reference of a class. References have
// Type TypeReference and name their target in RefClass. ClassOrigin names the
// class that declared it; Propagated is true in classes that inherited it
// unchanged.
type Property struct {
	Name        string
	Type        Type
	IsArray     bool
	ArraySize   int // fixed size of an array, 0 for variable
	RefClass    string
	Default     Value
	Qualifiers  Qualifiers
	ClassOrigin string
	Propagated  bool
}

// IsKey reports whether p carries the Key qualifier.
func (p *Property) IsKey() bool { return p.Qualifiers.IsTrue("Key") }

// EmbeddedInstance returns the class named by p's EmbeddedInstance qualifier,
// or "".
func (p *Property) EmbeddedInstance() string { return p.Qualifiers.Str("EmbeddedInstance") }

// IsEmbeddedObject reports whether p holds embedded objects (EmbeddedObject
// or EmbeddedInstance qualifier).
func (p *Property) IsEmbeddedObject() bool {
	return p.Qualifiers.IsTrue("EmbeddedObject") || p.EmbeddedInstance() != ""
}

// A Parameter declares a method parameter.
type Parameter struct {
	Name       string
	Type       Type
	IsArray    bool
	ArraySize  int
	RefClass   string
	Qualifiers Qualifiers
}

// IsIn reports whether the parameter is an input (In defaults to true).
func (p *Parameter) IsIn() bool {
	q, ok := p.Qualifiers.Get("In")
	if !ok {
		return true
	}
	b, _ := q.Value.AsBool()
	return b
}

// IsOut reports whether the parameter is an output.
func (p *Parameter) IsOut() bool { return p.Qualifiers.IsTrue("Out") }

// A Method declares an extrinsic method of a class.
type Method struct {
	Name        string
	ReturnType  Type
	Parameters  []*Parameter
	Qualifiers  Qualifiers
	ClassOrigin string
	Propagated  bool
}

// Parameter returns the parameter named name (case-insensitive).
func (m *Method) Parameter(name string) *Parameter {
	for _, p := range m.Parameters {
		if strings.EqualFold(p.Name, name) {
			return p
		}
	}
	return nil
}

// A Class is a CIM class. A class from the repository is flattened: it holds
// its inherited features too, each with its ClassOrigin, and must not be
// modified; Clone it first.
type Class struct {
	Name       string
	SuperClass string
	Qualifiers Qualifiers
	Properties []*Property
	Methods    []*Method

	index map[string]int // property name as declared and lower-cased → position
	keys  []*Property    // cached by BuildIndex
}

// Property returns the property named name (case-insensitive), or nil.
func (c *Class) Property(name string) *Property {
	if c.index != nil {
		if i, ok := c.index[name]; ok {
			return c.Properties[i]
		}
		if i, ok := c.index[strings.ToLower(name)]; ok {
			return c.Properties[i]
		}
		return nil
	}
	for _, p := range c.Properties {
		if strings.EqualFold(p.Name, name) {
			return p
		}
	}
	return nil
}

// Method returns the method named name (case-insensitive), or nil.
func (c *Class) Method(name string) *Method {
	for _, m := range c.Methods {
		if strings.EqualFold(m.Name, name) {
			return m
		}
	}
	return nil
}

// Keys returns the key properties of c in declaration order. The slice is
// shared once the class is indexed; callers must not modify it.
func (c *Class) Keys() []*Property {
	if c.index != nil {
		return c.keys
	}
	var keys []*Property
	for _, p := range c.Properties {
		if p.IsKey() {
			keys = append(keys, p)
		}
	}
	return keys
}

// IsAssociation reports whether c is an association.
func (c *Class) IsAssociation() bool { return c.Qualifiers.IsTrue("Association") }

// IsIndication reports whether c is an indication class.
func (c *Class) IsIndication() bool { return c.Qualifiers.IsTrue("Indication") }

// IsAbstract reports whether c is abstract (cannot have instances of its own).
func (c *Class) IsAbstract() bool { return c.Qualifiers.IsTrue("Abstract") }

// References returns c's reference properties.
func (c *Class) References() []*Property {
	var refs []*Property
	for _, p := range c.Properties {
		if p.Type == TypeReference {
			refs = append(refs, p)
		}
	}
	return refs
}

// BuildIndex prepares fast property lookup; call it once a class is final.
func (c *Class) BuildIndex() {
	c.index = make(map[string]int, 2*len(c.Properties))
	c.keys = nil
	for i, p := range c.Properties {
		c.index[strings.ToLower(p.Name)] = i
		c.index[p.Name] = i
		if p.IsKey() {
			c.keys = append(c.keys, p)
		}
	}
}

// Clone returns a deep copy of c's declarations that the caller may modify.
func (c *Class) Clone() *Class {
	out := &Class{Name: c.Name, SuperClass: c.SuperClass, Qualifiers: cloneQualifiers(c.Qualifiers)}
	for _, p := range c.Properties {
		np := *p
		np.Qualifiers = cloneQualifiers(p.Qualifiers)
		out.Properties = append(out.Properties, &np)
	}
	for _, m := range c.Methods {
		nm := *m
		nm.Qualifiers = cloneQualifiers(m.Qualifiers)
		nm.Parameters = nil
		for _, prm := range m.Parameters {
			np := *prm
			np.Qualifiers = cloneQualifiers(prm.Qualifiers)
			nm.Parameters = append(nm.Parameters, &np)
		}
		out.Methods = append(out.Methods, &nm)
	}
	return out
}

func cloneQualifiers(qs Qualifiers) Qualifiers {
	if qs == nil {
		return nil
	}
	return append(Qualifiers(nil), qs...)
}
