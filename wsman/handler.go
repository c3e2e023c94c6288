package wsman

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/auth"
	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// Options configure a Handler. Zero fields take the defaults shown.
type Options struct {
	// Authenticator checks HTTP Basic credentials. Every request but
	// Identify must carry valid ones. With a nil Authenticator every such
	// request is refused (401).
	Authenticator *auth.Authenticator
	// Realm is the Basic realm of the 401 challenge ("ferrum").
	Realm string
	// DefaultNamespace is the CIM namespace of requests without a
	// __cimnamespace selector ("root/virt").
	DefaultNamespace string
	// ProductVersion is reported by Identify ("dev").
	ProductVersion string
	// MaxRequestSize bounds request bodies in octets (1 MiB).
	MaxRequestSize int64
	// MaxEnvelopeSize bounds responses in octets when the client gives no
	// wsman:MaxEnvelopeSize, and caps the size it gives (16 MiB).
	MaxEnvelopeSize int
	// OperationTimeout applies when the client gives no
	// wsman:OperationTimeout (1 minute); MaxOperationTimeout caps the one
	// it gives (10 minutes).
	OperationTimeout    time.Duration
	MaxOperationTimeout time.Duration
	// EnumerationIdle is how long an enumeration context without a
	// wsen:Expires lives unused (10 minutes); MaxEnumerationExpiry caps a
	// requested wsen:Expires (1 hour).
	EnumerationIdle      time.Duration
	MaxEnumerationExpiry time.Duration
	// MaxEnumerationsPerUser and MaxEnumerations bound the open
	// enumeration contexts of one user (64) and of everyone (4096).
	MaxEnumerationsPerUser int
	MaxEnumerations        int
	// MaxSubscriptionExpiry caps the wse:Expires of WS-Eventing
	// subscriptions; 0 means no cap. A subscription without wse:Expires
	// never expires.
	MaxSubscriptionExpiry time.Duration
	// EventClient sends wse:SubscriptionEnd notices (an http.Client with
	// a 30 s timeout).
	EventClient *http.Client
	// Log receives request errors (slog.Default()).
	Log *slog.Logger
	// Now is the clock (time.Now); tests set it.
	Now func() time.Time
}

func (o *Options) setDefaults() {
	def := func(p *time.Duration, v time.Duration) {
		if *p <= 0 {
			*p = v
		}
	}
	defInt := func(p *int, v int) {
		if *p <= 0 {
			*p = v
		}
	}
	if o.Realm == "" {
		o.Realm = "ferrum"
	}
	if o.DefaultNamespace == "" {
		o.DefaultNamespace = cimom.VirtNamespace
	}
	if o.ProductVersion == "" {
		o.ProductVersion = "dev"
	}
	if o.MaxRequestSize <= 0 {
		o.MaxRequestSize = 1 << 20
	}
	defInt(&o.MaxEnvelopeSize, 16<<20)
	def(&o.OperationTimeout, time.Minute)
	def(&o.MaxOperationTimeout, 10*time.Minute)
	def(&o.EnumerationIdle, 10*time.Minute)
	def(&o.MaxEnumerationExpiry, time.Hour)
	defInt(&o.MaxEnumerationsPerUser, 64)
	defInt(&o.MaxEnumerations, 4096)
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// A Handler serves WS-Management (DSP0226 1.2, CIM binding DSP0227) over
// HTTP: mount it at POST /wsman. It authenticates requests itself, because
// Identify must be answered without credentials; do not wrap it in
// auth.RequireBasic. It is safe for concurrent use; Close releases the
// enumeration contexts it holds.
type Handler struct {
	d      *cimom.Dispatcher
	opts   Options
	log    *slog.Logger
	enums  *enumStore
	order  propertyOrder
	events *expiryTimers // WS-Eventing expiries
	sender *Deliverer    // sends wse:SubscriptionEnd
}

// NewHandler returns a Handler that serves d.
func NewHandler(d *cimom.Dispatcher, opts Options) *Handler {
	opts.setDefaults()
	h := &Handler{d: d, opts: opts, log: opts.Log}
	h.enums = newEnumStore(opts)
	h.events = newExpiryTimers(opts.Now, h.expire)
	h.sender = NewDeliverer(d, DelivererOptions{Client: opts.EventClient, Log: opts.Log})
	h.loadExpiries()
	return h
}

// Close ends every open enumeration, stops the janitor that expires them
// and the timers that expire WS-Eventing subscriptions (which persist and
// resume with the next Handler). The Handler must not be used afterwards.
func (h *Handler) Close() error {
	h.enums.close()
	h.events.close()
	return nil
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "WS-Management requests are POSTed", http.StatusMethodNotAllowed)
		return
	}
	principal, authed, ok := h.authenticate(w, r)
	if !ok {
		return
	}
	rs := &responder{w: w, h: h}
	body, f := h.readBody(w, r)
	if f != nil {
		h.refuseOrFault(w, r, rs, authed, f)
		return
	}
	req, f := decodeEnvelope(body)
	if req != nil {
		rs.soap = req.soap
	}
	if f == nil && req.isIdentify() {
		rs.send(h.identify(req))
		return
	}
	if f != nil || !authed {
		h.refuseOrFault(w, r, rs, authed, f)
		return
	}
	ctx := auth.WithPrincipal(r.Context(), principal)
	h.serve(ctx, rs, req)
}

// refuseOrFault answers a request that could not be read: with a fault when
// the client authenticated, with the 401 challenge when it did not.
func (h *Handler) refuseOrFault(w http.ResponseWriter, r *http.Request, rs *responder, authed bool, f *Fault) {
	if !authed {
		h.challenge(w, r)
		return
	}
	rs.fault(f)
}

// readBody reads the request body, bounded by MaxRequestSize.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, *Fault) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if _, params, err := mime.ParseMediaType(ct); err == nil {
			if cs := params["charset"]; cs != "" && !strings.EqualFold(cs, "utf-8") {
				return nil, newFault(faultEncodingLimit, "CharacterSet", "Character set %q is not supported; use UTF-8.", cs)
			}
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.opts.MaxRequestSize))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, newFault(faultEncodingLimit, "ServiceEnvelopeLimit", "The request is larger than %d octets.", h.opts.MaxRequestSize)
	}
	if err != nil {
		return nil, newFault(faultSchemaValidationError, "", "The request body could not be read: %v.", err)
	}
	return body, nil
}

// serve checks the headers and runs the operation the action names.
func (h *Handler) serve(ctx context.Context, rs *responder, req *request) {
	f := req.readHeaders()
	rs.relatesTo = req.messageID
	if f != nil {
		rs.fault(f)
		return
	}
	rs.maxEnvelope = h.envelopeLimit(req)
	if f = req.checkOptions(); f != nil {
		rs.fault(f)
		return
	}
	timeout := req.timeout
	if timeout == 0 {
		timeout = h.opts.OperationTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, min(timeout, h.opts.MaxOperationTimeout))
	defer cancel()
	op := h.route(req)
	err := op(ctx, rs, req)
	if err == nil {
		return
	}
	if rs.started {
		h.log.WarnContext(ctx, "wsman response cut short", "op", req.action, "err", err)
		return
	}
	f = faultFor(err, opOther)
	if f.kind == faultInternalError {
		h.log.ErrorContext(ctx, "wsman request failed", "op", req.action, "uri", req.resourceURI, "err", err)
	}
	rs.fault(f)
}

// An opFunc runs one WS-Management operation: it writes its response with
// rs or returns the error to send as a fault.
type opFunc func(ctx context.Context, rs *responder, req *request) error

// route picks the operation for the request's action.
func (h *Handler) route(req *request) opFunc {
	switch req.action {
	case actionGet:
		return h.get
	case actionPut:
		return h.put
	case actionCreate:
		return h.create
	case actionDelete:
		return h.delete
	case actionEnumerate:
		return h.enumerate
	case actionPull:
		return h.pull
	case actionRelease:
		return h.release
	case actionRenew:
		return h.renew
	case actionGetStatus:
		return h.getStatus
	case actionSubscribe:
		return h.subscribe
	case actionRenewSub:
		return h.renewSubscription
	case actionGetStatusSub:
		return h.getStatusSubscription
	case actionUnsubscribe:
		return h.unsubscribe
	}
	if req.resourceURI != "" && strings.HasPrefix(req.action, strings.TrimSuffix(req.resourceURI, "/")+"/") ||
		strings.Contains(req.action, cimSchemaPath) {
		return h.invoke
	}
	return func(context.Context, *responder, *request) error {
		return &Fault{kind: faultActionNotSupported, detail: "ActionMismatch", action: req.action,
			reason: "The action " + req.action + " is not supported by Ferrum."}
	}
}

// envelopeLimit is the largest response the request may receive.
func (h *Handler) envelopeLimit(req *request) int {
	if req.maxEnvelope > 0 {
		return min(req.maxEnvelope, h.opts.MaxEnvelopeSize)
	}
	return h.opts.MaxEnvelopeSize
}

// classOf returns a class from the repository, or nil.
func (h *Handler) classOf(ns, class string) *cim.Class {
	c, err := h.d.Repo.Class(ns, class)
	if err != nil {
		return nil
	}
	return c
}

// A responder writes the one response to a request.
type responder struct {
	w           http.ResponseWriter
	h           *Handler
	soap        soapVersion
	relatesTo   string
	maxEnvelope int  // 0 before the headers are read
	started     bool // the status line has been sent
}

// send writes a complete response, or wsman:EncodingLimit when it exceeds
// the envelope limit.
func (rs *responder) send(b *bytes.Buffer) {
	if rs.maxEnvelope > 0 && b.Len() > rs.maxEnvelope {
		rs.fault(newFault(faultEncodingLimit, "MaxEnvelopeSize",
			"The response needs %d octets, more than the %d allowed.", b.Len(), rs.maxEnvelope))
		return
	}
	rs.write(http.StatusOK, b.Bytes())
}

// fault writes f with HTTP status 500, as WinRM and Pegasus do.
func (rs *responder) fault(f *Fault) {
	rs.write(http.StatusInternalServerError, faultEnvelope(rs.soap, f, rs.relatesTo).Bytes())
}

func (rs *responder) write(status int, body []byte) {
	rs.begin(status)
	rs.w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	rs.w.WriteHeader(status)
	_, _ = rs.w.Write(body)
}

func (rs *responder) begin(int) {
	rs.started = true
	rs.w.Header().Set("Content-Type", rs.soap.contentType())
}
