package query

import (
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// compare orders two non-null scalars, returning -1, 0 or 1; ok is false
// when they cannot be compared (with an ordering operator when equality is
// false). A string is first converted to the other operand's type, so that
// a literal '20250101000000.000000+000' compares with a datetime and '2'
// with a number. Numbers compare by value whatever their types; datetimes
// as instants or as interval lengths; strings by code point, case-sensitive.
// Booleans, references and embedded instances only compare for equality.
func compare(a, b cim.Value, equality bool) (int, bool) {
	if a.IsNull() || b.IsNull() || a.IsArray() || b.IsArray() {
		return 0, false
	}
	a, b, ok := unify(a, b)
	if !ok {
		return 0, false
	}
	switch {
	case a.Type().IsNumeric() && b.Type().IsNumeric():
		if isNaN(a) || isNaN(b) {
			return 0, false
		}
		return compareNumbers(a, b), true
	case isText(a) && isText(b):
		return strings.Compare(a.Text(), b.Text()), true
	case a.Type() != b.Type():
		return 0, false
	case a.Type() == cim.TypeDateTime:
		x, _ := a.AsDatetime()
		y, _ := b.AsDatetime()
		c, err := x.Compare(y)
		return c, err == nil
	case equality:
		if cim.Equal(a, b) {
			return 0, true
		}
		return 1, true
	}
	return 0, false
}

func isNaN(v cim.Value) bool {
	f, _ := v.AsFloat64()
	return f != f
}

func isText(v cim.Value) bool { return v.Type() == cim.TypeString || v.Type() == cim.TypeChar16 }

// unify converts a string operand to the type of the other operand when
// that is neither text nor an embedded instance.
func unify(a, b cim.Value) (cim.Value, cim.Value, bool) {
	convert := func(s, other cim.Value) (cim.Value, bool) {
		v, err := cim.ParseScalar(other.Type(), strings.TrimSpace(s.Str()))
		return v, err == nil
	}
	var ok bool
	switch {
	case a.Type() == cim.TypeString && !isText(b) && b.Type() != cim.TypeInstance:
		a, ok = convert(a, b)
		return a, b, ok
	case b.Type() == cim.TypeString && !isText(a) && a.Type() != cim.TypeInstance:
		b, ok = convert(b, a)
		return a, b, ok
	}
	return a, b, true
}

// compareNumbers orders two numeric scalars exactly when both are integers
// and as float64 otherwise.
func compareNumbers(a, b cim.Value) int {
	if a.Type().IsInteger() && b.Type().IsInteger() {
		an, aNeg := magnitude(a)
		bn, bNeg := magnitude(b)
		switch {
		case aNeg != bNeg && aNeg:
			return -1
		case aNeg != bNeg:
			return 1
		case aNeg:
			return cmp3(bn, an)
		}
		return cmp3(an, bn)
	}
	x, _ := a.AsFloat64()
	y, _ := b.AsFloat64()
	return cmp3(x, y)
}

// magnitude returns the absolute value of an integer and its sign.
func magnitude(v cim.Value) (uint64, bool) {
	if u, ok := v.AsUint64(); ok {
		return u, false
	}
	n, _ := v.AsInt64()
	return uint64(-n), true
}

func cmp3[T uint64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
