package wsman

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// memProvider is a test provider that keeps the instances of one class in
// creation order and supports every instance operation.
type memProvider struct {
	mu    sync.Mutex
	insts []*cim.Instance
}

func (p *memProvider) EnumerateInstances(ctx context.Context, ns string, class *cim.Class, yield func(*cim.Instance) bool) error {
	p.mu.Lock()
	list := append([]*cim.Instance(nil), p.insts...)
	p.mu.Unlock()
	for _, in := range list {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if strings.EqualFold(in.ClassName, class.Name) && !yield(in.Clone()) {
			return nil
		}
	}
	return nil
}

func (p *memProvider) find(ns string, path cim.ObjectPath, class *cim.Class) int {
	for i, in := range p.insts {
		ip, err := in.Path(ns, class)
		if err == nil && ip.Equal(path) {
			return i
		}
	}
	return -1
}

func (p *memProvider) GetInstance(_ context.Context, ns string, path cim.ObjectPath, class *cim.Class) (*cim.Instance, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if i := p.find(ns, path, class); i >= 0 {
		return p.insts[i].Clone(), nil
	}
	return nil, cim.Errorf(cim.ErrNotFound, "no instance %s", path)
}

func (p *memProvider) CreateInstance(_ context.Context, ns string, class *cim.Class, inst *cim.Instance) (cim.ObjectPath, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	path, err := inst.Path(ns, class)
	if err != nil {
		return path, cim.Errorf(cim.ErrInvalidParameter, "%v", err)
	}
	if p.find(ns, path, class) >= 0 {
		return path, cim.Errorf(cim.ErrAlreadyExists, "instance %s exists", path)
	}
	p.insts = append(p.insts, inst.Clone())
	return path, nil
}

func (p *memProvider) ModifyInstance(_ context.Context, ns string, class *cim.Class, path cim.ObjectPath, changes *cim.Instance) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	i := p.find(ns, path, class)
	if i < 0 {
		return cim.Errorf(cim.ErrNotFound, "no instance %s", path)
	}
	next := p.insts[i].Clone()
	for _, pv := range changes.Properties {
		next.Set(pv.Name, pv.Value)
	}
	p.insts[i] = next
	return nil
}

func (p *memProvider) DeleteInstance(_ context.Context, ns string, class *cim.Class, path cim.ObjectPath) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	i := p.find(ns, path, class)
	if i < 0 {
		return cim.Errorf(cim.ErrNotFound, "no instance %s", path)
	}
	p.insts = append(p.insts[:i], p.insts[i+1:]...)
	return nil
}

func (p *memProvider) add(insts ...*cim.Instance) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.insts = append(p.insts, insts...)
}

// vmProvider serves Ferrum_ComputerSystem and its RequestStateChange.
type vmProvider struct{ memProvider }

func (p *vmProvider) InvokeMethod(ctx context.Context, ns string, path cim.ObjectPath, m *cim.Method, in cim.Params) (cim.Value, cim.Params, error) {
	if !strings.EqualFold(m.Name, "RequestStateChange") {
		return cim.Value{}, nil, cim.Errorf(cim.ErrMethodNotAvailable, "%s is not implemented", m.Name)
	}
	state, _ := in.Get("RequestedState")
	n, _ := state.AsUint64()
	if n == 32768 {
		return cim.Value{}, nil, cim.Errorf(cim.ErrFailed, "the hypervisor refused the state change")
	}
	changes := cim.NewInstance(path.ClassName).Set("EnabledState", cim.Uint16(uint16(n))).Set("RequestedState", cim.Uint16(uint16(n)))
	class := &cim.Class{Name: path.ClassName, Properties: []*cim.Property{
		{Name: "CreationClassName", Qualifiers: cim.Qualifiers{{Name: "Key", Value: cim.Bool(true)}}},
		{Name: "Name", Qualifiers: cim.Qualifiers{{Name: "Key", Value: cim.Bool(true)}}}}}
	if err := p.ModifyInstance(ctx, ns, class, path, changes); err != nil {
		return cim.Value{}, nil, err
	}
	job := cim.NewInstancePath(ns, "Ferrum_ConcreteJob", cim.KeyBinding{Name: "InstanceID", Value: cim.String("job-1")})
	return cim.Uint32(4096), cim.Params{{Name: "Job", Value: cim.Ref(job)}}, nil
}

// vsmsProvider serves Ferrum_VirtualSystemManagementService.DefineSystem:
// it creates a virtual machine named after the embedded settings.
type vsmsProvider struct {
	memProvider
	vms *vmProvider
}

func (p *vsmsProvider) InvokeMethod(_ context.Context, ns string, _ cim.ObjectPath, m *cim.Method, in cim.Params) (cim.Value, cim.Params, error) {
	if !strings.EqualFold(m.Name, "DefineSystem") {
		return cim.Value{}, nil, cim.Errorf(cim.ErrMethodNotAvailable, "%s is not implemented", m.Name)
	}
	settings, _ := in.Get("SystemSettings")
	vssd := settings.AsInstance()
	if vssd == nil {
		return cim.Uint32(4), nil, nil
	}
	rasds, _ := in.Get("ResourceSettings")
	name := vssd.Str("ElementName")
	vm := cim.NewInstance("Ferrum_ComputerSystem").
		Set("CreationClassName", cim.String("Ferrum_ComputerSystem")).
		Set("Name", cim.String(name)).
		Set("ElementName", cim.String(fmt.Sprintf("%s (%d devices)", name, rasds.Len())))
	p.vms.add(vm)
	path := cim.NewInstancePath(ns, "Ferrum_ComputerSystem",
		cim.KeyBinding{Name: "CreationClassName", Value: cim.String("Ferrum_ComputerSystem")},
		cim.KeyBinding{Name: "Name", Value: cim.String(name)})
	return cim.Uint32(0), cim.Params{{Name: "ResultingSystem", Value: cim.Ref(path)}, {Name: "Job", Value: cim.Null(cim.TypeReference)}}, nil
}

// stuckProvider never answers until its context ends: it stands for a
// hung hypervisor in OperationTimeout tests.
type stuckProvider struct{}

func (stuckProvider) EnumerateInstances(ctx context.Context, _ string, _ *cim.Class, _ func(*cim.Instance) bool) error {
	<-ctx.Done()
	return ctx.Err()
}

func (stuckProvider) GetInstance(ctx context.Context, _ string, _ cim.ObjectPath, _ *cim.Class) (*cim.Instance, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// deniedProvider refuses everything with CIM_ERR_ACCESS_DENIED.
type deniedProvider struct{}

func (deniedProvider) EnumerateInstances(context.Context, string, *cim.Class, func(*cim.Instance) bool) error {
	return cim.Errorf(cim.ErrAccessDenied, "only administrators may list accounts")
}

func (deniedProvider) GetInstance(context.Context, string, cim.ObjectPath, *cim.Class) (*cim.Instance, error) {
	return nil, cim.Errorf(cim.ErrAccessDenied, "only administrators may read accounts")
}
