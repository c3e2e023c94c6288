package cimom

import (
	"context"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

func TestEnumerateInstancesSemantics(t *testing.T) {
	d, _ := newTestDispatcher(t)
	ctx := context.Background()
	sys := cim.NewInstance("Ex_System").Set("InstanceID", cim.String("host1"))
	if _, err := d.CreateInstance(ctx, ns, sys); err != nil {
		t.Fatal(err)
	}
	t.Run("subclass instances come from their providers, parents first", func(t *testing.T) {
		paths, _ := collect(t, d, "Ex_System", InstanceOptions{DeepInheritance: true})
		var got []string
		for _, p := range paths {
			got = append(got, p.String())
		}
		want := []string{`/root/test:Ex_System.InstanceID="host1"`, `/root/test:Ex_VM.InstanceID="vm1"`, `/root/test:Ex_VM.InstanceID="vm2"`}
		if len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
			t.Fatalf("got %v", got)
		}
	})
	t.Run("DeepInheritance false keeps only the requested class's properties", func(t *testing.T) {
		_, insts := collect(t, d, "Ex_System", InstanceOptions{})
		if got := propNames(insts[1]); got != "InstanceID,Caption,State" {
			t.Fatalf("properties %s", got)
		}
	})
	t.Run("PropertyList selects; empty list selects nothing", func(t *testing.T) {
		_, insts := collect(t, d, "Ex_VM", InstanceOptions{DeepInheritance: true, PropertyList: []string{"memory", "Bogus"}})
		if got := propNames(insts[0]); got != "Memory" {
			t.Fatalf("properties %s", got)
		}
		_, insts = collect(t, d, "Ex_VM", InstanceOptions{PropertyList: []string{}})
		if len(insts[0].Properties) != 0 {
			t.Fatalf("empty PropertyList returned %s", propNames(insts[0]))
		}
	})
	t.Run("IncludeClassOrigin names the declaring class", func(t *testing.T) {
		_, insts := collect(t, d, "Ex_VM", InstanceOptions{DeepInheritance: true, IncludeClassOrigin: true})
		for _, p := range insts[0].Properties {
			want := map[string]string{"InstanceID": "Ex_Element", "Caption": "Ex_Element", "State": "Ex_System", "Memory": "Ex_VM"}[p.Name]
			if p.ClassOrigin != want {
				t.Errorf("%s: ClassOrigin %q, want %q", p.Name, p.ClassOrigin, want)
			}
		}
	})
	t.Run("yield returning false stops the enumeration", func(t *testing.T) {
		n := 0
		err := d.EnumerateInstances(ctx, ns, "Ex_Element", InstanceOptions{}, func(cim.ObjectPath, *cim.Instance) bool { n++; return false })
		if err != nil || n != 1 {
			t.Fatalf("n=%d err=%v", n, err)
		}
	})
	t.Run("unknown class → CIM_ERR_INVALID_CLASS, unknown namespace → CIM_ERR_INVALID_NAMESPACE", func(t *testing.T) {
		wantStatus(t, d.EnumerateInstances(ctx, ns, "Ex_Nope", InstanceOptions{}, nil), cim.ErrInvalidClass)
		wantStatus(t, d.EnumerateInstances(ctx, "root/nope", "Ex_VM", InstanceOptions{}, nil), cim.ErrInvalidNamespace)
	})
}

func TestGetInstanceKeys(t *testing.T) {
	d, _ := newTestDispatcher(t)
	ctx := context.Background()
	tests := []struct {
		name string
		path string
		want cim.Status
	}{
		{"GetInstance of an existing instance → OK", `Ex_VM.InstanceID="vm1"`, cim.StatusOK},
		{"GetInstance spelled in another case → OK", `ex_vm.instanceid="vm1"`, cim.StatusOK},
		{"GetInstance with a missing key → CIM_ERR_INVALID_PARAMETER", `Ex_VM`, cim.ErrInvalidParameter},
		{"GetInstance with an extra key → CIM_ERR_INVALID_PARAMETER", `Ex_VM.InstanceID="vm1",Memory=3`, cim.ErrInvalidParameter},
		{"GetInstance with a key given twice → CIM_ERR_INVALID_PARAMETER", `Ex_VM.InstanceID="vm1",InstanceID="vm2"`, cim.ErrInvalidParameter},
		{"GetInstance of a missing instance → CIM_ERR_NOT_FOUND", `Ex_VM.InstanceID="vm9"`, cim.ErrNotFound},
		{"GetInstance of an unknown class → CIM_ERR_INVALID_CLASS", `Ex_Nope.InstanceID="vm1"`, cim.ErrInvalidClass},
		{"GetInstance with a non-string value for a string key → CIM_ERR_INVALID_PARAMETER", `Ex_VM.InstanceID=TRUE`, cim.ErrInvalidParameter},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := cim.ParseObjectPath(tc.path)
			if err != nil {
				t.Fatal(err)
			}
			inst, err := d.GetInstance(ctx, ns, p, InstanceOptions{})
			wantStatus(t, err, tc.want)
			if err == nil && inst.Str("InstanceID") != "vm1" {
				t.Fatalf("got %v", inst)
			}
		})
	}
}

func TestCreateModifyDeleteInStore(t *testing.T) {
	d, _ := newTestDispatcher(t)
	ctx := context.Background()
	setting := func() *cim.Instance {
		return cim.NewInstance("Ex_Setting").Set("InstanceID", cim.String("s1")).Set("Name", cim.String("one")).
			Set("Tags", cim.StringArray("a", "b"))
	}
	path, err := d.CreateInstance(ctx, ns, setting())
	if err != nil {
		t.Fatal(err)
	}
	got, err := d.GetInstance(ctx, ns, path, InstanceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := got.Get("Level"); v.Raw() != int32(-1) {
		t.Fatalf("class default not applied: Level = %v", v)
	}
	errCases := []struct {
		name string
		inst *cim.Instance
		want cim.Status
	}{
		{"CreateInstance of an existing path → CIM_ERR_ALREADY_EXISTS", setting(), cim.ErrAlreadyExists},
		{"CreateInstance without a Required property → CIM_ERR_INVALID_PARAMETER", cim.NewInstance("Ex_Setting").Set("InstanceID", cim.String("s2")), cim.ErrInvalidParameter},
		{"CreateInstance without its key → CIM_ERR_INVALID_PARAMETER", cim.NewInstance("Ex_Setting").Set("Name", cim.String("x")), cim.ErrInvalidParameter},
		{"CreateInstance with an unknown property → CIM_ERR_NO_SUCH_PROPERTY", setting().Set("Bogus", cim.Uint8(1)), cim.ErrNoSuchProperty},
		{"CreateInstance with a value of the wrong type → CIM_ERR_TYPE_MISMATCH", setting().Set("Level", cim.String("high")), cim.ErrTypeMismatch},
		{"CreateInstance of an abstract class → CIM_ERR_INVALID_CLASS", cim.NewInstance("Ex_Element").Set("InstanceID", cim.String("e")), cim.ErrInvalidClass},
		{"CreateInstance of a provider class without creation → CIM_ERR_NOT_SUPPORTED", cim.NewInstance("Ex_VM").Set("InstanceID", cim.String("v")), cim.ErrNotSupported},
	}
	for _, tc := range errCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := d.CreateInstance(ctx, ns, tc.inst)
			wantStatus(t, err, tc.want)
		})
	}
	t.Run("string values are converted to the declared type", func(t *testing.T) {
		in := cim.NewInstance("Ex_Setting").Set("InstanceID", cim.String("s3")).Set("Name", cim.String("x")).Set("Level", cim.String("7"))
		p, err := d.CreateInstance(ctx, ns, in)
		if err != nil {
			t.Fatal(err)
		}
		v, _ := d.GetProperty(ctx, ns, p, "Level")
		if v.Raw() != int32(7) {
			t.Fatalf("Level = %v", v)
		}
	})
	t.Run("ModifyInstance changes only the PropertyList's properties", func(t *testing.T) {
		mod := cim.NewInstance("Ex_Setting").Set("Name", cim.String("renamed")).Set("Level", cim.Sint32(9))
		if err := d.ModifyInstance(ctx, ns, path, mod, []string{"Level"}); err != nil {
			t.Fatal(err)
		}
		got, _ := d.GetInstance(ctx, ns, path, InstanceOptions{})
		if got.Str("Name") != "one" {
			t.Fatalf("Name changed to %q", got.Str("Name"))
		}
		if v, _ := got.Get("Level"); v.Raw() != int32(9) {
			t.Fatalf("Level = %v", v)
		}
	})
	t.Run("a PropertyList property absent from the instance becomes null", func(t *testing.T) {
		if err := d.ModifyInstance(ctx, ns, path, cim.NewInstance("Ex_Setting"), []string{"Tags"}); err != nil {
			t.Fatal(err)
		}
		v, _ := d.GetProperty(ctx, ns, path, "Tags")
		if !v.IsNull() || !v.IsArray() {
			t.Fatalf("Tags = %v", v)
		}
	})
	t.Run("ModifyInstance of a key → CIM_ERR_INVALID_PARAMETER", func(t *testing.T) {
		err := d.ModifyInstance(ctx, ns, path, cim.NewInstance("Ex_Setting").Set("InstanceID", cim.String("other")), nil)
		wantStatus(t, err, cim.ErrInvalidParameter)
	})
	t.Run("SetProperty then GetProperty", func(t *testing.T) {
		if err := d.SetProperty(ctx, ns, path, "Name", cim.String("set")); err != nil {
			t.Fatal(err)
		}
		v, err := d.GetProperty(ctx, ns, path, "name")
		if err != nil || v.Str() != "set" {
			t.Fatalf("%v %v", v, err)
		}
		_, err = d.GetProperty(ctx, ns, path, "Bogus")
		wantStatus(t, err, cim.ErrNoSuchProperty)
	})
	t.Run("DeleteInstance, then CIM_ERR_NOT_FOUND", func(t *testing.T) {
		if err := d.DeleteInstance(ctx, ns, path); err != nil {
			t.Fatal(err)
		}
		_, err := d.GetInstance(ctx, ns, path, InstanceOptions{})
		wantStatus(t, err, cim.ErrNotFound)
		wantStatus(t, d.DeleteInstance(ctx, ns, path), cim.ErrNotFound)
	})
}
