package vswitch

import (
	"slices"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// bothWays requires that from associates through assoc to exactly want
// (when exact) or at least want, and that each of want leads back to from.
func (f *fixture) bothWays(from cim.ObjectPath, assoc string, exact bool, want ...cim.ObjectPath) {
	f.T.Helper()
	got := f.associators(ns, from, assoc)
	w := canon(want...)
	if exact && !slices.Equal(got, w) {
		f.T.Errorf("%s via %s: got %v, want %v", from, assoc, got, w)
	}
	for _, p := range w {
		if !slices.Contains(got, p) {
			f.T.Errorf("%s via %s: %s missing from %v", from, assoc, p, got)
		}
	}
	for _, p := range want {
		if back := f.associators(ns, p, assoc); !slices.Contains(back, from.Canonical()) {
			f.T.Errorf("%s via %s does not lead back to %s: %v", p, assoc, from, back)
		}
	}
}

func TestAssociationsBothWays(t *testing.T) {
	f := newFixture(t, 2)
	vm := f.webVM(0, "web", "external", 12)
	mac := vm.NICs[0].MAC
	h := f.Host(0).ID()
	ext, in := f.sw(0, "external"), f.sw(0, "internal")

	// The host hosts its switches (and its VMs, which package virt links);
	// host 1's switches are not host 0's.
	f.bothWays(model.HostPath(h), model.AssocHostedDependency, true, ext.path(), in.path(), model.VMPath(vm.UUID))
	f.bothWays(ext.path(), model.AssocHostedDependency, true, model.HostPath(h))
	f.bothWays(model.VSMSPath(h), model.AssocServiceAffects, true, ext.path(), in.path(), model.VMPath(vm.UUID))
	// The switch has one port per NIC; the internal switch none.
	f.bothWays(ext.path(), model.AssocSystemDevice, true, ext.portPath(mac))
	if got := f.associators(ns, in.path(), model.AssocSystemDevice); len(got) != 0 {
		t.Errorf("ports of the internal switch: %v", got)
	}
	// The settings aggregate the port and uplink allocations.
	f.bothWays(ext.settingsPath(), model.AssocVSSDComponent, true, ext.portSettingPath(mac), ext.uplinkPath())
	f.bothWays(ext.path(), model.AssocSettingsDefState, true, ext.settingsPath())
	f.bothWays(ext.portPath(mac), model.AssocSettingsDefState, true, ext.portSettingPath(mac))
	f.bothWays(ext.endpointPath(mac), model.AssocElementSettingData, true, ext.vlanSettingPath(mac))
	f.bothWays(ext.path(), AssocHostedAccessSAP, true, ext.endpointPath(mac))
	// The switch's settings are their own state, default and next settings.
	if got := f.associators(ns, ext.settingsPath(), model.AssocElementSettingData); !slices.Equal(got, canon(ext.settingsPath())) {
		t.Errorf("ElementSettingData of the switch settings: %v", got)
	}
	// The VM's own links are untouched: its VSSD aggregates its RASDs only.
	vssd := f.associators(ns, model.VSSDPath(vm.UUID), model.AssocVSSDComponent)
	if !slices.Contains(vssd, model.RASDPath(model.KindNetwork, vm.UUID, mac).Canonical()) || slices.Contains(vssd, ext.portSettingPath(mac).Canonical()) {
		t.Errorf("VM VSSD components %v", vssd)
	}

	// Enumerating an association class lists the switch links too, each
	// retrievable by its path.
	var refs []cim.ObjectPath
	err := f.D.EnumerateInstanceNames(f.Ctx, ns, model.AssocSystemDevice, func(p cim.ObjectPath) bool {
		refs = append(refs, p)
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range refs {
		if v, _ := p.Key("GroupComponent"); v.String() != "" {
			if r, _ := v.AsRef(); model.Is(r, ClassSwitch) {
				found = true
				f.Get(p)
			}
		}
	}
	if !found {
		t.Errorf("no switch among the SystemDevice links %v", refs)
	}
	// A switch that does not exist has no links.
	if got := f.associators(ns, f.sw(0, "nosuch").path(), model.AssocHostedDependency); len(got) != 0 {
		t.Errorf("links of a missing switch: %v", got)
	}
}

func TestProfileRegisteredWithCentralSwitches(t *testing.T) {
	f := newFixture(t, 1)
	var prof *cim.Instance
	for _, in := range f.enumerate(cimom.InteropNamespace, "CIM_RegisteredProfile") {
		if in.Str("RegisteredName") == "Virtual Ethernet Switch" {
			prof = in
		}
	}
	if prof == nil || prof.Str("RegisteredVersion") != "1.0.0" || uintOf(prof, "RegisteredOrganization") != 2 {
		t.Fatalf("DSP1097 profile %+v", prof)
	}
	path := cim.NewInstancePath(cimom.InteropNamespace, prof.ClassName, cim.KeyBinding{Name: "InstanceID", Value: cim.String(prof.Str("InstanceID"))})
	got := f.associators(cimom.InteropNamespace, path, "CIM_ElementConformsToProfile")
	want := canon(f.sw(0, "external").path(), f.sw(0, "internal").path())
	if !slices.Equal(got, want) {
		t.Errorf("central instances %v, want %v", got, want)
	}
	// From the switch, back to the profile.
	back := f.associators(ns, f.sw(0, "external").path(), "CIM_ElementConformsToProfile")
	if len(back) != 1 {
		t.Errorf("profiles of the switch: %v", back)
	}
	// DSP1042 references DSP1097.
	var referenced bool
	for _, in := range f.enumerate(cimom.InteropNamespace, "CIM_ReferencedProfile") {
		dep, _ := in.Get("Dependent")
		ant, _ := in.Get("Antecedent")
		dr, _ := dep.AsRef()
		ar, _ := ant.AsRef()
		if model.InstanceIDOf(ar) == "Ferrum:"+ProfileID && model.InstanceIDOf(dr) == "Ferrum:DSP1042" {
			referenced = true
		}
	}
	if !referenced {
		t.Error("DSP1042 does not reference DSP1097")
	}
}
