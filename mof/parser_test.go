package mof

import (
	"encoding/json"
	"reflect"
	"testing"
)

// str, num and the like build expected values without positions.
func str(s string) *StringValue { return &StringValue{Value: s} }
func num(raw string, neg bool, m uint64) *IntValue {
	return &IntValue{Raw: raw, Negative: neg, Magnitude: m}
}
func arr(vs ...Value) *ArrayValue { return &ArrayValue{Elements: vs} }
func flavors(names ...string) []Flavor {
	var fl []Flavor
	for _, n := range names {
		fl = append(fl, Flavor{Name: n})
	}
	return fl
}

func TestParseDeclarations(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []Decl
	}{
		{"pragmas are kept with lower-case names and joined string values",
			`#pragma include ("a/" "b.mof") #PRAGMA Source("x")`,
			[]Decl{&Pragma{Name: "include", Value: "a/b.mof"}, &Pragma{Name: "source", Value: "x"}}},
		{"a qualifier declaration with default, scope and flavors",
			`Qualifier Association : boolean = false, Scope(association), Flavor(DisableOverride, ToSubclass);`,
			[]Decl{&QualifierDecl{Name: "Association", Type: Type{Name: "boolean"}, Default: &BoolValue{},
				Scopes: []string{"association"}, Flavors: flavors("DisableOverride", "ToSubclass")}}},
		{"a qualifier declaration of array type with an array default and no flavor",
			`qualifier ValueMap : string[] = {"0", ".."}, scope(property, method, parameter);`,
			[]Decl{&QualifierDecl{Name: "ValueMap", Type: Type{Name: "string", Array: true}, Default: arr(str("0"), str("..")),
				Scopes: []string{"property", "method", "parameter"}}}},
		{"keywords, types, scopes and flavors are case-insensitive and canonicalised",
			`QUALIFIER Q : UINT32[4] = NULL, SCOPE(ANY), FLAVOR(enableoverride, RESTRICTED, translatable);`,
			[]Decl{&QualifierDecl{Name: "Q", Type: Type{Name: "uint32", Array: true, ArraySize: 4}, Default: &NullValue{},
				Scopes: []string{"any"}, Flavors: flavors("EnableOverride", "Restricted", "Translatable")}}},
		{"a class with qualifiers, alias, superclass and no features",
			`[Abstract, Version("2.1"), Description("a" "b") : ToSubclass Translatable] Class A as $a : B { };`,
			[]Decl{&ClassDecl{Qualifiers: []*Qualifier{{Name: "Abstract"}, {Name: "Version", Value: str("2.1")},
				{Name: "Description", Value: str("ab"), Flavors: flavors("ToSubclass", "Translatable")}},
				Name: "A", Alias: "a", SuperClass: "B"}}},
		{"properties: scalar, default, variable and fixed arrays, array defaults",
			`class A { [Key] string Name; uint16 N = 3; string S[]; uint8 F[4] = {1, 2}; sint8 E[] = {}; };`,
			[]Decl{&ClassDecl{Name: "A", Features: []Feature{
				&PropertyDecl{Qualifiers: []*Qualifier{{Name: "Key"}}, Type: Type{Name: "string"}, Name: "Name"},
				&PropertyDecl{Type: Type{Name: "uint16"}, Name: "N", Default: num("3", false, 3)},
				&PropertyDecl{Type: Type{Name: "string", Array: true}, Name: "S"},
				&PropertyDecl{Type: Type{Name: "uint8", Array: true, ArraySize: 4}, Name: "F", Default: arr(num("1", false, 1), num("2", false, 2))},
				&PropertyDecl{Type: Type{Name: "sint8", Array: true}, Name: "E", Default: arr()},
			}}}},
		{"references, with qualifiers and an object-path default",
			`[Association] class L { [Key, Max(1)] CIM_A ref Antecedent; CIM_B REF Dependent = "CIM_B.Name=\"x\""; };`,
			[]Decl{&ClassDecl{Qualifiers: []*Qualifier{{Name: "Association"}}, Name: "L", Features: []Feature{
				&PropertyDecl{Qualifiers: []*Qualifier{{Name: "Key"}, {Name: "Max", Value: num("1", false, 1)}},
					Type: Type{Name: "CIM_A", Ref: true}, Name: "Antecedent"},
				&PropertyDecl{Type: Type{Name: "CIM_B", Ref: true}, Name: "Dependent", Default: str(`CIM_B.Name="x"`)},
			}}}},
		{"methods: no parameters, and references, arrays, qualifiers and defaults in parameters",
			`class S { uint32 Stop(); [Static] uint32 Define([In] string Conf, [In] CIM_R REF Res[], [Out] CIM_Job REF Job, uint16 Codes[2], boolean Force = true); };`,
			[]Decl{&ClassDecl{Name: "S", Features: []Feature{
				&MethodDecl{ReturnType: Type{Name: "uint32"}, Name: "Stop"},
				&MethodDecl{Qualifiers: []*Qualifier{{Name: "Static"}}, ReturnType: Type{Name: "uint32"}, Name: "Define", Parameters: []*Parameter{
					{Qualifiers: []*Qualifier{{Name: "In"}}, Type: Type{Name: "string"}, Name: "Conf"},
					{Qualifiers: []*Qualifier{{Name: "In"}}, Type: Type{Name: "CIM_R", Ref: true, Array: true}, Name: "Res"},
					{Qualifiers: []*Qualifier{{Name: "Out"}}, Type: Type{Name: "CIM_Job", Ref: true}, Name: "Job"},
					{Type: Type{Name: "uint16", Array: true, ArraySize: 2}, Name: "Codes"},
					{Type: Type{Name: "boolean"}, Name: "Force", Default: &BoolValue{Value: true}},
				}},
			}}}},
		{"an instance with constants, arrays, aliases, object paths and property qualifiers",
			`[Q] instance of A as $i1 { Name = "n"; Refs = {$a, $b}; Path = "A.k=1"; [Note("x")] V = -0x10; };`,
			[]Decl{&InstanceDecl{Qualifiers: []*Qualifier{{Name: "Q"}}, ClassName: "A", Alias: "i1", Properties: []*PropertyValue{
				{Name: "Name", Value: str("n")},
				{Name: "Refs", Value: arr(&AliasValue{Name: "a"}, &AliasValue{Name: "b"})},
				{Name: "Path", Value: str("A.k=1")},
				{Qualifiers: []*Qualifier{{Name: "Note", Value: str("x")}}, Name: "V", Value: num("-0x10", true, 16)},
			}}}},
		{"embedded instances as a scalar value and inside an array",
			`instance of A { One = instance of B { X = 1; }; Many = {instance of B as $e { }, instance of C { Y = instance of D {}; }}; };`,
			[]Decl{&InstanceDecl{ClassName: "A", Properties: []*PropertyValue{
				{Name: "One", Value: &InstanceDecl{ClassName: "B", Properties: []*PropertyValue{{Name: "X", Value: num("1", false, 1)}}}},
				{Name: "Many", Value: arr(&InstanceDecl{ClassName: "B", Alias: "e"},
					&InstanceDecl{ClassName: "C", Properties: []*PropertyValue{{Name: "Y", Value: &InstanceDecl{ClassName: "D"}}}})},
			}}}},
		{"every constant kind as a value",
			`instance of A { a = 017; b = 101b; c = -1.5e3; d = 'x'; e = TRUE; f = null; g = 18446744073709551615; };`,
			[]Decl{&InstanceDecl{ClassName: "A", Properties: []*PropertyValue{
				{Name: "a", Value: num("017", false, 15)},
				{Name: "b", Value: num("101b", false, 5)},
				{Name: "c", Value: &RealValue{Raw: "-1.5e3", Value: -1500}},
				{Name: "d", Value: &CharValue{Value: 'x'}},
				{Name: "e", Value: &BoolValue{Value: true}},
				{Name: "f", Value: &NullValue{}},
				{Name: "g", Value: num("18446744073709551615", false, 1<<64-1)},
			}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustParse(t, tt.src)
			clearPositions(f.Decls)
			if !reflect.DeepEqual(f.Decls, tt.want) {
				t.Errorf("got  %s\nwant %s", dump(f.Decls), dump(tt.want))
			}
		})
	}
}

// dump renders declarations for a failure message.
func dump(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

func TestParseRecordsPositions(t *testing.T) {
	f := mustParse(t, "// header\n  [Key]\n  class A : B {\n    string P;\n    uint8 M([In] A REF x);\n  };\ninstance of A { P = \"v\"; };\n")
	c := f.Decls[0].(*ClassDecl)
	m := c.Features[1].(*MethodDecl)
	inst := f.Decls[1].(*InstanceDecl)
	got := map[string]Position{
		"class": c.Position, "class name": c.NamePos, "superclass": c.SuperPos, "qualifier": c.Qualifiers[0].Position,
		"property": c.Features[0].Pos(), "property type": c.Features[0].(*PropertyDecl).Type.Pos,
		"method": m.Position, "parameter": m.Parameters[0].Position, "parameter name": m.Parameters[0].NamePos,
		"instance": inst.Position, "instance class": inst.ClassPos, "property value": inst.Properties[0].Position,
		"value": inst.Properties[0].Value.Pos(),
	}
	want := map[string]string{
		"class": "2:3", "class name": "3:9", "superclass": "3:13", "qualifier": "2:4",
		"property": "4:5", "property type": "4:5", "method": "5:5", "parameter": "5:13", "parameter name": "5:24",
		"instance": "7:1", "instance class": "7:13", "property value": "7:17", "value": "7:21",
	}
	for k, w := range want {
		if g := got[k].String(); g != "t.mof:"+w {
			t.Errorf("%s at %s, want t.mof:%s", k, g, w)
		}
	}
}

func TestParseTracksNamespaceAndLocalePragmas(t *testing.T) {
	f := mustParse(t, `class A {};
#pragma namespace("root/virt")
#pragma locale("en_US")
class B {};
#pragma instancelocale("de_DE")
#pragma namespace("root/interop")
instance of B {};
Qualifier Q : boolean, Scope(any);`)
	want := []Context{{}, {Namespace: "root/virt", Locale: "en_US"},
		{Namespace: "root/interop", Locale: "en_US", InstanceLocale: "de_DE"}, {Namespace: "root/interop", Locale: "en_US", InstanceLocale: "de_DE"}}
	var got []Context
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ClassDecl:
			got = append(got, d.Context)
		case *InstanceDecl:
			got = append(got, d.Context)
		case *QualifierDecl:
			got = append(got, d.Context)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("contexts %+v, want %+v", got, want)
	}
}

func TestIntValueConversions(t *testing.T) {
	tests := []struct {
		src       string
		i64       int64
		i64ok     bool
		u64       uint64
		u64ok     bool
		magnitude uint64
	}{
		{"-9223372036854775808", -1 << 63, true, 1 << 63, false, 1 << 63},
		{"9223372036854775808", 0, false, 1 << 63, true, 1 << 63},
		{"-0", 0, true, 0, true, 0},
		{"0xFF", 255, true, 255, true, 255},
		{"-9223372036854775809", 0, false, 0, false, 1<<63 + 1},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			v, err := parseInt(Token{Kind: Integer, Text: tt.src})
			if err != nil {
				t.Fatal(err)
			}
			i, iok := v.Int64()
			u, uok := v.Uint64()
			if v.Magnitude != tt.magnitude || iok != tt.i64ok || (iok && i != tt.i64) || uok != tt.u64ok || (uok && u != tt.u64) {
				t.Errorf("magnitude %d, Int64 %d %v, Uint64 %d %v", v.Magnitude, i, iok, u, uok)
			}
		})
	}
}
