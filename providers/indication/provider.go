// Package indication serves the DSP1054 subscription classes of root/interop
// — CIM_IndicationFilter, CIM_ListenerDestinationCIMXML,
// CIM_ListenerDestinationWSManagement and CIM_IndicationSubscription — with
// the normal instance operations, persisted in the dispatcher's instance
// store so that they survive restarts, and feeds the active subscriptions to
// the indication service (cimom/indication). It also serves
// Ferrum_IndicationService and its capabilities, and registers the
// "Indications" profile with the interop provider.
//
// Every filter, destination and subscription belongs to the user who created
// it: only that user and administrators see, change or delete it.
package indication

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/auth"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/cimxml"
	ind "github.com/ferrum-virt/ferrum/cimom/indication"
)

// Classes the provider serves in root/interop.
const (
	ClassFilter         = "CIM_IndicationFilter"
	ClassDestCIMXML     = "CIM_ListenerDestinationCIMXML"
	ClassDestWSMan      = "CIM_ListenerDestinationWSManagement"
	ClassSubscription   = "CIM_IndicationSubscription"
	ClassService        = "Ferrum_IndicationService"
	ClassCapabilities   = "Ferrum_IndicationServiceCapabilities"
	ownerProperty       = "FerrumOwner" // stored with each instance, never returned
	systemCreationClass = "CIM_ComputerSystem"
)

// Config configures the provider.
type Config struct {
	// Host is the SystemName of the instances the provider names.
	Host string
	// Store persists filters, destinations and subscriptions; give the
	// dispatcher's store (not one wrapped by indication.ObserveStore).
	Store cimom.InstanceStore
	// Service delivers the indications of the active subscriptions. Its
	// Config.OnFatal must call Provider.Fatal (Register wires this when it
	// builds the service).
	Service *ind.Service
	// Export sends CIM-XML exports (a zero ExportClient when nil).
	Export *cimxml.ExportClient
	// WSMan, when not nil, serves CIM_ListenerDestinationWSManagement
	// destinations (wsman.Deliverer); it is given the destination and the
	// subscription.
	WSMan ind.Deliverer
	Log   *slog.Logger
}

// Provider serves the subscription classes.
type Provider struct {
	d   *cimom.Dispatcher
	cfg Config
	ns  string
	// paths maps subscription IDs to their store paths.
	paths sync.Map
}

// New returns the provider over d; Register installs it.
func New(d *cimom.Dispatcher, cfg Config) *Provider {
	if cfg.Export == nil {
		cfg.Export = &cimxml.ExportClient{}
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Provider{d: d, cfg: cfg, ns: cimom.InteropNamespace}
}

// visible reports whether the caller may see inst: its owner, an
// administrator, or anyone when the request is not authenticated (in-process
// callers).
func visible(ctx context.Context, inst *cim.Instance) bool {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok || p.HasRole(auth.RoleAdmin) {
		return true
	}
	return inst.Str(ownerProperty) == p.User
}

// public returns inst without the owner property.
func public(inst *cim.Instance) *cim.Instance {
	if _, ok := inst.Get(ownerProperty); !ok {
		return inst
	}
	out := inst.Clone()
	out.Delete(ownerProperty)
	return out
}

// EnumerateInstances implements cimom.InstanceProvider.
func (p *Provider) EnumerateInstances(ctx context.Context, ns string, class *cim.Class, yield func(*cim.Instance) bool) error {
	var err error
	serr := p.cfg.Store.EnumerateInstances(ctx, ns, class.Name, func(_ cim.ObjectPath, inst *cim.Instance) bool {
		if !visible(ctx, inst) {
			return true
		}
		return yield(public(inst))
	})
	if serr != nil {
		err = fmt.Errorf("enumerate %s: %w", class.Name, serr)
	}
	return err
}

// GetInstance implements cimom.InstanceProvider; another user's instance is
// CIM_ERR_NOT_FOUND.
func (p *Provider) GetInstance(ctx context.Context, ns string, path cim.ObjectPath, class *cim.Class) (*cim.Instance, error) {
	inst, err := p.get(ctx, ns, path)
	if err != nil {
		return nil, err
	}
	return public(inst), nil
}

// get returns the stored instance, owner included, if the caller may see it.
func (p *Provider) get(ctx context.Context, ns string, path cim.ObjectPath) (*cim.Instance, error) {
	inst, err := p.cfg.Store.GetInstance(ctx, ns, normalize(path))
	if err != nil {
		return nil, err
	}
	if !visible(ctx, inst) {
		return nil, cim.Errorf(cim.ErrNotFound, "no instance %s", path)
	}
	return inst, nil
}

// CreateInstance implements cimom.InstanceCreator.
func (p *Provider) CreateInstance(ctx context.Context, ns string, class *cim.Class, inst *cim.Instance) (cim.ObjectPath, error) {
	var err error
	switch {
	case strings.EqualFold(class.Name, ClassFilter):
		err = p.prepareFilter(ns, class, inst)
	case strings.EqualFold(class.Name, ClassDestCIMXML), strings.EqualFold(class.Name, ClassDestWSMan):
		err = p.prepareDestination(class, inst)
	case strings.EqualFold(class.Name, ClassSubscription):
		err = p.prepareSubscription(ctx, ns, inst)
	default:
		return cim.ObjectPath{}, cim.Errorf(cim.ErrNotSupported, "instances of %s cannot be created", class.Name)
	}
	if err != nil {
		return cim.ObjectPath{}, err
	}
	if pr, ok := auth.PrincipalFrom(ctx); ok {
		inst.Set(ownerProperty, cim.String(pr.User))
	}
	path, err := inst.Path(ns, class)
	if err != nil {
		return cim.ObjectPath{}, cim.Errorf(cim.ErrInvalidParameter, "%v", err)
	}
	path = normalize(path)
	if err := p.cfg.Store.CreateInstance(ctx, ns, path, inst); err != nil {
		return cim.ObjectPath{}, err
	}
	if strings.EqualFold(class.Name, ClassSubscription) {
		if err := p.activate(ctx, ns, path, inst); err != nil {
			_ = p.cfg.Store.DeleteInstance(ctx, ns, path)
			return cim.ObjectPath{}, err
		}
	}
	return path, nil
}

// ModifyInstance implements cimom.InstanceModifier. Only a subscription's
// SubscriptionState, OnFatalErrorPolicy, FailureTriggerTimeInterval,
// SubscriptionDuration and SubscriptionInfo can change; a new state or
// policy takes effect at once, and the others leave the delivery as it is.
func (p *Provider) ModifyInstance(ctx context.Context, ns string, class *cim.Class, path cim.ObjectPath, changes *cim.Instance) error {
	if !strings.EqualFold(class.Name, ClassSubscription) {
		return cim.Errorf(cim.ErrNotSupported, "instances of %s cannot be modified; delete and create them", class.Name)
	}
	cur, err := p.get(ctx, ns, path)
	if err != nil {
		return err
	}
	next := cur.Clone()
	for _, pv := range changes.Properties {
		switch strings.ToLower(pv.Name) {
		case "subscriptionstate", "onfatalerrorpolicy", "failuretriggertimeinterval", "subscriptionduration", "subscriptioninfo":
			next.Set(pv.Name, pv.Value)
		default:
			if old, _ := cur.Get(pv.Name); !cim.Equal(old, pv.Value) {
				return cim.Errorf(cim.ErrNotSupported, "property %s of a subscription cannot be modified", pv.Name)
			}
		}
	}
	if err := checkSubscriptionValues(next); err != nil {
		return err
	}
	if !cim.Equal(mustGet(cur, "SubscriptionState"), mustGet(next, "SubscriptionState")) {
		next.Set("TimeOfLastStateChange", cim.DateTimeValue(cim.NewTimestamp(p.cfg.Service.Config().Now())))
	}
	if err := p.cfg.Store.ReplaceInstance(ctx, ns, normalize(path), next); err != nil {
		return err
	}
	if cim.Equal(mustGet(cur, "SubscriptionState"), mustGet(next, "SubscriptionState")) &&
		cim.Equal(mustGet(cur, "OnFatalErrorPolicy"), mustGet(next, "OnFatalErrorPolicy")) &&
		p.cfg.Service.Active(subscriptionID(ns, normalize(path))) {
		return nil // nothing the delivery depends on changed
	}
	return p.activate(ctx, ns, normalize(path), next)
}

func mustGet(inst *cim.Instance, name string) cim.Value {
	v, _ := inst.Get(name)
	return v
}

// DeleteInstance implements cimom.InstanceDeleter. A filter or destination
// that a subscription uses cannot be deleted (CIM_ERR_FAILED).
func (p *Provider) DeleteInstance(ctx context.Context, ns string, class *cim.Class, path cim.ObjectPath) error {
	path = normalize(path)
	if _, err := p.get(ctx, ns, path); err != nil {
		return err
	}
	if strings.EqualFold(class.Name, ClassSubscription) {
		p.cfg.Service.Remove(subscriptionID(ns, path))
		p.paths.Delete(subscriptionID(ns, path))
		return p.cfg.Store.DeleteInstance(ctx, ns, path)
	}
	if user, err := p.usedBy(ctx, ns, path); err != nil {
		return err
	} else if user != "" {
		return cim.Errorf(cim.ErrFailed, "%s is used by subscription %s; delete the subscription first", path, user)
	}
	return p.cfg.Store.DeleteInstance(ctx, ns, path)
}

// usedBy returns the path of a subscription that refers to target, or "".
func (p *Provider) usedBy(ctx context.Context, ns string, target cim.ObjectPath) (string, error) {
	found := ""
	err := p.cfg.Store.EnumerateInstances(ctx, ns, ClassSubscription, func(sp cim.ObjectPath, sub *cim.Instance) bool {
		for _, k := range []string{"Filter", "Handler"} {
			if ref, ok := mustGet(sub, k).AsRef(); ok && sameRef(ref, target) {
				found = sp.String()
				return false
			}
		}
		return true
	})
	return found, err
}

func sameRef(a, b cim.ObjectPath) bool {
	a.Host, b.Host, a.Namespace, b.Namespace = "", "", "", ""
	return a.Equal(b)
}

// normalize returns path as the store keeps it: local, and with reference
// keys local to the Interop namespace, so that a client's path with or
// without namespaces finds the instance.
func normalize(path cim.ObjectPath) cim.ObjectPath {
	path = path.Local()
	path.Namespace = ""
	keys := make([]cim.KeyBinding, len(path.Keys))
	for i, k := range path.Keys {
		if ref, ok := k.Value.AsRef(); ok {
			k.Value = cim.Ref(normalize(ref))
		}
		keys[i] = k
	}
	path.Keys = keys
	return path
}

// subscriptionID is the indication service's ID of a subscription.
func subscriptionID(ns string, path cim.ObjectPath) string {
	path.Namespace, path.Host = ns, ""
	return path.Canonical()
}
