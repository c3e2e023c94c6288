package interop

import (
	"context"
	"slices"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
)

const (
	in   = cimom.InteropNamespace
	virt = cimom.VirtNamespace
)

func hostPath() cim.ObjectPath {
	return cim.NewInstancePath(virt, "Ferrum_HostSystem",
		cim.KeyBinding{Name: "CreationClassName", Value: cim.String("Ferrum_HostSystem")},
		cim.KeyBinding{Name: "Name", Value: cim.String("node1")})
}

func setup(t *testing.T) (*cimom.Dispatcher, *Provider) {
	t.Helper()
	r, err := cimom.NewSchemaRepository()
	if err != nil {
		t.Fatal(err)
	}
	d := cimom.New(r, cimom.NewMemoryStore())
	p, err := Register(d, Config{Host: "mgr.example", Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	p.AddProfile(Profile{ID: "DSP1042", Organization: 2, Name: "System Virtualization", Version: "1.0.0",
		References: []string{"DSP1057", "DSP9999"},
		Central:    func(context.Context) ([]cim.ObjectPath, error) { return []cim.ObjectPath{hostPath()}, nil }})
	p.AddProfile(Profile{ID: "DSP1057", Organization: 2, Name: "Virtual System", Version: "1.0.0"})
	return d, p
}

func enumerate(t *testing.T, d *cimom.Dispatcher, ns, class string) []*cim.Instance {
	t.Helper()
	var out []*cim.Instance
	err := d.EnumerateInstances(context.Background(), ns, class, cimom.InstanceOptions{DeepInheritance: true}, func(_ cim.ObjectPath, i *cim.Instance) bool {
		out = append(out, i)
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestProfilesAreDiscoverableFromInterop(t *testing.T) {
	d, p := setup(t)
	ctx := context.Background()
	profiles := enumerate(t, d, in, "CIM_RegisteredProfile")
	var names []string
	for _, rp := range profiles {
		names = append(names, rp.Str("RegisteredName"))
		if v, _ := rp.Get("RegisteredOrganization"); v.Raw() != uint16(2) {
			t.Errorf("%s: RegisteredOrganization %v", rp.Str("RegisteredName"), v)
		}
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"Profile Registration", "System Virtualization", "Virtual System"}) {
		t.Fatalf("profiles %v", names)
	}
	var central []string
	err := d.AssociatorNames(ctx, in, p.profilePath("DSP1042"), cimom.AssocFilter{AssocClass: "CIM_ElementConformsToProfile"}, func(c cim.ObjectPath) bool {
		central = append(central, c.String())
		return true
	})
	if err != nil || len(central) != 1 || central[0] != hostPath().String() {
		t.Fatalf("central instances %v, %v", central, err)
	}
	var back []string
	err = d.AssociatorNames(ctx, virt, hostPath(), cimom.AssocFilter{AssocClass: "CIM_ElementConformsToProfile", ResultRole: "ConformantStandard"}, func(c cim.ObjectPath) bool {
		back = append(back, c.String())
		return true
	})
	if err != nil || len(back) != 1 || back[0] != p.profilePath("DSP1042").String() {
		t.Fatalf("from root/virt back to the profile: %v, %v", back, err)
	}
	var om []*cim.Instance
	err = d.Associators(ctx, in, p.profilePath("DSP1033"), cimom.AssocFilter{}, cimom.InstanceOptions{}, func(_ cim.ObjectPath, i *cim.Instance) bool {
		om = append(om, i)
		return true
	})
	if err != nil || len(om) != 1 || om[0].ClassName != "Ferrum_ObjectManager" {
		t.Fatalf("Profile Registration's central instance: %v %v", om, err)
	}
}

func TestReferencedProfilesSkipUnknownProfiles(t *testing.T) {
	d, _ := setup(t)
	refs := enumerate(t, d, in, "CIM_ReferencedProfile")
	if len(refs) != 1 {
		t.Fatalf("%d referenced-profile links, want 1 (DSP9999 is not registered)", len(refs))
	}
	ante, _ := refs[0].Get("Antecedent")
	if p, _ := ante.AsRef(); p.Keys[0].Value.Str() != "Ferrum:DSP1057" {
		t.Fatalf("Antecedent must be the referenced (component) profile: %v", p)
	}
}

func TestGetCentralInstances(t *testing.T) {
	d, p := setup(t)
	ret, out, err := d.InvokeMethod(context.Background(), in, p.profilePath("DSP1042"), "GetCentralInstances", nil)
	if err != nil || ret.Raw() != uint8(0) {
		t.Fatalf("%v %v", ret, err)
	}
	v, _ := out.Get("CentralInstances")
	if v.Len() != 1 {
		t.Fatalf("CentralInstances %v", v)
	}
	_, _, err = d.InvokeMethod(context.Background(), in, cim.NewInstancePath(in, "Ferrum_RegisteredProfile",
		cim.KeyBinding{Name: "InstanceID", Value: cim.String("Ferrum:none")}), "GetCentralInstances", nil)
	if cim.StatusOf(err) != cim.ErrNotFound {
		t.Fatalf("unknown profile: %v", err)
	}
}

func TestObjectManagerAndNamespaces(t *testing.T) {
	d, p := setup(t)
	om, err := d.GetInstance(context.Background(), in, p.objectManagerPath(), cimom.InstanceOptions{})
	if err != nil || om.Str("ElementName") != "Ferrum" {
		t.Fatalf("%v %v", om, err)
	}
	var names []string
	for _, n := range enumerate(t, d, in, "CIM_Namespace") {
		names = append(names, n.Str("Name"))
	}
	if !slices.Equal(names, []string{"root/interop", "root/virt"}) {
		t.Fatalf("namespaces %v", names)
	}
	mechs := enumerate(t, d, in, "CIM_ObjectManagerCommunicationMechanism")
	if len(mechs) != 2 {
		t.Fatalf("%d communication mechanisms", len(mechs))
	}
	var nsOfManager int
	_ = d.AssociatorNames(context.Background(), in, p.objectManagerPath(), cimom.AssocFilter{AssocClass: "CIM_NamespaceInManager"}, func(cim.ObjectPath) bool {
		nsOfManager++
		return true
	})
	if nsOfManager != 2 {
		t.Fatalf("NamespaceInManager links %d", nsOfManager)
	}
}

// TestTraversalSkipsProfilesOfOtherClasses proves that traversal from an
// element does not list the central instances of profiles whose central
// classes it cannot belong to.
func TestTraversalSkipsProfilesOfOtherClasses(t *testing.T) {
	d, p := setup(t)
	p.AddProfile(Profile{ID: "DSP1041", Organization: 2, Name: "Resource Allocation", Version: "1.1.0",
		CentralClasses: []string{"CIM_ResourcePool"},
		Central: func(context.Context) ([]cim.ObjectPath, error) {
			t.Error("listed the central pools for a traversal from a host system")
			return nil, nil
		}})
	var got []string
	err := d.AssociatorNames(context.Background(), virt, hostPath(), cimom.AssocFilter{}, func(c cim.ObjectPath) bool {
		got = append(got, c.String())
		return true
	})
	if err != nil || len(got) != 1 {
		t.Fatalf("associators of the host: %v %v", got, err)
	}
}
