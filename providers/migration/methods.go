package migration

import (
	"context"
	"fmt"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// invoke serves the service's methods.
func (p *Provider) invoke(ctx context.Context, path cim.ObjectPath, m *cim.Method, in cim.Params) (cim.Value, cim.Params, error) {
	host, ok := serviceHost(path)
	if !ok {
		return cim.Value{}, nil, cim.Errorf(cim.ErrNotFound, "no instance %s", path)
	}
	src, err := p.host(ctx, host)
	if err != nil {
		return cim.Value{}, nil, err
	}
	c := call{p: p, m: m}
	switch strings.ToLower(m.Name) {
	case "checkvirtualsystemismigratabletohost":
		return p.checkMethod(ctx, c, src, in, false)
	case "checkvirtualsystemismigratabletosystem":
		return p.checkMethod(ctx, c, src, in, true)
	case "migratevirtualsystemtohost":
		return p.migrateMethod(ctx, c, src, in, false)
	case "migratevirtualsystemtosystem":
		return p.migrateMethod(ctx, c, src, in, true)
	}
	return cim.Uint32(1), nil, nil // Not Supported
}

// call is one method call being served.
type call struct {
	p *Provider
	m *cim.Method
}

// fail answers a failure with its return code; the details go to the log.
func (c call) fail(ctx context.Context, err error) (cim.Value, cim.Params, error) {
	code := codes.Code(c.m, model.Classify(err))
	c.p.log.InfoContext(ctx, "migration method failed", "op", c.m.Name, "code", code, "err", err)
	return cim.Uint32(code), nil, nil
}

// checkMethod serves the two check methods: IsMigratable is the backend's
// answer; a malformed call answers its code without IsMigratable.
func (p *Provider) checkMethod(ctx context.Context, c call, src hostEntry, in cim.Params, toSystem bool) (cim.Value, cim.Params, error) {
	r, err := p.prepare(ctx, src, in, toSystem)
	if err != nil {
		return c.fail(ctx, err)
	}
	chk, err := p.check(ctx, r)
	if err != nil {
		return c.fail(ctx, err)
	}
	p.log.InfoContext(ctx, "migration checked", "op", c.m.Name, "vm", r.vm.Name, "host", src.id, "dest", r.dst.id,
		"ok", chk.OK, "reasons", chk.Reasons)
	return cim.Uint32(0), cim.Params{{Name: "IsMigratable", Value: cim.Bool(chk.OK)}}, nil
}

// migrateMethod serves the two migrate methods: everything is checked at
// once, then the migration runs as a job (4096). A VM has one migration at
// a time: another request while one is pending answers 5 Invalid State.
func (p *Provider) migrateMethod(ctx context.Context, c call, src hostEntry, in cim.Params, toSystem bool) (cim.Value, cim.Params, error) {
	r, err := p.prepare(ctx, src, in, toSystem)
	if err != nil {
		return c.fail(ctx, err)
	}
	chk, err := p.check(ctx, r)
	if err != nil {
		return c.fail(ctx, err)
	}
	if !chk.OK {
		return c.fail(ctx, refusal(r, chk))
	}
	claim := new(byte)
	if _, busy := p.migrating.LoadOrStore(r.vm.UUID, claim); busy {
		return c.fail(ctx, model.Fail(model.Busy, "vm %s is already being migrated", r.vm.Name))
	}
	release := func() { p.migrating.CompareAndDelete(r.vm.UUID, claim) }
	ret, out, err := p.start(ctx, c, r, in, toSystem, release)
	if code, _ := ret.AsUint64(); err != nil || code != 4096 {
		release() // not started, or finished inline
	}
	return ret, out, err
}

// start runs a checked migration as a job, or inline without a job
// manager. release ends the VM's claim on migrating: when the work ends,
// or when the job ends without running it (stopped while queued).
func (p *Provider) start(ctx context.Context, c call, r request, in cim.Params, toSystem bool, release func()) (cim.Value, cim.Params, error) {
	vmPath := model.VMPath(r.vm.UUID)
	spec := jobs.Spec{
		Name:          c.m.Name,
		Description:   fmt.Sprintf("migrate vm %s from host %s to host %s (%s)", r.vm.Name, r.src.id, r.dst.id, r.describe()),
		VM:            r.vm.Name,
		Host:          r.src.id,
		OwningElement: ServicePath(r.src.id),
		Affected:      []jobs.Affected{{Path: vmPath, Effects: []uint16{jobs.EffectExclusiveUse}}},
		In:            in,
	}
	work := func(ctx context.Context, pr *jobs.Progress) (cim.Params, error) {
		defer release()
		res, err := p.run(ctx, pr, r)
		if err != nil {
			return nil, codes.Wrap(c.m, err)
		}
		return r.results(res), nil
	}
	var early cim.Params
	if toSystem {
		early = cim.Params{{Name: "NewComputerSystem", Value: cim.Ref(vmPath)}}
	}
	if p.jobs == nil {
		if _, err := jobs.Inline(ctx, p.log.With("op", c.m.Name, "vm", r.vm.Name, "host", r.src.id), work); err != nil {
			return c.fail(ctx, err)
		}
		return cim.Uint32(0), early, nil
	}
	started, err := p.jobs.Start(ctx, spec, work)
	if err != nil {
		if cim.StatusOf(err) == cim.ErrServerIsShuttingDown {
			return cim.Value{}, nil, err
		}
		return c.fail(ctx, err)
	}
	go func() {
		_, _ = p.jobs.Wait(context.WithoutCancel(ctx), started.ID)
		release()
	}()
	out := append(cim.Params{{Name: "Job", Value: cim.Ref(p.jobs.Path(started.ID))}}, early...)
	return cim.Uint32(4096), out, nil
}
