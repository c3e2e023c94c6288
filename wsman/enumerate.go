package wsman

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/ferrum-virt/ferrum/cimom/auth"
)

// polymorphism is wsmb:PolymorphismMode (DSP0227).
type polymorphism int

const (
	// includeSubClassProperties (the default) returns subclass instances
	// whole, each as an element of its own class.
	includeSubClassProperties polymorphism = iota
	// excludeSubClassProperties returns subclass instances with only the
	// requested class's properties, as elements of the requested class.
	excludeSubClassProperties
	// polymorphismNone returns instances of exactly the requested class.
	polymorphismNone
)

// maxElementsLimit caps wsman:MaxElements and wsen:MaxElements; responses
// are bounded by the envelope size anyway.
const maxElementsLimit = 1 << 16

// An enumerateRequest is the body of wsen:Enumerate.
type enumerateRequest struct {
	expires     time.Time // zero: no wsen:Expires
	asDuration  bool
	asked       time.Duration
	filter      *node // wsman:Filter or wsen:Filter
	dialect     string
	mode        enumMode
	optimize    bool
	maxElements int
	poly        polymorphism
}

// parseEnumerate reads the Enumerate body.
func (h *Handler) parseEnumerate(req *request) (*enumerateRequest, *Fault) {
	body := req.payload
	if !body.is(nsWSEN, "Enumerate") {
		return nil, newFault(faultSchemaValidationError, "", "The body of an Enumerate request must be wsen:Enumerate.")
	}
	er := &enumerateRequest{maxElements: 1, asDuration: true}
	for _, c := range body.Children {
		if f := h.enumerateElement(er, c); f != nil {
			return nil, f
		}
	}
	if !er.optimize {
		er.maxElements = 0
	}
	return er, nil
}

func (h *Handler) enumerateElement(er *enumerateRequest, c *node) *Fault {
	var f *Fault
	switch {
	case c.is(nsWSEN, "EndTo"):
		f = newFault(faultUnsupportedFeature, "AddressingMode", "wsen:EndTo is not supported.")
	case c.is(nsWSEN, "Expires"):
		er.expires, er.asDuration, er.asked, f = h.parseExpires(c.text())
	case c.is(nsWSMAN, "Filter"), c.is(nsWSEN, "Filter"):
		er.filter = c
		er.dialect, _ = c.attr("", "Dialect")
	case c.is(nsWSMAN, "EnumerationMode"):
		switch c.text() {
		case "EnumerateEPR":
			er.mode = modeEPR
		case "EnumerateObjectAndEPR":
			er.mode = modeObjectAndEPR
		default:
			f = newFault(faultUnsupportedFeature, "EnumerationMode", "Enumeration mode %q is not supported.", c.text())
		}
	case c.is(nsWSMAN, "OptimizeEnumeration"):
		er.optimize = true
	case c.is(nsWSMAN, "MaxElements"):
		er.maxElements, f = parseCount(c, "wsman:MaxElements")
	case c.is(nsWSMB, "PolymorphismMode"):
		switch c.text() {
		case "IncludeSubClassProperties":
			er.poly = includeSubClassProperties
		case "ExcludeSubClassProperties":
			er.poly = excludeSubClassProperties
		case "None":
			er.poly = polymorphismNone
		default:
			f = newFault(faultPolymorphismModeNotSupported, "", "Polymorphism mode %q is not supported.", c.text())
		}
	}
	return f
}

// parseCount reads a positive element count, capped at maxElementsLimit.
func parseCount(n *node, what string) (int, *Fault) {
	v, err := strconv.Atoi(n.text())
	if err != nil || v <= 0 {
		return 0, newFault(faultSchemaValidationError, "", "%s %q is not a positive integer.", what, n.text())
	}
	return min(v, maxElementsLimit), nil
}

// parseExpires reads wsen:Expires, an xs:duration or an xs:dateTime, and
// caps it at MaxEnumerationExpiry.
func (h *Handler) parseExpires(s string) (abs time.Time, asDuration bool, asked time.Duration, f *Fault) {
	return parseExpiry(s, h.opts.Now(), h.opts.MaxEnumerationExpiry, faultInvalidExpirationTime)
}

// parseExpiry reads an Expires element of WS-Enumeration or WS-Eventing:
// an xs:duration or a future xs:dateTime, relative to now and capped at
// limit (no cap when limit is 0). A bad value is a fault of kind.
func parseExpiry(s string, now time.Time, limit time.Duration, kind *faultKind) (abs time.Time, asDuration bool, asked time.Duration, f *Fault) {
	capped := func(d time.Duration) time.Duration {
		if limit > 0 {
			return min(d, limit)
		}
		return d
	}
	if strings.HasPrefix(s, "P") || strings.HasPrefix(s, "-P") {
		d, err := parseXSDuration(s)
		if err != nil || d <= 0 {
			return abs, true, 0, newFault(kind, "", "Expires %q is not a positive xs:duration.", s)
		}
		d = capped(d)
		return now.Add(d), true, d, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || !t.After(now) {
		return abs, false, 0, newFault(kind, "", "Expires %q is neither a positive xs:duration nor a future xs:dateTime.", s)
	}
	if d := capped(t.Sub(now)); d < t.Sub(now) {
		t = now.Add(d)
	}
	return t, false, t.Sub(now), nil
}

// enumerate serves wsen:Enumerate. It starts the enumeration's producer
// and, for an optimized enumeration, answers with the first items.
func (h *Handler) enumerate(ctx context.Context, rs *responder, req *request) error {
	er, f := h.parseEnumerate(req)
	if f != nil {
		return f
	}
	src, f := h.source(req, er)
	if f != nil {
		return f
	}
	p, _ := auth.PrincipalFrom(ctx)
	c := &enumContext{owner: p.User, ns: src.ns, mode: er.mode, renameTo: src.renameTo, op: src.op, total: -1,
		busy: make(chan struct{}, 1), asDuration: er.asDuration, expires: er.expires, durationAsked: er.asked}
	if req.countEstimate && src.count != nil {
		if n, err := src.count(ctx); err == nil {
			c.total = n
		}
	}
	c.prod = startProducer(ctx, src.run)
	if f := h.enums.add(c); f != nil {
		c.prod.cancel()
		return f
	}
	h.log.DebugContext(ctx, "enumeration opened", "op", "Enumerate", "ns", src.ns, "uri", req.resourceURI, "user", p.User)
	c.busy <- struct{}{}
	defer c.releaseBusy()
	return h.writeItems(ctx, rs, req, c, respEnumerate, er.maxElements, 0, ctx)
}
