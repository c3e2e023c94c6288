package store

import (
	"fmt"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// Declaration flags of properties, methods and parameters.
const (
	declArray = 1 << iota
	declPropagated
)

// EncodeInstance returns the record of inst: a compact binary form that
// DecodeInstance turns back into an identical instance (every CIM type
// bit-exact, nil and empty lists kept apart). It fails, wrapping ErrInvalid,
// for values no CIM constructor can make — an unknown type, a nil embedded
// instance, nesting deeper than 32.
func EncodeInstance(inst *cim.Instance) ([]byte, error) {
	if inst == nil {
		return nil, fmt.Errorf("encode instance: %w: nil instance", ErrInvalid)
	}
	e := encoder{b: make([]byte, 0, 128)}
	e.header(kindInstance)
	e.instance(inst, 0)
	if e.err != nil {
		return nil, fmt.Errorf("encode instance of %s: %w", inst.ClassName, e.err)
	}
	return e.b, nil
}

// DecodeInstance decodes a record written by EncodeInstance. Untrusted input
// gets an error wrapping ErrCorrupt, never a panic.
func DecodeInstance(b []byte) (*cim.Instance, error) { return decodeInstance(string(b)) }

func decodeInstance(s string) (*cim.Instance, error) {
	d := decoder{s: s}
	d.header(kindInstance)
	in := d.instance(0)
	if err := d.finish(); err != nil {
		return nil, fmt.Errorf("decode instance: %w", err)
	}
	return in, nil
}

// EncodePath returns the record of an object path, keeping host, namespace
// and spelling exactly.
func EncodePath(p cim.ObjectPath) ([]byte, error) {
	e := encoder{b: make([]byte, 0, 64)}
	e.header(kindPath)
	e.path(p, 0)
	if e.err != nil {
		return nil, fmt.Errorf("encode path %s: %w", p, e.err)
	}
	return e.b, nil
}

// DecodePath decodes a record written by EncodePath.
func DecodePath(b []byte) (cim.ObjectPath, error) { return decodePath(string(b)) }

func decodePath(s string) (cim.ObjectPath, error) {
	d := decoder{s: s}
	d.header(kindPath)
	p := d.path(0)
	if err := d.finish(); err != nil {
		return cim.ObjectPath{}, fmt.Errorf("decode path: %w", err)
	}
	return p, nil
}

// EncodeClass returns the record of a class declaration. The lookup index a
// flattened class may carry is not stored; call BuildIndex after decoding.
func EncodeClass(c *cim.Class) ([]byte, error) {
	if c == nil {
		return nil, fmt.Errorf("encode class: %w: nil class", ErrInvalid)
	}
	e := encoder{b: make([]byte, 0, 512)}
	e.header(kindClass)
	e.class(c)
	if e.err != nil {
		return nil, fmt.Errorf("encode class %s: %w", c.Name, e.err)
	}
	return e.b, nil
}

// DecodeClass decodes a record written by EncodeClass.
func DecodeClass(b []byte) (*cim.Class, error) {
	d := decoder{s: string(b)}
	d.header(kindClass)
	c := d.class()
	if err := d.finish(); err != nil {
		return nil, fmt.Errorf("decode class: %w", err)
	}
	return c, nil
}

// EncodeQualifierDecl returns the record of a qualifier declaration.
func EncodeQualifierDecl(q *cim.QualifierDecl) ([]byte, error) {
	if q == nil {
		return nil, fmt.Errorf("encode qualifier declaration: %w: nil declaration", ErrInvalid)
	}
	e := encoder{b: make([]byte, 0, 64)}
	e.header(kindQualifierDecl)
	e.str(q.Name)
	e.typeByte(q.Type)
	e.byte(boolBit(q.IsArray, declArray))
	e.varint(int64(q.ArraySize))
	e.uvarint(uint64(q.Scope))
	e.byte(flavorBits(q.Flavor))
	e.value(q.Default, 0)
	if e.err != nil {
		return nil, fmt.Errorf("encode qualifier declaration %s: %w", q.Name, e.err)
	}
	return e.b, nil
}

// DecodeQualifierDecl decodes a record written by EncodeQualifierDecl.
func DecodeQualifierDecl(b []byte) (*cim.QualifierDecl, error) {
	d := decoder{s: string(b)}
	d.header(kindQualifierDecl)
	q := &cim.QualifierDecl{Name: d.str(), Type: d.typeByte()}
	q.IsArray = d.flags(declArray) != 0
	q.ArraySize = d.int()
	scope := d.uintN(16)
	q.Scope = cim.Scope(scope)
	q.Flavor = bitsFlavor(d.flags(qualOverridable | qualToSubclass | qualTranslatable))
	q.Default = d.value(0)
	if err := d.finish(); err != nil {
		return nil, fmt.Errorf("decode qualifier declaration: %w", err)
	}
	return q, nil
}

func boolBit(b bool, bit byte) byte {
	if b {
		return bit
	}
	return 0
}

func (e *encoder) class(c *cim.Class) {
	e.str(c.Name)
	e.str(c.SuperClass)
	e.qualifiers(c.Qualifiers, 0)
	e.list(len(c.Properties), c.Properties == nil)
	for _, p := range c.Properties {
		if p == nil {
			e.fail("nil property")
			return
		}
		e.str(p.Name)
		e.typeByte(p.Type)
		e.byte(boolBit(p.IsArray, declArray) | boolBit(p.Propagated, declPropagated))
		e.varint(int64(p.ArraySize))
		e.str(p.RefClass)
		e.str(p.ClassOrigin)
		e.qualifiers(p.Qualifiers, 0)
		e.value(p.Default, 0)
	}
	e.list(len(c.Methods), c.Methods == nil)
	for _, m := range c.Methods {
		if m == nil {
			e.fail("nil method")
			return
		}
		e.method(m)
	}
}

func (e *encoder) method(m *cim.Method) {
	e.str(m.Name)
	e.typeByte(m.ReturnType)
	e.byte(boolBit(m.Propagated, declPropagated))
	e.str(m.ClassOrigin)
	e.qualifiers(m.Qualifiers, 0)
	e.list(len(m.Parameters), m.Parameters == nil)
	for _, p := range m.Parameters {
		if p == nil {
			e.fail("method %s: nil parameter", m.Name)
			return
		}
		e.str(p.Name)
		e.typeByte(p.Type)
		e.byte(boolBit(p.IsArray, declArray))
		e.varint(int64(p.ArraySize))
		e.str(p.RefClass)
		e.qualifiers(p.Qualifiers, 0)
	}
}

func (d *decoder) class() *cim.Class {
	c := &cim.Class{Name: d.str(), SuperClass: d.str()}
	c.Qualifiers = d.qualifiers(0)
	if n, isNil := d.list(8); !isNil && d.err == nil {
		c.Properties = make([]*cim.Property, n)
		for i := range c.Properties {
			p := &cim.Property{Name: d.str(), Type: d.typeByte()}
			f := d.flags(declArray | declPropagated)
			p.IsArray, p.Propagated = f&declArray != 0, f&declPropagated != 0
			p.ArraySize = d.int()
			p.RefClass = d.str()
			p.ClassOrigin = d.str()
			p.Qualifiers = d.qualifiers(0)
			p.Default = d.value(0)
			c.Properties[i] = p
		}
	}
	if n, isNil := d.list(6); !isNil && d.err == nil {
		c.Methods = make([]*cim.Method, n)
		for i := range c.Methods {
			c.Methods[i] = d.method()
		}
	}
	return c
}

func (d *decoder) method() *cim.Method {
	m := &cim.Method{Name: d.str(), ReturnType: d.typeByte()}
	m.Propagated = d.flags(declPropagated) != 0
	m.ClassOrigin = d.str()
	m.Qualifiers = d.qualifiers(0)
	if n, isNil := d.list(6); !isNil && d.err == nil {
		m.Parameters = make([]*cim.Parameter, n)
		for i := range m.Parameters {
			p := &cim.Parameter{Name: d.str(), Type: d.typeByte()}
			p.IsArray = d.flags(declArray) != 0
			p.ArraySize = d.int()
			p.RefClass = d.str()
			p.Qualifiers = d.qualifiers(0)
			m.Parameters[i] = p
		}
	}
	return m
}
