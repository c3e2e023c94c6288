package wsman

import (
	"context"
	"errors"
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

// subscribe serves wse:Subscribe: it creates the filter, the destination
// and the subscription through the dispatcher, whose indication provider
// persists and activates them, and answers with the SubscriptionManager.
func (h *Handler) subscribe(ctx context.Context, rs *responder, req *request) error {
	sr, f := parseSubscribe(req.payload, h.opts.Now(), h.opts.MaxSubscriptionExpiry)
	if f != nil {
		return f
	}
	lang, text, sources, f := h.eventFilter(req, sr)
	if f != nil {
		return f
	}
	info := &eventInfo{id: newUUID(), manager: req.to, resourceURI: req.resourceURI,
		asDuration: sr.asDuration, notifyTo: sr.notifyTo.refParams, endTo: sr.endTo}
	if sr.hasExpires {
		info.expires = sr.expires
	}
	if err := h.createSubscription(ctx, sr, info, lang, text, sources); err != nil {
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

// eventFilter returns the filter's query language and text and the source
// namespaces: the WQL or CQL filter given, or SELECT * FROM the
// ResourceURI's indication class. The query must parse, select from an
// indication class and, with a class ResourceURI, from that class or a
// class related to it.
func (h *Handler) eventFilter(req *request, sr *subscribeRequest) (lang, text string, sources []string, f *Fault) {
	in := cimom.InteropNamespace
	if ns := namespaceOf(req.selectors, ""); ns != "" {
		sources = []string{ns}
	}
	var within string
	if !isAllClassesURI(req.resourceURI) {
		class, ok := classFromResourceURI(req.resourceURI)
		if !ok || h.classOf(in, class) == nil {
			return "", "", nil, newFault(faultDestinationUnreachable, "InvalidResourceURI", "No indication class has the ResourceURI %s.", req.resourceURI)
		}
		within = h.classOf(in, class).Name
		if !h.d.Repo.IsA(in, within, classIndication) {
			return "", "", nil, newFault(faultDestinationUnreachable, "InvalidResourceURI", "%s is not an indication class; subscribe to one or to %s with a filter.", within, AllClassesURI)
		}
	}
	switch sr.dialect {
	case "":
		if within == "" {
			return "", "", nil, newFault(faultUnsupportedFeature, "FilteringRequired", "Subscribing to the all-classes ResourceURI needs a filter.")
		}
		return query.WQL, "SELECT * FROM " + within, sources, nil
	case dialectWQL, dialectWQLMicrosft:
		lang = query.WQL
	case dialectCQL:
		lang = query.CQL
	default:
		return "", "", nil, newFault(faultEventingFilteringUnavailable, "", "Filter dialect %s is not supported; use WQL or CQL.", sr.dialect)
	}
	q, err := query.Parse(lang, sr.query)
	if err != nil {
		return "", "", nil, faultFor(err, opFilter)
	}
	from := h.classOf(in, q.FromClass())
	switch {
	case from == nil || !h.d.Repo.IsA(in, from.Name, classIndication):
		return "", "", nil, newFault(faultCannotProcessFilter, "", "The filter selects from %s, which is not an indication class.", q.FromClass())
	case within != "" && !h.d.Repo.IsA(in, from.Name, within) && !h.d.Repo.IsA(in, within, from.Name):
		return "", "", nil, newFault(faultCannotProcessFilter, "", "The filter selects from %s, which is unrelated to the ResourceURI's class %s.", from.Name, within)
	}
	return lang, sr.query, sources, nil
}

// createSubscription creates the DSP1054 trio for a subscription; on
// failure it deletes what it created.
func (h *Handler) createSubscription(ctx context.Context, sr *subscribeRequest, info *eventInfo, lang, text string, sources []string) error {
	in := cimom.InteropNamespace
	name := eventingNamePrefix + strings.TrimPrefix(info.id, "uuid:")
	keys := func(class string) *cim.Instance {
		return cim.NewInstance(class).Set("SystemCreationClassName", cim.String("CIM_ComputerSystem")).
			Set("SystemName", cim.String("")).Set("CreationClassName", cim.String(class)).Set("Name", cim.String(name))
	}
	filter := keys(classFilter).Set("Query", cim.String(text)).Set("QueryLanguage", cim.String(lang)).
		Set("ElementName", cim.String("WS-Eventing subscription "+info.id))
	if len(sources) > 0 {
		filter.Set("SourceNamespaces", cim.StringArray(sources...))
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
	for _, inst := range []*cim.Instance{filter, dest} {
		p, err := h.d.CreateInstance(ctx, in, inst)
		if err != nil {
			return undo(err)
		}
		created = append(created, p)
	}
	sub := cim.NewInstance(classSubscription).Set("Filter", cim.Ref(created[0])).Set("Handler", cim.Ref(created[1])).
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
