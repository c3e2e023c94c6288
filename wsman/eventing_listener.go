package wsman

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// An Event is one WS-Management event message a listener received.
type Event struct {
	// Indication is the body, decoded against the listener's classes.
	Indication *cim.Instance
	// MessageID is the event's wsa:MessageID.
	MessageID string
	// To is its wsa:To: the NotifyTo address.
	To string
	// Headers holds the text of every other header by local name,
	// reference parameters echoed from NotifyTo among them.
	Headers map[string]string
}

// ListenerOptions configure an event listener.
type ListenerOptions struct {
	// Classes returns the class an indication or embedded instance
	// element names, or nil when it is unknown (the event is refused).
	Classes func(class string) *cim.Class
	// OnEvent receives each event; an error refuses it (HTTP 500, no
	// ack), so that the service retries.
	OnEvent func(ctx context.Context, ev *Event) error
	// OnEnd, if not nil, receives wse:SubscriptionEnd notices: the
	// wse:Status URI and the reason.
	OnEnd func(ctx context.Context, status, reason string)
}

// NewEventListener returns the http.Handler of a WS-Management event
// listener (the NotifyTo and EndTo endpoint of a subscription): it decodes
// each DSP0226 event message, hands it to OnEvent and, when the event
// carries wsman:AckRequested, answers with wsman:Ack.
func NewEventListener(opts ListenerOptions) http.Handler {
	return &eventListener{opts: opts}
}

type eventListener struct{ opts ListenerOptions }

// ServeHTTP implements http.Handler.
func (l *eventListener) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "events are POSTed", http.StatusMethodNotAllowed)
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 16<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	env, err := parseXML(data)
	if err != nil || !env.is(nsSOAP12, "Envelope") {
		http.Error(w, "not a SOAP 1.2 envelope", http.StatusBadRequest)
		return
	}
	hdr := env.child(nsSOAP12, "Header")
	action := hdr.child(nsWSA, "Action").text()
	body := env.child(nsSOAP12, "Body")
	switch {
	case action == actionSubscriptionEnd:
		if l.opts.OnEnd != nil {
			end := body.child(nsWSE, "SubscriptionEnd")
			l.opts.OnEnd(r.Context(), end.child(nsWSE, "Status").text(), end.child(nsWSE, "Reason").text())
		}
		w.WriteHeader(http.StatusOK)
	case isEventAction(action):
		l.event(w, r, hdr, body)
	default:
		http.Error(w, fmt.Sprintf("action %q is not an event", action), http.StatusBadRequest)
	}
}

// event decodes and hands on one event, then acknowledges it.
func (l *eventListener) event(w http.ResponseWriter, r *http.Request, hdr, body *node) {
	ev := &Event{Headers: map[string]string{}}
	ackRequested := false
	for _, h := range hdr.childrenOrNil() {
		switch {
		case h.is(nsWSA, "MessageID"):
			ev.MessageID = h.text()
		case h.is(nsWSA, "To"):
			ev.To = h.text()
		case h.is(nsWSMAN, "AckRequested"):
			ackRequested = true
		default:
			ev.Headers[h.Local] = h.text()
		}
	}
	inst, err := l.decode(body)
	if err == nil && l.opts.OnEvent != nil {
		ev.Indication = inst
		err = l.opts.OnEvent(r.Context(), ev)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if !ackRequested {
		w.WriteHeader(http.StatusOK)
		return
	}
	b := eventEnvelope(eventHeaders{to: anonymousAddress, action: actionAck, messageID: newUUID(), relatesTo: ev.MessageID}, nil)
	w.Header().Set("Content-Type", soap12.contentType())
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	_, _ = w.Write(b.Bytes())
}

// decode reads the indication element of an event body.
func (l *eventListener) decode(body *node) (*cim.Instance, error) {
	if body == nil || len(body.Children) == 0 {
		return nil, errors.New("the event has no body")
	}
	el := body.Children[0]
	classes := func(_, class string) *cim.Class {
		if l.opts.Classes == nil {
			return nil
		}
		return l.opts.Classes(class)
	}
	class := classes("", el.Local)
	if class == nil {
		return nil, fmt.Errorf("the event is a %s, a class the listener does not know", el.Local)
	}
	d := &decoder{classOf: classes}
	return d.instance(el, class)
}
