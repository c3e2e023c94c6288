package conformance

import (
	"context"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// checkMigratable asks whether a defined VM can migrate to another host:
// DSP1081 §8 CheckVirtualSystemIsMigratableToHost returns 0 and a
// boolean IsMigratable (either value conforms).
func checkMigratable(ctx context.Context, t *T) {
	svcs := central(t, "DSP1081", 4)
	hosts := central(t, "DSP1042", 8)
	if len(hosts) < 2 {
		t.Skipf("one DSP1042 host only: there is no other host to migrate to")
	}
	vm := defineTestVM(ctx, t)
	defer vm.cleanup(ctx, t)
	var dest *cim.Instance
	for _, h := range hosts {
		if !samePath(h, vm.host) {
			inst, err := t.C.GetInstance(ctx, h)
			if err != nil {
				t.Fatalf("GetInstance %s: %v", h, err)
			}
			dest = inst
			break
		}
	}
	svc := hostedService(ctx, t, vm.host, "CIM_VirtualSystemMigrationService", svcs)
	rv, out, err := t.C.InvokeMethod(ctx, svc, "CheckVirtualSystemIsMigratableToHost", cim.Params{
		{Name: "ComputerSystem", Value: cim.Ref(vm.path)}, {Name: "DestinationHost", Value: cim.String(dest.Str("Name"))}})
	if err != nil {
		t.Fatalf("CheckVirtualSystemIsMigratableToHost %s to %s: %v", vm.path, dest.Str("Name"), err)
	}
	if rc, ok := uintValue(rv); !ok || rc != 0 {
		t.Fatalf("CheckVirtualSystemIsMigratableToHost %s to %s returned %q, want 0", vm.path, dest.Str("Name"), rv.Text())
	}
	v := paramValue(out, "IsMigratable")
	if s := strings.ToLower(strings.TrimSpace(v.Text())); v.IsNull() || (s != "true" && s != "false") {
		t.Errorf("IsMigratable is %q, want a boolean", v.Text())
	}
}
