package store

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func arr(t cim.Type, elems ...any) cim.Value { return must(cim.NewArray(t, elems)) }

func scalar(t cim.Type, x any) cim.Value { return must(cim.New(t, x)) }

// roundTrip encodes and decodes inst and fails the test on any difference.
func roundTrip(t *testing.T, inst *cim.Instance) {
	t.Helper()
	b, err := EncodeInstance(inst)
	if err != nil {
		t.Fatalf("EncodeInstance: %v", err)
	}
	got, err := DecodeInstance(b)
	if err != nil {
		t.Fatalf("DecodeInstance: %v", err)
	}
	if d := diffInstance("instance", inst, got); d != "" {
		t.Fatalf("round trip changed the instance: %s", d)
	}
	again, err := EncodeInstance(got)
	if err != nil || !bytes.Equal(again, b) {
		t.Fatalf("re-encoding differs (err %v):\n%x\n%x", err, b, again)
	}
}

func instWith(vals ...cim.Value) *cim.Instance {
	in := cim.NewInstance("Ferrum_Test")
	for i, v := range vals {
		in.Properties = append(in.Properties, cim.PropertyValue{Name: "P" + string(rune('A'+i)), Value: v})
	}
	return in
}

var negZero = math.Copysign(0, -1)

func TestInstanceRoundTrip(t *testing.T) {
	nestedRef := cim.NewInstancePath("root/virt", "Ferrum_Host", cim.KeyBinding{Name: "Name", Value: cim.String("h1")})
	ref := cim.ObjectPath{Host: "Mgmt.Example", Namespace: "/ROOT/virt", ClassName: "Ferrum_VSSD", Keys: []cim.KeyBinding{
		{Name: "InstanceID", Value: cim.String(`a "quoted" \ id`)},
		{Name: "Id", Value: cim.Uint16(7)},
		{Name: "Neg", Value: cim.Sint64(-3)},
		{Name: "On", Value: cim.Bool(true)},
		{Name: "Host", Value: cim.Ref(nestedRef)},
	}}
	inner := instWith(cim.String("inner"), cim.Embedded(instWith(cim.Uint8(1))))
	inner.ClassName = "Ferrum_RASD"
	tests := []struct {
		name string
		inst *cim.Instance
	}{
		{"every integer width keeps its type and its extreme values", instWith(
			cim.Uint8(0), cim.Uint8(math.MaxUint8), cim.Sint8(math.MinInt8), cim.Sint8(math.MaxInt8),
			cim.Uint16(math.MaxUint16), cim.Sint16(math.MinInt16), cim.Uint32(math.MaxUint32), cim.Sint32(math.MinInt32),
			cim.Uint64(math.MaxUint64), cim.Sint64(math.MinInt64), cim.Sint64(math.MaxInt64), cim.Uint64(0))},
		{"reals keep NaN payloads, infinities and negative zero bit for bit", instWith(
			cim.Real32(float32(negZero)), cim.Real32(math.Float32frombits(0x7f800001)), cim.Real32(float32(math.Inf(-1))),
			cim.Real32(math.SmallestNonzeroFloat32), cim.Real64(negZero), cim.Real64(math.NaN()),
			cim.Real64(math.Float64frombits(0xfff0000000000abc)), cim.Real64(math.Inf(1)), cim.Real64(math.Pi))},
		{"char16 keeps NUL, surrogates and the largest code unit", instWith(
			cim.Char(0), cim.Char('é'), cim.Char(0xD800), cim.Char(0xFFFF))},
		{"strings keep empty, NUL, quotes and invalid UTF-8 bytes exactly", instWith(
			cim.String(""), cim.String("a\x00b"), cim.String(`"\`), cim.String("\xff\xfe"), cim.String("日本語😀"),
			cim.String(strings.Repeat("x", 70000)))},
		{"datetimes keep timestamps, intervals, wildcards and the zero value", instWith(
			cim.DateTimeValue(cim.MustDatetime("20240229235960.123456-720")),
			cim.DateTimeValue(cim.MustDatetime("99999999235959.999999:000")),
			cim.DateTimeValue(cim.MustDatetime("2024**********.******+000")),
			cim.DateTimeValue(cim.NewTimestamp(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC))),
			cim.DateTimeValue(cim.Datetime{}))},
		{"references keep host, namespace, spelling and typed keys with nested references", instWith(
			cim.Ref(ref), cim.Ref(cim.ObjectPath{ClassName: "CIM_Singleton"}),
			cim.Ref(cim.ObjectPath{ClassName: "CIM_X", Keys: []cim.KeyBinding{}}))},
		{"embedded instances nest recursively", instWith(cim.Embedded(inner), cim.Embedded(cim.NewInstance("Empty")))},
		{"arrays keep null elements; null, empty and all-null arrays differ", instWith(
			arr(cim.TypeUint16, uint16(1), nil, uint16(3)), cim.NullArray(cim.TypeString), arr(cim.TypeString),
			arr(cim.TypeBoolean, nil, nil, nil, nil, nil, nil, nil, nil, nil), arr(cim.TypeInvalid, nil),
			arr(cim.TypeReal64, math.NaN(), negZero), arr(cim.TypeReference, ref, nil),
			arr(cim.TypeInstance, nil, inner), arr(cim.TypeDateTime, cim.Datetime{}, nil, cim.MustDatetime("00000001000000.000000:000")),
			arr(cim.TypeChar16, cim.Char16('x')), arr(cim.TypeSint8, int8(-1), int8(0)))},
		{"null scalars keep their type, the untyped null included", instWith(
			cim.Value{}, cim.Null(cim.TypeUint64), cim.Null(cim.TypeReference), cim.Null(cim.TypeInstance))},
		{"qualifiers keep values, flavors and Propagated", &cim.Instance{ClassName: "Q", Qualifiers: cim.Qualifiers{
			{Name: "Description", Value: cim.String("d"), Flavor: cim.Flavor{Translatable: true}},
			{Name: "Key", Value: cim.Bool(true), Flavor: cim.Flavor{Overridable: true, ToSubclass: true}, Propagated: true},
			{Name: "ValueMap", Value: cim.StringArray("1", "2")},
		}}},
		{"properties keep ClassOrigin, Propagated and their qualifiers", &cim.Instance{ClassName: "P", Properties: []cim.PropertyValue{
			{Name: "A", Value: cim.Uint32(1), ClassOrigin: "CIM_ManagedElement", Propagated: true},
			{Name: "B", Value: cim.String("b"), Qualifiers: cim.Qualifiers{}},
			{Name: "C", Value: cim.String("c"), Qualifiers: cim.Qualifiers{{Name: "Key", Value: cim.Bool(true)}}},
		}}},
		{"nil and empty property and qualifier lists differ", &cim.Instance{ClassName: "E", Qualifiers: cim.Qualifiers{}, Properties: []cim.PropertyValue{}}},
		{"an instance with nothing but a class name", &cim.Instance{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { roundTrip(t, tc.inst) })
	}
}

func TestRandomObjectsRoundTrip(t *testing.T) {
	g := newGen(20240601)
	for i := range 3000 {
		inst := g.instance(0)
		b, err := EncodeInstance(inst)
		if err != nil {
			t.Fatalf("object %d: EncodeInstance: %v", i, err)
		}
		got, err := DecodeInstance(b)
		if err != nil {
			t.Fatalf("object %d: DecodeInstance: %v", i, err)
		}
		if d := diffInstance("instance", inst, got); d != "" {
			t.Fatalf("object %d: %s", i, d)
		}
		p := g.path(0)
		gotPath, err := DecodePath(must(EncodePath(p)))
		if err != nil {
			t.Fatalf("object %d: DecodePath: %v", i, err)
		}
		if d := diffPath("path", p, gotPath); d != "" {
			t.Fatalf("object %d: %s", i, d)
		}
		c := g.class()
		gotClass, err := DecodeClass(must(EncodeClass(c)))
		if err != nil {
			t.Fatalf("object %d: DecodeClass: %v", i, err)
		}
		if d := diffClass(c, gotClass); d != "" {
			t.Fatalf("object %d: %s", i, d)
		}
		q := g.qualifierDecl()
		gotDecl, err := DecodeQualifierDecl(must(EncodeQualifierDecl(q)))
		if err != nil {
			t.Fatalf("object %d: DecodeQualifierDecl: %v", i, err)
		}
		if d := diffQualifierDecl(q, gotDecl); d != "" {
			t.Fatalf("object %d: %s", i, d)
		}
	}
}

func TestClassRoundTrip(t *testing.T) {
	c := &cim.Class{
		Name: "Ferrum_Custom", SuperClass: "CIM_LogicalElement",
		Qualifiers: cim.Qualifiers{{Name: "Association", Value: cim.Bool(true), Flavor: cim.Flavor{ToSubclass: true}}},
		Properties: []*cim.Property{
			{Name: "InstanceID", Type: cim.TypeString, Qualifiers: cim.Qualifiers{{Name: "Key", Value: cim.Bool(true)}}, ClassOrigin: "Ferrum_Custom"},
			{Name: "Sizes", Type: cim.TypeUint64, IsArray: true, ArraySize: 4, Default: cim.NullArray(cim.TypeUint64)},
			{Name: "Antecedent", Type: cim.TypeReference, RefClass: "CIM_ManagedElement", Propagated: true, ClassOrigin: "CIM_Dependency"},
			{Name: "Ratio", Type: cim.TypeReal32, Default: cim.Real32(float32(negZero))},
		},
		Methods: []*cim.Method{
			{Name: "RequestStateChange", ReturnType: cim.TypeUint32, ClassOrigin: "CIM_EnabledLogicalElement", Propagated: true,
				Parameters: []*cim.Parameter{
					{Name: "RequestedState", Type: cim.TypeUint16, Qualifiers: cim.Qualifiers{{Name: "In", Value: cim.Bool(true)}}},
					{Name: "Job", Type: cim.TypeReference, RefClass: "CIM_ConcreteJob"},
					{Name: "Names", Type: cim.TypeString, IsArray: true},
				}},
			{Name: "NoParams", ReturnType: cim.TypeBoolean, Parameters: []*cim.Parameter{}},
		},
	}
	c.BuildIndex()
	got, err := DecodeClass(must(EncodeClass(c)))
	if err != nil {
		t.Fatal(err)
	}
	if d := diffClass(c, got); d != "" {
		t.Fatal(d)
	}
	decl := &cim.QualifierDecl{Name: "ValueMap", Type: cim.TypeString, IsArray: true, Default: cim.NullArray(cim.TypeString),
		Scope: cim.ScopeProperty | cim.ScopeMethod | cim.ScopeParameter, Flavor: cim.DefaultFlavor}
	gotDecl, err := DecodeQualifierDecl(must(EncodeQualifierDecl(decl)))
	if err != nil {
		t.Fatal(err)
	}
	if d := diffQualifierDecl(decl, gotDecl); d != "" {
		t.Fatal(d)
	}
}

func nest(depth int) *cim.Instance {
	in := cim.NewInstance("Leaf")
	for range depth {
		in = instWith(cim.Embedded(in))
	}
	return in
}

func TestEncodeRejectsWhatNoConstructorMakes(t *testing.T) {
	badArray := cim.StringArray("a")
	badArray.Raw().([]any)[0] = 42 // a caller scribbling on Raw's slice
	tests := []struct {
		name string
		inst *cim.Instance
	}{
		{"a nil instance", nil},
		{"a non-null embedded value holding a nil *Instance", instWith(must(cim.New(cim.TypeInstance, (*cim.Instance)(nil))))},
		{"a type outside the CIM types", instWith(cim.Null(cim.Type(99)))},
		{"an array element of the wrong Go type", instWith(badArray)},
		{"a timestamp past year 9999, which has no 25-character form", instWith(cim.DateTimeValue(cim.NewTimestamp(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC))))},
		{"embedded instances nested deeper than 32", nest(maxDepth + 1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := EncodeInstance(tc.inst); !errors.Is(err, ErrInvalid) {
				t.Fatalf("EncodeInstance error = %v, want ErrInvalid", err)
			}
		})
	}
	roundTrip(t, nest(maxDepth)) // the limit itself is fine
}

func TestDecodeRejectsMalformedRecords(t *testing.T) {
	good := must(EncodeInstance(instWith(cim.Uint16(300), cim.Bool(true))))
	with := func(edit func(b []byte) []byte) []byte { return edit(bytes.Clone(good)) }
	tests := []struct {
		name string
		rec  []byte
	}{
		{"an empty record", nil},
		{"a record of another kind", must(EncodePath(cim.ObjectPath{ClassName: "X"}))},
		{"a record of a later format", with(func(b []byte) []byte { b[0] = 2<<4 | kindInstance; return b })},
		{"a truncated record", good[:len(good)-1]},
		{"trailing bytes", append(bytes.Clone(good), 0)},
		{"a non-minimal varint", []byte{0x11, 0x81, 0x00, 'X', 0, 0}},
		{"a boolean byte other than 0 or 1", with(func(b []byte) []byte { b[len(b)-1] = 2; return b })},
		{"a uint16 that overflows 16 bits", []byte{0x11, 1, 'X', 0, 2, 1, 'P', 0, byte(cim.TypeUint16), 0x80, 0x80, 0x04}},
		{"unknown property flags", []byte{0x11, 1, 'X', 0, 2, 1, 'P', 0x80, 0x40}},
		{"a list longer than the record", []byte{0x11, 1, 'X', 0, 0xff, 0xff, 0xff, 0xff, 0x0f}},
		{"an invalid datetime", []byte{0x11, 1, 'X', 0, 2, 1, 'P', 0, byte(cim.TypeDateTime), 3, 'a', 'b', 'c'}},
		{"an array with an empty null bitmap", []byte{0x11, 1, 'X', 0, 2, 1, 'P', 0, byte(cim.TypeUint8) | valArray, 3, 0, 7}},
		{"a payload for the untyped null", []byte{0x11, 1, 'X', 0, 2, 1, 'P', 0, 0}},
		{"nesting deeper than 32", deepRecord(maxDepth + 2)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if in, err := DecodeInstance(tc.rec); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("DecodeInstance = %v, %v; want ErrCorrupt", in, err)
			}
		})
	}
}

// deepRecord hand-writes an instance record with n nested embedded
// instances, which the encoder refuses to write.
func deepRecord(n int) []byte {
	b := []byte{0x11}
	for range n {
		b = append(b, 1, 'X', 0, 2, 1, 'P', 0, byte(cim.TypeInstance))
	}
	return append(b, 1, 'X', 0, 0)
}
