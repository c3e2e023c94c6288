package wsman

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/ferrum-virt/ferrum/cimom/auth"
)

// respKind tells EnumerateResponse from PullResponse: the two carry items
// in different elements.
type respKind int

const (
	respEnumerate respKind = iota
	respPull
)

// streamThreshold is how much encoded response is buffered before it is
// sent as it is produced. Up to it, Ferrum knows whether the response ends
// the enumeration before writing its head; beyond it, it commits to a
// context ID and, should the sequence end in the same response, sends
// EndOfSequence as well and confirms the end on the next Pull.
const streamThreshold = 64 << 10

// An itemsResponse assembles one EnumerateResponse or PullResponse.
type itemsResponse struct {
	h    *Handler
	rs   *responder
	req  *request
	c    *enumContext
	kind respKind
	enc  *encoder

	items     bytes.Buffer // encoded items not yet sent
	committed bool         // the head has been sent
	count     int
}

// writeItems answers with up to maxElements items of c, as many as fit in
// the envelope limit and maxChars (0: no limit), waiting for them until
// wait ends. maxElements 0 (a plain Enumerate) sends the context alone.
func (h *Handler) writeItems(ctx context.Context, rs *responder, req *request, c *enumContext, kind respKind, maxElements, maxChars int, wait context.Context) error {
	ir := &itemsResponse{h: h, rs: rs, req: req, c: c, kind: kind, enc: h.encoderFor(req, c.ns)}
	budget := rs.maxEnvelope - ir.overhead()
	var itemBuf bytes.Buffer
	var perr error
	ended, timedOut := false, false
	for ir.count < maxElements {
		it, ok, err := c.next(wait)
		if errors.Is(err, errWait) {
			timedOut = true
			break
		}
		if !ok {
			ended, perr = err == nil, err
			break
		}
		itemBuf.Reset()
		ir.encode(xw{&itemBuf}, it)
		if itemBuf.Len() > budget || maxChars > 0 && itemBuf.Len() > maxChars {
			c.pending = &it
			if ir.count == 0 {
				return ir.tooBig(itemBuf.Len(), budget, maxChars)
			}
			break
		}
		budget -= itemBuf.Len()
		maxChars -= itemBuf.Len()
		ir.add(itemBuf.Bytes())
	}
	if ir.count == maxElements && maxElements > 0 && !ended && perr == nil {
		ended, perr = ir.peek(wait)
	}
	if perr != nil {
		if ir.count == 0 {
			h.enums.remove(c)
			return faultFor(perr, c.op)
		}
		c.failed = perr // reported by the next Pull
	}
	if timedOut && ir.count == 0 && kind == respPull {
		if ctx.Err() != nil {
			return &Fault{kind: faultTimedOut}
		}
		return &Fault{kind: faultEnumerationTimedOut}
	}
	c.delivered += ir.count
	ir.finish(ended, maxElements > 0 || kind == respPull)
	return nil
}

// peek learns whether the sequence ends after a full response, so that
// EndOfSequence can be sent with the last items rather than alone.
func (ir *itemsResponse) peek(wait context.Context) (ended bool, err error) {
	it, ok, err := ir.c.next(wait)
	switch {
	case ok:
		ir.c.pending = &it
		return false, nil
	case errors.Is(err, errWait):
		return false, nil
	}
	return err == nil, err
}

// encode writes one item in the context's enumeration mode.
func (ir *itemsResponse) encode(w xw, it item) {
	inst := it.inst
	if inst != nil && ir.c.renameTo != "" && inst.ClassName != ir.c.renameTo {
		inst = inst.Clone()
		inst.ClassName = ir.c.renameTo
	}
	switch ir.c.mode {
	case modeEPR:
		writeEPR(w, it.path, ir.c.ns)
	case modeObjectAndEPR:
		w.open("wsman:Item", "xmlns:p", ResourceURI(inst.ClassName))
		ir.enc.instance(w, inst, it.path.Namespace, true, 0)
		writeEPR(w, it.path, ir.c.ns)
		w.close("wsman:Item")
	default:
		ir.enc.instance(w, inst, it.path.Namespace, false, 0)
	}
}

// tooBig is the fault for an item that alone exceeds the limits.
func (ir *itemsResponse) tooBig(size, budget, maxChars int) *Fault {
	if maxChars > 0 && size > maxChars {
		return newFault(faultEncodingLimit, "", "The next item needs %d characters, more than MaxCharacters %d.", size, maxChars)
	}
	return newFault(faultEncodingLimit, "MaxEnvelopeSize",
		"The next item needs %d octets, more than the %d left in the envelope limit.", size, budget)
}

// add takes an encoded item, sending it at once when the response has
// been committed, or committing when the buffer grows past
// streamThreshold.
func (ir *itemsResponse) add(b []byte) {
	ir.count++
	if ir.committed {
		_, _ = ir.rs.w.Write(b)
		return
	}
	ir.items.Write(b)
	if ir.items.Len() > streamThreshold {
		ir.commit()
	}
}

// commit sends the head, with the context, and the buffered items.
func (ir *itemsResponse) commit() {
	ir.committed = true
	ir.rs.begin(http.StatusOK)
	ir.rs.w.WriteHeader(http.StatusOK)
	var b bytes.Buffer
	ir.head(xw{&b}, false, true)
	_, _ = ir.rs.w.Write(b.Bytes())
	_, _ = ir.rs.w.Write(ir.items.Bytes())
	ir.items.Reset()
}

// finish sends what is left and settles the context: removed when the
// sequence ended in an uncommitted response, marked ended (lingering
// briefly, off the owner's quota) when it ended after the context ID went
// out.
func (ir *itemsResponse) finish(ended, withItems bool) {
	if ended && !ir.committed {
		ir.h.enums.remove(ir.c)
	} else if ended {
		ir.h.enums.markEnded(ir.c)
	}
	var tail bytes.Buffer
	w := xw{&tail}
	if !ir.committed {
		ir.head(w, ended, withItems)
		tail.Write(ir.items.Bytes())
	}
	ir.tail(w, ended, withItems)
	if ir.committed {
		_, _ = ir.rs.w.Write(tail.Bytes())
		return
	}
	ir.rs.write(http.StatusOK, tail.Bytes())
}

// overhead is the size of the envelope around the items, at most.
func (ir *itemsResponse) overhead() int {
	var b bytes.Buffer
	ir.envelopeStart(xw{&b}, strconv.Itoa(1<<62))
	ir.openBody(xw{&b}, false, true)
	ir.tail(xw{&b}, true, true)
	return b.Len()
}

// head writes the envelope start and the response element up to the
// items. TotalItemsCountEstimate is the size of the whole result set: counted
// up front for class enumerations, known at the end for the others.
func (ir *itemsResponse) head(w xw, ended, withItems bool) {
	estimate := ""
	switch {
	case ir.c.total >= 0:
		estimate = strconv.Itoa(ir.c.total)
	case ended:
		estimate = strconv.Itoa(ir.c.delivered)
	}
	ir.envelopeStart(w, estimate)
	ir.openBody(w, ended, withItems)
}

// envelopeStart writes the envelope and headers; estimate is the
// TotalItemsCountEstimate to report, "" when unknown.
func (ir *itemsResponse) envelopeStart(w xw, estimate string) {
	action := actionEnumerate + "Response"
	if ir.kind == respPull {
		action = actionPull + "Response"
	}
	rp := reply{action: action, relatesTo: ir.req.messageID}
	if ir.req.countEstimate {
		rp.headers = func(w xw) {
			if estimate == "" {
				w.empty("wsman:TotalItemsCountEstimate", "xsi:nil", "true")
			} else {
				w.elem("wsman:TotalItemsCountEstimate", estimate)
			}
		}
	}
	writeEnvelopeStart(w, ir.req.soap, rp)
}

func (ir *itemsResponse) openBody(w xw, ended, withItems bool) {
	if ir.kind == respPull {
		w.open("wsen:PullResponse")
		if !ended {
			w.elem("wsen:EnumerationContext", ir.c.id)
		}
		w.open("wsen:Items")
		return
	}
	w.open("wsen:EnumerateResponse")
	if !ir.c.expires.IsZero() {
		w.elem("wsen:Expires", ir.h.expiresText(ir.c, false))
	}
	if ended {
		w.empty("wsen:EnumerationContext")
	} else {
		w.elem("wsen:EnumerationContext", ir.c.id)
	}
	if withItems {
		w.open("wsman:Items")
	}
}

func (ir *itemsResponse) tail(w xw, ended, withItems bool) {
	if ir.kind == respPull {
		w.close("wsen:Items")
		if ended {
			w.empty("wsen:EndOfSequence")
		}
		w.close("wsen:PullResponse")
	} else {
		if withItems {
			w.close("wsman:Items")
			if ended {
				w.empty("wsman:EndOfSequence")
			}
		}
		w.close("wsen:EnumerateResponse")
	}
	w.b.WriteString(envelopeEnd)
}

// expiresText reports c's expiry in the form the client asked for: as an
// xs:duration the time granted (or, when remaining, the time left), or the
// instant as an xs:dateTime.
func (h *Handler) expiresText(c *enumContext, remaining bool) string {
	if !remaining && c.asDuration && !c.expires.IsZero() && c.durationAsked > 0 {
		return formatXSDuration(c.durationAsked)
	}
	exp := h.enums.expiresOf(c)
	if c.asDuration {
		return formatXSDuration(exp.Sub(h.opts.Now()).Round(time.Millisecond))
	}
	return exp.UTC().Format(time.RFC3339Nano)
}

// contextOf finds the enumeration context the body of Pull, Release,
// Renew or GetStatus names, checking the body element.
func (h *Handler) contextOf(ctx context.Context, req *request, local string) (*enumContext, *Fault) {
	body := req.payload
	if !body.is(nsWSEN, local) {
		return nil, newFault(faultSchemaValidationError, "", "The body of a %s request must be wsen:%s.", local, local)
	}
	p, _ := auth.PrincipalFrom(ctx)
	return h.enums.get(body.child(nsWSEN, "EnumerationContext").text(), p.User)
}

// pull serves wsen:Pull.
func (h *Handler) pull(ctx context.Context, rs *responder, req *request) error {
	c, f := h.contextOf(ctx, req, "Pull")
	if f != nil {
		return f
	}
	maxElements, maxChars, wait := 1, 0, ctx
	body := req.payload
	if n := body.child(nsWSEN, "MaxElements"); n != nil {
		if maxElements, f = parseCount(n, "wsen:MaxElements"); f != nil {
			return f
		}
	}
	if n := body.child(nsWSEN, "MaxCharacters"); n != nil {
		if maxChars, f = parseCount(n, "wsen:MaxCharacters"); f != nil {
			return f
		}
	}
	if n := body.child(nsWSEN, "MaxTime"); n != nil {
		d, err := parseXSDuration(n.text())
		if err != nil || d <= 0 {
			return newFault(faultInvalidParameter, "InvalidTimeout", "MaxTime %q is not a positive xs:duration.", n.text())
		}
		var cancel context.CancelFunc
		wait, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	if err := c.acquire(ctx); err != nil {
		return err
	}
	defer c.releaseBusy()
	switch {
	case c.failed != nil:
		h.enums.remove(c)
		return faultFor(c.failed, c.op)
	case c.ended.Load():
		h.enums.remove(c)
		ir := &itemsResponse{h: h, rs: rs, req: req, c: c, kind: respPull}
		ir.finish(true, true)
		return nil
	}
	return h.writeItems(ctx, rs, req, c, respPull, maxElements, maxChars, wait)
}

// release serves wsen:Release: the context is freed at once.
func (h *Handler) release(ctx context.Context, rs *responder, req *request) error {
	c, f := h.contextOf(ctx, req, "Release")
	if f != nil {
		return f
	}
	h.enums.remove(c)
	rs.send(envelope(req.soap, reply{action: req.action + "Response", relatesTo: req.messageID}, nil))
	return nil
}

// renew serves wsen:Renew: a new expiry, absolute or from now.
func (h *Handler) renew(ctx context.Context, rs *responder, req *request) error {
	c, f := h.contextOf(ctx, req, "Renew")
	if f != nil {
		return f
	}
	if c.ended.Load() {
		return newFault(faultInvalidEnumerationContext, "", "The enumeration %s has ended; it cannot be renewed.", c.id)
	}
	var abs time.Time
	asDuration, asked := true, time.Duration(0)
	if n := req.payload.child(nsWSEN, "Expires"); n != nil {
		if abs, asDuration, asked, f = h.parseExpires(n.text()); f != nil {
			return f
		}
	}
	h.enums.renew(c, abs, asDuration, asked)
	rs.send(envelope(req.soap, reply{action: req.action + "Response", relatesTo: req.messageID}, func(w xw) {
		w.open("wsen:RenewResponse")
		w.elem("wsen:Expires", h.expiresText(c, false))
		w.elem("wsen:EnumerationContext", c.id)
		w.close("wsen:RenewResponse")
	}))
	return nil
}

// getStatus serves wsen:GetStatus: when the context expires.
func (h *Handler) getStatus(ctx context.Context, rs *responder, req *request) error {
	c, f := h.contextOf(ctx, req, "GetStatus")
	if f != nil {
		return f
	}
	rs.send(envelope(req.soap, reply{action: req.action + "Response", relatesTo: req.messageID}, func(w xw) {
		w.open("wsen:GetStatusResponse")
		w.elem("wsen:Expires", h.expiresText(c, true))
		w.close("wsen:GetStatusResponse")
	}))
	return nil
}
