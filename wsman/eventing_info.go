package wsman

import (
	"bytes"
	"fmt"
	"time"
)

// nsFerrumEventing is the namespace of what Ferrum keeps in the
// SubscriptionInfo property of the CIM_IndicationSubscription behind a
// WS-Eventing subscription.
const nsFerrumEventing = "http://schemas.ferrum.dev/wbem/wsman/1/eventing"

// eventingNamePrefix starts the Name of the filter and the destination
// created for a WS-Eventing subscription; the rest is its Identifier
// without "uuid:".
const eventingNamePrefix = "wse:"

// An eventInfo is what a WS-Eventing subscription needs beyond DSP1054:
// its identifier, the subscription manager's address, its expiry and the
// reference parameters of NotifyTo and EndTo. It is persisted, as XML, in
// the subscription's SubscriptionInfo, so that it survives restarts.
type eventInfo struct {
	id          string    // wse:Identifier, uuid:…
	manager     string    // the SubscriptionManager's wsa:Address
	resourceURI string    // the Subscribe's ResourceURI
	expires     time.Time // zero: never
	asDuration  bool      // grants are reported as durations
	notifyTo    string    // NotifyTo reference parameters (nodesXML)
	endTo       *epr      // nil: no EndTo
	// sharedFilter: the subscription uses a filter that existed before
	// it, which Unsubscribe and expiry leave in place.
	sharedFilter bool
}

// marshal writes the info as the SubscriptionInfo XML.
func (in *eventInfo) marshal() string {
	var b bytes.Buffer
	w := xw{&b}
	w.open("f:Eventing", "xmlns:f", nsFerrumEventing)
	w.elem("f:Identifier", in.id)
	w.elem("f:Manager", in.manager)
	w.elem("f:ResourceURI", in.resourceURI)
	if !in.expires.IsZero() {
		w.elem("f:Expires", in.expires.UTC().Format(time.RFC3339Nano), "asDuration", fmt.Sprint(in.asDuration))
	}
	if in.sharedFilter {
		w.empty("f:SharedFilter")
	}
	w.open("f:NotifyTo")
	b.WriteString(in.notifyTo)
	w.close("f:NotifyTo")
	if in.endTo != nil {
		w.open("f:EndTo", "address", in.endTo.address)
		b.WriteString(in.endTo.refParams)
		w.close("f:EndTo")
	}
	w.close("f:Eventing")
	return b.String()
}

// parseEventInfo reads SubscriptionInfo XML written by marshal.
func parseEventInfo(s string) (*eventInfo, error) {
	root, err := parseXML([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("subscription info: %w", err)
	}
	if !root.is(nsFerrumEventing, "Eventing") {
		return nil, fmt.Errorf("subscription info: not a WS-Eventing subscription")
	}
	in := &eventInfo{
		id:           root.child(nsFerrumEventing, "Identifier").text(),
		manager:      root.child(nsFerrumEventing, "Manager").text(),
		resourceURI:  root.child(nsFerrumEventing, "ResourceURI").text(),
		notifyTo:     nodesXML(root.child(nsFerrumEventing, "NotifyTo").childrenOrNil()),
		sharedFilter: root.child(nsFerrumEventing, "SharedFilter") != nil,
	}
	if e := root.child(nsFerrumEventing, "Expires"); e != nil {
		if in.expires, err = time.Parse(time.RFC3339Nano, e.text()); err != nil {
			return nil, fmt.Errorf("subscription info: expires: %w", err)
		}
		d, _ := e.attr("", "asDuration")
		in.asDuration = isTrue(d)
	}
	if e := root.child(nsFerrumEventing, "EndTo"); e != nil {
		addr, _ := e.attr("", "address")
		in.endTo = &epr{address: addr, refParams: nodesXML(e.Children)}
	}
	if in.id == "" {
		return nil, fmt.Errorf("subscription info: no identifier")
	}
	return in, nil
}

// grant formats the expiry as the client asked for it: a duration from
// now, or a dateTime.
func (in *eventInfo) grant(now time.Time) string {
	if in.asDuration {
		return formatXSDuration(max(in.expires.Sub(now), 0))
	}
	return in.expires.UTC().Format(time.RFC3339Nano)
}
