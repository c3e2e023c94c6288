package poolconfig

import (
	"slices"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

func TestServiceAndCapabilitiesPerHostLinkedBothWays(t *testing.T) {
	f := newFixture(t, 2, true)
	services := f.Enumerate(ClassService)
	caps := f.Enumerate(ClassCapabilities)
	if len(services) != 2 || len(caps) != 2 {
		t.Fatalf("%d services, %d capabilities for 2 hosts", len(services), len(caps))
	}
	for _, h := range f.DC.Hosts() {
		host := h.ID()
		svc := f.Get(ServicePath(host))
		if svc.Str("SystemName") != host || svc.Str("Name") != ServiceName {
			t.Errorf("service of %s: %v", host, svc)
		}
		c := f.Get(CapabilitiesPath(host))
		v, _ := c.Get("AsynchronousMethodsSupported")
		got := u32s(v)
		for _, want := range []uint32{3, 4, 32768, 32769} {
			if !slices.Contains(got, want) {
				t.Errorf("AsynchronousMethodsSupported %v lacks %d", got, want)
			}
		}
		if sv, _ := c.Get("SynchronousMethodsSupported"); sv.Len() != 0 {
			t.Errorf("SynchronousMethodsSupported %v, want none", sv)
		}
		if got := f.Associators(model.HostPath(host), model.AssocHostedService, ClassService); !slices.Equal(got, []string{ServicePath(host).Canonical()}) {
			t.Errorf("host %s hosts services %v", host, got)
		}
		if got := f.Associators(ServicePath(host), model.AssocHostedService, ""); !slices.Equal(got, []string{model.HostPath(host).Canonical()}) {
			t.Errorf("service of %s hosted by %v", host, got)
		}
		if got := f.Associators(ServicePath(host), model.AssocElementCaps, ""); !slices.Equal(got, []string{CapabilitiesPath(host).Canonical()}) {
			t.Errorf("service of %s has capabilities %v", host, got)
		}
		if got := f.Associators(CapabilitiesPath(host), model.AssocElementCaps, ""); !slices.Equal(got, []string{ServicePath(host).Canonical()}) {
			t.Errorf("capabilities of %s belong to %v", host, got)
		}
	}
	// The management service is still there beside the new one.
	if got := f.Associators(model.HostPath(f.host), model.AssocHostedService, ""); len(got) != 2 {
		t.Errorf("host hosts %v, want the management and the pool configuration services", got)
	}
	for _, p := range []cim.ObjectPath{ServicePath("no-such-host"), CapabilitiesPath("no-such-host")} {
		if _, err := f.get(p); cim.StatusOf(err) != cim.ErrNotFound {
			t.Errorf("get %s: %v, want CIM_ERR_NOT_FOUND", p, err)
		}
	}
	if _, _, err := f.D.InvokeMethod(f.Ctx, ns, ServicePath("no-such-host"), "DeleteResourcePool",
		cim.Params{{Name: "Pool", Value: cim.Ref(diskPool("no-such-host", "x"))}}); cim.StatusOf(err) != cim.ErrNotFound {
		t.Errorf("method on the service of an unknown host: %v, want CIM_ERR_NOT_FOUND", err)
	}
}

func TestUnsupportedMethodsAnswerNotSupported(t *testing.T) {
	f := newFixture(t, 1, true)
	before := f.state()
	for _, m := range []string{"CreateResourcePool", "AddResourcesToResourcePool", "RemoveResourcesFromResourcePool", "ChangeParentResourcePool"} {
		if code, _ := f.invoke(m, nil); code != 1 {
			t.Errorf("%s returned %d, want 1 Not Supported", m, code)
		}
	}
	if after := f.state(); after != before {
		t.Errorf("state changed:\n%s\n→\n%s", before, after)
	}
}
