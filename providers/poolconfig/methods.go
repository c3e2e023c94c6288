package poolconfig

import (
	"context"
	"strings"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// Return codes of the service's methods (CIM_ResourcePoolConfigurationService).
const (
	codeOK           uint32 = 0
	codeNotSupported uint32 = 1
	codeJobStarted   uint32 = 4096
)

// poolCodes number the outcomes the way CIM_ResourcePoolConfigurationService
// does: 1 Not Supported, 3 Timeout, 4 Failed, 5 Invalid Parameter, 6 In
// Use, 8 Insufficient Resources (CreateChildResourcePool only; the others
// answer 4 Failed).
var poolCodes = model.ReturnCodes{
	model.NotSupported: 1, model.Timeout: 3, model.Failed: 4, model.InvalidParameter: 5, model.NotFound: 5,
	model.Busy: 6, model.InvalidState: 6, model.InsufficientResources: 8,
}

func invalid(format string, args ...any) *model.Error {
	return model.Fail(model.InvalidParameter, format, args...)
}

// call is one method call on one host's service.
type call struct {
	p    *Provider
	m    *cim.Method
	host string
	h    backends.Host
	in   cim.Params
}

// invoke serves the methods of the service on one host.
func (p *Provider) invoke(ctx context.Context, path cim.ObjectPath, m *cim.Method, in cim.Params) (cim.Value, cim.Params, error) {
	host, ok := serviceHostOf(path)
	if !ok {
		return cim.Value{}, nil, cim.Errorf(cim.ErrNotFound, "no instance %s", path)
	}
	h, err := p.host(ctx, host)
	if err != nil {
		return cim.Value{}, nil, err
	}
	c := call{p: p, m: m, host: host, h: h, in: in}
	switch strings.ToLower(m.Name) {
	case "createchildresourcepool":
		return c.createChildPool(ctx)
	case "deleteresourcepool":
		return c.deletePool(ctx)
	case "createresourceinpool":
		return c.createVolume(ctx)
	case "deleteresourceinpool":
		return c.deleteVolume(ctx)
	}
	// CreateResourcePool, AddResourcesToResourcePool,
	// RemoveResourcesFromResourcePool, ChangeParentResourcePool: storage
	// pools are children of the primordial pool and hold volumes, not host
	// devices.
	return cim.Uint32(codeNotSupported), nil, nil
}

// fail answers a failure with the method's return code for it; the
// details go to the log, the only place a method without a job has for
// them.
func (c call) fail(ctx context.Context, err error) (cim.Value, cim.Params, error) {
	code := poolCodes.Code(c.m, model.Classify(err))
	c.p.log.InfoContext(ctx, "method failed", "op", c.m.Name, "host", c.host, "code", code, "err", err)
	return cim.Uint32(code), nil, nil
}

// spec starts the job spec of the call; affected are the elements it
// changes in the way effect says.
func (c call) spec(what string, effect uint16, affected ...cim.ObjectPath) jobs.Spec {
	s := jobs.Spec{Name: c.m.Name, Description: what, Host: c.host, OwningElement: ServicePath(c.host), In: c.in}
	for _, a := range affected {
		s.Affected = append(s.Affected, jobs.Affected{Path: a, Effects: []uint16{effect}})
	}
	return s
}

// run starts work as a job and answers 4096 with its path and out (the
// output known before the job runs); without a job manager it runs work
// at once and answers 0 or the failure's code. The work's errors carry
// the method's return code to the job's ErrorCode.
func (c call) run(ctx context.Context, spec jobs.Spec, out cim.Params, work jobs.Work) (cim.Value, cim.Params, error) {
	wrapped := func(ctx context.Context, pr *jobs.Progress) (cim.Params, error) {
		res, err := work(ctx, pr)
		if err != nil {
			return nil, poolCodes.Wrap(c.m, err)
		}
		return res, nil
	}
	if c.p.jobs == nil {
		res, err := jobs.Inline(ctx, c.p.log.With("op", c.m.Name, "host", c.host), wrapped)
		if err != nil {
			return c.fail(ctx, err)
		}
		return cim.Uint32(codeOK), res, nil
	}
	started, err := c.p.jobs.Start(ctx, spec, wrapped)
	if err != nil {
		if cim.StatusOf(err) == cim.ErrServerIsShuttingDown {
			return cim.Value{}, nil, err
		}
		return c.fail(ctx, err)
	}
	res := append(cim.Params{{Name: "Job", Value: cim.Ref(c.p.jobs.Path(started.ID))}}, out...)
	return cim.Uint32(codeJobStarted), res, nil
}

// ref returns the reference parameter name; ok is false when it is absent
// or null.
func (c call) ref(name string) (cim.ObjectPath, bool) {
	v, ok := c.in.Get(name)
	if !ok || v.IsNull() {
		return cim.ObjectPath{}, false
	}
	r, ok := v.AsRef()
	return r, ok
}

// embedded returns the one embedded instance of parameter name (a scalar
// or a one-element array), which must be a class.
func (c call) embedded(name, class string) (*cim.Instance, error) {
	v, ok := c.in.Get(name)
	if !ok || v.IsNull() {
		return nil, invalid("%s is required: an embedded %s", name, class)
	}
	if v.IsArray() {
		if v.Len() != 1 {
			return nil, invalid("%s holds %d instances; give one embedded %s", name, v.Len(), class)
		}
		v = v.Index(0)
	}
	in := v.AsInstance()
	if in == nil {
		return nil, invalid("%s must be an embedded instance of %s", name, class)
	}
	if !c.p.d.Repo.IsA(model.Namespace, in.ClassName, class) {
		return nil, invalid("%s is a %s, not a %s", name, in.ClassName, class)
	}
	return in, nil
}
