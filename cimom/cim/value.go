package cim

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Char16 is a CIM char16 value: one UCS-2 code unit.
type Char16 uint16

// A Value is a typed CIM value: a scalar, an array, or null. The zero Value is
// an untyped null. Null is distinct from an empty array, and array elements
// may themselves be null.
//
// Scalars are held as Go values: bool, uint8, int8, uint16, int16, uint32,
// int32, uint64, int64, float32, float64, Char16, string, Datetime,
// ObjectPath (reference) and *Instance (embedded instance or object). An array
// holds a []any of those, with nil for a null element.
type Value struct {
	typ   Type
	array bool
	v     any
}

// Null returns a null scalar of type t.
func Null(t Type) Value { return Value{typ: t} }

// NullArray returns a null array of type t.
func NullArray(t Type) Value { return Value{typ: t, array: true} }

// Bool returns a boolean value.
func Bool(b bool) Value { return Value{typ: TypeBoolean, v: b} }

// Uint8 returns a uint8 value.
func Uint8(n uint8) Value { return Value{typ: TypeUint8, v: n} }

// Sint8 returns a sint8 value.
func Sint8(n int8) Value { return Value{typ: TypeSint8, v: n} }

// Uint16 returns a uint16 value.
func Uint16(n uint16) Value { return Value{typ: TypeUint16, v: n} }

// Sint16 returns a sint16 value.
func Sint16(n int16) Value { return Value{typ: TypeSint16, v: n} }

// Uint32 returns a uint32 value.
func Uint32(n uint32) Value { return Value{typ: TypeUint32, v: n} }

// Sint32 returns a sint32 value.
func Sint32(n int32) Value { return Value{typ: TypeSint32, v: n} }

// Uint64 returns a uint64 value.
func Uint64(n uint64) Value { return Value{typ: TypeUint64, v: n} }

// Sint64 returns a sint64 value.
func Sint64(n int64) Value { return Value{typ: TypeSint64, v: n} }

// Real32 returns a real32 value.
func Real32(f float32) Value { return Value{typ: TypeReal32, v: f} }

// Real64 returns a real64 value.
func Real64(f float64) Value { return Value{typ: TypeReal64, v: f} }

// Char returns a char16 value.
func Char(c Char16) Value { return Value{typ: TypeChar16, v: c} }

// String returns a string value.
func String(s string) Value { return Value{typ: TypeString, v: s} }

// DateTimeValue returns a datetime value.
func DateTimeValue(d Datetime) Value { return Value{typ: TypeDateTime, v: d} }

// Ref returns a reference value.
func Ref(p ObjectPath) Value { return Value{typ: TypeReference, v: p} }

// Embedded returns an embedded instance value; a nil inst gives null.
func Embedded(inst *Instance) Value {
	if inst == nil {
		return Null(TypeInstance)
	}
	return Value{typ: TypeInstance, v: inst}
}

// Uint16Array returns a uint16[] value.
func Uint16Array(ns ...uint16) Value {
	a := make([]any, len(ns))
	for i, n := range ns {
		a[i] = n
	}
	return Value{typ: TypeUint16, array: true, v: a}
}

// StringArray returns a string[] value.
func StringArray(ss ...string) Value {
	a := make([]any, len(ss))
	for i, s := range ss {
		a[i] = s
	}
	return Value{typ: TypeString, array: true, v: a}
}

// RefArray returns a reference[] value.
func RefArray(ps ...ObjectPath) Value {
	a := make([]any, len(ps))
	for i, p := range ps {
		a[i] = p
	}
	return Value{typ: TypeReference, array: true, v: a}
}

// New returns a scalar of type t holding x, which must be the Go
// representation of t (see Value); a nil x gives null.
func New(t Type, x any) (Value, error) {
	if x == nil {
		return Null(t), nil
	}
	if err := checkElem(t, x); err != nil {
		return Value{}, err
	}
	return Value{typ: t, v: x}, nil
}

// NewArray returns an array of type t with the given elements (nil elements
// are null). A nil elems slice gives a null array; an empty one an empty array.
func NewArray(t Type, elems []any) (Value, error) {
	if elems == nil {
		return NullArray(t), nil
	}
	for i, e := range elems {
		if e == nil {
			continue
		}
		if err := checkElem(t, e); err != nil {
			return Value{}, fmt.Errorf("element %d: %w", i, err)
		}
	}
	return Value{typ: t, array: true, v: elems}, nil
}

func checkElem(t Type, x any) error {
	ok := false
	switch x.(type) {
	case bool:
		ok = t == TypeBoolean
	case uint8:
		ok = t == TypeUint8
	case int8:
		ok = t == TypeSint8
	case uint16:
		ok = t == TypeUint16
	case int16:
		ok = t == TypeSint16
	case uint32:
		ok = t == TypeUint32
	case int32:
		ok = t == TypeSint32
	case uint64:
		ok = t == TypeUint64
	case int64:
		ok = t == TypeSint64
	case float32:
		ok = t == TypeReal32
	case float64:
		ok = t == TypeReal64
	case Char16:
		ok = t == TypeChar16
	case string:
		ok = t == TypeString
	case Datetime:
		ok = t == TypeDateTime
	case ObjectPath:
		ok = t == TypeReference
	case *Instance:
		ok = t == TypeInstance
	}
	if !ok {
		return fmt.Errorf("Go value %T cannot hold a CIM %s", x, t)
	}
	return nil
}

// Type returns the CIM type of v.
func (v Value) Type() Type { return v.typ }

// IsArray reports whether v is an array value (null or not).
func (v Value) IsArray() bool { return v.array }

// IsNull reports whether v is null.
func (v Value) IsNull() bool {
	if v.array {
		return v.v == nil || v.v.([]any) == nil
	}
	return v.v == nil
}

// Raw returns the Go representation of a scalar, the []any of an array, or nil
// for null.
func (v Value) Raw() any { return v.v }

// Len returns the number of elements of an array value (0 for null).
func (v Value) Len() int {
	if !v.array || v.v == nil {
		return 0
	}
	return len(v.v.([]any))
}

// Index returns element i of an array value as a scalar Value.
func (v Value) Index(i int) Value {
	return Value{typ: v.typ, v: v.v.([]any)[i]}
}

// Elems returns the elements of an array value as scalar Values.
func (v Value) Elems() []Value {
	n := v.Len()
	out := make([]Value, n)
	for i := range n {
		out[i] = v.Index(i)
	}
	return out
}

// Str returns the string held by a string scalar, or "" otherwise.
func (v Value) Str() string {
	s, _ := v.v.(string)
	return s
}

// AsBool returns the boolean held by a boolean scalar.
func (v Value) AsBool() (b, ok bool) {
	b, ok = v.v.(bool)
	return b, ok
}

// AsRef returns the path held by a reference scalar.
func (v Value) AsRef() (ObjectPath, bool) {
	p, ok := v.v.(ObjectPath)
	return p, ok
}

// AsInstance returns the instance held by an embedded-instance scalar.
func (v Value) AsInstance() *Instance {
	i, _ := v.v.(*Instance)
	return i
}

// AsDatetime returns the datetime held by a datetime scalar.
func (v Value) AsDatetime() (Datetime, bool) {
	d, ok := v.v.(Datetime)
	return d, ok
}

// AsInt64 returns an integer scalar as int64; ok is false for non-integers and
// for uint64 values above math.MaxInt64.
func (v Value) AsInt64() (int64, bool) {
	switch n := v.v.(type) {
	case uint8:
		return int64(n), true
	case int8:
		return int64(n), true
	case uint16:
		return int64(n), true
	case int16:
		return int64(n), true
	case uint32:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case uint64:
		return int64(n), n <= math.MaxInt64
	}
	return 0, false
}

// AsUint64 returns a non-negative integer scalar as uint64.
func (v Value) AsUint64() (uint64, bool) {
	if n, ok := v.v.(uint64); ok {
		return n, true
	}
	n, ok := v.AsInt64()
	return uint64(n), ok && n >= 0
}

// AsFloat64 returns any numeric scalar as float64.
func (v Value) AsFloat64() (float64, bool) {
	switch n := v.v.(type) {
	case float32:
		return float64(n), true
	case float64:
		return n, true
	case uint64:
		return float64(n), true
	}
	n, ok := v.AsInt64()
	return float64(n), ok
}

// Text returns the canonical text of a non-null scalar as CIM-XML and MOF
// carry it: TRUE/FALSE, decimal integers, shortest round-trip reals, the
// character, the string itself, the 25-character datetime, the WBEM URI of a
// reference. Embedded instances have no text form here (bindings encode them).
func (v Value) Text() string {
	switch x := v.v.(type) {
	case nil:
		return ""
	case bool:
		if x {
			return "TRUE"
		}
		return "FALSE"
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case Char16:
		return string(rune(x))
	case string:
		return x
	case Datetime:
		return x.String()
	case ObjectPath:
		return x.String()
	case *Instance:
		return "instance of " + x.ClassName
	}
	if n, ok := v.AsInt64(); ok {
		return strconv.FormatInt(n, 10)
	}
	n, _ := v.AsUint64()
	return strconv.FormatUint(n, 10)
}

// String formats v for people and logs: scalars as Text, arrays as {a, b},
// null as NULL, strings quoted.
func (v Value) String() string {
	if v.IsNull() {
		return "NULL"
	}
	if !v.array {
		return v.scalarString()
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, e := range v.Elems() {
		if i > 0 {
			b.WriteString(", ")
		}
		if e.IsNull() {
			b.WriteString("NULL")
		} else {
			b.WriteString(e.scalarString())
		}
	}
	b.WriteByte('}')
	return b.String()
}

func (v Value) scalarString() string {
	switch v.typ {
	case TypeString, TypeDateTime, TypeReference, TypeChar16:
		return strconv.Quote(v.Text())
	}
	return v.Text()
}

// ParseScalar converts text in the canonical form of Text into a scalar of
// type t. Integers accept decimal, 0x hex and a leading sign; booleans are
// case-insensitive; datetimes must be valid DSP0004 datetimes; references are
// WBEM URI object paths. It fails for TypeInstance.
func ParseScalar(t Type, s string) (Value, error) {
	switch {
	case t.IsInteger():
		return parseInteger(t, s)
	case t.IsReal():
		bits := 64
		if t == TypeReal32 {
			bits = 32
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(s), bits)
		if err != nil {
			return Value{}, fmt.Errorf("invalid %s %q", t, s)
		}
		if bits == 32 {
			return Real32(float32(f)), nil
		}
		return Real64(f), nil
	}
	switch t {
	case TypeBoolean:
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true":
			return Bool(true), nil
		case "false":
			return Bool(false), nil
		}
		return Value{}, fmt.Errorf("invalid boolean %q", s)
	case TypeString:
		return String(s), nil
	case TypeChar16:
		r := []rune(s)
		if len(r) != 1 || r[0] > 0xFFFF {
			return Value{}, fmt.Errorf("invalid char16 %q: want exactly one UCS-2 character", s)
		}
		return Char(Char16(r[0])), nil
	case TypeDateTime:
		d, err := ParseDatetime(s)
		if err != nil {
			return Value{}, err
		}
		return DateTimeValue(d), nil
	case TypeReference:
		p, err := ParseObjectPath(s)
		if err != nil {
			return Value{}, err
		}
		return Ref(p), nil
	}
	return Value{}, fmt.Errorf("cannot parse a %s from text", t)
}

func parseInteger(t Type, s string) (Value, error) {
	s = strings.TrimSpace(s)
	if t.IsSigned() {
		n, err := strconv.ParseInt(s, 0, t.bits())
		if err != nil {
			return Value{}, fmt.Errorf("invalid %s %q: %w", t, s, numErr(err))
		}
		return FromInt64(t, n)
	}
	n, err := strconv.ParseUint(strings.TrimPrefix(s, "+"), 0, t.bits())
	if err != nil {
		return Value{}, fmt.Errorf("invalid %s %q: %w", t, s, numErr(err))
	}
	return FromUint64(t, n)
}

func numErr(err error) error {
	if ne, ok := err.(*strconv.NumError); ok {
		return ne.Err
	}
	return err
}

// FromInt64 converts n to an integer Value of type t, failing when it does
// not fit.
func FromInt64(t Type, n int64) (Value, error) {
	if !t.IsInteger() {
		return Value{}, fmt.Errorf("%s is not an integer type", t)
	}
	if !t.IsSigned() {
		if n < 0 {
			return Value{}, fmt.Errorf("%d is out of range for %s", n, t)
		}
		return FromUint64(t, uint64(n))
	}
	lim := int64(1) << (t.bits() - 1)
	if t.bits() < 64 && (n < -lim || n >= lim) {
		return Value{}, fmt.Errorf("%d is out of range for %s", n, t)
	}
	switch t {
	case TypeSint8:
		return Sint8(int8(n)), nil
	case TypeSint16:
		return Sint16(int16(n)), nil
	case TypeSint32:
		return Sint32(int32(n)), nil
	}
	return Sint64(n), nil
}

// FromUint64 converts n to an integer Value of type t, failing when it does
// not fit.
func FromUint64(t Type, n uint64) (Value, error) {
	if !t.IsInteger() {
		return Value{}, fmt.Errorf("%s is not an integer type", t)
	}
	if t.IsSigned() {
		if n > math.MaxInt64 {
			return Value{}, fmt.Errorf("%d is out of range for %s", n, t)
		}
		return FromInt64(t, int64(n))
	}
	if t.bits() < 64 && n >= uint64(1)<<t.bits() {
		return Value{}, fmt.Errorf("%d is out of range for %s", n, t)
	}
	switch t {
	case TypeUint8:
		return Uint8(uint8(n)), nil
	case TypeUint16:
		return Uint16(uint16(n)), nil
	case TypeUint32:
		return Uint32(uint32(n)), nil
	}
	return Uint64(n), nil
}

// Equal reports whether a and b have the same type, array-ness and value.
// References compare canonically; embedded instances compare deeply.
func Equal(a, b Value) bool {
	if a.typ != b.typ || a.array != b.array || a.IsNull() != b.IsNull() {
		return false
	}
	if a.IsNull() {
		return true
	}
	if !a.array {
		return scalarEqual(a.v, b.v)
	}
	if a.Len() != b.Len() {
		return false
	}
	ae, be := a.v.([]any), b.v.([]any)
	for i := range ae {
		if (ae[i] == nil) != (be[i] == nil) || (ae[i] != nil && !scalarEqual(ae[i], be[i])) {
			return false
		}
	}
	return true
}

func scalarEqual(a, b any) bool {
	switch x := a.(type) {
	case ObjectPath:
		y, ok := b.(ObjectPath)
		return ok && x.Equal(y)
	case *Instance:
		y, ok := b.(*Instance)
		return ok && x.Equal(y)
	case float32:
		y, ok := b.(float32)
		return ok && (x == y || (x != x && y != y))
	case float64:
		y, ok := b.(float64)
		return ok && (x == y || (x != x && y != y))
	}
	return a == b
}
