package vswitch

import (
	"context"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// Return codes of the management service's methods.
const (
	codeOK         uint32 = 0
	codeJobStarted uint32 = 4096
)

// call is one management-service method being served for a switch.
type call struct {
	p  *Provider
	m  *cim.Method
	hr hostRef
}

// fail answers a failure with the method's return code for it; nothing
// has changed.
func (c call) fail(ctx context.Context, err error) (cim.Value, cim.Params, bool, error) {
	code := model.VSMSCodes.Code(c.m, model.Classify(err))
	c.p.log.InfoContext(ctx, "method failed", "op", c.m.Name, "host", c.hr.ID, "code", code, "err", err)
	return cim.Uint32(code), nil, true, nil
}

// run starts work as a job and answers 4096 with the job and out; without
// a job manager it runs work at once and answers 0 or the failure's code.
func (c call) run(ctx context.Context, spec jobs.Spec, out cim.Params, work jobs.Work) (cim.Value, cim.Params, bool, error) {
	wrapped := func(ctx context.Context, pr *jobs.Progress) (cim.Params, error) {
		res, err := work(ctx, pr)
		if err != nil {
			return nil, model.VSMSCodes.Wrap(c.m, err)
		}
		return res, nil
	}
	spec.Name, spec.Host, spec.OwningElement = c.m.Name, c.hr.ID, model.VSMSPath(c.hr.ID)
	if c.p.jobs == nil {
		res, err := jobs.Inline(ctx, c.p.log.With("op", c.m.Name, "host", c.hr.ID), wrapped)
		if err != nil {
			return c.fail(ctx, err)
		}
		return cim.Uint32(codeOK), res, true, nil
	}
	started, err := c.p.jobs.Start(ctx, spec, wrapped)
	if err != nil {
		if cim.StatusOf(err) == cim.ErrServerIsShuttingDown {
			return cim.Value{}, nil, true, err
		}
		return c.fail(ctx, err)
	}
	return cim.Uint32(codeJobStarted), append(cim.Params{{Name: "Job", Value: cim.Ref(c.p.jobs.Path(started.ID))}}, out...), true, nil
}

// invalid is an invalid-parameter failure.
func invalid(format string, args ...any) error {
	return model.Fail(model.InvalidParameter, format, args...)
}

// invokeVSMS serves the management service's methods that are about a
// switch, and passes every other call (handled false) to package virt.
func (p *Provider) invokeVSMS(ctx context.Context, path cim.ObjectPath, m *cim.Method, in cim.Params) (cim.Value, cim.Params, bool, error) {
	if !p.concernsSwitch(m.Name, in) {
		return cim.Value{}, nil, false, nil
	}
	host, ok := model.VSMSHostOf(path)
	if !ok {
		return cim.Value{}, nil, true, notFound(path)
	}
	hr, err := p.host(ctx, host)
	if err != nil {
		return cim.Value{}, nil, true, err
	}
	c := call{p: p, m: m, hr: hr}
	switch strings.ToLower(m.Name) {
	case "definesystem":
		return p.defineSwitch(ctx, c, in)
	case "destroysystem":
		return p.destroySwitch(ctx, c, in)
	case "modifyresourcesettings":
		return p.modifyPorts(ctx, c, in)
	}
	return c.fail(ctx, model.Fail(model.NotSupported, "%s is not supported for virtual switches: their ports are the NICs of VMs", m.Name))
}

// concernsSwitch reports whether a call's parameters name a switch or its
// settings.
func (p *Provider) concernsSwitch(method string, in cim.Params) bool {
	get := func(name string) cim.Value { v, _ := in.Get(name); return v }
	switch strings.ToLower(method) {
	case "definesystem", "modifysystemsettings":
		ss := get("SystemSettings").AsInstance()
		return ss != nil && p.d.Repo.IsA(model.Namespace, ss.ClassName, "CIM_VirtualEthernetSwitchSettingData")
	case "destroysystem":
		r, ok := get("AffectedSystem").AsRef()
		_, mine := switchOf(r)
		return ok && mine
	case "addresourcesettings":
		r, ok := get("AffectedConfiguration").AsRef()
		_, mine := ownerOf(r)
		return ok && mine
	case "modifyresourcesettings":
		for _, e := range get("ResourceSettings").Elems() {
			if ri := e.AsInstance(); ri != nil {
				if _, mine := parseSettingID(ri.Str("InstanceID")); mine {
					return true
				}
			}
		}
	case "removeresourcesettings":
		for _, e := range get("ResourceSettings").Elems() {
			if r, ok := e.AsRef(); ok {
				if _, mine := ownerOf(r); mine {
					return true
				}
			}
		}
	}
	return false
}
