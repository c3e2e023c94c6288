package wsman

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// An eventSub is a WS-Eventing subscription as the Interop namespace holds
// it.
type eventSub struct {
	path   cim.ObjectPath // the CIM_IndicationSubscription
	inst   *cim.Instance
	filter cim.ObjectPath
	dest   cim.ObjectPath
	info   *eventInfo
}

// errNoSubscription means no subscription the caller may see has the
// identifier.
var errNoSubscription = errors.New("no such subscription")

// eachEventSub calls fn for every WS-Eventing subscription ctx's caller may
// see, until fn returns false.
func (h *Handler) eachEventSub(ctx context.Context, fn func(*eventSub) bool) error {
	var bad error
	err := h.d.EnumerateInstances(ctx, cimom.InteropNamespace, classSubscription, cimom.InstanceOptions{},
		func(p cim.ObjectPath, inst *cim.Instance) bool {
			dest, _ := inst.Get("Handler")
			dp, ok := dest.AsRef()
			name, _ := dp.Key("Name")
			if !ok || !strings.HasPrefix(name.Str(), eventingNamePrefix) {
				return true
			}
			info, err := parseEventInfo(inst.Str("SubscriptionInfo"))
			if err != nil {
				bad = fmt.Errorf("subscription %s: %w", p, err)
				return true
			}
			fv, _ := inst.Get("Filter")
			fp, _ := fv.AsRef()
			return fn(&eventSub{path: p, inst: inst, filter: fp, dest: dp, info: info})
		})
	if err != nil {
		return err
	}
	if bad != nil {
		h.log.WarnContext(ctx, "unreadable WS-Eventing subscription", "op", "eventing", "err", bad)
	}
	return nil
}

// findEventSub returns the subscription with identifier id.
func (h *Handler) findEventSub(ctx context.Context, id string) (*eventSub, error) {
	var found *eventSub
	err := h.eachEventSub(ctx, func(s *eventSub) bool {
		if s.info.id == id {
			found = s
		}
		return found == nil
	})
	if err != nil {
		return nil, err
	}
	if found == nil {
		return nil, errNoSubscription
	}
	return found, nil
}

// managedSub returns the subscription a Renew, GetStatus or Unsubscribe
// names in its wse:Identifier header; unknown is the fault for a missing
// header or an identifier that names nothing.
func (h *Handler) managedSub(ctx context.Context, req *request, unknown *faultKind) (*eventSub, error) {
	if req.identifier == "" {
		return nil, newFault(unknown, "", "The request has no wse:Identifier header naming the subscription.")
	}
	s, err := h.findEventSub(ctx, req.identifier)
	if errors.Is(err, errNoSubscription) {
		return nil, newFault(unknown, "", "No subscription has the identifier %s.", req.identifier)
	}
	return s, err
}

// renewSubscription serves wse:Renew: the new expiry replaces the old one.
func (h *Handler) renewSubscription(ctx context.Context, rs *responder, req *request) error {
	if !req.payload.is(nsWSE, "Renew") {
		return newFault(faultSchemaValidationError, "", "The body of a Renew request must be wse:Renew.")
	}
	s, err := h.managedSub(ctx, req, faultUnableToRenew)
	if err != nil {
		return err
	}
	// Without wse:Expires the subscription no longer expires.
	info := *s.info
	info.expires = time.Time{}
	if e := req.payload.child(nsWSE, "Expires"); e != nil {
		var f *Fault
		info.expires, info.asDuration, _, f = parseExpiry(e.text(), h.opts.Now(), h.opts.MaxSubscriptionExpiry, faultEventingInvalidExpirationTime)
		if f != nil {
			return f
		}
	}
	changes := cim.NewInstance(classSubscription).Set("SubscriptionInfo", cim.String(info.marshal()))
	if !info.expires.IsZero() {
		changes.Set("SubscriptionDuration", cim.Uint64(durationSeconds(info.expires.Sub(subscriptionStart(s.inst, h.opts.Now())))))
	}
	if err := h.d.ModifyInstance(ctx, cimom.InteropNamespace, s.path, changes, []string{"SubscriptionInfo", "SubscriptionDuration"}); err != nil {
		return faultFor(fmt.Errorf("renew %s: %w", info.id, err), opOther)
	}
	h.events.arm(info.id, info.expires)
	h.sendExpires(rs, req, actionRenewSub+"Response", "wse:RenewResponse", &info)
	return nil
}

// subscriptionStart returns SubscriptionStartTime, or now when it is not
// known.
func subscriptionStart(sub *cim.Instance, now time.Time) time.Time {
	v, ok := sub.Get("SubscriptionStartTime")
	if d, isDT := v.AsDatetime(); ok && isDT {
		if t, err := d.Time(); err == nil {
			return t
		}
	}
	return now
}

// getStatusSubscription serves wse:GetStatus: the expiry in force.
func (h *Handler) getStatusSubscription(ctx context.Context, rs *responder, req *request) error {
	s, err := h.managedSub(ctx, req, faultEventingInvalidMessage)
	if err != nil {
		return err
	}
	h.sendExpires(rs, req, actionGetStatusSub+"Response", "wse:GetStatusResponse", s.info)
	return nil
}

// sendExpires answers with a body holding the subscription's wse:Expires
// (none when it never expires).
func (h *Handler) sendExpires(rs *responder, req *request, action, body string, info *eventInfo) {
	rp := reply{action: action, relatesTo: req.messageID, eventing: true}
	rs.send(envelope(req.soap, rp, func(w xw) {
		w.open(body)
		if !info.expires.IsZero() {
			w.elem("wse:Expires", info.grant(h.opts.Now()))
		}
		w.close(body)
	}))
}

// unsubscribe serves wse:Unsubscribe: the subscription, its filter and its
// destination are deleted.
func (h *Handler) unsubscribe(ctx context.Context, rs *responder, req *request) error {
	s, err := h.managedSub(ctx, req, faultEventingInvalidMessage)
	if err != nil {
		return err
	}
	if err := h.deleteEventSub(ctx, s); err != nil {
		return faultFor(err, opOther)
	}
	h.events.disarm(s.info.id)
	rp := reply{action: actionUnsubscribe + "Response", relatesTo: req.messageID, eventing: true}
	rs.send(envelope(req.soap, rp, nil))
	return nil
}

// deleteEventSub deletes the subscription, then its destination and, unless
// it existed before the subscription, its filter.
func (h *Handler) deleteEventSub(ctx context.Context, s *eventSub) error {
	in := cimom.InteropNamespace
	var errs []error
	paths := []cim.ObjectPath{s.path, s.dest}
	if !s.info.sharedFilter {
		paths = append(paths, s.filter)
	}
	for _, p := range paths {
		if err := h.d.DeleteInstance(ctx, in, p); err != nil && cim.StatusOf(err) != cim.ErrNotFound {
			errs = append(errs, fmt.Errorf("delete %s: %w", p.ClassName, err))
		}
	}
	return errors.Join(errs...)
}
