package cim

import (
	"math"
	"testing"
)

func TestParseScalar(t *testing.T) {
	ok := []struct {
		t    Type
		in   string
		want Value
	}{
		{TypeUint8, "255", Uint8(255)},
		{TypeSint8, "-128", Sint8(-128)},
		{TypeUint16, "0x10", Uint16(16)},
		{TypeSint64, "-9223372036854775808", Sint64(math.MinInt64)},
		{TypeUint64, "18446744073709551615", Uint64(math.MaxUint64)},
		{TypeBoolean, "true", Bool(true)},
		{TypeBoolean, "FALSE", Bool(false)},
		{TypeReal32, "1.5", Real32(1.5)},
		{TypeReal64, "-2.5e-3", Real64(-2.5e-3)},
		{TypeChar16, "é", Char('é')},
		{TypeString, "", String("")},
		{TypeDateTime, "00000000000500.000000:000", DateTimeValue(MustDatetime("00000000000500.000000:000"))},
	}
	for _, tc := range ok {
		got, err := ParseScalar(tc.t, tc.in)
		if err != nil || !Equal(got, tc.want) {
			t.Errorf("ParseScalar(%s, %q) = %v, %v; want %v", tc.t, tc.in, got, err, tc.want)
		}
		if tc.t != TypeString && tc.t.IsInteger() {
			back, _ := ParseScalar(tc.t, got.Text())
			if !Equal(back, got) {
				t.Errorf("text round trip of %v", got)
			}
		}
	}
	bad := []struct {
		t  Type
		in string
	}{
		{TypeUint8, "256"}, {TypeUint8, "-1"}, {TypeSint8, "128"}, {TypeUint32, "abc"},
		{TypeBoolean, "yes"}, {TypeChar16, "ab"}, {TypeChar16, ""}, {TypeReal32, "x"},
		{TypeDateTime, "2025"}, {TypeReference, "not a path!"}, {TypeInstance, "x"},
	}
	for _, tc := range bad {
		if v, err := ParseScalar(tc.t, tc.in); err == nil {
			t.Errorf("ParseScalar(%s, %q) = %v, want error", tc.t, tc.in, v)
		}
	}
}

func TestRealsRoundTripExactly(t *testing.T) {
	for _, f := range []float64{0.1, 1.0 / 3, math.MaxFloat64, math.SmallestNonzeroFloat64, -0.0} {
		v := Real64(f)
		back, err := ParseScalar(TypeReal64, v.Text())
		if err != nil || back.Raw().(float64) != f {
			t.Errorf("%v → %q → %v", f, v.Text(), back)
		}
	}
	f32 := float32(16777217.0)
	back, _ := ParseScalar(TypeReal32, Real32(f32).Text())
	if back.Raw().(float32) != f32 {
		t.Errorf("real32 round trip lost precision")
	}
}

func TestNullDistinctFromEmpty(t *testing.T) {
	null := NullArray(TypeString)
	empty := StringArray()
	if !null.IsNull() || empty.IsNull() || Equal(null, empty) {
		t.Fatalf("null array and empty array must differ: %v %v", null, empty)
	}
	withNull, err := NewArray(TypeUint16, []any{uint16(1), nil, uint16(3)})
	if err != nil {
		t.Fatal(err)
	}
	if withNull.Len() != 3 || !withNull.Index(1).IsNull() || withNull.String() != "{1, NULL, 3}" {
		t.Fatalf("array with a null element: %v", withNull)
	}
	if _, err := NewArray(TypeUint16, []any{uint32(1)}); err == nil {
		t.Fatal("NewArray accepted a uint32 element in a uint16 array")
	}
	if _, err := New(TypeString, 3); err == nil {
		t.Fatal("New accepted an int for a string")
	}
}

func TestIntegerRanges(t *testing.T) {
	if _, err := FromInt64(TypeUint32, -1); err == nil {
		t.Error("negative uint32 accepted")
	}
	if _, err := FromUint64(TypeSint16, 40000); err == nil {
		t.Error("sint16 overflow accepted")
	}
	if v, err := FromInt64(TypeSint16, -32768); err != nil || v.Raw().(int16) != -32768 {
		t.Errorf("sint16 minimum: %v %v", v, err)
	}
}
