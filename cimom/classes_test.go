package cimom

import (
	"context"
	"slices"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

func TestClassOperations(t *testing.T) {
	d, _ := newTestDispatcher(t)
	ctx := context.Background()
	t.Run("GetClass LocalOnly drops inherited features", func(t *testing.T) {
		c, err := d.GetClass(ctx, ns, "Ex_VM", ClassOptions{LocalOnly: true, IncludeQualifiers: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Properties) != 1 || c.Properties[0].Name != "Memory" || c.Method("Reset") != nil || c.Method("Define") == nil {
			t.Fatalf("local class: %+v", c)
		}
	})
	t.Run("GetClass without qualifiers or class origin", func(t *testing.T) {
		c, _ := d.GetClass(ctx, ns, "Ex_VM", ClassOptions{})
		if len(c.Qualifiers) != 0 || c.Property("InstanceID").ClassOrigin != "" || len(c.Property("InstanceID").Qualifiers) != 0 {
			t.Fatalf("qualifiers or origin leaked: %+v", c.Property("InstanceID"))
		}
		full, _ := d.GetClass(ctx, ns, "Ex_VM", ClassOptions{IncludeQualifiers: true, IncludeClassOrigin: true})
		if full.Property("InstanceID").ClassOrigin != "Ex_Element" || !full.Property("InstanceID").IsKey() {
			t.Fatalf("full: %+v", full.Property("InstanceID"))
		}
		repoClass, _ := d.Repo.Class(ns, "Ex_VM")
		if repoClass.Property("InstanceID").ClassOrigin != "Ex_Element" {
			t.Fatal("shaping modified the repository's class")
		}
	})
	t.Run("GetClass PropertyList", func(t *testing.T) {
		c, _ := d.GetClass(ctx, ns, "Ex_VM", ClassOptions{PropertyList: []string{"memory"}})
		if len(c.Properties) != 1 {
			t.Fatalf("%d properties", len(c.Properties))
		}
	})
	t.Run("GetClass of an unknown class → CIM_ERR_NOT_FOUND", func(t *testing.T) {
		_, err := d.GetClass(ctx, ns, "Ex_Nope", ClassOptions{})
		wantStatus(t, err, cim.ErrNotFound)
	})
	t.Run("EnumerateClassNames shallow and deep", func(t *testing.T) {
		var shallow, deep, roots []string
		_ = d.EnumerateClassNames(ctx, ns, "Ex_Element", false, func(n string) bool { shallow = append(shallow, n); return true })
		_ = d.EnumerateClassNames(ctx, ns, "Ex_Element", true, func(n string) bool { deep = append(deep, n); return true })
		_ = d.EnumerateClassNames(ctx, ns, "", false, func(n string) bool { roots = append(roots, n); return true })
		if !slices.Equal(shallow, []string{"Ex_System", "Ex_Disk"}) || !slices.Equal(deep, []string{"Ex_System", "Ex_VM", "Ex_Disk"}) {
			t.Fatalf("shallow %v deep %v", shallow, deep)
		}
		if !slices.Equal(roots, []string{"Ex_Element", "Ex_SystemDevice", "Ex_Peer", "Ex_Setting"}) {
			t.Fatalf("roots %v", roots)
		}
	})
	t.Run("a client class: create, modify, delete", func(t *testing.T) {
		decl := &cim.Class{Name: "Ex_Mine", SuperClass: "Ex_Setting", Properties: []*cim.Property{{Name: "Color", Type: cim.TypeString}}}
		if err := d.CreateClass(ctx, ns, decl); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, d.CreateClass(ctx, ns, decl), cim.ErrAlreadyExists)
		inst := cim.NewInstance("Ex_Mine").Set("InstanceID", cim.String("m")).Set("Name", cim.String("n"))
		p, err := d.CreateInstance(ctx, ns, inst)
		if err != nil {
			t.Fatal(err)
		}
		wantStatus(t, d.DeleteClass(ctx, ns, "Ex_Mine"), cim.ErrClassHasInstances)
		_ = d.DeleteInstance(ctx, ns, p)
		decl2 := &cim.Class{Name: "Ex_Mine", SuperClass: "Ex_Setting", Properties: []*cim.Property{{Name: "Shade", Type: cim.TypeUint8}}}
		if err := d.ModifyClass(ctx, ns, decl2); err != nil {
			t.Fatal(err)
		}
		if c, _ := d.GetClass(ctx, ns, "Ex_Mine", ClassOptions{}); c.Property("Shade") == nil || c.Property("Color") != nil {
			t.Fatal("ModifyClass did not replace the declaration")
		}
		if err := d.DeleteClass(ctx, ns, "Ex_Mine"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("schema classes cannot be changed → CIM_ERR_NOT_SUPPORTED", func(t *testing.T) {
		wantStatus(t, d.DeleteClass(ctx, ns, "Ex_Setting"), cim.ErrNotSupported)
	})
	t.Run("CreateClass with an unknown superclass → CIM_ERR_INVALID_SUPERCLASS", func(t *testing.T) {
		wantStatus(t, d.CreateClass(ctx, ns, &cim.Class{Name: "Ex_X", SuperClass: "Ex_None"}), cim.ErrInvalidSuperclass)
	})
	t.Run("CreateClass with an undeclared qualifier → CIM_ERR_INVALID_PARAMETER", func(t *testing.T) {
		c := &cim.Class{Name: "Ex_Y", Qualifiers: cim.Qualifiers{{Name: "Nonsense", Value: cim.Bool(true)}}}
		wantStatus(t, d.CreateClass(ctx, ns, c), cim.ErrInvalidParameter)
	})
}

func TestQualifierOperations(t *testing.T) {
	d, _ := newTestDispatcher(t)
	ctx := context.Background()
	q := &cim.QualifierDecl{Name: "Color", Type: cim.TypeString, Scope: cim.ScopeProperty, Flavor: cim.DefaultFlavor, Default: cim.Null(cim.TypeString)}
	if err := d.SetQualifier(ctx, ns, q); err != nil {
		t.Fatal(err)
	}
	got, err := d.GetQualifier(ctx, ns, "color")
	if err != nil || got.Name != "Color" {
		t.Fatalf("%v %v", got, err)
	}
	all, _ := d.EnumerateQualifiers(ctx, ns)
	if len(all) != 11 {
		t.Fatalf("%d qualifiers", len(all))
	}
	if err := d.DeleteQualifier(ctx, ns, "Color"); err != nil {
		t.Fatal(err)
	}
	_, err = d.GetQualifier(ctx, ns, "Color")
	wantStatus(t, err, cim.ErrNotFound)
}
