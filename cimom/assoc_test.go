package cimom

import (
	"context"
	"slices"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

func sysPath(id string) cim.ObjectPath {
	return cim.NewInstancePath(ns, "Ex_System", cim.KeyBinding{Name: "InstanceID", Value: cim.String(id)})
}

func diskPath(id string) cim.ObjectPath {
	return cim.NewInstancePath(ns, "Ex_Disk", cim.KeyBinding{Name: "InstanceID", Value: cim.String(id)})
}

// associated builds: host1 ─SystemDevice→ vm1, disk1; vm1 ─SystemDevice→ disk1; vm1 ─Peer→ vm2.
func associated(t *testing.T) *Dispatcher {
	t.Helper()
	d, _ := newTestDispatcher(t)
	ctx := context.Background()
	mustCreate := func(in *cim.Instance) {
		if _, err := d.CreateInstance(ctx, ns, in); err != nil {
			t.Fatal(err)
		}
	}
	mustCreate(cim.NewInstance("Ex_System").Set("InstanceID", cim.String("host1")))
	mustCreate(cim.NewInstance("Ex_Disk").Set("InstanceID", cim.String("disk1")))
	link := func(group, part cim.ObjectPath) {
		mustCreate(cim.NewInstance("Ex_SystemDevice").Set("Group", cim.Ref(group)).Set("Part", cim.Ref(part)))
	}
	link(sysPath("host1"), vmPath("vm1"))
	link(sysPath("host1"), diskPath("disk1"))
	link(vmPath("vm1"), diskPath("disk1"))
	link(sysPath("host1"), diskPath("gone")) // a dangling association
	mustCreate(cim.NewInstance("Ex_Peer").Set("A", cim.Ref(vmPath("vm1"))).Set("B", cim.Ref(vmPath("vm2"))))
	return d
}

func names(t *testing.T, d *Dispatcher, obj cim.ObjectPath, f AssocFilter) []string {
	t.Helper()
	var out []string
	err := d.AssociatorNames(context.Background(), ns, obj, f, func(p cim.ObjectPath) bool {
		out = append(out, p.ClassName+":"+p.Keys[0].Value.Str())
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func TestAssociators(t *testing.T) {
	d := associated(t)
	tests := []struct {
		name string
		obj  cim.ObjectPath
		f    AssocFilter
		want []string
	}{
		{"all associators of a VM, through both association classes", vmPath("vm1"), AssocFilter{}, []string{"Ex_Disk:disk1", "Ex_System:host1", "Ex_VM:vm2"}},
		{"AssocClass selects the association", vmPath("vm1"), AssocFilter{AssocClass: "Ex_Peer"}, []string{"Ex_VM:vm2"}},
		{"Role names the source's end", vmPath("vm1"), AssocFilter{Role: "Group"}, []string{"Ex_Disk:disk1"}},
		{"ResultRole names the far end", vmPath("vm1"), AssocFilter{ResultRole: "Group"}, []string{"Ex_System:host1"}},
		{"ResultClass filters the results", sysPath("host1"), AssocFilter{ResultClass: "Ex_VM"}, []string{"Ex_VM:vm1"}},
		{"each result appears once", sysPath("host1"), AssocFilter{}, []string{"Ex_Disk:disk1", "Ex_Disk:gone", "Ex_VM:vm1"}},
		{"the other direction of a symmetric association", vmPath("vm2"), AssocFilter{}, []string{"Ex_VM:vm1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := names(t, d, tc.obj, tc.f); !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("Associators skips targets that no longer exist and fetches the rest", func(t *testing.T) {
		var got []string
		err := d.Associators(context.Background(), ns, sysPath("host1"), AssocFilter{}, InstanceOptions{}, func(p cim.ObjectPath, in *cim.Instance) bool {
			got = append(got, in.ClassName+":"+in.Str("InstanceID"))
			return true
		})
		slices.Sort(got)
		if err != nil || !slices.Equal(got, []string{"Ex_Disk:disk1", "Ex_VM:vm1"}) {
			t.Fatalf("got %v, %v", got, err)
		}
	})
	t.Run("an unknown AssocClass → CIM_ERR_INVALID_PARAMETER", func(t *testing.T) {
		err := d.AssociatorNames(context.Background(), ns, vmPath("vm1"), AssocFilter{AssocClass: "Ex_Nope"}, func(cim.ObjectPath) bool { return true })
		wantStatus(t, err, cim.ErrInvalidParameter)
	})
}

func TestReferences(t *testing.T) {
	d := associated(t)
	count := func(obj cim.ObjectPath, f AssocFilter) int {
		n := 0
		err := d.References(context.Background(), ns, obj, f, InstanceOptions{}, func(p cim.ObjectPath, in *cim.Instance) bool {
			if _, ok := in.Get("Group"); !ok && in.ClassName == "Ex_SystemDevice" {
				t.Errorf("association instance without its references: %v", in)
			}
			n++
			return true
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(vmPath("vm1"), AssocFilter{}); n != 3 {
		t.Fatalf("vm1 has %d references, want 3", n)
	}
	if n := count(vmPath("vm1"), AssocFilter{ResultClass: "Ex_SystemDevice", Role: "Part"}); n != 1 {
		t.Fatalf("vm1 is Part of %d, want 1", n)
	}
	var paths []string
	_ = d.ReferenceNames(context.Background(), ns, diskPath("disk1"), AssocFilter{}, func(p cim.ObjectPath) bool {
		paths = append(paths, p.String())
		return true
	})
	if len(paths) != 2 {
		t.Fatalf("disk1 reference names: %v", paths)
	}
}

// refProvider serves Ex_Peer through ReferenceProvider only, failing any
// full enumeration so that the test proves the fast path is taken.
type refProvider struct{ t *testing.T }

func (p refProvider) EnumerateInstances(context.Context, string, *cim.Class, func(*cim.Instance) bool) error {
	p.t.Error("the dispatcher enumerated instead of asking References")
	return nil
}

func (p refProvider) GetInstance(context.Context, string, cim.ObjectPath, *cim.Class) (*cim.Instance, error) {
	return nil, cim.Errorf(cim.ErrNotFound, "none")
}

func (p refProvider) References(_ context.Context, _ string, _ *cim.Class, target cim.ObjectPath, role string, yield func(*cim.Instance) bool) error {
	other := vmPath("vm2")
	yield(cim.NewInstance("Ex_Peer").Set("A", cim.Ref(target)).Set("B", cim.Ref(other)))
	return nil
}

func TestReferenceProviderFastPath(t *testing.T) {
	d, _ := newTestDispatcher(t)
	d.Providers.Handle(ns, "Ex_Peer", refProvider{t})
	if got := names(t, d, vmPath("vm1"), AssocFilter{AssocClass: "Ex_Peer"}); !slices.Equal(got, []string{"Ex_VM:vm2"}) {
		t.Fatalf("got %v", got)
	}
}
