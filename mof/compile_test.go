package mof

import (
	"strings"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/repo"
)

const compileQualifiers = `
Qualifier Key : boolean = false, Scope(property, reference), Flavor(DisableOverride, ToSubclass);
Qualifier Association : boolean = false, Scope(association), Flavor(DisableOverride, ToSubclass);
Qualifier Description : string = null, Scope(any), Flavor(Translatable);
Qualifier ValueMap : string[], Scope(property, method, parameter);
Qualifier Deprecated : string[], Scope(any), Flavor(Restricted);
Qualifier EmbeddedInstance : string = null, Scope(property, parameter, method);
Qualifier In : boolean = true, Scope(parameter), Flavor(DisableOverride, ToSubclass);
Qualifier Out : boolean = false, Scope(parameter), Flavor(DisableOverride, ToSubclass);
Qualifier MaxLen : uint32 = null, Scope(property, method, parameter);
`

func compileText(t *testing.T, text string) (*repo.Repository, []*cim.Instance, error) {
	t.Helper()
	f, err := Parse("t.mof", []byte(compileQualifiers+text))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	r := repo.New()
	var insts []*cim.Instance
	c := &Compiler{Target: r, DefaultNamespace: "root/t", Instance: func(ns string, in *cim.Instance) error {
		insts = append(insts, in)
		return nil
	}}
	return r, insts, c.Compile(f.Decls)
}

func TestCompileClasses(t *testing.T) {
	r, _, err := compileText(t, `
[Description("base")] class T_Base {
  [Key, Description("id"), MaxLen(16)] string Id;
  [ValueMap("1"), Deprecated("T_Base.Other")] uint16 Kind = 1;
  uint8 Bytes[4] = {1, 2, 3, 4};
  real32 Ratio = 0.5;
  datetime When = "20250101120000.000000+000";
  char16 Letter = 'x';
  string Names[] = {"a", NULL, "b"};
  uint32 Do([In] string Arg, [In(false), Out] T_Base REF Result[], [EmbeddedInstance("T_Base")] string Spec);
};
[Association] class T_Link {
  [Key] T_Base REF A;
  [Key] T_Base REF B;
};
`)
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.Class("root/t", "T_Base")
	if err != nil {
		t.Fatal(err)
	}
	id := c.Property("Id")
	if !id.IsKey() || id.Qualifiers.Str("Description") != "id" {
		t.Fatalf("Id: %+v", id)
	}
	if q, _ := id.Qualifiers.Get("Key"); q.Flavor.Overridable || !q.Flavor.ToSubclass {
		t.Fatalf("Key flavor from its declaration: %+v", q.Flavor)
	}
	if q, _ := id.Qualifiers.Get("MaxLen"); q.Value.Raw() != uint32(16) {
		t.Fatalf("MaxLen typed by its declaration: %v", q.Value)
	}
	kind := c.Property("Kind")
	if vm := kind.Qualifiers.Strings("ValueMap"); len(vm) != 1 || vm[0] != "1" {
		t.Fatalf("a scalar qualifier value for an array qualifier becomes a one-element array: %v", vm)
	}
	if kind.Default.Raw() != uint16(1) {
		t.Fatalf("Kind default %v", kind.Default)
	}
	if b := c.Property("Bytes"); !b.IsArray || b.ArraySize != 4 || b.Default.Len() != 4 {
		t.Fatalf("fixed array: %+v", b)
	}
	if n := c.Property("Names").Default; n.Len() != 3 || !n.Index(1).IsNull() {
		t.Fatalf("array default with NULL: %v", n)
	}
	if d, _ := c.Property("When").Default.AsDatetime(); d.String() != "20250101120000.000000+000" {
		t.Fatalf("datetime default %v", d)
	}
	m := c.Method("Do")
	if m == nil || m.ReturnType != cim.TypeUint32 || len(m.Parameters) != 3 {
		t.Fatalf("method: %+v", m)
	}
	if res := m.Parameter("Result"); res.Type != cim.TypeReference || !res.IsArray || res.RefClass != "T_Base" || res.IsIn() || !res.IsOut() {
		t.Fatalf("reference array out parameter: %+v", res)
	}
	link, _ := r.Class("root/t", "T_Link")
	if !link.IsAssociation() || len(link.References()) != 2 {
		t.Fatalf("association: %+v", link)
	}
}

func TestCompileInstances(t *testing.T) {
	_, insts, err := compileText(t, `
class T_Item { [Key] string Id; uint64 Size; [EmbeddedInstance("T_Item")] string Inner; string List[]; };
[Association] class T_Rel { [Key] T_Item REF A; [Key] T_Item REF B; };
instance of T_Item as $One { Id = "one"; Size = 0x10; List = {"x", "y"}; };
instance of T_Item as $Two { Id = "two"; Inner = instance of T_Item { Id = "in"; Size = 1; }; };
instance of T_Rel { A = $One; B = "root/t:T_Item.Id=\"two\""; };
`)
	if err != nil {
		t.Fatal(err)
	}
	if len(insts) != 3 {
		t.Fatalf("%d instances", len(insts))
	}
	if v, _ := insts[0].Get("Size"); v.Raw() != uint64(16) {
		t.Fatalf("hex integer: %v", v)
	}
	inner, _ := insts[1].Get("Inner")
	if in := inner.AsInstance(); in == nil || in.Str("Id") != "in" {
		t.Fatalf("embedded instance literal: %v", inner)
	}
	a, _ := insts[2].Get("A")
	b, _ := insts[2].Get("B")
	pa, _ := a.AsRef()
	pb, _ := b.AsRef()
	if pa.String() != `/root/t:T_Item.Id="one"` || pb.String() != `/root/t:T_Item.Id="two"` {
		t.Fatalf("alias and path-string references: %s, %s", pa, pb)
	}
}

func TestCompileErrors(t *testing.T) {
	base := "class T_A { [Key] string Id; uint8 Small; };\n"
	tests := []struct {
		name, text, want string
	}{
		{"undeclared qualifier", "[Bogus] class T_X { };", "qualifier Bogus is not declared"},
		{"qualifier outside its scope", "class T_X { [In] string P; };", "not allowed here"},
		{"undefined superclass", "class T_X : T_None { };", "superclass T_None is not defined"},
		{"duplicate class", base + base, "exists"},
		{"duplicate property", "class T_X { string P; uint8 p; };", "declared twice"},
		{"reference to an unknown class", "[Association] class T_X { [Key] T_None REF A; [Key] T_None REF B; };", "class T_None is not defined"},
		{"integer out of range", "class T_X { uint8 P = 256; };", "out of range for uint8"},
		{"negative unsigned", "class T_X { uint32 P = -1; };", "out of range for uint32"},
		{"string for an integer", "class T_X { uint32 P = \"1\"; };", "a string is given for a uint32"},
		{"array for a scalar", "class T_X { uint32 P = {1}; };", "an array is given for a scalar"},
		{"scalar for an array", "class T_X { uint32 P[] = 1; };", "a scalar is given for an array"},
		{"bad datetime", "class T_X { datetime P = \"2025\"; };", "invalid datetime"},
		{"instance of an unknown class", "instance of T_None { };", "class T_None is not defined"},
		{"instance with an unknown property", base + "instance of T_A { Id = \"a\"; Big = 1; };", "class T_A has no property Big"},
		{"instance property given twice", base + "instance of T_A { Id = \"a\"; id = \"b\"; };", "given twice"},
		{"undefined alias", base + "instance of T_A { Id = $Nope; };", "alias $Nope is not defined"},
		{"instance without its key", base + "instance of T_A { Small = 1; };", "key property Id is missing"},
		{"key added under a keyed class", base + "class T_B : T_A { [Key] string Other; };", "cannot add a key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := compileText(t, tc.text)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), "t.mof:") {
				t.Fatalf("error %v does not name file:line:col", err)
			}
		})
	}
}

func TestCompilePragmaNamespace(t *testing.T) {
	r, _, err := compileText(t, "#pragma namespace(\"root/other\")\nclass T_X { };\n")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Class("root/other", "T_X"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Class("root/t", "T_X"); err == nil {
		t.Fatal("class landed in the default namespace")
	}
}
