package poolconfig

import (
	"context"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// The classes this package serves, and the settings classes its methods
// take.
const (
	ClassService      = "Ferrum_ResourcePoolConfigurationService"
	ClassCapabilities = "Ferrum_ResourcePoolConfigurationCapabilities"
	ClassPoolSettings = "Ferrum_DiskPoolResourceAllocationSettingData"
	ClassVolSettings  = "Ferrum_StorageVolumeResourceAllocationSettingData"
)

// ServiceName is the Name of every host's pool configuration service.
const ServiceName = "Pool Configuration Service"

const capsSuffix = "/ResourcePoolConfigurationCapabilities"

// Values of the capabilities' method lists: the DMTF ones, then Ferrum's
// vendor values for the volume methods.
const (
	MethodCreateChildResourcePool uint32 = 3
	MethodDeleteResourcePool      uint32 = 4
	MethodCreateResourceInPool    uint32 = 32768
	MethodDeleteResourceInPool    uint32 = 32769
)

// asyncMethods are the methods that return a job.
var asyncMethods = []uint32{MethodCreateChildResourcePool, MethodDeleteResourcePool,
	MethodCreateResourceInPool, MethodDeleteResourceInPool}

func str(s string) cim.Value { return cim.String(s) }

// ServicePath names host's pool configuration service.
func ServicePath(host string) cim.ObjectPath {
	return cim.NewInstancePath(model.Namespace, ClassService,
		cim.KeyBinding{Name: "SystemCreationClassName", Value: str(model.ClassHost)},
		cim.KeyBinding{Name: "SystemName", Value: str(host)},
		cim.KeyBinding{Name: "CreationClassName", Value: str(ClassService)},
		cim.KeyBinding{Name: "Name", Value: str(ServiceName)})
}

// CapabilitiesPath names the capabilities of host's service.
func CapabilitiesPath(host string) cim.ObjectPath {
	return cim.NewInstancePath(model.Namespace, ClassCapabilities,
		cim.KeyBinding{Name: "InstanceID", Value: str(capsID(host))})
}

func capsID(host string) string { return "Ferrum:" + host + capsSuffix }

// serviceHostOf returns the host of a service path.
func serviceHostOf(p cim.ObjectPath) (string, bool) {
	if !model.Is(p, ClassService) || !strings.EqualFold(model.KeyString(p, "CreationClassName"), ClassService) ||
		model.KeyString(p, "Name") != ServiceName ||
		!strings.EqualFold(model.KeyString(p, "SystemCreationClassName"), model.ClassHost) {
		return "", false
	}
	h := model.KeyString(p, "SystemName")
	return h, h != ""
}

// capsHostOf returns the host of a capabilities path.
func capsHostOf(p cim.ObjectPath) (string, bool) {
	if !model.Is(p, ClassCapabilities) {
		return "", false
	}
	rest, ok := strings.CutPrefix(model.InstanceIDOf(p), "Ferrum:")
	if !ok {
		return "", false
	}
	h, ok := strings.CutSuffix(rest, capsSuffix)
	return h, ok && h != "" && !strings.Contains(h, "/")
}

func serviceInstance(host string) *cim.Instance {
	return cim.NewInstance(ClassService).
		Set("SystemCreationClassName", str(model.ClassHost)).
		Set("SystemName", str(host)).
		Set("CreationClassName", str(ClassService)).
		Set("Name", str(ServiceName)).
		Set("ElementName", str("Resource pool configuration service")).
		Set("Caption", str(ServiceName)).
		Set("EnabledState", cim.Uint16(model.Enabled)).
		Set("RequestedState", cim.Uint16(model.RequestedNotApplic)).
		Set("EnabledDefault", cim.Uint16(model.Enabled)).
		Set("HealthState", cim.Uint16(model.HealthOK)).
		Set("OperationalStatus", cim.Uint16Array(model.OpStatusOK)).
		Set("Started", cim.Bool(true)).
		Set("StartMode", str("Automatic"))
}

func capsInstance(host string) *cim.Instance {
	return cim.NewInstance(ClassCapabilities).
		Set("InstanceID", str(capsID(host))).
		Set("ElementName", str("Resource pool configuration capabilities")).
		Set("AsynchronousMethodsSupported", uint32s(asyncMethods...)).
		Set("SynchronousMethodsSupported", uint32s())
}

func uint32s(ns ...uint32) cim.Value {
	elems := make([]any, len(ns))
	for i, n := range ns {
		elems[i] = n
	}
	v, err := cim.NewArray(cim.TypeUint32, elems)
	if err != nil {
		panic("poolconfig: " + err.Error()) // uint32 elements always fit
	}
	return v
}

// hostedLink is the Ferrum_HostedService of host's service.
func hostedLink(host string) *cim.Instance {
	return cim.NewInstance(model.AssocHostedService).
		Set("Antecedent", cim.Ref(model.HostPath(host))).
		Set("Dependent", cim.Ref(ServicePath(host)))
}

// capsLink is the Ferrum_ElementCapabilities of host's service.
func capsLink(host string) *cim.Instance {
	return cim.NewInstance(model.AssocElementCaps).
		Set("ManagedElement", cim.Ref(ServicePath(host))).
		Set("Capabilities", cim.Ref(CapabilitiesPath(host)))
}

// perHost serves a class with one instance per host.
type perHost struct {
	p     *Provider
	build func(host string) *cim.Instance
	of    func(cim.ObjectPath) (string, bool)
}

func (s perHost) EnumerateInstances(ctx context.Context, _ string, _ *cim.Class, yield func(*cim.Instance) bool) error {
	for _, h := range s.p.hostIDs(ctx) {
		if !yield(s.build(h)) {
			return nil
		}
	}
	return nil
}

func (s perHost) GetInstance(ctx context.Context, _ string, path cim.ObjectPath, _ *cim.Class) (*cim.Instance, error) {
	h, ok := s.of(path)
	if !ok {
		return nil, cim.Errorf(cim.ErrNotFound, "no instance %s", path)
	}
	if _, err := s.p.host(ctx, h); err != nil {
		return nil, err
	}
	return s.build(h), nil
}

// serviceProvider serves the services and their methods.
type serviceProvider struct{ perHost }

// InvokeMethod implements cimom.MethodProvider.
func (s serviceProvider) InvokeMethod(ctx context.Context, _ string, path cim.ObjectPath, m *cim.Method, in cim.Params) (cim.Value, cim.Params, error) {
	return s.p.invoke(ctx, path, m, in)
}

// enumLinks yields link(host) for every host.
func (p *Provider) enumLinks(link func(string) *cim.Instance) func(context.Context, func(*cim.Instance) bool) error {
	return func(ctx context.Context, yield func(*cim.Instance) bool) error {
		for _, h := range p.hostIDs(ctx) {
			if !yield(link(h)) {
				return nil
			}
		}
		return nil
	}
}

// linkRefs yields link(host) when target is host's host system, service
// or capabilities.
func (p *Provider) linkRefs(link func(string) *cim.Instance) func(context.Context, cim.ObjectPath, func(*cim.Instance) bool) error {
	return func(ctx context.Context, target cim.ObjectPath, yield func(*cim.Instance) bool) error {
		h, ok := model.HostOf(target)
		if !ok {
			h, ok = serviceHostOf(target)
		}
		if !ok {
			h, ok = capsHostOf(target)
		}
		if !ok {
			return nil
		}
		if _, err := p.inv.Host(ctx, h); err != nil {
			return nil // an unknown host has no links
		}
		yield(link(h))
		return nil
	}
}
