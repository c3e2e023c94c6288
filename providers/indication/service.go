package indication

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	ind "github.com/ferrum-virt/ferrum/cimom/indication"
	"github.com/ferrum-virt/ferrum/providers/interop"
	"github.com/ferrum-virt/ferrum/providers/provkit"
)

// ProfileName and ProfileVersion register DSP1054 with the interop
// provider, as DSP1054 1.2 names itself.
const (
	ProfileName    = "Indications"
	ProfileVersion = "1.2.0"
)

// Register builds the indication service with svcCfg, the provider over it,
// registers the provider for the subscription, service and capabilities
// classes of root/interop, adds the Indications profile to ip (when not nil)
// and activates the subscriptions the store holds. Close the returned
// service at shutdown.
func Register(ctx context.Context, d *cimom.Dispatcher, ip *interop.Provider, cfg Config, svcCfg ind.Config) (*Provider, *ind.Service, error) {
	p := New(d, cfg)
	if svcCfg.IsA == nil {
		svcCfg.IsA = d.Repo.IsA
	}
	userFatal := svcCfg.OnFatal
	svcCfg.OnFatal = func(ctx context.Context, id string, policy uint16, err error) {
		p.Fatal(ctx, id, policy, err)
		if userFatal != nil {
			userFatal(ctx, id, policy, err)
		}
	}
	svc := ind.New(svcCfg)
	p.cfg.Service = svc
	in := cimom.InteropNamespace
	for _, class := range []string{ClassFilter, ClassDestCIMXML, ClassDestWSMan, ClassSubscription} {
		if _, err := d.Repo.Class(in, class); err != nil {
			svc.Close()
			return nil, nil, fmt.Errorf("indication provider: %w", err)
		}
		d.Providers.Handle(in, class, p)
	}
	d.Providers.Handle(in, ClassService, provkit.Func(p.services))
	d.Providers.Handle(in, ClassCapabilities, provkit.Func(p.capabilities))
	d.Providers.Handle(in, ClassElementCapabilities, provkit.Func(p.elementCapabilities))
	if ip != nil {
		ip.AddProfile(interop.Profile{
			ID: "DSP1054", Organization: 2, Name: ProfileName, Version: ProfileVersion,
			Central: func(context.Context) ([]cim.ObjectPath, error) {
				return []cim.ObjectPath{p.servicePath()}, nil
			},
		})
	}
	if err := p.Load(ctx); err != nil {
		svc.Close()
		return nil, nil, err
	}
	return p, svc, nil
}

// Service returns the indication service the provider feeds.
func (p *Provider) Service() *ind.Service { return p.cfg.Service }

func (p *Provider) servicePath() cim.ObjectPath {
	return cim.NewInstancePath(p.ns, ClassService, provkit.Keys(
		"CreationClassName", cim.String(ClassService), "Name", cim.String("Ferrum:IndicationService"),
		"SystemCreationClassName", cim.String(systemCreationClass), "SystemName", cim.String(p.cfg.Host))...)
}

// services returns the one Ferrum_IndicationService, whose delivery
// settings are the service's.
func (p *Provider) services(context.Context, string) ([]*cim.Instance, error) {
	c := p.cfg.Service.Config()
	inst := cim.NewInstance(ClassService)
	for _, k := range p.servicePath().Keys {
		inst.Set(k.Name, k.Value)
	}
	inst.Set("ElementName", cim.String("Ferrum indication service"))
	inst.Set("FilterCreationEnabled", cim.Bool(true))
	inst.Set("DeliveryRetryAttempts", cim.Uint16(uint16(max(c.RetryAttempts, 0))))
	inst.Set("DeliveryRetryInterval", cim.Uint32(uint32(c.RetryInterval.Seconds())))
	inst.Set("SubscriptionRemovalAction", cim.Uint16(4)) // Ignore
	inst.Set("EnabledState", cim.Uint16(2))
	return []*cim.Instance{inst}, nil
}

// capabilities returns the service's Ferrum_IndicationServiceCapabilities.
func (p *Provider) capabilities(context.Context, string) ([]*cim.Instance, error) {
	inst := cim.NewInstance(ClassCapabilities)
	inst.Set("InstanceID", cim.String("Ferrum:IndicationServiceCapabilities"))
	inst.Set("ElementName", cim.String("Ferrum indication service capabilities"))
	for _, name := range []string{"FilterCreationEnabledIsSettable", "DeliveryRetryAttemptsIsSettable",
		"DeliveryRetryIntervalIsSettable", "SubscriptionRemovalActionIsSettable", "SubscriptionRemovalTimeIntervalIsSettable"} {
		inst.Set(name, cim.Bool(false))
	}
	inst.Set("MaxListenerDestinations", cim.Uint32(1<<16))
	inst.Set("MaxActiveSubscriptions", cim.Uint32(1<<16))
	inst.Set("SubscriptionsPersisted", cim.Bool(true))
	return []*cim.Instance{inst}, nil
}

// newName returns a random name for filters and destinations created
// without one.
func newName() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return strings.ToUpper(hex.EncodeToString(b[:]))
}
