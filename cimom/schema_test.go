package cimom

import "testing"

func TestLoadSchema(t *testing.T) {
	r, err := NewSchemaRepository()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ ns, class, ancestor string }{
		{VirtNamespace, "Ferrum_ComputerSystem", "CIM_ComputerSystem"},
		{VirtNamespace, "Ferrum_VirtualSystemManagementService", "CIM_VirtualSystemManagementService"},
		{InteropNamespace, "Ferrum_RegisteredProfile", "CIM_RegisteredProfile"},
		{InteropNamespace, "CIM_IndicationSubscription", "CIM_IndicationSubscription"},
	} {
		if !r.IsA(tc.ns, tc.class, tc.ancestor) {
			t.Errorf("%s: %s is not a %s", tc.ns, tc.class, tc.ancestor)
		}
	}
	t.Log(r)
}

func BenchmarkLoadSchema(b *testing.B) {
	for b.Loop() {
		if _, err := NewSchemaRepository(); err != nil {
			b.Fatal(err)
		}
	}
}
