package conformance

import (
	"context"
	"regexp"
	"strconv"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/conformance/client"
)

// checkResources adds a NIC to a defined VM, grows its memory and removes
// the NIC, re-reading the VSSD's RASDs after each change (DSP1042 §8).
func checkResources(ctx context.Context, t *T) {
	vm := defineTestVM(ctx, t)
	defer vm.cleanup(ctx, t)
	vssd := vm.vssd(ctx, t)
	added, ok := addNIC(ctx, t, vm, vssd)
	growMemory(ctx, t, vm, vssd)
	if !ok {
		return
	}
	if _, err := call(ctx, t.C, vm.vsms, "RemoveResourceSettings", cim.Params{{Name: "ResourceSettings", Value: cim.RefArray(added)}}); err != nil {
		t.Fatalf("%v", err)
	}
	if containsPath(pathsOfObjs(rasdsOf(ctx, t, vssd)), added) {
		t.Errorf("RemoveResourceSettings: %s is still a component of %s", added, vssd)
	}
}

// addNIC adds an Ethernet pool's default RASD to vssd and returns the new
// RASD's path, checking that it is a component of vssd.
func addNIC(ctx context.Context, t *T, vm *testVM, vssd cim.ObjectPath) (cim.ObjectPath, bool) {
	nic, err := nicDefault(ctx, t.C, vm.host)
	if err != nil {
		t.SkipStep("AddResourceSettings: %v", err)
		return cim.ObjectPath{}, false
	}
	before := rasdsOf(ctx, t, vssd)
	res, err := call(ctx, t.C, vm.vsms, "AddResourceSettings", cim.Params{
		{Name: "AffectedConfiguration", Value: cim.Ref(vssd)}, {Name: "ResourceSettings", Value: embeddedArray(nic)}})
	if err != nil {
		t.Fatalf("%v", err)
	}
	after := rasdsOf(ctx, t, vssd)
	if n, m := len(ofType(before, 10)), len(ofType(after, 10)); m != n+1 {
		t.Fatalf("AddResourceSettings: %d Ethernet RASDs before, %d after, want %d", n, m, n+1)
	}
	refs := refsOf(paramValue(res.Out, "ResultingResourceSettings"))
	if len(refs) == 0 && res.Job != nil {
		refs, _ = t.C.AssociatorNames(ctx, *res.Job, assocTo("CIM_AffectedJobElement", "CIM_ResourceAllocationSettingData"))
	}
	if len(refs) == 0 { // asynchronous, and the job names only the VM: the new one
		for _, o := range ofType(after, 10) {
			if !containsPath(pathsOfObjs(before), o.Path) {
				refs = append(refs, o.Path)
			}
		}
	}
	if len(refs) != 1 {
		t.Fatalf("AddResourceSettings: ResultingResourceSettings %v, want the one new RASD", refs)
	}
	if !containsPath(pathsOfObjs(after), refs[0]) {
		t.Fatalf("AddResourceSettings: ResultingResourceSettings %s is not a component of %s", refs[0], vssd)
	}
	return refs[0], true
}

// growMemory sets the VM's memory to its quantity plus the pool's
// Increment (else 256 MiB), within the pool's Maximum, and checks it.
func growMemory(ctx context.Context, t *T, vm *testVM, vssd cim.ObjectPath) {
	mems := ofType(rasdsOf(ctx, t, vssd), 4)
	if len(mems) != 1 {
		t.Fatalf("ModifyResourceSettings: %d memory RASDs, want 1", len(mems))
	}
	mem := mems[0].Instance
	q, ok := uintProp(mem, "VirtualQuantity")
	if !ok {
		t.Fatalf("ModifyResourceSettings: the memory RASD %s has no VirtualQuantity", mems[0].Path)
	}
	want := q + memIncrement(ctx, t.C, vm.host, mem)
	if maxQ, ok := memSetting(ctx, t.C, vm.host, roleMaximum); ok && want > maxQ {
		t.SkipStep("ModifyResourceSettings: the memory is at its Maximum %d", maxQ)
		return
	}
	req := request(mem).Set("VirtualQuantity", cim.Uint64(want))
	if _, err := call(ctx, t.C, vm.vsms, "ModifyResourceSettings", cim.Params{{Name: "ResourceSettings", Value: embeddedArray(req)}}); err != nil {
		t.Fatalf("%v", err)
	}
	for _, o := range rasdsOf(ctx, t, vssd) {
		if samePath(o.Path, mems[0].Path) {
			if got, _ := uintProp(o.Instance, "VirtualQuantity"); got != want {
				t.Errorf("ModifyResourceSettings: memory VirtualQuantity is %d, want %d", got, want)
			}
			return
		}
	}
	t.Errorf("ModifyResourceSettings: the memory RASD %s is no longer a component of %s", mems[0].Path, vssd)
}

// memSetting returns the VirtualQuantity of the memory pool's setting of
// role.
func memSetting(ctx context.Context, c client.Client, host cim.ObjectPath, role capRole) (uint64, bool) {
	pool, ok := hostPool(ctx, c, host, 4)
	if !ok {
		return 0, false
	}
	s, err := capSetting(ctx, c, pool.Path, role)
	if err != nil {
		return 0, false
	}
	return uintProp(s, "VirtualQuantity")
}

var byteUnitRE = regexp.MustCompile(`^byte\*2\^(\d+)$`)

// memIncrement is the memory pool's Increment, else 256 MiB in mem's
// AllocationUnits (one unit when they are not byte*2^N).
func memIncrement(ctx context.Context, c client.Client, host cim.ObjectPath, mem *cim.Instance) uint64 {
	if inc, ok := memSetting(ctx, c, host, roleIncrement); ok && inc > 0 {
		return inc
	}
	if m := byteUnitRE.FindStringSubmatch(mem.Str("AllocationUnits")); m != nil {
		if n, _ := strconv.Atoi(m[1]); n <= 28 {
			return 1 << (28 - n)
		}
	}
	return 1
}

func pathsOfObjs(objs []client.Object) []cim.ObjectPath {
	out := make([]cim.ObjectPath, len(objs))
	for i, o := range objs {
		out[i] = o.Path
	}
	return out
}
