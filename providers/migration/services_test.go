package migration

import (
	"slices"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

func TestOneServiceWithCapabilitiesPerHost(t *testing.T) {
	f := newFixture(t, Options{})
	services := f.Enumerate(ClassService)
	if len(services) != len(f.DC.Hosts()) {
		t.Fatalf("%d services for %d hosts", len(services), len(f.DC.Hosts()))
	}
	h := f.src.ID()
	svc := f.Get(ServicePath(h))
	for name, want := range map[string]string{"SystemCreationClassName": model.ClassHost, "SystemName": h,
		"CreationClassName": ClassService, "Name": ServiceName} {
		if got := svc.Str(name); got != want {
			t.Errorf("service %s = %q, want %q", name, got, want)
		}
	}
	caps := f.Get(CapsPath(h))
	for name, want := range map[string][]uint16{"SynchronousMethodsSupported": {4, 5},
		"AsynchronousMethodsSupported": {2, 3}, "DestinationHostFormatsSupported": {2, 3, 4}} {
		if v, _ := caps.Get(name); !slices.Equal(u16s(v), want) {
			t.Errorf("capabilities %s = %v, want %v", name, u16s(v), want)
		}
	}
	if got := f.Get(SettingsPath(h)); uintOf(got, "MigrationType") != typeLive {
		t.Errorf("default settings %v", got)
	}
	if _, err := f.D.GetInstance(f.Ctx, ns, ServicePath("no-such-host"), cimom.InstanceOptions{}); cim.StatusOf(err) != cim.ErrNotFound {
		t.Errorf("service of an unknown host: %v", err)
	}
}

func TestServiceLinksBothWays(t *testing.T) {
	f := newFixture(t, Options{})
	h := f.src.ID()
	svc, host, caps := ServicePath(h), model.HostPath(h), CapsPath(h)
	if got := f.Associators(host, model.AssocHostedService, ClassService); !slices.Equal(got, canon(svc)) {
		t.Errorf("host's migration services %v", got)
	}
	if got := f.Associators(host, model.AssocHostedService, ""); !slices.Contains(got, svc.Canonical()) || !slices.Contains(got, model.VSMSPath(h).Canonical()) {
		t.Errorf("host's services %v: want the management and the migration service", got)
	}
	if got := f.Associators(svc, model.AssocHostedService, ""); !slices.Equal(got, canon(host)) {
		t.Errorf("service hosted by %v", got)
	}
	if got := f.Associators(svc, model.AssocElementCaps, "CIM_VirtualSystemMigrationCapabilities"); !slices.Equal(got, canon(caps)) {
		t.Errorf("service capabilities %v", got)
	}
	if got := f.Associators(svc, model.AssocElementCaps, ""); !slices.Equal(got, canon(caps, f.Jobs.CapabilitiesPath())) {
		t.Errorf("service capabilities with jobs %v", got)
	}
	if got := f.Associators(caps, model.AssocElementCaps, ""); !slices.Equal(got, canon(svc)) {
		t.Errorf("capabilities of %v", got)
	}
	if got := f.Associators(caps, model.AssocSettingsDefCaps, ""); !slices.Equal(got, canon(SettingsPath(h))) {
		t.Errorf("capabilities define %v", got)
	}
	// the link instance itself, by its path
	hosted := cim.NewInstancePath(ns, model.AssocHostedService,
		cim.KeyBinding{Name: "Antecedent", Value: cim.Ref(host)}, cim.KeyBinding{Name: "Dependent", Value: cim.Ref(svc)})
	if in := f.Get(hosted); in.ClassName != model.AssocHostedService {
		t.Errorf("HostedService instance %v", in)
	}
	other := f.dst.ID()
	if got := f.Associators(model.HostPath(other), model.AssocHostedService, ClassService); !slices.Equal(got, canon(ServicePath(other))) {
		t.Errorf("other host's services %v", got)
	}
}

func TestProfileIsRegisteredAndReferencedByDSP1042(t *testing.T) {
	f := newFixture(t, Options{})
	profile := func(id string) cim.ObjectPath {
		return cim.NewInstancePath(cimom.InteropNamespace, "Ferrum_RegisteredProfile",
			cim.KeyBinding{Name: "InstanceID", Value: cim.String("Ferrum:" + id)})
	}
	rp, err := f.D.GetInstance(f.Ctx, cimom.InteropNamespace, profile(ProfileID), cimom.InstanceOptions{})
	if err != nil || rp.Str("RegisteredName") != "Virtual System Migration" || rp.Str("RegisteredVersion") != "1.0.0" {
		t.Fatalf("DSP1081 profile %v, %v", rp, err)
	}
	var want []cim.ObjectPath
	for _, h := range f.DC.Hosts() {
		want = append(want, ServicePath(h.ID()))
	}
	if got := f.AssociatorsIn(cimom.InteropNamespace, profile(ProfileID), "CIM_ElementConformsToProfile", ""); !slices.Equal(got, canon(want...)) {
		t.Errorf("central instances %v", got)
	}
	if got := f.AssociatorsIn(ns, ServicePath(f.src.ID()), "CIM_ElementConformsToProfile", ""); len(got) != 1 || model.InstanceIDOf(mustPath(t, got[0])) != "Ferrum:"+ProfileID {
		t.Errorf("service conforms to %v", got)
	}
	refs := f.AssociatorsIn(cimom.InteropNamespace, profile(virt.ProfileSystemVirtualization), "CIM_ReferencedProfile", "")
	if !slices.Contains(refs, profile(ProfileID).Canonical()) {
		t.Errorf("DSP1042 references %v, not DSP1081", refs)
	}
}

func mustPath(t *testing.T, s string) cim.ObjectPath {
	t.Helper()
	p, err := cim.ParseObjectPath(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
