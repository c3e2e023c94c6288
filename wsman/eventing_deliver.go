package wsman

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/indication"
)

// DelivererOptions configure a Deliverer. Zero fields take the defaults
// shown.
type DelivererOptions struct {
	// Client sends the event messages (an http.Client with a 30 s
	// timeout); the indication service bounds each attempt too.
	Client *http.Client
	// Log receives delivery details (slog.Default()).
	Log *slog.Logger
}

// A Deliverer sends indications to WS-Management listeners as DSP0226
// event messages: the indication service's indication.Deliverer for
// CIM_ListenerDestinationWSManagement. Each message is a SOAP envelope
// with the Event action, wsa:To the NotifyTo address and NotifyTo's
// reference parameters as headers, whose body is the indication in the
// DSP0230 form the binding writes instances in. In PushWithAck mode the
// listener must answer with wsman:Ack, or the delivery failed (and is
// retried).
type Deliverer struct {
	d      *cimom.Dispatcher
	client *http.Client
	log    *slog.Logger
	order  propertyOrder
}

var _ indication.Deliverer = (*Deliverer)(nil)

// NewDeliverer returns a Deliverer that finds the classes of the
// indications it encodes in d's repository.
func NewDeliverer(d *cimom.Dispatcher, opts DelivererOptions) *Deliverer {
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: 30 * time.Second}
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	return &Deliverer{d: d, client: opts.Client, log: opts.Log}
}

// Sender implements indication.Deliverer for a
// CIM_ListenerDestinationWSManagement dest and its subscription sub, whose
// SubscriptionInfo holds the reference parameters when a WS-Eventing
// Subscribe created it. Push and PushWithAck are served.
func (dl *Deliverer) Sender(dest, sub *cim.Instance) (indication.Sender, error) {
	s := &eventSender{dl: dl, to: dest.Str("Destination")}
	mode := uint64(modeCodePush)
	if v, ok := dest.Get("DeliveryMode"); ok && !v.IsNull() {
		mode, _ = v.AsUint64()
	}
	switch uint16(mode) {
	case modeCodePush:
	case modeCodePushWithAck:
		s.ack = true
	default:
		return nil, cim.Errorf(cim.ErrNotSupported, "DeliveryMode %d is not supported; use 2 (Push) or 3 (PushWithAck)", mode)
	}
	if sub != nil && sub.Str("SubscriptionInfo") != "" {
		if info, err := parseEventInfo(sub.Str("SubscriptionInfo")); err == nil {
			s.refParams, s.info = info.notifyTo, info
		}
	}
	return s, nil
}

// classOf finds a class in namespace ns, else in Interop or the virtual
// namespace, where indication classes and their sources live.
func (dl *Deliverer) classOf(ns, class string) *cim.Class {
	for _, n := range []string{ns, cimom.InteropNamespace, cimom.VirtNamespace} {
		if c, err := dl.d.Repo.Class(n, class); err == nil {
			return c
		}
	}
	return nil
}

// An eventSender delivers to one listener.
type eventSender struct {
	dl        *Deliverer
	to        string
	ack       bool
	refParams string
	info      *eventInfo // nil for a subscription not made by Subscribe
}

// End implements indication.Ender: the subscriber's EndTo, when it gave
// one, receives wse:SubscriptionEnd with status DeliveryFailure.
func (s *eventSender) End(ctx context.Context, reason string) error {
	if s.info == nil || s.info.endTo == nil {
		return nil
	}
	return s.dl.subscriptionEnd(ctx, s.info, endStatusFailure, reason)
}

// Send implements indication.Sender.
func (s *eventSender) Send(ctx context.Context, ind *cim.Instance) error {
	id := newUUID()
	enc := newEncoder(s.dl.classOf, &s.dl.order, cimom.InteropNamespace, false)
	b := eventEnvelope(eventHeaders{to: s.to, action: actionEvent, messageID: id, ack: s.ack, refParams: s.refParams}, func(w xw) {
		enc.instance(w, ind, cimom.InteropNamespace, false, 0)
	})
	status, body, err := s.dl.post(ctx, s.to, b.Bytes())
	if err != nil {
		return err
	}
	if !s.ack {
		return nil
	}
	if err := checkAck(body, id); err != nil {
		return fmt.Errorf("event to %s (HTTP %d): %w", s.to, status, err)
	}
	return nil
}

// post sends a SOAP message and returns the response's status and body; a
// status other than 2xx is an error.
func (dl *Deliverer) post(ctx context.Context, to string, msg []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, to, bytes.NewReader(msg))
	if err != nil {
		return 0, nil, fmt.Errorf("event to %s: %w", to, err)
	}
	req.Header.Set("Content-Type", soap12.contentType())
	resp, err := dl.client.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("event to %s: %w", to, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("event to %s: read the answer: %w", to, err)
	}
	if resp.StatusCode/100 != 2 {
		return resp.StatusCode, body, fmt.Errorf("event to %s: HTTP %d", to, resp.StatusCode)
	}
	return resp.StatusCode, body, nil
}

// checkAck reports whether body is the wsman:Ack of message id.
func checkAck(body []byte, id string) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return fmt.Errorf("no wsman:Ack in the answer")
	}
	env, err := parseXML(body)
	if err != nil {
		return fmt.Errorf("the answer is not XML: %w", err)
	}
	hdr := env.child(nsSOAP12, "Header")
	action := hdr.child(nsWSA, "Action").text()
	if action != actionAck && action != wsmanMisspelled+"Ack" {
		return fmt.Errorf("the answer's action is %q, not wsman:Ack", action)
	}
	if rel := hdr.child(nsWSA, "RelatesTo").text(); rel != id {
		return fmt.Errorf("the ack relates to %q, not to %s", rel, id)
	}
	return nil
}

// eventHeaders are the headers of a message the service sends to a
// subscriber.
type eventHeaders struct {
	to, action, messageID string
	relatesTo             string // answers only
	ack                   bool   // wsman:AckRequested
	refParams             string // echoed reference parameters (nodesXML)
}

// eventEnvelope builds a SOAP 1.2 message to a subscriber.
func eventEnvelope(hd eventHeaders, body func(w xw)) *bytes.Buffer {
	b := &bytes.Buffer{}
	w := xw{b}
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>`)
	attrs := []string{"xmlns:s", nsSOAP12}
	for _, n := range envelopeNamespaces {
		attrs = append(attrs, "xmlns:"+n.prefix, n.uri)
	}
	attrs = append(attrs, "xmlns:wse", nsWSE)
	w.open("s:Envelope", attrs...)
	w.open("s:Header")
	w.elem("wsa:To", hd.to)
	w.elem("wsa:Action", hd.action, "s:mustUnderstand", "true")
	w.elem("wsa:MessageID", hd.messageID)
	if hd.relatesTo != "" {
		w.elem("wsa:RelatesTo", hd.relatesTo)
	} else {
		w.open("wsa:ReplyTo")
		w.elem("wsa:Address", anonymousAddress)
		w.close("wsa:ReplyTo")
	}
	if hd.ack {
		w.empty("wsman:AckRequested")
	}
	b.WriteString(hd.refParams)
	w.close("s:Header")
	w.open("s:Body")
	if body != nil {
		body(w)
	}
	b.WriteString(envelopeEnd)
	return b
}

// subscriptionEnd tells the subscriber's EndTo that its subscription ended
// with status (a wse status URI) for reason.
func (dl *Deliverer) subscriptionEnd(ctx context.Context, info *eventInfo, status, reason string) error {
	hd := eventHeaders{to: info.endTo.address, action: actionSubscriptionEnd, messageID: newUUID(), refParams: info.endTo.refParams}
	b := eventEnvelope(hd, func(w xw) {
		w.open("wse:SubscriptionEnd")
		writeManagerEPR(w, info)
		w.elem("wse:Status", status)
		w.elem("wse:Reason", reason, "xml:lang", "en")
		w.close("wse:SubscriptionEnd")
	})
	_, _, err := dl.post(ctx, info.endTo.address, b.Bytes())
	return err
}

// isEventAction reports whether action is the Event action, under either
// base.
func isEventAction(action string) bool {
	return action == actionEvent || action == wsmanMisspelled+"Event"
}
