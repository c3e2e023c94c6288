package cimxml

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// A response writes the CIM-XML answer to one call as it is produced.
//
// The body is buffered until it passes bufferLimit, so that most
// responses go out whole, with a Content-Length, and an error met while
// producing them can still replace them with an ERROR. Past the limit the
// response is committed: headers and the body so far are sent, and the
// rest follows in chunks of about flushBytes, so that memory stays flat
// however many objects an enumeration returns. An error after that point
// cannot become an ERROR element any more. When the client sent
// "TE: trailers", the response is closed properly and the error travels in
// the CIMStatusCode and CIMStatusCodeDescription trailers (DSP0200 §7.4;
// also as CIMStatusDescription, which sblim clients read);
// otherwise the connection is aborted, so that the client sees a broken
// response instead of a short but well-formed one.
type response struct {
	w           http.ResponseWriter
	h           *cimHeaders
	c           *call
	enc         encoder
	open        []string // elements open after the prolog
	committed   bool
	bufferLimit int
	flushBytes  int
	sent        int64 // body bytes handed to w
	status      cim.Status
	failure     error // what fail was given, for the log
}

// begin writes the prolog and opens CIM, MESSAGE, SIMPLERSP and
// IMETHODRESPONSE or METHODRESPONSE.
func (r *response) begin() {
	r.enc.raw(`<?xml version="1.0" encoding="utf-8" ?>` + "\n")
	r.enc.raw(`<CIM CIMVERSION="2.0" DTDVERSION="2.0">`)
	r.enc.open("MESSAGE")
	r.enc.attr("ID", r.c.id)
	r.enc.attr("PROTOCOLVERSION", r.c.protocol)
	r.enc.end()
	r.enc.raw("<SIMPLERSP>")
	name := "METHODRESPONSE"
	if r.c.intrinsic {
		name = "IMETHODRESPONSE"
	}
	r.enc.open(name)
	r.enc.attr("NAME", r.c.method)
	r.enc.end()
	r.open = append(r.open[:0], "CIM", "MESSAGE", "SIMPLERSP", name)
}

// openElem writes <name> and remembers to close it.
func (r *response) openElem(name string) {
	r.enc.raw("<" + name + ">")
	r.open = append(r.open, name)
}

// closeElem closes the innermost open element.
func (r *response) closeElem() {
	n := len(r.open) - 1
	r.enc.close(r.open[n])
	r.open = r.open[:n]
}

// step is called after each object: it commits the response once the
// buffer passes its limit and then sends what has accumulated. An error
// means the client is gone; the caller stops producing.
func (r *response) step() error {
	switch {
	case !r.committed && len(r.enc.b) > r.bufferLimit:
		r.commit()
	case !r.committed || len(r.enc.b) < r.flushBytes:
		return nil
	}
	return r.send(true)
}

// send writes the buffer to the client, flushing it through when asked.
func (r *response) send(flush bool) error {
	n, err := r.w.Write(r.enc.b)
	r.sent += int64(n)
	r.enc.b = r.enc.b[:0]
	if err != nil {
		return err
	}
	if f, ok := r.w.(http.Flusher); ok && flush {
		f.Flush()
	}
	return nil
}

// headers sets the response headers of a CIM response.
func (r *response) headers(trailers bool) {
	hdr := r.w.Header()
	hdr.Set("Content-Type", `application/xml; charset="utf-8"`)
	p := r.h.prefix()
	if r.h.mpost {
		hdr["Ext"] = []string{""}
		man := manURI
		if r.h.ns != "" {
			man += "; ns=" + r.h.ns
		}
		hdr.Set("Man", man)
	}
	// CIM header names keep DSP0200's spelling: some clients compare
	// them case-sensitively.
	hdr[p+"CIMOperation"] = []string{"MethodResponse"}
	if trailers {
		hdr["Trailer"] = []string{p + "CIMStatusCode, " + p + "CIMStatusCodeDescription, " + p + "CIMStatusDescription"}
	}
}

// commit sends the headers; the body follows in chunks.
func (r *response) commit() {
	r.headers(r.h.trailers)
	r.w.WriteHeader(http.StatusOK)
	r.committed = true
}

// finish closes the open elements and sends the rest of the response.
func (r *response) finish() error {
	for len(r.open) > 0 {
		r.closeElem()
	}
	if !r.committed {
		r.headers(false)
		r.w.Header().Set("Content-Length", strconv.Itoa(len(r.enc.b)))
		r.w.WriteHeader(http.StatusOK)
		r.committed = true
		return r.send(false)
	}
	err := r.send(false)
	if r.h.trailers {
		r.trailer("CIMStatusCode", strconv.Itoa(int(r.status)))
	}
	return err
}

// fail answers with err: an ERROR element when nothing is sent yet, the
// trailers when the client takes them, an aborted connection otherwise.
func (r *response) fail(err error) error {
	ce := toCIMError(err)
	r.status, r.failure = ce.Code, err
	switch {
	case !r.committed:
		r.enc.b = r.enc.b[:0]
		r.begin()
		r.enc.open("ERROR")
		r.enc.attr("CODE", strconv.Itoa(int(ce.Code)))
		if ce.Description != "" {
			r.enc.attr("DESCRIPTION", ce.Description)
		}
		r.enc.empty()
		return r.finish()
	case r.h.trailers:
		for len(r.open) > 0 {
			r.closeElem()
		}
		werr := r.send(false)
		r.trailer("CIMStatusCode", strconv.Itoa(int(ce.Code)))
		r.trailer("CIMStatusCodeDescription", headerSafe(ce.Description))
		// sblim wbemcli reads the description from this older name.
		r.trailer("CIMStatusDescription", headerSafe(ce.Description))
		return werr
	}
	panic(http.ErrAbortHandler)
}

// trailer sets a trailer announced in commit, spelled as DSP0200 spells it.
func (r *response) trailer(name, value string) {
	r.w.Header()[http.TrailerPrefix+r.h.prefix()+name] = []string{value}
}

// toCIMError is the one place where errors become CIM status codes: a
// *cim.Error keeps its code, anything else is CIM_ERR_FAILED.
func toCIMError(err error) *cim.Error {
	var ce *cim.Error
	if errors.As(err, &ce) {
		return ce
	}
	return &cim.Error{Code: cim.ErrFailed, Description: err.Error(), Err: err}
}

// headerSafe percent-encodes what may not appear in an HTTP header value:
// control characters, non-ASCII bytes and the percent sign itself.
func headerSafe(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '%' {
			b.WriteString("%" + strings.ToUpper(strconv.FormatUint(uint64(c)|0x100, 16)[1:]))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// writeProtocolError answers a request that failed at the HTTP level.
func writeProtocolError(w http.ResponseWriter, h *cimHeaders, perr *protocolError) {
	hdr := w.Header()
	if perr.cimError != "" {
		hdr["CIMError"] = []string{perr.cimError}
	}
	if h != nil && h.mpost {
		hdr["Ext"] = []string{""}
	}
	hdr.Set("Content-Type", "text/plain; charset=utf-8")
	hdr.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(perr.status)
	_, _ = w.Write([]byte(perr.msg + "\n"))
}
