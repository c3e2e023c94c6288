package cim

import (
	"strings"
	"testing"
)

var (
	keyQ      = Qualifier{Name: "Key", Value: Bool(true), Flavor: Flavor{ToSubclass: true}}
	assocQ    = Qualifier{Name: "Association", Value: Bool(true), Flavor: Flavor{ToSubclass: true}}
	abstractQ = Qualifier{Name: "Abstract", Value: Bool(true), Flavor: Flavor{Overridable: true}}
)

func desc(s string) Qualifier {
	return Qualifier{Name: "Description", Value: String(s), Flavor: Flavor{Overridable: true, ToSubclass: true, Translatable: true}}
}

func base(t *testing.T) *Class {
	t.Helper()
	c, err := Derive(&Class{
		Name:       "CIM_Base",
		Qualifiers: Qualifiers{abstractQ, desc("base")},
		Properties: []*Property{
			{Name: "InstanceID", Type: TypeString, Qualifiers: Qualifiers{keyQ}},
			{Name: "Caption", Type: TypeString, Qualifiers: Qualifiers{desc("caption")}},
		},
		Methods: []*Method{{Name: "Reset", ReturnType: TypeUint32}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDeriveFlattensWithClassOrigin(t *testing.T) {
	b := base(t)
	sub, err := Derive(&Class{
		Name: "CIM_Sub", SuperClass: "CIM_Base",
		Properties: []*Property{
			{Name: "caption", Type: TypeString, Qualifiers: Qualifiers{{Name: "Override", Value: String("Caption"), Flavor: Flavor{Overridable: true}}}},
			{Name: "Size", Type: TypeUint64},
		},
	}, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(sub.Properties) != 3 || len(sub.Methods) != 1 {
		t.Fatalf("flattened %d properties, %d methods", len(sub.Properties), len(sub.Methods))
	}
	id := sub.Property("INSTANCEID")
	if id == nil || id.ClassOrigin != "" && id.ClassOrigin != "CIM_Base" || !id.Propagated || !id.IsKey() {
		t.Fatalf("inherited key: %+v", id)
	}
	cap := sub.Property("Caption")
	if cap.ClassOrigin != "CIM_Sub" || cap.Propagated {
		t.Fatalf("override: %+v", cap)
	}
	if d := cap.Qualifiers.Str("Description"); d != "caption" {
		t.Fatalf("override keeps inherited ToSubclass qualifiers, got Description %q", d)
	}
	if sub.IsAbstract() {
		t.Fatal("Abstract is Restricted and must not propagate")
	}
	if !sub.Qualifiers.Has("Description") {
		t.Fatal("class Description should propagate")
	}
}

func TestDeriveRules(t *testing.T) {
	b := base(t)
	assocBase, err := Derive(&Class{Name: "CIM_Dep", Qualifiers: Qualifiers{assocQ}, Properties: []*Property{
		{Name: "Antecedent", Type: TypeReference, RefClass: "CIM_Base", Qualifiers: Qualifiers{keyQ}},
		{Name: "Dependent", Type: TypeReference, RefClass: "CIM_Base", Qualifiers: Qualifiers{keyQ}},
	}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		class *Class
		super *Class
		want  string
	}{
		{"a key added under a keyed class → error", &Class{Name: "S", SuperClass: "CIM_Base", Properties: []*Property{{Name: "Other", Type: TypeString, Qualifiers: Qualifiers{keyQ}}}}, b, "cannot add a key"},
		{"override with another type → error", &Class{Name: "S", SuperClass: "CIM_Base", Properties: []*Property{{Name: "Caption", Type: TypeUint8}}}, b, "different type"},
		{"Override naming nothing → error", &Class{Name: "S", SuperClass: "CIM_Base", Properties: []*Property{{Name: "X", Type: TypeString, Qualifiers: Qualifiers{{Name: "Override", Value: String("X")}}}}}, b, "names no inherited"},
		{"DisableOverride qualifier changed → error", &Class{Name: "S", SuperClass: "CIM_Dep", Qualifiers: Qualifiers{{Name: "Association", Value: Bool(false)}}}, assocBase, "DisableOverride"},
		{"reference in a plain class → error", &Class{Name: "S", Properties: []*Property{{Name: "R", Type: TypeReference, RefClass: "CIM_Base"}}}, nil, "not an association"},
		{"association with one reference → error", &Class{Name: "S", Qualifiers: Qualifiers{assocQ}, Properties: []*Property{{Name: "R", Type: TypeReference, RefClass: "CIM_Base"}}}, nil, "at least two"},
		{"wrong superclass → error", &Class{Name: "S", SuperClass: "CIM_Other"}, b, "superclass"},
		{"method return type changed → error", &Class{Name: "S", SuperClass: "CIM_Base", Methods: []*Method{{Name: "reset", ReturnType: TypeString}}}, b, "overrides"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Derive(tc.class, tc.super)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Derive error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestInstancePath(t *testing.T) {
	c := base(t)
	in := NewInstance("CIM_Base").Set("InstanceID", String("x")).Set("Caption", String("c"))
	p, err := in.Path("root/virt", c)
	if err != nil || p.String() != `/root/virt:CIM_Base.InstanceID="x"` {
		t.Fatalf("Path = %s, %v", p, err)
	}
	in.Set("InstanceID", Null(TypeString))
	if _, err := in.Path("root/virt", c); err == nil {
		t.Fatal("a null key must not make a path")
	}
}
