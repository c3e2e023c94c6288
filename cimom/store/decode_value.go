package store

import (
	"math"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// value reads a value written by encoder.value.
func (d *decoder) value(depth int) cim.Value {
	h := d.byte()
	if d.err != nil {
		return cim.Value{}
	}
	if h&^(valTypeMask|valArray|valNull) != 0 {
		d.fail("unknown value header bits %#x", h)
		return cim.Value{}
	}
	t := cim.Type(h & valTypeMask)
	if t > cim.TypeInstance {
		d.fail("unknown CIM type %d", t)
		return cim.Value{}
	}
	array := h&valArray != 0
	switch {
	case h&valNull != 0 && array:
		return cim.NullArray(t)
	case h&valNull != 0:
		return cim.Null(t)
	case array:
		return d.array(t, depth)
	}
	x := d.scalar(t, depth)
	if d.err != nil {
		return cim.Value{}
	}
	v, err := cim.New(t, x)
	if err != nil {
		d.fail("%v", err)
	}
	return v
}

func (d *decoder) array(t cim.Type, depth int) cim.Value {
	hdr := d.uvarint()
	n, hasNulls := hdr>>1, hdr&1 != 0
	limit := uint64(d.remaining())
	if hasNulls {
		limit *= 8
	}
	if d.err != nil || n > limit {
		d.fail("array of %d elements overruns the record", n)
		return cim.Value{}
	}
	elems := make([]any, n)
	var bitmap string
	if hasNulls {
		bitmap = d.fixed(int((n + 7) / 8))
		if !d.validBitmap(bitmap, int(n)) {
			return cim.Value{}
		}
	}
	for i := range elems {
		if hasNulls && bitmap[i/8]&(1<<(i%8)) != 0 {
			continue
		}
		elems[i] = d.scalar(t, depth)
		if d.err != nil {
			return cim.Value{}
		}
	}
	v, err := cim.NewArray(t, elems)
	if err != nil {
		d.fail("%v", err)
	}
	return v
}

// validBitmap checks that a null bitmap marks at least one of n elements
// and no bit beyond them, as the encoder writes it.
func (d *decoder) validBitmap(bitmap string, n int) bool {
	if d.err != nil {
		return false
	}
	marked := false
	for i := 0; i < len(bitmap); i++ {
		marked = marked || bitmap[i] != 0
	}
	if !marked {
		d.fail("null bitmap marks no element")
		return false
	}
	if r := n % 8; r != 0 && bitmap[len(bitmap)-1]>>r != 0 {
		d.fail("null bitmap marks elements past the end")
		return false
	}
	return true
}

// fixed reads n raw bytes.
func (d *decoder) fixed(n int) string {
	if n > d.remaining() {
		d.fail("%d-byte field overruns the record", n)
		return ""
	}
	s := d.s[d.off : d.off+n]
	d.off += n
	return s
}

// uintN reads a uvarint that must fit bits bits.
func (d *decoder) uintN(bits int) uint64 {
	x := d.uvarint()
	if bits < 64 && x>>bits != 0 {
		d.fail("%d does not fit %d bits", x, bits)
		return 0
	}
	return x
}

// intN reads a varint that must fit bits bits.
func (d *decoder) intN(bits int) int64 {
	x := d.varint()
	if lim := int64(1) << (bits - 1); bits < 64 && (x < -lim || x >= lim) {
		d.fail("%d does not fit %d signed bits", x, bits)
		return 0
	}
	return x
}

// scalar reads the payload of a non-null scalar of type t. The result is
// meaningless once d.err is set.
func (d *decoder) scalar(t cim.Type, depth int) any {
	switch t {
	case cim.TypeBoolean:
		c := d.byte()
		if c > 1 {
			d.fail("boolean byte %d", c)
		}
		return c == 1
	case cim.TypeUint8:
		return d.byte()
	case cim.TypeSint8:
		return int8(d.byte())
	case cim.TypeUint16:
		return uint16(d.uintN(16))
	case cim.TypeSint16:
		return int16(d.intN(16))
	case cim.TypeUint32:
		return uint32(d.uintN(32))
	case cim.TypeSint32:
		return int32(d.intN(32))
	case cim.TypeUint64:
		return d.uvarint()
	case cim.TypeSint64:
		return d.varint()
	}
	return d.otherScalar(t, depth)
}

func (d *decoder) otherScalar(t cim.Type, depth int) any {
	switch t {
	case cim.TypeReal32:
		return math.Float32frombits(uint32(le(d.fixed(4))))
	case cim.TypeReal64:
		return math.Float64frombits(le(d.fixed(8)))
	case cim.TypeChar16:
		return cim.Char16(d.uintN(16))
	case cim.TypeString:
		return d.str()
	case cim.TypeDateTime:
		return d.datetime()
	case cim.TypeReference:
		return d.path(depth + 1)
	case cim.TypeInstance:
		return d.instance(depth + 1)
	}
	d.fail("%s values have no payload", t)
	return nil
}

func (d *decoder) datetime() cim.Datetime {
	s := d.str()
	if s == "" {
		return cim.Datetime{}
	}
	dt, err := cim.ParseDatetime(s)
	if err != nil {
		d.fail("%v", err)
	}
	return dt
}

// le reads up to eight bytes little endian.
func le(s string) uint64 {
	var x uint64
	for i := len(s) - 1; i >= 0; i-- {
		x = x<<8 | uint64(s[i])
	}
	return x
}

func (d *decoder) path(depth int) cim.ObjectPath {
	if depth > maxDepth {
		d.fail("references and embedded instances nest deeper than %d", maxDepth)
		return cim.ObjectPath{}
	}
	p := cim.ObjectPath{Host: d.str(), Namespace: d.str(), ClassName: d.str()}
	n, isNil := d.list(2)
	if isNil || d.err != nil {
		return p
	}
	p.Keys = make([]cim.KeyBinding, n)
	for i := range p.Keys {
		p.Keys[i] = cim.KeyBinding{Name: d.str(), Value: d.value(depth)}
		if d.err != nil {
			break
		}
	}
	return p
}

func (d *decoder) instance(depth int) *cim.Instance {
	if depth > maxDepth {
		d.fail("references and embedded instances nest deeper than %d", maxDepth)
		return nil
	}
	in := &cim.Instance{ClassName: d.str()}
	in.Qualifiers = d.qualifiers(depth)
	n, isNil := d.list(3)
	if isNil || d.err != nil {
		return in
	}
	in.Properties = make([]cim.PropertyValue, n)
	for i := range in.Properties {
		d.property(&in.Properties[i], depth)
		if d.err != nil {
			break
		}
	}
	return in
}

func (d *decoder) property(p *cim.PropertyValue, depth int) {
	p.Name = d.str()
	f := d.flags(propPropagated | propOrigin | propQualifiers)
	p.Propagated = f&propPropagated != 0
	if f&propOrigin != 0 {
		if p.ClassOrigin = d.str(); p.ClassOrigin == "" {
			d.fail("empty class origin marked present")
		}
	}
	if f&propQualifiers != 0 {
		n := d.uvarint()
		if n > uint64(d.remaining()/3) {
			d.fail("list of %d qualifiers overruns the record", n)
			return
		}
		p.Qualifiers = d.qualifierItems(int(n), depth)
	}
	p.Value = d.value(depth)
}

func (d *decoder) qualifiers(depth int) cim.Qualifiers {
	n, isNil := d.list(3)
	if isNil || d.err != nil {
		return nil
	}
	return d.qualifierItems(n, depth)
}

func (d *decoder) qualifierItems(n, depth int) cim.Qualifiers {
	qs := make(cim.Qualifiers, n)
	for i := range qs {
		qs[i].Name = d.str()
		f := d.flags(qualOverridable | qualToSubclass | qualTranslatable | qualPropagated)
		qs[i].Flavor = bitsFlavor(f)
		qs[i].Propagated = f&qualPropagated != 0
		qs[i].Value = d.value(depth)
		if d.err != nil {
			break
		}
	}
	return qs
}
