package indication

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	ind "github.com/ferrum-virt/ferrum/cimom/indication"
	"github.com/ferrum-virt/ferrum/cimom/query"
)

// setKeys fills in the keys the provider owns: the hosting system, the
// creation class, and a generated Name when the client gave none.
func (p *Provider) setKeys(class string, inst *cim.Instance) {
	if inst.Str("SystemCreationClassName") == "" {
		inst.Set("SystemCreationClassName", cim.String(systemCreationClass))
	}
	if inst.Str("SystemName") == "" {
		inst.Set("SystemName", cim.String(p.cfg.Host))
	}
	inst.Set("CreationClassName", cim.String(class))
	if inst.Str("Name") == "" {
		inst.Set("Name", cim.String(fmt.Sprintf("ferrum:%s", newName())))
	}
}

// prepareFilter checks Query and QueryLanguage: the query must parse
// (CIM_ERR_INVALID_QUERY, CIM_ERR_QUERY_LANGUAGE_NOT_SUPPORTED) and select
// from an indication class.
func (p *Provider) prepareFilter(ns string, class *cim.Class, inst *cim.Instance) error {
	p.setKeys(class.Name, inst)
	q, err := parseFilter(inst.Str("QueryLanguage"), inst.Str("Query"))
	if err != nil {
		return err
	}
	if !p.d.Repo.IsA(ns, q.FromClass(), "CIM_Indication") {
		return cim.Errorf(cim.ErrInvalidQuery, "the filter selects from %s, which is not an indication class", q.FromClass())
	}
	if v, ok := inst.Get("SourceNamespace"); ok && !v.IsNull() && !hasValue(inst, "SourceNamespaces") {
		inst.Set("SourceNamespaces", cim.StringArray(v.Str()))
	}
	return nil
}

func hasValue(inst *cim.Instance, name string) bool {
	v, ok := inst.Get(name)
	return ok && !v.IsNull()
}

// parseFilter parses a filter query; FQL is not a filter language.
func parseFilter(lang, text string) (*query.Query, error) {
	if strings.TrimSpace(text) == "" {
		return nil, cim.Errorf(cim.ErrInvalidQuery, "the filter has no Query")
	}
	q, err := query.Parse(lang, text)
	if err != nil {
		return nil, err
	}
	if q.FromClass() == "" {
		return nil, cim.Errorf(cim.ErrQueryLanguageNotSupported, "query language %q is not supported for filters; use WQL or DMTF:CQL", lang)
	}
	return q, nil
}

// prepareDestination checks that Destination is an http or https URL.
func (p *Provider) prepareDestination(class *cim.Class, inst *cim.Instance) error {
	p.setKeys(class.Name, inst)
	dest := inst.Str("Destination")
	u, err := url.Parse(dest)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return cim.Errorf(cim.ErrInvalidParameter, "Destination %q is not an http or https URL", dest)
	}
	if !hasValue(inst, "PersistenceType") {
		inst.Set("PersistenceType", cim.Uint16(2)) // Permanent
	}
	if strings.EqualFold(class.Name, ClassDestWSMan) {
		inst.Set("Protocol", cim.Uint16(4))
		if p.cfg.WSMan == nil {
			return cim.Errorf(cim.ErrNotSupported, "WS-Management destinations are not served")
		}
	} else {
		inst.Set("Protocol", cim.Uint16(2))
	}
	return nil
}

// prepareSubscription checks that Filter and Handler name existing
// instances the caller may use, and fills in the state properties.
func (p *Provider) prepareSubscription(ctx context.Context, ns string, inst *cim.Instance) error {
	for _, k := range []string{"Filter", "Handler"} {
		ref, ok := mustGet(inst, k).AsRef()
		if !ok {
			return cim.Errorf(cim.ErrInvalidParameter, "the subscription needs a %s reference", k)
		}
		ref = normalize(ref)
		if _, err := p.get(ctx, ns, ref); err != nil {
			return cim.Errorf(cim.ErrInvalidParameter, "the subscription's %s %s does not exist", k, ref)
		}
		inst.Set(k, cim.Ref(ref))
	}
	if !hasValue(inst, "SubscriptionState") {
		inst.Set("SubscriptionState", cim.Uint16(ind.StateEnabled))
	}
	if !hasValue(inst, "OnFatalErrorPolicy") {
		inst.Set("OnFatalErrorPolicy", cim.Uint16(ind.PolicyIgnore))
	}
	now := cim.DateTimeValue(cim.NewTimestamp(p.cfg.Service.Config().Now()))
	inst.Set("SubscriptionStartTime", now)
	inst.Set("TimeOfLastStateChange", now)
	return checkSubscriptionValues(inst)
}

// checkSubscriptionValues refuses states and policies Ferrum does not
// implement.
func checkSubscriptionValues(inst *cim.Instance) error {
	state, _ := mustGet(inst, "SubscriptionState").AsUint64()
	switch uint16(state) {
	case ind.StateEnabled, ind.StateEnabledDegraded, ind.StateDisabled:
	default:
		return cim.Errorf(cim.ErrNotSupported, "SubscriptionState %d is not supported; use 2 (Enabled) or 4 (Disabled)", state)
	}
	policy, _ := mustGet(inst, "OnFatalErrorPolicy").AsUint64()
	switch uint16(policy) {
	case ind.PolicyIgnore, ind.PolicyDisable, ind.PolicyRemove:
	default:
		return cim.Errorf(cim.ErrNotSupported, "OnFatalErrorPolicy %d is not supported; use 2 (Ignore), 3 (Disable) or 4 (Remove)", policy)
	}
	return nil
}

// activate hands an enabled subscription to the service, or removes a
// disabled one from it.
func (p *Provider) activate(ctx context.Context, ns string, path cim.ObjectPath, sub *cim.Instance) error {
	id := subscriptionID(ns, path)
	p.paths.Store(id, path)
	state, _ := mustGet(sub, "SubscriptionState").AsUint64()
	if uint16(state) == ind.StateDisabled {
		p.cfg.Service.Remove(id)
		return nil
	}
	fref, _ := mustGet(sub, "Filter").AsRef()
	href, _ := mustGet(sub, "Handler").AsRef()
	filter, err := p.cfg.Store.GetInstance(ctx, ns, fref)
	if err != nil {
		return fmt.Errorf("subscription %s: filter: %w", path, err)
	}
	dest, err := p.cfg.Store.GetInstance(ctx, ns, href)
	if err != nil {
		return fmt.Errorf("subscription %s: handler: %w", path, err)
	}
	q, err := parseFilter(filter.Str("QueryLanguage"), filter.Str("Query"))
	if err != nil {
		return err
	}
	sender, err := p.sender(dest, sub)
	if err != nil {
		return err
	}
	policy, _ := mustGet(sub, "OnFatalErrorPolicy").AsUint64()
	var sources []string
	if v := mustGet(filter, "SourceNamespaces"); v.IsArray() {
		for _, e := range v.Elems() {
			sources = append(sources, e.Str())
		}
	}
	return p.cfg.Service.Add(ind.Subscription{
		ID: id, Owner: sub.Str(ownerProperty), Query: q, FilterName: filter.Str("Name"),
		SourceNamespaces: sources, Sender: sender, OnFatalErrorPolicy: uint16(policy),
	})
}

// sender returns the sender for a destination instance and the
// subscription that uses it.
func (p *Provider) sender(dest, sub *cim.Instance) (ind.Sender, error) {
	if strings.EqualFold(dest.ClassName, ClassDestWSMan) {
		if p.cfg.WSMan == nil {
			return nil, cim.Errorf(cim.ErrNotSupported, "WS-Management destinations are not served")
		}
		return p.cfg.WSMan.Sender(dest, sub)
	}
	url := dest.Str("Destination")
	return ind.SenderFunc(func(ctx context.Context, x *cim.Instance) error {
		return p.cfg.Export.Export(ctx, url, x)
	}), nil
}

// Load activates the enabled subscriptions in the store, as at start-up.
func (p *Provider) Load(ctx context.Context) error {
	type entry struct {
		path cim.ObjectPath
		inst *cim.Instance
	}
	var subs []entry
	err := p.cfg.Store.EnumerateInstances(ctx, p.ns, ClassSubscription, func(path cim.ObjectPath, inst *cim.Instance) bool {
		subs = append(subs, entry{path, inst})
		return true
	})
	if err != nil {
		return fmt.Errorf("load subscriptions: %w", err)
	}
	for _, s := range subs {
		if err := p.activate(ctx, p.ns, s.path, s.inst); err != nil {
			p.cfg.Log.WarnContext(ctx, "subscription not activated", "op", "indication", "subscription", s.path.String(), "err", err)
		}
	}
	return nil
}

// Fatal applies a subscription's OnFatalErrorPolicy after the service gave
// up on it: Disable sets SubscriptionState 4 (Disabled), Remove deletes it.
// It is the service's Config.OnFatal.
func (p *Provider) Fatal(ctx context.Context, id string, policy uint16, cause error) {
	v, ok := p.paths.Load(id)
	if !ok {
		return
	}
	path := v.(cim.ObjectPath)
	var err error
	switch policy {
	case ind.PolicyRemove:
		p.paths.Delete(id)
		err = p.cfg.Store.DeleteInstance(ctx, p.ns, path)
	case ind.PolicyDisable:
		var sub *cim.Instance
		if sub, err = p.cfg.Store.GetInstance(ctx, p.ns, path); err == nil {
			sub.Set("SubscriptionState", cim.Uint16(ind.StateDisabled))
			sub.Set("TimeOfLastStateChange", cim.DateTimeValue(cim.NewTimestamp(p.cfg.Service.Config().Now())))
			err = p.cfg.Store.ReplaceInstance(ctx, p.ns, path, sub)
		}
	}
	if err != nil {
		p.cfg.Log.WarnContext(ctx, "subscription policy not applied", "op", "indication", "subscription", id, "policy", policy, "err", err)
	}
}
