package vswitch

import (
	"testing"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
	"github.com/ferrum-virt/ferrum/providers/virt/virttest"
)

const ns = model.Namespace

var (
	quiet  = virttest.Quiet
	canon  = virttest.Canon
	uintOf = virttest.UintOf
)

// fixture is a virttest.Fixture also serving vswitch.
type fixture struct{ *virttest.Fixture }

func newFixture(t testing.TB, hosts int) *fixture {
	t.Helper()
	return newFixtureJobs(t, hosts, true)
}

// newFixtureJobs builds a fixture; without jobs the methods run at once.
func newFixtureJobs(t testing.TB, hosts int, withJobs bool) *fixture {
	t.Helper()
	opts := []virttest.Option{virttest.WithSeed(7)}
	if !withJobs {
		opts = append(opts, virttest.WithoutJobs())
	}
	vf := virttest.New(t, hosts, opts...)
	if _, err := Register(vf.Ctx, vf.D, vf.IP, vf.Virt, vf.Jobs, Options{Log: quiet, Inventory: vf.Inv}); err != nil {
		t.Fatal(err)
	}
	return &fixture{vf}
}

func (f *fixture) sw(i int, name string) switchID {
	return switchID{Host: f.Host(i).ID(), Switch: name}
}

// switches lists the names of host i's switches.
func (f *fixture) switches(i int) []string {
	f.T.Helper()
	sws, err := f.Host(i).Switches().ListSwitches(f.Ctx)
	if err != nil {
		f.T.Fatal(err)
	}
	var out []string
	for _, s := range sws {
		out = append(out, s.Name)
	}
	return out
}

// nic returns the NIC of VM id with MAC mac, as the backend has it.
func (f *fixture) nic(i int, id, mac string) backends.NICSpec {
	f.T.Helper()
	vm, err := f.Host(i).VMs().Get(f.Ctx, id)
	if err != nil {
		f.T.Fatal(err)
	}
	for _, n := range vm.NICs {
		if n.MAC == mac {
			return n
		}
	}
	f.T.Fatalf("vm %s has no nic %s", id, mac)
	return backends.NICSpec{}
}

// enumerate returns the instances of class and its subclasses in
// namespace.
func (f *fixture) enumerate(namespace, class string) []*cim.Instance {
	f.T.Helper()
	return f.EnumerateIn(namespace, class, cimom.InstanceOptions{DeepInheritance: true})
}

// associators returns the sorted canonical paths path associates to
// through assoc.
func (f *fixture) associators(namespace string, path cim.ObjectPath, assoc string) []string {
	f.T.Helper()
	return f.AssociatorsIn(namespace, path, assoc, "")
}

// invoke calls a method on the management service of host i.
func (f *fixture) invoke(i int, method string, in cim.Params) (uint32, cim.Params) {
	f.T.Helper()
	return f.Invoke(model.VSMSPath(f.Host(i).ID()), method, in)
}

// invokeJob calls an asynchronous method on the management service of
// host i, requires 4096, waits for the job and requires it completed.
func (f *fixture) invokeJob(i int, method string, in cim.Params) cim.Params {
	f.T.Helper()
	return f.InvokeCompleted(model.VSMSPath(f.Host(i).ID()), method, in)
}

func strs(in *cim.Instance, name string) []string {
	v, _ := in.Get(name)
	var out []string
	for _, e := range v.Elems() {
		out = append(out, e.Str())
	}
	return out
}

// switchSettings is a DefineSystem SystemSettings for a switch.
func switchSettings(name string) cim.Param {
	return cim.Param{Name: "SystemSettings", Value: cim.Embedded(cim.NewInstance(ClassSwitchSettings).Set("ElementName", cim.String(name)))}
}

// uplinkSetting is an uplink request naming host NIC nic.
func uplinkSetting(nic string) *cim.Instance {
	return cim.NewInstance(ClassPortSettings).Set("ResourceType", cim.Uint16(33)).Set("HostResource", cim.StringArray(nic))
}

func embedded(ins ...*cim.Instance) cim.Value {
	elems := make([]any, len(ins))
	for i, in := range ins {
		elems[i] = in
	}
	v, _ := cim.NewArray(cim.TypeInstance, elems)
	return v
}
