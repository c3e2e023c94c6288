package main

import (
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

const (
	classMigrationService = "Ferrum_VirtualSystemMigrationService"
	classSnapshotService  = "Ferrum_VirtualSystemSnapshotService"
	classPoolService      = "Ferrum_ResourcePoolConfigurationService"
	assocSnapshotOf       = "Ferrum_SnapshotOfVirtualSystem"
	unknownVM             = "00000000-0000-4000-8000-000000000000"
)

// migratable checks the running VM can move to a compatible host and not
// to an incompatible one; with a single host, only the refusals run.
func (sc *scenario) migratable() {
	svc, ok := sc.service(classMigrationService)
	if !ok {
		sc.t.Skipf("host %s has no migration service", sc.host)
	}
	if sc.same != "" {
		sc.requireMigratable(svc, sc.same, true)
		sc.requireMigratable(svc, sc.other, false)
	} else {
		sc.t.Log("one host: no destination for a migration check")
	}
	check := "CheckVirtualSystemIsMigratableToHost"
	sc.requireRefusals([]refusal{
		{name: "an unknown VM", target: svc, method: check, in: toHostParams(model.VMPath(unknownVM), sc.host, 0), code: 4},
		{name: "an unknown destination", target: svc, method: check, in: toHostParams(sc.vm, "no-such-host.invalid", 0), code: 4},
		{name: "to its own host", target: svc, method: check, in: toHostParams(sc.vm, sc.host, 0), code: 4},
		{name: "without DestinationHost", target: svc, method: check,
			in: cim.Params{{Name: "ComputerSystem", Value: cim.Ref(sc.vm)}}, code: 4},
		{name: "ComputerSystem as text, not a reference", target: svc, method: check,
			in:   cim.Params{{Name: "ComputerSystem", Value: cim.String(sc.vmID)}, {Name: "DestinationHost", Value: cim.String(sc.host)}},
			code: 4, status: cim.ErrInvalidParameter},
		{name: "on the service of an unknown host", target: onHost(svc, "no-such-host"), method: check,
			in: toHostParams(sc.vm, sc.host, 0), status: cim.ErrNotFound},
	}, func() {
		sc.requireState(sc.vm, 2)
		sc.requireLinked(sc.vm, model.AssocHostedDependency, model.HostPath(sc.host), true)
	})
}

// requireMigratable requires the check to dest to answer 0 and
// IsMigratable want.
func (sc *scenario) requireMigratable(svc cim.ObjectPath, dest string, want bool) {
	sc.t.Helper()
	out, _ := sc.run(svc, "CheckVirtualSystemIsMigratableToHost", toHostParams(sc.vm, dest, 0))
	got, ok := boolParam(out, "IsMigratable")
	if !ok || got != want {
		sc.t.Fatalf("IsMigratable to host %s: %v (set %v), want %v", dest, got, ok, want)
	}
	sc.requireLinked(sc.vm, model.AssocHostedDependency, model.HostPath(sc.host), true)
}

// boolParam reads a boolean output parameter.
func boolParam(out cim.Params, name string) (bool, bool) {
	v, ok := out.Get(name)
	if !ok {
		return false, false
	}
	return boolProp(cim.NewInstance("out").Set(name, v), name)
}

// snapshots takes a snapshot of the stopped VM, changes its memory, applies
// the snapshot (memory back) and destroys it.
func (sc *scenario) snapshots() {
	svc, ok := sc.service(classSnapshotService)
	if !ok {
		sc.t.Skipf("host %s declares no snapshots (no snapshot service)", sc.host)
	}
	out, job := sc.run(svc, "CreateSnapshot", snapshotParams(sc.vm, sc.name+"-snap"))
	snap := sc.resultingSnapshot(out, job)
	if got := sc.get(snap); got.Str("ElementName") != sc.name+"-snap" {
		sc.t.Fatalf("snapshot %v", got)
	}
	sc.requireLinked(sc.vm, assocSnapshotOf, snap, true)
	sc.whileChangeable(func() {
		sc.run(sc.vsms(), "ModifyResourceSettings", modifyParams(quantity(sc.rasd(4), memIn(sc, initialMemMiB))))
	}, model.KindMemory)
	sc.requireQuantities(changedVCPUs, initialMemMiB)
	sc.snapshotRefusals(svc, snap)
	sc.run(svc, "ApplySnapshot", snapshotRef(snap))
	sc.requireQuantities(changedVCPUs, changedMemMiB)
	sc.requireState(sc.vm, 3)
	sc.run(svc, "DestroySnapshot", cim.Params{{Name: "AffectedSnapshot", Value: cim.Ref(snap)}})
	sc.gone(snap)
	sc.requireLinked(sc.vm, assocSnapshotOf, snap, false)
}

// onHost returns service path p with its SystemName replaced by host.
func onHost(p cim.ObjectPath, host string) cim.ObjectPath {
	q := p
	q.Keys = nil
	for _, k := range p.Keys {
		if k.Name == "SystemName" {
			k.Value = cim.String(host)
		}
		q.Keys = append(q.Keys, k)
	}
	return q
}

// resultingSnapshot reads ResultingSnapshot from the answer or the job's
// output parameters.
func (sc *scenario) resultingSnapshot(out cim.Params, job *cim.Instance) cim.ObjectPath {
	sc.t.Helper()
	if v, ok := out.Get("ResultingSnapshot"); ok && !v.IsNull() {
		return outRef(sc.t, out, "ResultingSnapshot")
	}
	if job != nil {
		if jo, _ := job.Get("JobOutParameters"); jo.AsInstance() != nil {
			if v, ok := jo.AsInstance().Get("ResultingSnapshot"); ok {
				return outRef(sc.t, cim.Params{{Name: "ResultingSnapshot", Value: v}}, "ResultingSnapshot")
			}
		}
	}
	sc.t.Fatalf("no ResultingSnapshot in %v nor in the job", out)
	return cim.ObjectPath{}
}

func (sc *scenario) snapshotRefusals(svc, snap cim.ObjectPath) {
	unknownSnap := cim.NewInstancePath(model.Namespace, model.ClassVSSD,
		cim.KeyBinding{Name: "InstanceID", Value: cim.String("Ferrum:" + sc.vmID + "/snapshot/no-such-snapshot")})
	full := snapshotParams(sc.vm, "refused")
	sc.requireRefusals([]refusal{
		{name: "of an unknown VM", target: svc, method: "CreateSnapshot", in: snapshotParams(model.VMPath(unknownVM), "x"), code: 4},
		{name: "of an unsupported type", target: svc, method: "CreateSnapshot",
			in: cim.Params{full[0], {Name: "SnapshotType", Value: cim.Uint16(3)}, full[2]}, code: 6},
		{name: "without AffectedSystem", target: svc, method: "CreateSnapshot", in: full[1:], code: 4},
		{name: "apply an unknown snapshot", target: svc, method: "ApplySnapshot", in: snapshotRef(unknownSnap), code: 4},
		{name: "destroy without AffectedSnapshot", target: svc, method: "DestroySnapshot", code: 4},
		{name: "apply the VM's own settings", target: svc, method: "ApplySnapshot", in: snapshotRef(model.VSSDPath(sc.vmID)), code: 4},
		{name: "SnapshotType as text", target: svc, method: "CreateSnapshot",
			in: cim.Params{full[0], {Name: "SnapshotType", Value: cim.String("full")}, full[2]}, status: cim.ErrInvalidParameter},
		{name: "on the service of an unknown host", target: onHost(svc, "no-such-host"), method: "CreateSnapshot", in: full, status: cim.ErrNotFound},
	}, func() {
		if got := sc.assoc(sc.vm, assocSnapshotOf, ""); len(got) != 1 || !samePath(got[0], snap) {
			sc.t.Fatalf("snapshots of the VM after a refusal: %v", got)
		}
		sc.requireState(sc.vm, 3)
	})
}
