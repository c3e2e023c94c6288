package provkit

import (
	"testing"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

func TestLinkSetsReferencesAndValues(t *testing.T) {
	p := cim.NewInstancePath("root/virt", "Ferrum_HostSystem", Keys("Name", cim.String("h1"))...)
	in := Link("Ferrum_HostedService", "Antecedent", p, "Note", cim.String("x"), "Ignored", 3)
	if ref, ok := in.Properties[0].Value.AsRef(); !ok || !ref.Equal(p) || in.Properties[0].Name != "Antecedent" {
		t.Errorf("Antecedent = %v", in.Properties[0])
	}
	if v, ok := in.Get("Note"); !ok || v.Str() != "x" {
		t.Errorf("Note = %v", v)
	}
	if _, ok := in.Get("Ignored"); ok {
		t.Error("a value that is neither a path nor a cim.Value was set")
	}
}

func TestLocalDropsTheHostAndDefaultsTheNamespace(t *testing.T) {
	p := cim.NewInstancePath("", "Ferrum_HostSystem", Keys("Name", cim.String("h1"))...)
	p.Host = "mgr.example:5989"
	got := Local(p, "root/virt")
	want := cim.NewInstancePath("root/virt", "Ferrum_HostSystem", Keys("Name", cim.String("h1"))...)
	if got.Host != "" || !got.Equal(want) {
		t.Errorf("Local = %s, want %s", got, want)
	}
	q := cim.NewInstancePath("root/interop", "X", Keys("K", cim.String("v"))...)
	if got := Local(q, "root/virt"); got.Namespace != "root/interop" {
		t.Errorf("Local replaced namespace %q", got.Namespace)
	}
}

func TestYieldAllStopsWhenAsked(t *testing.T) {
	ins := []*cim.Instance{cim.NewInstance("A"), cim.NewInstance("B"), cim.NewInstance("C")}
	var seen int
	if more := YieldAll(ins, func(*cim.Instance) bool { seen++; return seen < 2 }); more || seen != 2 {
		t.Errorf("YieldAll = %v after %d, want false after 2", more, seen)
	}
}
