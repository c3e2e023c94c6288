package indication

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	ind "github.com/ferrum-virt/ferrum/cimom/indication"
)

// TestServiceReachesItsCapabilitiesBothWays checks DSP1054 §7.1: the
// CIM_IndicationService is associated to its
// CIM_IndicationServiceCapabilities by CIM_ElementCapabilities, and the
// traversal works from either end.
func TestServiceReachesItsCapabilitiesBothWays(t *testing.T) {
	dm := start(t, filepath.Join(t.TempDir(), "ferrum.db"), ind.Config{})
	ctx := as("admin", "admin")
	in := cimom.InteropNamespace
	names := func(from cim.ObjectPath, result string) []cim.ObjectPath {
		t.Helper()
		var out []cim.ObjectPath
		err := dm.d.AssociatorNames(ctx, in, from, cimom.AssocFilter{AssocClass: "CIM_ElementCapabilities", ResultClass: result},
			func(p cim.ObjectPath) bool { out = append(out, p); return true })
		if err != nil {
			t.Fatalf("AssociatorNames from %s: %v", from, err)
		}
		return out
	}
	svc, caps := dm.p.servicePath(), dm.p.capabilitiesPath()
	if got := names(svc, "CIM_IndicationServiceCapabilities"); len(got) != 1 || !got[0].Equal(caps) {
		t.Errorf("service → capabilities = %v, want [%s]", got, caps)
	}
	if got := names(caps, "CIM_IndicationService"); len(got) != 1 || !got[0].Equal(svc) {
		t.Errorf("capabilities → service = %v, want [%s]", got, svc)
	}
	if _, err := dm.d.GetInstance(context.Background(), in, caps, cimom.InstanceOptions{}); err != nil {
		t.Errorf("the capabilities the association names do not exist: %v", err)
	}
}
