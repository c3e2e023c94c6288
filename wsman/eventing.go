package wsman

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/query"
)

// The DSP1054 classes a WS-Eventing subscription is made of (DSP0227:
// Subscribe creates a filter, a WS-Management listener destination and a
// subscription in the Interop namespace).
const (
	classFilter       = "CIM_IndicationFilter"
	classDestWSMan    = "CIM_ListenerDestinationWSManagement"
	classSubscription = "CIM_IndicationSubscription"
	classIndication   = "CIM_Indication"
)

// subscribe serves wse:Subscribe: it creates the filter (unless the
// ResourceURI names an existing one), the destination and the subscription
// through the dispatcher, whose indication provider persists and activates
// them, and answers with the SubscriptionManager.
func (h *Handler) subscribe(ctx context.Context, rs *responder, req *request) error {
	sr, f := parseSubscribe(req.payload, h.opts.Now(), h.opts.MaxSubscriptionExpiry)
	if f != nil {
		return f
	}
	spec, f := h.eventFilter(req, sr)
	if f != nil {
		return f
	}
	if spec.existing != nil {
		if _, err := h.d.GetInstance(ctx, cimom.InteropNamespace, *spec.existing, cimom.InstanceOptions{}); err != nil {
			return faultFor(fmt.Errorf("the filter to subscribe to: %w", err), opOther)
		}
	}
	info := &eventInfo{id: newUUID(), manager: req.to, resourceURI: req.resourceURI, asDuration: sr.asDuration,
		notifyTo: sr.notifyTo.refParams, endTo: sr.endTo, sharedFilter: spec.existing != nil}
	if sr.hasExpires {
		info.expires = sr.expires
	}
	if err := h.createSubscription(ctx, sr, info, spec); err != nil {
		return faultFor(err, opFilter)
	}
	h.events.arm(info.id, info.expires)
	h.log.DebugContext(ctx, "subscription created", "op", "Subscribe", "id", info.id, "notifyTo", sr.notifyTo.address)
	rp := reply{action: actionSubscribe + "Response", relatesTo: req.messageID, eventing: true}
	rs.send(envelope(req.soap, rp, func(w xw) {
		w.open("wse:SubscribeResponse")
		writeManagerEPR(w, info)
		if !info.expires.IsZero() {
			w.elem("wse:Expires", info.grant(h.opts.Now()))
		}
		w.close("wse:SubscribeResponse")
	}))
	return nil
}

// An eventFilterSpec is what a subscription filters with: a query to
// create a filter for, or an existing CIM_IndicationFilter.
type eventFilterSpec struct {
	lang, text string
	sources    []string        // SourceNamespaces
	existing   *cim.ObjectPath // the filter the ResourceURI and selectors name
}

// writeManagerEPR writes the wse:SubscriptionManager EPR: the service's
// address with the ResourceURI and the wse:Identifier as reference
// parameters.
func writeManagerEPR(w xw, info *eventInfo) {
	w.open("wse:SubscriptionManager")
	addr := info.manager
	if addr == "" {
		addr = anonymousAddress
	}
	w.elem("wsa:Address", addr)
	w.open("wsa:ReferenceParameters")
	if info.resourceURI != "" {
		w.elem("wsman:ResourceURI", info.resourceURI)
	}
	w.elem("wse:Identifier", info.id)
	w.close("wsa:ReferenceParameters")
	w.close("wse:SubscriptionManager")
}

// eventFilter returns what the subscription filters with: the WQL or CQL
// filter given, SELECT * FROM the ResourceURI's indication class, or the
// existing CIM_IndicationFilter the ResourceURI and selectors name (DSP0227).
// A query must parse, select from an indication class and, with a class
// ResourceURI, from that class or a class related to it.
func (h *Handler) eventFilter(req *request, sr *subscribeRequest) (eventFilterSpec, *Fault) {
	in := cimom.InteropNamespace
	var spec eventFilterSpec
	var within string
	if !isAllClassesURI(req.resourceURI) {
		class, ok := classFromResourceURI(req.resourceURI)
		c := h.classOf(in, class)
		if !ok || c == nil {
			return spec, newFault(faultDestinationUnreachable, "InvalidResourceURI", "No indication class has the ResourceURI %s.", req.resourceURI)
		}
		if h.d.Repo.IsA(in, c.Name, classFilter) {
			return h.existingFilter(req, sr, c)
		}
		if !h.d.Repo.IsA(in, c.Name, classIndication) {
			return spec, newFault(faultDestinationUnreachable, "InvalidResourceURI", "%s is not an indication class; subscribe to one or to %s with a filter.", c.Name, AllClassesURI)
		}
		within = c.Name
	}
	if ns := namespaceOf(req.selectors, ""); ns != "" {
		spec.sources = []string{ns}
	}
	switch sr.dialect {
	case "":
		if within == "" {
			return spec, newFault(faultUnsupportedFeature, "FilteringRequired", "Subscribing to the all-classes ResourceURI needs a filter.")
		}
		spec.lang, spec.text = query.WQL, "SELECT * FROM "+within
		return spec, nil
	case dialectWQL, dialectWQLMicrosft:
		spec.lang = query.WQL
	case dialectCQL:
		spec.lang = query.CQL
	default:
		return spec, newFault(faultEventingFilteringUnavailable, "", "Filter dialect %s is not supported; use WQL or CQL.", sr.dialect)
	}
	q, err := query.Parse(spec.lang, sr.query)
	if err != nil {
		return spec, faultFor(err, opFilter)
	}
	from := h.classOf(in, q.FromClass())
	switch {
	case from == nil || !h.d.Repo.IsA(in, from.Name, classIndication):
		return spec, newFault(faultCannotProcessFilter, "", "The filter selects from %s, which is not an indication class.", q.FromClass())
	case within != "" && !h.d.Repo.IsA(in, from.Name, within) && !h.d.Repo.IsA(in, within, from.Name):
		return spec, newFault(faultCannotProcessFilter, "", "The filter selects from %s, which is unrelated to the ResourceURI's class %s.", from.Name, within)
	}
	spec.text = sr.query
	return spec, nil
}

// existingFilter serves a Subscribe whose ResourceURI is
// CIM_IndicationFilter: the selectors name the filter to subscribe to.
func (h *Handler) existingFilter(req *request, sr *subscribeRequest, c *cim.Class) (eventFilterSpec, *Fault) {
	if sr.dialect != "" {
		return eventFilterSpec{}, newFault(faultCannotProcessFilter, "", "A subscription to an existing %s takes no filter of its own.", c.Name)
	}
	p, f := instancePath(cimom.InteropNamespace, c, req.selectors)
	if f != nil {
		return eventFilterSpec{}, f
	}
	return eventFilterSpec{existing: &p}, nil
}

// createSubscription creates the DSP1054 trio for a subscription; on
// failure it deletes what it created.
func (h *Handler) createSubscription(ctx context.Context, sr *subscribeRequest, info *eventInfo, spec eventFilterSpec) error {
	in := cimom.InteropNamespace
	name := eventingNamePrefix + strings.TrimPrefix(info.id, "uuid:")
	keys := func(class string) *cim.Instance {
		return cim.NewInstance(class).Set("SystemCreationClassName", cim.String("CIM_ComputerSystem")).
			Set("SystemName", cim.String("")).Set("CreationClassName", cim.String(class)).Set("Name", cim.String(name))
	}
	filter := keys(classFilter).Set("Query", cim.String(spec.text)).Set("QueryLanguage", cim.String(spec.lang)).
		Set("ElementName", cim.String("WS-Eventing subscription "+info.id))
	if len(spec.sources) > 0 {
		filter.Set("SourceNamespaces", cim.StringArray(spec.sources...))
	}
	dest := keys(classDestWSMan).Set("Destination", cim.String(sr.notifyTo.address)).
		Set("DeliveryMode", cim.Uint16(sr.mode)).Set("PersistenceType", cim.Uint16(2)).
		Set("ElementName", cim.String("WS-Eventing subscription "+info.id))
	if sr.endTo != nil {
		dest.Set("DestinationEndTo", cim.String(sr.endTo.address))
	}
	if sr.locale != "" {
		dest.Set("Locale", cim.String(sr.locale))
	}
	var created []cim.ObjectPath
	undo := func(err error) error {
		for i := len(created) - 1; i >= 0; i-- {
			if derr := h.d.DeleteInstance(context.WithoutCancel(ctx), in, created[i]); derr != nil {
				err = errors.Join(err, derr)
			}
		}
		return err
	}
	var filterPath cim.ObjectPath
	if spec.existing != nil {
		filterPath = *spec.existing
	} else {
		p, err := h.d.CreateInstance(ctx, in, filter)
		if err != nil {
			return err
		}
		filterPath, created = p, append(created, p)
	}
	destPath, err := h.d.CreateInstance(ctx, in, dest)
	if err != nil {
		return undo(err)
	}
	created = append(created, destPath)
	sub := cim.NewInstance(classSubscription).Set("Filter", cim.Ref(filterPath)).Set("Handler", cim.Ref(destPath)).
		Set("SubscriptionInfo", cim.String(info.marshal()))
	if !info.expires.IsZero() {
		sub.Set("SubscriptionDuration", cim.Uint64(durationSeconds(info.expires.Sub(h.opts.Now()))))
	}
	if _, err := h.d.CreateInstance(ctx, in, sub); err != nil {
		return undo(err)
	}
	return nil
}

// durationSeconds rounds d up to whole seconds, for SubscriptionDuration.
func durationSeconds(d time.Duration) uint64 {
	return uint64(max(math.Ceil(d.Seconds()), 0))
}
