package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// openTest opens a store in a fresh directory, closed when the test ends.
func openTest(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "ferrum.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// vm returns a Ferrum_VM instance keyed by Name and its path.
func vm(name string) (cim.ObjectPath, *cim.Instance) {
	in := cim.NewInstance("Ferrum_VM").
		Set("Name", cim.String(name)).
		Set("CreationClassName", cim.String("Ferrum_VM")).
		Set("EnabledState", cim.Uint16(2))
	p := cim.NewInstancePath("root/virt", "Ferrum_VM",
		cim.KeyBinding{Name: "CreationClassName", Value: cim.String("Ferrum_VM")},
		cim.KeyBinding{Name: "Name", Value: cim.String(name)})
	return p, in
}

func TestInstanceCRUD(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	p, in := vm("vm1")
	if err := s.CreateInstance(ctx, "root/virt", p, in); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetInstance(ctx, "root/virt", p)
	if err != nil {
		t.Fatal(err)
	}
	if d := diffInstance("instance", in, got); d != "" {
		t.Fatal(d)
	}
	in2 := in.Clone().Set("EnabledState", cim.Uint16(3))
	if err := s.ReplaceInstance(ctx, "root/virt", p, in2); err != nil {
		t.Fatal(err)
	}
	got, err = s.GetInstance(ctx, "root/virt", p)
	if err != nil {
		t.Fatal(err)
	}
	if d := diffInstance("instance", in2, got); d != "" {
		t.Fatalf("after ReplaceInstance: %s", d)
	}
	if err := s.DeleteInstance(ctx, "root/virt", p); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetInstance(ctx, "root/virt", p); !errors.Is(err, ErrNotFound) {
		t.Fatalf("GetInstance after delete: %v, want ErrNotFound", err)
	}
}

func TestInstanceKeySemantics(t *testing.T) {
	p, in := vm("vm1")
	respelled := cim.ObjectPath{Host: "other-host", Namespace: "/ROOT/Virt/", ClassName: "FERRUM_vm", Keys: []cim.KeyBinding{
		{Name: "name", Value: cim.String("vm1")},
		{Name: "CREATIONCLASSNAME", Value: cim.String("Ferrum_VM")},
	}}
	noNS := p
	noNS.Namespace = ""
	otherKey := cim.NewInstancePath("root/virt", "Ferrum_VM",
		cim.KeyBinding{Name: "CreationClassName", Value: cim.String("Ferrum_VM")},
		cim.KeyBinding{Name: "Name", Value: cim.String("VM1")}) // key values are case-sensitive
	byWidth := func(v cim.Value) cim.ObjectPath {
		return cim.NewInstancePath("root/virt", "Ferrum_VM", cim.KeyBinding{Name: "Id", Value: v})
	}
	tests := []struct {
		name      string
		ns        string
		first     cim.ObjectPath
		second    cim.ObjectPath
		wantClash bool
	}{
		{"the same path twice → ErrExists", "root/virt", p, p, true},
		{"namespace, class and key names differ only in case, key order and host → ErrExists", "root/virt", p, respelled, true},
		{"a path without namespace names the instance in the ns argument → ErrExists", "root/virt", p, noNS, true},
		{"integer keys of different widths but equal value → ErrExists", "root/virt", byWidth(cim.Uint16(7)), byWidth(cim.Uint64(7)), true},
		{"key values that differ in case are different instances", "root/virt", p, otherKey, false},
		{"integer keys of different value are different instances", "root/virt", byWidth(cim.Uint16(7)), byWidth(cim.Uint16(8)), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s := openTest(t)
			in1 := in.Clone()
			in1.ClassName = tc.first.ClassName
			if err := s.CreateInstance(ctx, tc.ns, tc.first, in1); err != nil {
				t.Fatal(err)
			}
			in2 := in.Clone()
			in2.ClassName = tc.second.ClassName
			err := s.CreateInstance(ctx, "ROOT/VIRT", tc.second, in2)
			if tc.wantClash != errors.Is(err, ErrExists) || (!tc.wantClash && err != nil) {
				t.Fatalf("second CreateInstance: %v, want clash %v", err, tc.wantClash)
			}
			if !tc.wantClash {
				return
			}
			// The respelled path finds, replaces and deletes the first.
			if _, err := s.GetInstance(ctx, "Root/Virt", tc.second); err != nil {
				t.Fatalf("GetInstance by the other spelling: %v", err)
			}
			if err := s.ReplaceInstance(ctx, "root/virt", tc.second, in2); err != nil {
				t.Fatalf("ReplaceInstance by the other spelling: %v", err)
			}
			if err := s.DeleteInstance(ctx, "root/virt/", tc.second); err != nil {
				t.Fatalf("DeleteInstance by the other spelling: %v", err)
			}
		})
	}
}

func TestMissingInstances(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	p, in := vm("present")
	if err := s.CreateInstance(ctx, "root/virt", p, in); err != nil {
		t.Fatal(err)
	}
	missing, missingInst := vm("absent")
	tests := []struct {
		name string
		op   func() error
	}{
		{"GetInstance of a missing path → ErrNotFound", func() error { _, err := s.GetInstance(ctx, "root/virt", missing); return err }},
		{"GetInstance in another namespace → ErrNotFound", func() error { _, err := s.GetInstance(ctx, "root/interop", p); return err }},
		{"ReplaceInstance of a missing path → ErrNotFound", func() error { return s.ReplaceInstance(ctx, "root/virt", missing, missingInst) }},
		{"DeleteInstance of a missing path → ErrNotFound", func() error { return s.DeleteInstance(ctx, "root/virt", missing) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.op(); !errors.Is(err, ErrNotFound) {
				t.Fatalf("got %v, want ErrNotFound", err)
			}
		})
	}
	if n, _ := s.CountInstances(ctx, "root/virt", "Ferrum_VM"); n != 1 {
		t.Fatalf("failed operations changed the count to %d", n)
	}
}

func TestInvalidInstanceArguments(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	p, in := vm("vm1")
	host := cim.NewInstance("Ferrum_Host")
	tests := []struct {
		name string
		ns   string
		path cim.ObjectPath
		inst *cim.Instance
	}{
		{"an empty namespace → ErrInvalid", "/", p, in},
		{"a path without class → ErrInvalid", "root/virt", cim.ObjectPath{}, in},
		{"a nil instance → ErrInvalid", "root/virt", p, nil},
		{"an instance of another class than the path's → ErrInvalid", "root/virt", p, host},
		{"an instance the codec cannot store → ErrInvalid", "root/virt", p, cim.NewInstance("Ferrum_VM").Set("X", cim.Null(99))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.CreateInstance(ctx, tc.ns, tc.path, tc.inst); !errors.Is(err, ErrInvalid) {
				t.Fatalf("CreateInstance: %v, want ErrInvalid", err)
			}
			if err := s.ReplaceInstance(ctx, tc.ns, tc.path, tc.inst); !errors.Is(err, ErrInvalid) {
				t.Fatalf("ReplaceInstance: %v, want ErrInvalid", err)
			}
		})
	}
}

// collect enumerates ns/class and returns the Name keys in order.
func collect(t *testing.T, s *Store, ns, class string, limit int) []string {
	t.Helper()
	var names []string
	err := s.EnumerateInstances(context.Background(), ns, class, func(p cim.ObjectPath, in *cim.Instance) bool {
		names = append(names, in.Str("Name"))
		return limit <= 0 || len(names) < limit
	})
	if err != nil {
		t.Fatalf("EnumerateInstances: %v", err)
	}
	return names
}

func TestEnumerateInstances(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	for _, name := range []string{"c", "a", "b", "d"} {
		p, in := vm(name)
		if err := s.CreateInstance(ctx, "root/virt", p, in); err != nil {
			t.Fatal(err)
		}
	}
	other := cim.NewInstance("Ferrum_VMX").Set("Name", cim.String("x"))
	if err := s.CreateInstance(ctx, "root/virt", cim.NewInstancePath("root/virt", "Ferrum_VMX", cim.KeyBinding{Name: "Name", Value: cim.String("x")}), other); err != nil {
		t.Fatal(err)
	}
	p, in := vm("elsewhere")
	if err := s.CreateInstance(ctx, "root/other", p, in); err != nil {
		t.Fatal(err)
	}
	// Deleting "a" and creating "e" keeps the others' order; replacing "c" keeps its place.
	pa, _ := vm("a")
	if err := s.DeleteInstance(ctx, "root/virt", pa); err != nil {
		t.Fatal(err)
	}
	pe, ine := vm("e")
	if err := s.CreateInstance(ctx, "root/virt", pe, ine); err != nil {
		t.Fatal(err)
	}
	pc, inc := vm("c")
	if err := s.ReplaceInstance(ctx, "root/virt", pc, inc.Set("EnabledState", cim.Uint16(3))); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		ns, class string
		limit     int
		want      []string
	}{
		{"instances come in creation order, replaced ones keeping their place", "root/virt", "Ferrum_VM", 0, []string{"c", "b", "d", "e"}},
		{"namespace and class match case-insensitively", "/ROOT/VIRT", "ferrum_vm", 0, []string{"c", "b", "d", "e"}},
		{"only the exact class, not one whose name extends it", "root/virt", "Ferrum_VMX", 0, []string{"x"}},
		{"enumeration stops when yield returns false", "root/virt", "Ferrum_VM", 2, []string{"c", "b"}},
		{"another namespace holds its own instances", "root/other", "Ferrum_VM", 0, []string{"elsewhere"}},
		{"an unknown class yields nothing", "root/virt", "Ferrum_None", 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := collect(t, s, tc.ns, tc.class, tc.limit); fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			if tc.limit > 0 {
				return
			}
			if n, err := s.CountInstances(ctx, tc.ns, tc.class); err != nil || n != len(tc.want) {
				t.Fatalf("CountInstances = %d, %v; want %d", n, err, len(tc.want))
			}
		})
	}
}

func TestEnumerateReturnsPathsAsCreated(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	p := cim.ObjectPath{Host: "Mgmt1", Namespace: "Root/Virt", ClassName: "Ferrum_VM", Keys: []cim.KeyBinding{
		{Name: "Name", Value: cim.String("vm1")}, {Name: "CreationClassName", Value: cim.String("Ferrum_VM")}}}
	_, in := vm("vm1")
	if err := s.CreateInstance(ctx, "root/virt", p, in); err != nil {
		t.Fatal(err)
	}
	// A replace through another spelling does not rename it.
	respelled := p
	respelled.ClassName, respelled.Namespace, respelled.Host = "FERRUM_VM", "", ""
	inUpper := in.Clone()
	inUpper.ClassName = "FERRUM_VM"
	if err := s.ReplaceInstance(ctx, "root/virt", respelled, inUpper); err != nil {
		t.Fatal(err)
	}
	var got []cim.ObjectPath
	if err := s.EnumerateInstances(ctx, "ROOT/virt", "ferrum_vm", func(p cim.ObjectPath, _ *cim.Instance) bool {
		got = append(got, p)
		return true
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("got %d paths", len(got))
	}
	if d := diffPath("path", p, got[0]); d != "" {
		t.Fatal(d)
	}
}

func TestEnumerateLetsYieldWrite(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	for i := range 10 {
		p, in := vm(fmt.Sprint(i))
		if err := s.CreateInstance(ctx, "root/virt", p, in); err != nil {
			t.Fatal(err)
		}
	}
	seen := 0
	err := s.EnumerateInstances(ctx, "root/virt", "Ferrum_VM", func(p cim.ObjectPath, in *cim.Instance) bool {
		seen++
		// Writes from inside yield neither deadlock nor show up in this enumeration.
		np, nin := vm("new" + in.Str("Name"))
		if err := s.CreateInstance(ctx, "root/virt", np, nin); err != nil {
			t.Errorf("CreateInstance inside yield: %v", err)
			return false
		}
		if err := s.DeleteInstance(ctx, "root/virt", p); err != nil {
			t.Errorf("DeleteInstance inside yield: %v", err)
			return false
		}
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen != 10 {
		t.Fatalf("enumeration saw %d instances, want the 10 of its snapshot", seen)
	}
	if n, _ := s.CountInstances(ctx, "root/virt", "Ferrum_VM"); n != 10 {
		t.Fatalf("after the loop %d instances, want 10 new ones", n)
	}
}

func TestEnumerateStopsOnCancelledContext(t *testing.T) {
	s := openTest(t)
	for i := range 5 {
		p, in := vm(fmt.Sprint(i))
		if err := s.CreateInstance(context.Background(), "root/virt", p, in); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	seen := 0
	err := s.EnumerateInstances(ctx, "root/virt", "Ferrum_VM", func(cim.ObjectPath, *cim.Instance) bool {
		seen++
		cancel()
		return true
	})
	if !errors.Is(err, context.Canceled) || seen != 1 {
		t.Fatalf("EnumerateInstances after cancel = %v with %d yields, want context.Canceled after 1", err, seen)
	}
}
