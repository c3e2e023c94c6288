package wsman

import (
	"net/url"
	"strings"
	"time"
)

// DeliveryMode values of CIM_ListenerDestinationWSManagement (digest §2.3).
const (
	modeCodePush        uint16 = 2
	modeCodePushWithAck uint16 = 3
)

// An epr is an endpoint reference a subscriber gave: where to send, and the
// reference parameters to echo as headers of every message sent there,
// kept as standalone XML (see writeNode).
type epr struct {
	address   string
	refParams string
}

// A subscribeRequest is the body of wse:Subscribe (DSP0226 §10.2).
type subscribeRequest struct {
	mode       uint16 // modeCodePush or modeCodePushWithAck
	notifyTo   epr
	endTo      *epr // nil: no wse:EndTo
	expires    time.Time
	hasExpires bool
	asDuration bool // the client gave a duration, so the grant is one too
	asked      time.Duration
	dialect    string // "" when there is no filter
	query      string
	locale     string
}

// parseSubscribe reads a wse:Subscribe body. now and limit (0: none) bound
// wse:Expires. It checks the shape only; the filter is checked against
// the schema by eventFilter.
func parseSubscribe(body *node, now time.Time, limit time.Duration) (*subscribeRequest, *Fault) {
	if !body.is(nsWSE, "Subscribe") {
		return nil, newFault(faultSchemaValidationError, "", "The body of a Subscribe request must be wse:Subscribe.")
	}
	sr := &subscribeRequest{}
	delivered := false
	for _, c := range body.Children {
		var f *Fault
		switch {
		case c.is(nsWSE, "EndTo"):
			var e epr
			e, f = parseEPRAddress(c, "wse:EndTo")
			sr.endTo = &e
		case c.is(nsWSE, "Delivery"):
			delivered = true
			f = sr.parseDelivery(c)
		case c.is(nsWSE, "Expires"):
			sr.hasExpires = true
			sr.expires, sr.asDuration, sr.asked, f = parseExpiry(c.text(), now, limit, faultEventingInvalidExpirationTime)
		case c.is(nsWSMAN, "Filter"), c.is(nsWSE, "Filter"):
			sr.dialect, _ = c.attr("", "Dialect")
			if sr.dialect == "" {
				sr.dialect = dialectXPath
			}
			sr.query = strings.TrimSpace(c.Text)
		case c.is(nsWSMAN, "SendBookmarks"), c.is(nsWSMAN, "Bookmark"):
			f = newFault(faultUnsupportedFeature, "Bookmarks", "Ferrum does not keep bookmarks; subscribe without %s.", c.qname())
		}
		if f != nil {
			return nil, f
		}
	}
	if !delivered {
		return nil, newFault(faultEventingInvalidMessage, "", "The Subscribe request has no wse:Delivery.")
	}
	return sr, nil
}

// parseDelivery reads wse:Delivery: the mode, NotifyTo and the WS-Man
// delivery options.
func (sr *subscribeRequest) parseDelivery(d *node) *Fault {
	mode, _ := d.attr("", "Mode")
	switch mode {
	case "", deliveryPush:
		sr.mode = modeCodePush
	case deliveryPushAck:
		sr.mode = modeCodePushWithAck
	default:
		return newFault(faultDeliveryModeRequestedUnavailable, "",
			"Delivery mode %s is not supported; use %s or %s.", mode, deliveryPush, deliveryPushAck)
	}
	notify := false
	for _, c := range d.Children {
		var f *Fault
		switch {
		case c.is(nsWSE, "NotifyTo"):
			notify = true
			sr.notifyTo, f = parseEPRAddress(c, "wse:NotifyTo")
		case c.is(nsWSMAN, "Heartbeats"):
			f = newFault(faultUnsupportedFeature, "Heartbeats", "Ferrum does not send heartbeats; subscribe without wsman:Heartbeats.")
		case c.is(nsWSMAN, "Locale"):
			sr.locale, _ = c.attr(nsXML, "lang")
		case c.is(nsWSMAN, "ContentEncoding"):
			if enc := c.text(); !strings.EqualFold(enc, "UTF-8") {
				f = newFault(faultUnsupportedFeature, "EncodingType", "Events are sent in UTF-8 only, not %q.", enc)
			}
		case c.is(nsWSMAN, "Auth"):
			profile, _ := c.attr("", "Profile")
			f = newFault(faultUnsupportedFeature, "", "Ferrum delivers events without authentication; profile %q is not supported.", profile)
		}
		if f != nil {
			return f
		}
	}
	if !notify {
		return newFault(faultEventingInvalidMessage, "", "Push delivery needs a wse:NotifyTo.")
	}
	return nil
}

// parseEPRAddress reads an EPR that events or notices go to: its address
// must be an http or https URL.
func parseEPRAddress(n *node, what string) (epr, *Fault) {
	addr := n.child(nsWSA, "Address").text()
	u, err := url.Parse(addr)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return epr{}, newFault(faultEventSourceUnableToProcess, "UnusableAddress",
			"The %s address %q is not an http or https URL.", what, addr)
	}
	var params []*node
	for _, k := range []string{"ReferenceParameters", "ReferenceProperties"} {
		params = append(params, n.child(nsWSA, k).childrenOrNil()...)
	}
	return epr{address: addr, refParams: nodesXML(params)}, nil
}
