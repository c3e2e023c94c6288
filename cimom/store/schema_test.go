package store

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

func class(name string, props ...string) *cim.Class {
	c := &cim.Class{Name: name, SuperClass: "CIM_ManagedElement"}
	for _, p := range props {
		c.Properties = append(c.Properties, &cim.Property{Name: p, Type: cim.TypeString, ClassOrigin: name})
	}
	return c
}

func classNames(cs []*cim.Class) string {
	var out []string
	for _, c := range cs {
		out = append(out, fmt.Sprintf("%s%d", c.Name, len(c.Properties)))
	}
	return fmt.Sprint(out)
}

func TestClasses(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	for _, c := range []*cim.Class{class("Z_B"), class("Z_A", "x"), class("Z_C")} {
		if err := s.PutClass(ctx, "root/virt", c); err != nil {
			t.Fatal(err)
		}
	}
	// Upserting through another spelling replaces the declaration in place.
	if err := s.PutClass(ctx, "ROOT/virt", class("z_b", "x", "y")); err != nil {
		t.Fatal(err)
	}
	if err := s.PutClass(ctx, "root/other", class("Z_Other")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		ns   string
		want string
	}{
		{"classes come in first-creation order, an upsert replacing in place", "root/virt", "[z_b2 Z_A1 Z_C0]"},
		{"the namespace matches case-insensitively", "/Root/Virt/", "[z_b2 Z_A1 Z_C0]"},
		{"each namespace has its own classes", "root/other", "[Z_Other0]"},
		{"a namespace without classes has none", "root/none", "[]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cs, err := s.Classes(ctx, tc.ns)
			if err != nil {
				t.Fatal(err)
			}
			if got := classNames(cs); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
	full := class("Z_Full", "a")
	full.Methods = []*cim.Method{{Name: "M", ReturnType: cim.TypeUint32, Parameters: []*cim.Parameter{{Name: "P", Type: cim.TypeString}}}}
	full.Qualifiers = cim.Qualifiers{{Name: "Abstract", Value: cim.Bool(true), Flavor: cim.Flavor{Overridable: false}}}
	if err := s.PutClass(ctx, "root/full", full); err != nil {
		t.Fatal(err)
	}
	cs, err := s.Classes(ctx, "root/full")
	if err != nil || len(cs) != 1 {
		t.Fatalf("Classes = %v, %v", cs, err)
	}
	if d := diffClass(full, cs[0]); d != "" {
		t.Fatal(d)
	}
	if err := s.DeleteClass(ctx, "root/virt", "Z_A"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteClass(ctx, "root/virt", "z_a"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second DeleteClass: %v, want ErrNotFound", err)
	}
	if cs, _ := s.Classes(ctx, "root/virt"); classNames(cs) != "[z_b2 Z_C0]" {
		t.Fatalf("after delete: %s", classNames(cs))
	}
}

func TestQualifierDecls(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	key := &cim.QualifierDecl{Name: "Key", Type: cim.TypeBoolean, Default: cim.Bool(false), Scope: cim.ScopeProperty | cim.ScopeReference,
		Flavor: cim.Flavor{ToSubclass: true}}
	vm := &cim.QualifierDecl{Name: "ValueMap", Type: cim.TypeString, IsArray: true, Default: cim.NullArray(cim.TypeString), Scope: cim.ScopeAny, Flavor: cim.DefaultFlavor}
	for _, d := range []*cim.QualifierDecl{key, vm} {
		if err := s.PutQualifierDecl(ctx, "root/virt", d); err != nil {
			t.Fatal(err)
		}
	}
	key2 := *key
	key2.Name, key2.Flavor = "KEY", cim.Flavor{}
	if err := s.PutQualifierDecl(ctx, "Root/Virt", &key2); err != nil {
		t.Fatal(err)
	}
	ds, err := s.QualifierDecls(ctx, "root/virt")
	if err != nil || len(ds) != 2 {
		t.Fatalf("QualifierDecls = %v, %v", ds, err)
	}
	if d := diffQualifierDecl(&key2, ds[0]); d != "" {
		t.Fatalf("upserted declaration: %s", d)
	}
	if d := diffQualifierDecl(vm, ds[1]); d != "" {
		t.Fatal(d)
	}
	if err := s.DeleteQualifierDecl(ctx, "root/virt", "valuemap"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteQualifierDecl(ctx, "root/virt", "ValueMap"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second DeleteQualifierDecl: %v, want ErrNotFound", err)
	}
	if ds, _ := s.QualifierDecls(ctx, "root/virt"); len(ds) != 1 || ds[0].Name != "KEY" {
		t.Fatalf("after delete: %v", ds)
	}
}

func TestNamespaces(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	for _, ns := range []string{"root/Zeta", "/root/alpha/"} {
		if err := s.CreateNamespace(ctx, ns); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name    string
		op      func() error
		wantErr error
	}{
		{"creating a namespace that differs only in case → ErrExists", func() error { return s.CreateNamespace(ctx, "ROOT/zeta") }, ErrExists},
		{"creating an empty namespace → ErrInvalid", func() error { return s.CreateNamespace(ctx, "//") }, ErrInvalid},
		{"deleting a namespace never created → ErrNotFound", func() error { return s.DeleteNamespace(ctx, "root/virt") }, ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.op(); !errors.Is(err, tc.wantErr) {
				t.Fatalf("got %v, want %v", err, tc.wantErr)
			}
		})
	}
	got, err := s.Namespaces(ctx)
	if err != nil || fmt.Sprint(got) != "[root/Zeta root/alpha]" {
		t.Fatalf("Namespaces = %v, %v; want creation order and original spelling", got, err)
	}
}

func TestDeleteNamespaceDeletesItsContents(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	for _, ns := range []string{"root/doomed", "root/kept"} {
		if ns == "root/doomed" {
			if err := s.CreateNamespace(ctx, ns); err != nil {
				t.Fatal(err)
			}
		}
		p, in := vm("vm1")
		if err := s.CreateInstance(ctx, ns, p, in); err != nil {
			t.Fatal(err)
		}
		if err := s.PutClass(ctx, ns, class("Ferrum_VM")); err != nil {
			t.Fatal(err)
		}
		if err := s.PutQualifierDecl(ctx, ns, &cim.QualifierDecl{Name: "Key", Type: cim.TypeBoolean}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteNamespace(ctx, "ROOT/Doomed"); err != nil {
		t.Fatal(err)
	}
	counts := func(ns string) string {
		n, _ := s.CountInstances(ctx, ns, "Ferrum_VM")
		cs, _ := s.Classes(ctx, ns)
		ds, _ := s.QualifierDecls(ctx, ns)
		return fmt.Sprint(n, len(cs), len(ds))
	}
	if got := counts("root/doomed"); got != "0 0 0" {
		t.Fatalf("deleted namespace still holds instances, classes, qualifiers: %s", got)
	}
	if got := counts("root/kept"); got != "1 1 1" {
		t.Fatalf("other namespace lost contents: %s", got)
	}
	if nss, _ := s.Namespaces(ctx); len(nss) != 0 {
		t.Fatalf("Namespaces after delete = %v", nss)
	}
	// A failed delete changes nothing.
	if err := s.DeleteNamespace(ctx, "root/kept"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("DeleteNamespace of an uncreated namespace: %v", err)
	}
	if got := counts("root/kept"); got != "1 1 1" {
		t.Fatalf("failed DeleteNamespace deleted contents: %s", got)
	}
}

func TestInvalidDeclarations(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	tests := []struct {
		name string
		op   func() error
	}{
		{"a nil class → ErrInvalid", func() error { return s.PutClass(ctx, "root/virt", nil) }},
		{"an unnamed class → ErrInvalid", func() error { return s.PutClass(ctx, "root/virt", &cim.Class{}) }},
		{"a class in an empty namespace → ErrInvalid", func() error { return s.PutClass(ctx, "", class("X")) }},
		{"a class with a nil property → ErrInvalid", func() error {
			return s.PutClass(ctx, "root/virt", &cim.Class{Name: "X", Properties: []*cim.Property{nil}})
		}},
		{"a nil qualifier declaration → ErrInvalid", func() error { return s.PutQualifierDecl(ctx, "root/virt", nil) }},
		{"a qualifier declaration of an unknown type → ErrInvalid", func() error {
			return s.PutQualifierDecl(ctx, "root/virt", &cim.QualifierDecl{Name: "Q", Type: 77})
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.op(); !errors.Is(err, ErrInvalid) {
				t.Fatalf("got %v, want ErrInvalid", err)
			}
		})
	}
}
