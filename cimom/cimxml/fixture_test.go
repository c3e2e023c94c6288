package cimxml

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/auth"
	"github.com/ferrum-virt/ferrum/cimom/cim"
)

const (
	ns      = "root/virt"
	csClass = "Ferrum_ComputerSystem"
)

// testNow is the fixed clock of the fixtures.
var testNow = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// vmProvider serves Ferrum_ComputerSystem from memory, with
// RequestStateChange.
type vmProvider struct {
	mu    sync.RWMutex
	order []string
	vms   map[string]*cim.Instance
	// failAfter makes EnumerateInstances fail after that many instances
	// when positive, to test errors in the middle of a response.
	failAfter int
	// gate, when set, holds back every instance after the first until a
	// token arrives.
	gate chan struct{}
	// yielded counts the instances EnumerateInstances handed out, and
	// finished the EnumerateInstances calls that returned.
	yielded, finished atomic.Int64
}

func newVMProvider(n int) *vmProvider {
	p := &vmProvider{vms: map[string]*cim.Instance{}}
	for i := range n {
		p.add(newVM(fmt.Sprintf("vm%d", i+1), fmt.Sprintf("Web server %d", i+1)))
	}
	return p
}

// newVM returns a Ferrum_ComputerSystem with 22 properties set.
func newVM(name, display string) *cim.Instance {
	return cim.NewInstance(csClass).
		Set("CreationClassName", cim.String(csClass)).
		Set("Name", cim.String(name)).
		Set("ElementName", cim.String(display)).
		Set("Caption", cim.String("Virtual machine "+display)).
		Set("Description", cim.String("A KVM guest <managed> by \"Ferrum\" & co")).
		Set("NameFormat", cim.String("UUID")).
		Set("EnabledState", cim.Uint16(2)).
		Set("RequestedState", cim.Uint16(12)).
		Set("EnabledDefault", cim.Uint16(2)).
		Set("HealthState", cim.Uint16(5)).
		Set("CommunicationStatus", cim.Uint16(2)).
		Set("PrimaryStatus", cim.Uint16(1)).
		Set("OperationalStatus", cim.Uint16Array(2)).
		Set("StatusDescriptions", cim.StringArray("OK")).
		Set("AvailableRequestedStates", cim.Uint16Array(2, 3, 4, 9, 10, 11)).
		Set("Dedicated", cim.Uint16Array(0)).
		Set("OtherIdentifyingInfo", cim.StringArray("52:54:00:12:34:56", "")).
		Set("IdentifyingDescriptions", cim.StringArray("MAC address", "Serial")).
		Set("TimeOfLastStateChange", cim.DateTimeValue(cim.MustDatetime("20250301120000.000000+000"))).
		Set("InstallDate", cim.DateTimeValue(cim.MustDatetime("20250101083000.250000+060"))).
		Set("Generation", cim.Uint64(7)).
		Set("PrimaryOwnerName", cim.Null(cim.TypeString))
}

func vmPath(name string) cim.ObjectPath {
	return cim.NewInstancePath(ns, csClass,
		cim.KeyBinding{Name: "CreationClassName", Value: cim.String(csClass)},
		cim.KeyBinding{Name: "Name", Value: cim.String(name)})
}

func (p *vmProvider) add(inst *cim.Instance) {
	p.mu.Lock()
	defer p.mu.Unlock()
	name := inst.Str("Name")
	if _, ok := p.vms[name]; !ok {
		p.order = append(p.order, name)
	}
	p.vms[name] = inst
}

func (p *vmProvider) EnumerateInstances(ctx context.Context, _ string, _ *cim.Class, yield func(*cim.Instance) bool) error {
	defer p.finished.Add(1)
	p.mu.RLock()
	order := append([]string(nil), p.order...)
	p.mu.RUnlock()
	for i, name := range order {
		if p.failAfter > 0 && i == p.failAfter {
			return cim.Errorf(cim.ErrFailed, "the hypervisor went away after %d machines", i)
		}
		if p.gate != nil && i > 0 {
			select {
			case <-p.gate:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		p.mu.RLock()
		inst := p.vms[name]
		p.mu.RUnlock()
		p.yielded.Add(1)
		if inst != nil && !yield(inst) {
			return nil
		}
	}
	return nil
}

func (p *vmProvider) GetInstance(_ context.Context, _ string, path cim.ObjectPath, _ *cim.Class) (*cim.Instance, error) {
	name, _ := path.Key("Name")
	p.mu.RLock()
	defer p.mu.RUnlock()
	inst, ok := p.vms[name.Str()]
	if !ok {
		return nil, cim.Errorf(cim.ErrNotFound, "no virtual machine %s", name.Str())
	}
	return inst, nil
}

func (p *vmProvider) CreateInstance(_ context.Context, ns string, class *cim.Class, inst *cim.Instance) (cim.ObjectPath, error) {
	name := inst.Str("Name")
	if name == "" {
		return cim.ObjectPath{}, cim.Errorf(cim.ErrInvalidParameter, "Name is required")
	}
	p.mu.RLock()
	_, exists := p.vms[name]
	p.mu.RUnlock()
	if exists {
		return cim.ObjectPath{}, cim.Errorf(cim.ErrAlreadyExists, "virtual machine %s exists", name)
	}
	inst = inst.Clone()
	inst.Set("CreationClassName", cim.String(csClass))
	p.add(inst)
	return vmPath(name), nil
}

func (p *vmProvider) ModifyInstance(_ context.Context, _ string, _ *cim.Class, path cim.ObjectPath, changes *cim.Instance) error {
	name, _ := path.Key("Name")
	p.mu.Lock()
	defer p.mu.Unlock()
	cur, ok := p.vms[name.Str()]
	if !ok {
		return cim.Errorf(cim.ErrNotFound, "no virtual machine %s", name.Str())
	}
	next := cur.Clone()
	for _, pv := range changes.Properties {
		next.Set(pv.Name, pv.Value)
	}
	p.vms[name.Str()] = next
	return nil
}

func (p *vmProvider) DeleteInstance(_ context.Context, _ string, _ *cim.Class, path cim.ObjectPath) error {
	name, _ := path.Key("Name")
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.vms[name.Str()]; !ok {
		return cim.Errorf(cim.ErrNotFound, "no virtual machine %s", name.Str())
	}
	delete(p.vms, name.Str())
	for i, n := range p.order {
		if n == name.Str() {
			p.order = append(p.order[:i:i], p.order[i+1:]...)
			break
		}
	}
	return nil
}

// InvokeMethod implements RequestStateChange: 2, 3 and 9 complete at once
// (return 0); 4 starts a job (4096 and a Job reference); others are 4097
// Invalid State Transition.
func (p *vmProvider) InvokeMethod(ctx context.Context, ns string, path cim.ObjectPath, m *cim.Method, in cim.Params) (cim.Value, cim.Params, error) {
	if !strings.EqualFold(m.Name, "RequestStateChange") {
		return cim.Value{}, nil, cim.Errorf(cim.ErrMethodNotAvailable, "%s is not implemented", m.Name)
	}
	state, _ := in.Get("RequestedState")
	n, _ := state.AsInt64()
	job := cim.NewInstancePath(ns, "Ferrum_ConcreteJob", cim.KeyBinding{Name: "InstanceID", Value: cim.String("Ferrum:job-42")})
	switch n {
	case 2, 3, 9:
		changes := cim.NewInstance(csClass).Set("EnabledState", cim.Uint16(uint16(n)))
		if err := p.ModifyInstance(ctx, ns, nil, path, changes); err != nil {
			return cim.Value{}, nil, err
		}
		return cim.Uint32(0), cim.Params{{Name: "Job", Value: cim.Null(cim.TypeReference)}}, nil
	case 4:
		return cim.Uint32(4096), cim.Params{{Name: "Job", Value: cim.Ref(job)}}, nil
	}
	return cim.Uint32(4097), nil, nil
}

// hostProvider serves the one Ferrum_HostSystem.
type hostProvider struct{}

func host() *cim.Instance {
	return cim.NewInstance("Ferrum_HostSystem").
		Set("CreationClassName", cim.String("Ferrum_HostSystem")).
		Set("Name", cim.String("host1.example.com")).
		Set("ElementName", cim.String("host1"))
}

func hostPath() cim.ObjectPath {
	return cim.NewInstancePath(ns, "Ferrum_HostSystem",
		cim.KeyBinding{Name: "CreationClassName", Value: cim.String("Ferrum_HostSystem")},
		cim.KeyBinding{Name: "Name", Value: cim.String("host1.example.com")})
}

func (hostProvider) EnumerateInstances(_ context.Context, _ string, _ *cim.Class, yield func(*cim.Instance) bool) error {
	yield(host())
	return nil
}

func (hostProvider) GetInstance(_ context.Context, _ string, path cim.ObjectPath, _ *cim.Class) (*cim.Instance, error) {
	if name, _ := path.Key("Name"); name.Str() != "host1.example.com" {
		return nil, cim.Errorf(cim.ErrNotFound, "no host %s", name.Str())
	}
	return host(), nil
}

// hostedDependency links each virtual machine to the host.
type hostedDependency struct{ vms *vmProvider }

func (a hostedDependency) EnumerateInstances(ctx context.Context, ns string, c *cim.Class, yield func(*cim.Instance) bool) error {
	return a.vms.EnumerateInstances(ctx, ns, c, func(vm *cim.Instance) bool {
		return yield(cim.NewInstance("Ferrum_HostedDependency").
			Set("Antecedent", cim.Ref(hostPath())).
			Set("Dependent", cim.Ref(vmPath(vm.Str("Name")))))
	})
}

func (a hostedDependency) GetInstance(ctx context.Context, ns string, path cim.ObjectPath, c *cim.Class) (*cim.Instance, error) {
	dep, _ := path.Key("Dependent")
	ref, _ := dep.AsRef()
	vm, err := a.vms.GetInstance(ctx, ns, ref, c)
	if err != nil {
		return nil, err
	}
	return cim.NewInstance("Ferrum_HostedDependency").Set("Antecedent", cim.Ref(hostPath())).Set("Dependent", cim.Ref(vmPath(vm.Str("Name")))), nil
}

// vsms serves the one Ferrum_VirtualSystemManagementService and its
// DefineSystem, which creates a machine named after the ElementName of the
// embedded SystemSettings and reports what it was given.
type vsms struct{ vms *vmProvider }

func vsmsInstance() *cim.Instance {
	return cim.NewInstance("Ferrum_VirtualSystemManagementService").
		Set("SystemCreationClassName", cim.String("Ferrum_HostSystem")).
		Set("SystemName", cim.String("host1.example.com")).
		Set("CreationClassName", cim.String("Ferrum_VirtualSystemManagementService")).
		Set("Name", cim.String("vsms"))
}

func (vsms) EnumerateInstances(_ context.Context, _ string, _ *cim.Class, yield func(*cim.Instance) bool) error {
	yield(vsmsInstance())
	return nil
}

func (vsms) GetInstance(_ context.Context, _ string, path cim.ObjectPath, _ *cim.Class) (*cim.Instance, error) {
	if name, _ := path.Key("Name"); name.Str() != "vsms" {
		return nil, cim.Errorf(cim.ErrNotFound, "no service %s", name.Str())
	}
	return vsmsInstance(), nil
}

func (s vsms) InvokeMethod(ctx context.Context, ns string, _ cim.ObjectPath, m *cim.Method, in cim.Params) (cim.Value, cim.Params, error) {
	if !strings.EqualFold(m.Name, "DefineSystem") {
		return cim.Uint32(1), nil, nil
	}
	settings, _ := in.Get("SystemSettings")
	vssd := settings.AsInstance()
	if vssd == nil {
		return cim.Uint32(4), nil, nil
	}
	name := vssd.Str("ElementName")
	vm := newVM(name, name)
	rasds, _ := in.Get("ResourceSettings")
	var notes []string
	for _, r := range rasds.Elems() {
		if ri := r.AsInstance(); ri != nil {
			q, _ := ri.Get("VirtualQuantity")
			notes = append(notes, fmt.Sprintf("%s:%s", ri.ClassName, q.Text()))
		}
	}
	vm.Set("StatusDescriptions", cim.StringArray(notes...))
	s.vms.add(vm)
	return cim.Uint32(0), cim.Params{{Name: "ResultingSystem", Value: cim.Ref(vmPath(name))}}, nil
}

// fixture is a dispatcher with the test providers and a handler over it.
type fixture struct {
	d   *cimom.Dispatcher
	vms *vmProvider
	h   *Handler
	now time.Time
	mu  sync.Mutex
}

// newFixture builds the dispatcher from Ferrum's schema with n virtual
// machines, and a handler with test options.
func newFixture(tb testing.TB, n int, adjust func(*Options)) *fixture {
	tb.Helper()
	r, err := cimom.NewSchemaRepository()
	if err != nil {
		tb.Fatal(err)
	}
	d := cimom.New(r, cimom.NewMemoryStore())
	d.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	d.MarkBuiltin()
	f := &fixture{d: d, vms: newVMProvider(n), now: testNow}
	d.Providers.Handle(ns, csClass, f.vms)
	d.Providers.Handle(ns, "Ferrum_HostSystem", hostProvider{})
	d.Providers.Handle(ns, "Ferrum_HostedDependency", hostedDependency{f.vms})
	d.Providers.Handle(ns, "Ferrum_VirtualSystemManagementService", vsms{f.vms})
	opts := Options{
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		HostName: "ferrum.test",
		Now:      f.clock,
	}
	if adjust != nil {
		adjust(&opts)
	}
	f.h = NewHandler(d, opts)
	tb.Cleanup(f.h.Close)
	return f
}

func (f *fixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// advance moves the fixture's clock.
func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

// serve runs one request through the handler as user.
func (f *fixture) serve(user string, r *http.Request) *httptest.ResponseRecorder {
	if user != "" {
		r = r.WithContext(auth.WithPrincipal(r.Context(), auth.Principal{User: user}))
	}
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	return w
}
