package snapshot_test

import (
	"sort"
	"testing"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/snapshot"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
	"github.com/ferrum-virt/ferrum/providers/virt/virttest"
)

const ns = model.Namespace

var (
	canon  = virttest.Canon
	u16s   = virttest.U16s
	uintOf = virttest.UintOf
)

// fixture is a virttest.Fixture also serving snapshots.
type fixture struct{ *virttest.Fixture }

func newFixture(t *testing.T, hosts int) *fixture {
	t.Helper()
	vf := virttest.New(t, hosts)
	if _, err := snapshot.Register(vf.Ctx, vf.D, vf.IP, vf.Virt, virttest.Quiet); err != nil {
		t.Fatal(err)
	}
	return &fixture{vf}
}

// define defines a VM with a qcow2 disk and a NIC on host i.
func (f *fixture) define(i int, name string) backends.VM {
	f.T.Helper()
	h := f.Host(i)
	vol, err := h.Storage().CreateVolume(f.Ctx, "default", backends.VolumeSpec{Name: name + "-root", Capacity: 8 << 30})
	if err != nil {
		f.T.Fatal(err)
	}
	vm, err := h.VMs().Define(f.Ctx, backends.VMSpec{Name: name, VCPUs: 2, MaxVCPUs: 4, MemoryMiB: 2048, MaxMemoryMiB: 4096,
		Disks: []backends.DiskSpec{{Volume: &vol.Ref}}, NICs: []backends.NICSpec{{Switch: "internal"}}})
	if err != nil {
		f.T.Fatal(err)
	}
	return vm
}

func (f *fixture) vm(i int, id string) backends.VM {
	f.T.Helper()
	vm, err := f.Host(i).VMs().Get(f.Ctx, id)
	if err != nil {
		f.T.Fatal(err)
	}
	return vm
}

func (f *fixture) snapshots(i int, id string) []backends.Snapshot {
	f.T.Helper()
	s, err := f.Host(i).ListSnapshots(f.Ctx, id)
	if err != nil {
		f.T.Fatal(err)
	}
	return s
}

// associators returns the canonical paths of what path associates to.
func (f *fixture) associators(path cim.ObjectPath, filter cimom.AssocFilter) []string {
	f.T.Helper()
	var out []string
	err := f.D.AssociatorNames(f.Ctx, ns, path, filter, func(p cim.ObjectPath) bool {
		out = append(out, p.Canonical())
		return true
	})
	if err != nil {
		f.T.Fatalf("associators of %s via %+v: %v", path, filter, err)
	}
	sort.Strings(out)
	return out
}

func via(assoc string) cimom.AssocFilter { return cimom.AssocFilter{AssocClass: assoc} }

func settings(name, desc string) cim.Value {
	return cim.Embedded(cim.NewInstance("CIM_SettingData").
		Set("ElementName", cim.String(name)).Set("Description", cim.String(desc)))
}

// createParams are CreateSnapshot's parameters for vm.
func createParams(vm string, name string, typ uint16) cim.Params {
	ps := cim.Params{{Name: "AffectedSystem", Value: cim.Ref(model.VMPath(vm))},
		{Name: "SnapshotType", Value: cim.Uint16(typ)}}
	if name != "" {
		ps = append(ps, cim.Param{Name: "SnapshotSettings", Value: settings(name, "taken by a test")})
	}
	return ps
}

func (f *fixture) associatorsIn(namespace string, path cim.ObjectPath, filter cimom.AssocFilter) []string {
	f.T.Helper()
	var out []string
	err := f.D.AssociatorNames(f.Ctx, namespace, path, filter, func(p cim.ObjectPath) bool {
		out = append(out, p.Local().Canonical())
		return true
	})
	if err != nil {
		f.T.Fatalf("associators of %s: %v", path, err)
	}
	sort.Strings(out)
	return out
}

func profilePath(prof *cim.Instance) cim.ObjectPath {
	return cim.NewInstancePath(cimom.InteropNamespace, "Ferrum_RegisteredProfile",
		cim.KeyBinding{Name: "InstanceID", Value: cim.String(prof.Str("InstanceID"))})
}
