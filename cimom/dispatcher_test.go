package cimom

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/repo"
	"github.com/ferrum-virt/ferrum/mof"
)

const testSchema = `
Qualifier Key : boolean = false, Scope(property, reference), Flavor(DisableOverride, ToSubclass);
Qualifier Association : boolean = false, Scope(association), Flavor(DisableOverride, ToSubclass);
Qualifier Abstract : boolean = false, Scope(class, association, indication), Flavor(Restricted);
Qualifier Description : string = null, Scope(any), Flavor(Translatable);
Qualifier Override : string = null, Scope(property, reference, method), Flavor(Restricted);
Qualifier In : boolean = true, Scope(parameter), Flavor(DisableOverride, ToSubclass);
Qualifier Out : boolean = false, Scope(parameter), Flavor(DisableOverride, ToSubclass);
Qualifier Required : boolean = false, Scope(property, reference, parameter, method), Flavor(DisableOverride, ToSubclass);
Qualifier Static : boolean = false, Scope(property, method), Flavor(DisableOverride, ToSubclass);
Qualifier EmbeddedInstance : string = null, Scope(property, parameter, method);

[Abstract, Description("root")] class Ex_Element {
  [Key] string InstanceID;
  string Caption;
};
class Ex_System : Ex_Element {
  uint16 State = 2;
  uint32 Reset();
};
class Ex_VM : Ex_System {
  uint64 Memory;
  uint32 RequestStateChange([In] uint16 RequestedState, [In(false), Out] Ex_Element REF Job, [In, EmbeddedInstance("Ex_Setting")] string Settings);
  [Static] uint32 Define([In] string Name);
};
class Ex_Disk : Ex_Element {
  uint64 Size;
};
[Association] class Ex_SystemDevice {
  [Key] Ex_System REF Group;
  [Key] Ex_Element REF Part;
};
[Association] class Ex_Peer {
  [Key] Ex_VM REF A;
  [Key] Ex_VM REF B;
};
class Ex_Setting {
  [Key] string InstanceID;
  [Required] string Name;
  sint32 Level = -1;
  string Tags[];
};
`

const ns = "root/test"

func newTestDispatcher(t *testing.T) (*Dispatcher, *vmProvider) {
	t.Helper()
	r := repo.New()
	f, err := mof.Parse("test.mof", []byte(testSchema))
	if err != nil {
		t.Fatal(err)
	}
	c := &mof.Compiler{Target: r, DefaultNamespace: ns}
	if err := c.Compile(f.Decls); err != nil {
		t.Fatal(err)
	}
	d := New(r, NewMemoryStore())
	d.MarkBuiltin()
	vms := &vmProvider{vms: map[string]uint64{"vm1": 1024, "vm2": 2048}}
	d.Providers.Handle(ns, "Ex_VM", vms)
	return d, vms
}

// vmProvider serves Ex_VM from a map and implements its methods.
type vmProvider struct {
	vms   map[string]uint64
	calls []string
}

func (p *vmProvider) inst(id string) *cim.Instance {
	return cim.NewInstance("Ex_VM").Set("InstanceID", cim.String(id)).
		Set("Caption", cim.String("VM "+id)).Set("State", cim.Uint16(2)).Set("Memory", cim.Uint64(p.vms[id]))
}

func (p *vmProvider) EnumerateInstances(_ context.Context, _ string, _ *cim.Class, yield func(*cim.Instance) bool) error {
	ids := make([]string, 0, len(p.vms))
	for id := range p.vms {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if !yield(p.inst(id)) {
			return nil
		}
	}
	return nil
}

func (p *vmProvider) GetInstance(_ context.Context, _ string, path cim.ObjectPath, _ *cim.Class) (*cim.Instance, error) {
	v, _ := path.Key("InstanceID")
	if _, ok := p.vms[v.Str()]; !ok {
		return nil, cim.Errorf(cim.ErrNotFound, "no VM %s", v.Str())
	}
	return p.inst(v.Str()), nil
}

func (p *vmProvider) InvokeMethod(_ context.Context, _ string, path cim.ObjectPath, m *cim.Method, in cim.Params) (cim.Value, cim.Params, error) {
	p.calls = append(p.calls, m.Name+" "+path.String())
	if v, ok := in.Get("RequestedState"); ok && v.Raw().(uint16) == 99 {
		return cim.Uint32(5), nil, nil
	}
	return cim.Uint32(0), cim.Params{{Name: "Job", Value: cim.Null(cim.TypeReference)}}, nil
}

func vmPath(id string) cim.ObjectPath {
	return cim.NewInstancePath(ns, "Ex_VM", cim.KeyBinding{Name: "InstanceID", Value: cim.String(id)})
}

func wantStatus(t *testing.T, err error, want cim.Status) {
	t.Helper()
	if got := cim.StatusOf(err); got != want {
		t.Fatalf("status %v (%v), want %v", got, err, want)
	}
}

func collect(t *testing.T, d *Dispatcher, class string, opts InstanceOptions) ([]cim.ObjectPath, []*cim.Instance) {
	t.Helper()
	var paths []cim.ObjectPath
	var insts []*cim.Instance
	err := d.EnumerateInstances(context.Background(), ns, class, opts, func(p cim.ObjectPath, i *cim.Instance) bool {
		paths, insts = append(paths, p), append(insts, i)
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	return paths, insts
}

func propNames(in *cim.Instance) string {
	var names []string
	for _, p := range in.Properties {
		names = append(names, p.Name)
	}
	return strings.Join(names, ",")
}
