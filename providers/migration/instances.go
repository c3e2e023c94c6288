package migration

import (
	"context"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// Method identifiers of CIM_VirtualSystemMigrationCapabilities.
const (
	methodToHost      = 2
	methodToSystem    = 3
	methodCheckHost   = 4
	methodCheckSystem = 5
)

// DestinationHostFormatsSupported values.
const (
	formatDomainName = 2
	formatIPv4       = 3
	formatIPv6       = 4
)

// MigrationType values of CIM_VirtualSystemMigrationSettingData.
const (
	typeUnknown = 0
	typeOther   = 1
	typeLive    = 2
	typeResume  = 3
	typeRestart = 4
)

func serviceInstance(host string) *cim.Instance {
	return cim.NewInstance(ClassService).
		Set("SystemCreationClassName", cim.String(model.ClassHost)).
		Set("SystemName", cim.String(host)).
		Set("CreationClassName", cim.String(ClassService)).
		Set("Name", cim.String(ServiceName)).
		Set("ElementName", cim.String("Virtual system migration service")).
		Set("Caption", cim.String(ServiceName)).
		Set("EnabledState", cim.Uint16(model.Enabled)).
		Set("RequestedState", cim.Uint16(model.RequestedNotApplic)).
		Set("EnabledDefault", cim.Uint16(model.Enabled)).
		Set("HealthState", cim.Uint16(model.HealthOK)).
		Set("OperationalStatus", cim.Uint16Array(model.OpStatusOK)).
		Set("Started", cim.Bool(true)).
		Set("StartMode", cim.String("Automatic"))
}

func capsInstance(host string) *cim.Instance {
	return cim.NewInstance(ClassCaps).
		Set("InstanceID", cim.String(model.InstanceIDOf(CapsPath(host)))).
		Set("ElementName", cim.String("Virtual system migration capabilities")).
		Set("SynchronousMethodsSupported", cim.Uint16Array(methodCheckHost, methodCheckSystem)).
		Set("AsynchronousMethodsSupported", cim.Uint16Array(methodToHost, methodToSystem)).
		Set("DestinationHostFormatsSupported", cim.Uint16Array(formatDomainName, formatIPv4, formatIPv6))
}

// settingsInstance is the default settings: a live migration at the
// default priority and bandwidth, over the backend's transport.
func settingsInstance(host string) *cim.Instance {
	return cim.NewInstance(ClassSettings).
		Set("InstanceID", cim.String(model.InstanceIDOf(SettingsPath(host)))).
		Set("ElementName", cim.String("Default migration settings")).
		Set("MigrationType", cim.Uint16(typeLive)).
		Set("Priority", cim.Uint16(0)).
		Set("Bandwidth", cim.Uint16(0)).
		Set("BandwidthUnit", cim.String(defaultBandwidthUnit)).
		Set("TransportType", cim.Uint16(0))
}

// instances serves a class with one instance per host.
type instances struct {
	p      *Provider
	hostOf func(cim.ObjectPath) (string, bool)
	build  func(host string) *cim.Instance
}

func (s instances) EnumerateInstances(ctx context.Context, _ string, _ *cim.Class, yield func(*cim.Instance) bool) error {
	for _, h := range s.p.hosts(ctx) {
		if !yield(s.build(h.id)) {
			return nil
		}
	}
	return ctx.Err()
}

func (s instances) GetInstance(ctx context.Context, _ string, path cim.ObjectPath, _ *cim.Class) (*cim.Instance, error) {
	host, ok := s.hostOf(path)
	if !ok {
		return nil, cim.Errorf(cim.ErrNotFound, "no instance %s", path)
	}
	if _, err := s.p.host(ctx, host); err != nil {
		return nil, err
	}
	return s.build(host), nil
}

// serviceProvider serves the services and their methods.
type serviceProvider struct{ p *Provider }

func (s serviceProvider) EnumerateInstances(ctx context.Context, ns string, c *cim.Class, yield func(*cim.Instance) bool) error {
	return instances{s.p, serviceHost, serviceInstance}.EnumerateInstances(ctx, ns, c, yield)
}

func (s serviceProvider) GetInstance(ctx context.Context, ns string, path cim.ObjectPath, c *cim.Class) (*cim.Instance, error) {
	return instances{s.p, serviceHost, serviceInstance}.GetInstance(ctx, ns, path, c)
}

func (s serviceProvider) InvokeMethod(ctx context.Context, _ string, path cim.ObjectPath, m *cim.Method, in cim.Params) (cim.Value, cim.Params, error) {
	return s.p.invoke(ctx, path, m, in)
}
