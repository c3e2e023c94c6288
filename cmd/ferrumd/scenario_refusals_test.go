package main

import (
	"github.com/ferrum-virt/ferrum/cimom/cim"
	wbem "github.com/ferrum-virt/ferrum/conformance/client"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// A refusal is a bad call and how the server must refuse it: with a return
// code (status 0) or with a CIM error (over WS-Man, the fault DSP0227 maps
// it to). With both, either is right: a value of the wrong type is a CIM
// error where the binding sees the type (CIM-XML's PARAMTYPE), and the
// method's Invalid Parameter code where it cannot (WS-Man's untyped text).
type refusal struct {
	name   string
	target cim.ObjectPath
	method string
	in     cim.Params
	code   uint32
	status cim.Status
	// async allows a refusal by a job: 4096, then the job ends in
	// Exception with ErrorCode code (DSP1042 lets a method check a
	// request in its job).
	async bool
}

// requireRefusals makes every call and checks its refusal, then runs
// unchanged, which re-reads what the call must not have changed.
func (sc *session) requireRefusals(rs []refusal, unchanged func()) {
	sc.t.Helper()
	for _, r := range rs {
		rv, out, err := sc.c.InvokeMethod(sc.ctx, r.target, r.method, r.in)
		switch {
		case r.status != 0 && r.code != 0 && err == nil:
			if n, _ := uintOf(rv); n != uint64(r.code) {
				sc.t.Errorf("%s: %s returned %v (out %v), want %d or %s", r.name, r.method, rv, out, r.code, r.status)
			}
		case r.status != 0 && wbem.StatusOf(err) != r.status:
			sc.t.Errorf("%s: %s answered %v (%v), want %s", r.name, r.method, rv, err, r.status)
		case r.status == 0 && err != nil:
			sc.t.Errorf("%s: %s: %v, want return code %d", r.name, r.method, err, r.code)
		case r.status == 0 && r.async && mustUint(rv) == 4096:
			sc.requireFailedJob(r, out)
		case r.status == 0:
			if n, _ := uintOf(rv); n != uint64(r.code) {
				sc.t.Errorf("%s: %s returned %v (out %v), want %d", r.name, r.method, rv, out, r.code)
			}
		}
		if v, ok := out.Get("Job"); ok && !v.IsNull() && mustUint(rv) != 4096 {
			sc.t.Errorf("%s: %s refused with %v but names job %v", r.name, r.method, rv, v)
		}
		unchanged()
	}
}

func mustUint(v cim.Value) uint64 {
	n, _ := uintOf(v)
	return n
}

// requireFailedJob requires the job of a refused call to end in Exception
// with ErrorCode r.code.
func (sc *session) requireFailedJob(r refusal, out cim.Params) {
	sc.t.Helper()
	j := sc.waitJob(out)
	st, _ := prop(j, "JobState")
	code, _ := prop(j, "ErrorCode")
	if st != jobException || code != uint64(r.code) {
		sc.t.Errorf("%s: %s's job ended in JobState %d with ErrorCode %d (%s), want %d and %d",
			r.name, r.method, st, code, j.Str("ErrorDescription"), jobException, r.code)
	}
}

// vmNamed returns how many VMs are named name.
func (sc *scenario) vmNamed(name string) int {
	sc.t.Helper()
	objs, err := sc.c.EnumerateInstances(sc.ctx, model.Namespace, model.ClassVM)
	if err != nil {
		sc.t.Fatalf("enumerate %s: %v", model.ClassVM, err)
	}
	n := 0
	for _, o := range objs {
		if o.Instance.Str("ElementName") == name {
			n++
		}
	}
	return n
}

func (sc *scenario) defineRefusals() {
	bad := sc.name + "-refused"
	valid := func(rasds ...*cim.Instance) cim.Params { return defineParams(vssdRequest(bad), rasds...) }
	sc.requireRefusals([]refusal{
		{name: "on the service of an unknown host", target: model.VSMSPath("no-such-host"), method: "DefineSystem",
			in: valid(procRequest(1)), status: cim.ErrNotFound},
		{name: "10000 vCPUs, beyond the allocation capabilities", target: sc.vsms(), method: "DefineSystem",
			in: valid(procRequest(10000), memRequest(initialMemMiB)), code: 4},
		{name: "memory beyond the host", target: sc.vsms(), method: "DefineSystem",
			in: valid(memRequest(1 << 40)), code: 4},
		{name: "a NIC on an unknown switch", target: sc.vsms(), method: "DefineSystem",
			in: valid(nicRequest("no-such-switch")), code: 4},
		{name: "without SystemSettings", target: sc.vsms(), method: "DefineSystem",
			in: cim.Params{{Name: "ResourceSettings", Value: embedded(procRequest(1))}}, code: 4},
		{name: "SystemSettings that is no instance", target: sc.vsms(), method: "DefineSystem",
			in: cim.Params{{Name: "SystemSettings", Value: cim.String("not an instance")}}, code: 4, status: cim.ErrInvalidParameter},
	}, func() {
		if n := sc.vmNamed(bad); n != 0 {
			sc.t.Fatalf("a refused DefineSystem left %d VMs named %s", n, bad)
		}
	})
}

func (sc *scenario) stateRefusalsWhileOff() {
	rsc := func(name string, target cim.ObjectPath, in cim.Params, code uint32, status cim.Status) refusal {
		return refusal{name: name, target: target, method: "RequestStateChange", in: in, code: code, status: status}
	}
	sc.requireRefusals([]refusal{
		rsc("pause a stopped VM", sc.vm, rscParams(9), 4097, 0),
		rsc("reboot a stopped VM", sc.vm, rscParams(10), 4097, 0),
		rsc("a state outside the ValueMap", sc.vm, rscParams(99), 5, 0),
		rsc("without RequestedState", sc.vm, nil, 5, 0),
		rsc("RequestedState as text", sc.vm, cim.Params{{Name: "RequestedState", Value: cim.String("running")}}, 0, cim.ErrInvalidParameter),
		rsc("an unknown VM", model.VMPath("00000000-0000-4000-8000-000000000000"), rscParams(2), 0, cim.ErrNotFound),
	}, func() { sc.requireState(sc.vm, 3) })
}

func (sc *scenario) resourceRefusals() {
	mem := sc.rasd(4)
	vcpus, _ := prop(sc.rasd(3), "VirtualQuantity")
	state := sc.enabledState(sc.vm)
	unknown := cim.NewInstance(model.ClassMemRASD).Set("InstanceID", cim.String("no-such-vm/mem")).
		Set("ResourceType", cim.Uint16(4)).Set("VirtualQuantity", cim.Uint64(512))
	sc.requireRefusals([]refusal{
		{name: "10000 vCPUs", target: sc.vsms(), method: "ModifyResourceSettings",
			in: modifyParams(quantity(sc.rasd(3), 10000)), code: 4, async: true},
		{name: "the setting of an unknown VM", target: sc.vsms(), method: "ModifyResourceSettings",
			in: modifyParams(unknown), code: 4},
		{name: "ModifyResourceSettings without settings", target: sc.vsms(), method: "ModifyResourceSettings", code: 4},
		{name: "AddResourceSettings to an unknown VM", target: sc.vsms(), method: "AddResourceSettings",
			in: addParams("00000000-0000-4000-8000-000000000000", nicRequest(sc.sw)), code: 4},
		{name: "AddResourceSettings of a second processor setting", target: sc.vsms(), method: "AddResourceSettings",
			in: addParams(sc.vmID, procRequest(1)), code: 4},
		{name: "RemoveResourceSettings of the memory", target: sc.vsms(), method: "RemoveResourceSettings",
			in: removeParams(rasdPath(mem)), code: 4},
		{name: "RemoveResourceSettings without settings", target: sc.vsms(), method: "RemoveResourceSettings", code: 4},
		{name: "DestroySystem of an unknown VM", target: sc.vsms(), method: "DestroySystem",
			in: affected(model.VMPath("00000000-0000-4000-8000-000000000000")), code: 4},
	}, func() {
		sc.requireQuantities(vcpus, mustProp(mem, "VirtualQuantity")*unitMiB(sc, mem))
		sc.requireDevices(2, 2)
		sc.requireState(sc.vm, state)
	})
}
