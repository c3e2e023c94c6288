package store

import (
	"math"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// A value starts with a header byte: the CIM type in the low five bits,
// then valArray and valNull. A non-null scalar is followed by its payload;
// a non-null array by uvarint n<<1|hasNulls, a null bitmap of (n+7)/8 bytes
// (bit i set: element i is null) when hasNulls, and the payloads of the
// non-null elements. Payloads:
//
//	boolean          one byte, 0 or 1
//	uint8, sint8     one byte
//	uint16–uint64    uvarint          sint16–sint64  varint
//	real32, real64   IEEE 754 bits, little endian (NaN payloads, ±0 and ±Inf exact)
//	char16           uvarint
//	string           string
//	datetime         string: "" for the zero Datetime, else its 25 characters
//	reference        object path
//	instance         instance
const (
	valTypeMask = 0x1f
	valArray    = 0x20
	valNull     = 0x40
)

// Property flags in an instance record.
const (
	propPropagated = 1 << iota
	propOrigin     // a non-empty ClassOrigin string follows
	propQualifiers // a non-nil qualifier list follows (count, then items)
)

// Qualifier flags.
const (
	qualOverridable = 1 << iota
	qualToSubclass
	qualTranslatable
	qualPropagated
)

func (e *encoder) value(v cim.Value, depth int) {
	t := v.Type()
	if t > cim.TypeInstance {
		e.fail("value of unknown CIM type %d", t)
		return
	}
	h := byte(t)
	if v.IsArray() {
		h |= valArray
	}
	if v.IsNull() {
		e.byte(h | valNull)
		return
	}
	e.byte(h)
	if !v.IsArray() {
		e.scalar(t, v.Raw(), depth)
		return
	}
	elems, ok := v.Raw().([]any)
	if !ok {
		e.fail("%s array holds Go %T", t, v.Raw())
		return
	}
	e.array(t, elems, depth)
}

func (e *encoder) array(t cim.Type, elems []any, depth int) {
	nulls := 0
	for _, x := range elems {
		if x == nil {
			nulls++
		}
	}
	hdr := uint64(len(elems)) << 1
	if nulls > 0 {
		hdr |= 1
	}
	e.uvarint(hdr)
	if nulls > 0 {
		start := len(e.b)
		e.b = append(e.b, make([]byte, (len(elems)+7)/8)...)
		for i, x := range elems {
			if x == nil {
				e.b[start+i/8] |= 1 << (i % 8)
			}
		}
	}
	for _, x := range elems {
		if x != nil {
			e.scalar(t, x, depth)
		}
	}
}

func (e *encoder) scalar(t cim.Type, x any, depth int) {
	ok := true
	switch t {
	case cim.TypeBoolean:
		var b bool
		if b, ok = x.(bool); b {
			e.byte(1)
		} else {
			e.byte(0)
		}
	case cim.TypeUint8:
		var n uint8
		n, ok = x.(uint8)
		e.byte(n)
	case cim.TypeSint8:
		var n int8
		n, ok = x.(int8)
		e.byte(byte(n))
	case cim.TypeUint16:
		var n uint16
		n, ok = x.(uint16)
		e.uvarint(uint64(n))
	case cim.TypeSint16:
		var n int16
		n, ok = x.(int16)
		e.varint(int64(n))
	case cim.TypeUint32:
		var n uint32
		n, ok = x.(uint32)
		e.uvarint(uint64(n))
	case cim.TypeSint32:
		var n int32
		n, ok = x.(int32)
		e.varint(int64(n))
	case cim.TypeUint64:
		var n uint64
		n, ok = x.(uint64)
		e.uvarint(n)
	case cim.TypeSint64:
		var n int64
		n, ok = x.(int64)
		e.varint(n)
	default:
		e.otherScalar(t, x, depth)
		return
	}
	if !ok {
		e.fail("%s value holds Go %T", t, x)
	}
}

// otherScalar encodes the non-integer, non-boolean scalars.
func (e *encoder) otherScalar(t cim.Type, x any, depth int) {
	ok := true
	switch t {
	case cim.TypeReal32:
		var f float32
		f, ok = x.(float32)
		u := math.Float32bits(f)
		e.b = append(e.b, byte(u), byte(u>>8), byte(u>>16), byte(u>>24))
	case cim.TypeReal64:
		var f float64
		f, ok = x.(float64)
		u := math.Float64bits(f)
		e.b = append(e.b, byte(u), byte(u>>8), byte(u>>16), byte(u>>24),
			byte(u>>32), byte(u>>40), byte(u>>48), byte(u>>56))
	case cim.TypeChar16:
		var c cim.Char16
		c, ok = x.(cim.Char16)
		e.uvarint(uint64(c))
	case cim.TypeString:
		var s string
		s, ok = x.(string)
		e.str(s)
	case cim.TypeDateTime:
		var d cim.Datetime
		if d, ok = x.(cim.Datetime); ok && !d.IsZero() {
			if _, err := cim.ParseDatetime(d.String()); err != nil {
				e.fail("datetime cannot be stored: %v", err)
			}
		}
		e.str(d.String())
	case cim.TypeReference:
		var p cim.ObjectPath
		if p, ok = x.(cim.ObjectPath); ok {
			e.path(p, depth+1)
		}
	case cim.TypeInstance:
		var in *cim.Instance
		if in, ok = x.(*cim.Instance); ok && in == nil {
			e.fail("non-null embedded instance value holds a nil *Instance")
		} else if ok {
			e.instance(in, depth+1)
		}
	default:
		e.fail("%s values have no payload", t)
		return
	}
	if !ok {
		e.fail("%s value holds Go %T", t, x)
	}
}

func (e *encoder) path(p cim.ObjectPath, depth int) {
	if depth > maxDepth {
		e.fail("references and embedded instances nest deeper than %d", maxDepth)
		return
	}
	e.str(p.Host)
	e.str(p.Namespace)
	e.str(p.ClassName)
	e.list(len(p.Keys), p.Keys == nil)
	for _, k := range p.Keys {
		e.str(k.Name)
		e.value(k.Value, depth)
	}
}

func (e *encoder) instance(in *cim.Instance, depth int) {
	if depth > maxDepth {
		e.fail("references and embedded instances nest deeper than %d", maxDepth)
		return
	}
	e.str(in.ClassName)
	e.qualifiers(in.Qualifiers, depth)
	e.list(len(in.Properties), in.Properties == nil)
	for i := range in.Properties {
		p := &in.Properties[i]
		e.str(p.Name)
		var f byte
		if p.Propagated {
			f |= propPropagated
		}
		if p.ClassOrigin != "" {
			f |= propOrigin
		}
		if p.Qualifiers != nil {
			f |= propQualifiers
		}
		e.byte(f)
		if p.ClassOrigin != "" {
			e.str(p.ClassOrigin)
		}
		if p.Qualifiers != nil {
			e.uvarint(uint64(len(p.Qualifiers)))
			e.qualifierItems(p.Qualifiers, depth)
		}
		e.value(p.Value, depth)
	}
}

func (e *encoder) qualifiers(qs cim.Qualifiers, depth int) {
	e.list(len(qs), qs == nil)
	e.qualifierItems(qs, depth)
}

func (e *encoder) qualifierItems(qs cim.Qualifiers, depth int) {
	for _, q := range qs {
		e.str(q.Name)
		f := flavorBits(q.Flavor)
		if q.Propagated {
			f |= qualPropagated
		}
		e.byte(f)
		e.value(q.Value, depth)
	}
}

func flavorBits(fl cim.Flavor) byte {
	var f byte
	if fl.Overridable {
		f |= qualOverridable
	}
	if fl.ToSubclass {
		f |= qualToSubclass
	}
	if fl.Translatable {
		f |= qualTranslatable
	}
	return f
}

func bitsFlavor(f byte) cim.Flavor {
	return cim.Flavor{
		Overridable:  f&qualOverridable != 0,
		ToSubclass:   f&qualToSubclass != 0,
		Translatable: f&qualTranslatable != 0,
	}
}

// typeByte writes a declared CIM type.
func (e *encoder) typeByte(t cim.Type) {
	if t > cim.TypeInstance {
		e.fail("unknown CIM type %d", t)
	}
	e.byte(byte(t))
}

func (d *decoder) typeByte() cim.Type {
	t := cim.Type(d.byte())
	if t > cim.TypeInstance {
		d.fail("unknown CIM type %d", t)
		return cim.TypeInvalid
	}
	return t
}
