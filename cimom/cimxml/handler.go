package cimxml

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/auth"
	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// Options configure a Handler. The zero value is the production setting.
type Options struct {
	// Logger receives one line per request at Debug level and failures at
	// higher levels; nil means slog.Default().
	Logger *slog.Logger
	// MaxRequestBytes bounds request bodies (413 beyond); 0 means 16 MiB.
	MaxRequestBytes int64
	// HostName is the HOST of the paths in responses; "" means the
	// machine's host name.
	HostName string
	// Realm is the realm of the Basic challenge sent with a 401; "" means
	// "ferrum".
	Realm string
	// BufferBytes is how much of a response is held back, so that an error
	// can still replace it, before it is sent in chunks; 0 means 1 MiB.
	BufferBytes int
	// FlushBytes is the size of the chunks after that; 0 means 64 KiB.
	FlushBytes int
	// Pull configures the pull operations.
	Pull PullOptions
	// Now returns the current time, for enumeration context expiry; nil
	// means time.Now.
	Now func() time.Time
}

func (o *Options) setDefaults() {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.MaxRequestBytes <= 0 {
		o.MaxRequestBytes = 16 << 20
	}
	if o.HostName == "" {
		o.HostName, _ = os.Hostname()
		if o.HostName == "" {
			o.HostName = "localhost"
		}
	}
	if o.Realm == "" {
		o.Realm = "ferrum"
	}
	if o.BufferBytes <= 0 {
		o.BufferBytes = 1 << 20
	}
	if o.FlushBytes <= 0 {
		o.FlushBytes = 64 << 10
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	o.Pull.setDefaults()
}

// A Handler serves CIM operations over HTTP (DSP0200 1.4, DSP0201 2.4):
// every intrinsic operation, the pull operations and extrinsic methods,
// dispatched to a cimom.Dispatcher. Mount it at POST /cimom behind
// authentication middleware such as auth.RequireBasic; it refuses, with
// 401, any request whose context carries no auth.Principal.
type Handler struct {
	d     *cimom.Dispatcher
	opts  Options
	log   *slog.Logger
	pulls *contextStore
	infos classCache
}

// NewHandler returns a Handler that serves d. Call Close when done with
// it to end the enumeration contexts clients left open.
func NewHandler(d *cimom.Dispatcher, opts Options) *Handler {
	opts.setDefaults()
	return &Handler{d: d, opts: opts, log: opts.Logger, pulls: newContextStore(opts.Pull, opts.Now)}
}

// Close ends every open enumeration context.
func (h *Handler) Close() { h.pulls.closeAll() }

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if r.Method != http.MethodPost && r.Method != "M-POST" {
		w.Header().Set("Allow", "POST, M-POST")
		http.Error(w, "CIM-XML takes POST or M-POST", http.StatusMethodNotAllowed)
		return
	}
	principal, ok := auth.PrincipalFrom(r.Context())
	if !ok {
		h.log.WarnContext(r.Context(), "CIM-XML request without a principal; is the handler mounted behind authentication?", "op", "cimxml", "addr", r.RemoteAddr)
		w.Header().Set("WWW-Authenticate", `Basic realm="`+strings.ReplaceAll(h.opts.Realm, `"`, `'`)+`"`)
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	hdr, perr := readHeaders(r)
	if perr != nil {
		h.refuse(w, r, hdr, perr)
		return
	}
	root, err := parseXML(http.MaxBytesReader(w, r.Body, h.opts.MaxRequestBytes), defaultXMLLimits)
	if err != nil {
		h.refuse(w, r, hdr, bodyError(err))
		return
	}
	c, perr := readCall(root, hdr)
	if perr != nil {
		h.refuse(w, r, hdr, perr)
		return
	}
	buf := responseBuffers.Get().(*[]byte)
	resp := &response{
		w: w, h: hdr, c: c, bufferLimit: h.opts.BufferBytes, flushBytes: h.opts.FlushBytes,
		enc: encoder{b: (*buf)[:0], host: h.opts.HostName, ns: c.ns, classOf: h.classInfo},
	}
	resp.begin()
	rq := &request{ctx: r.Context(), user: principal.User, call: c, out: resp, start: start}
	err = h.serve(rq)
	if err != nil {
		err = resp.fail(err)
	} else {
		err = resp.finish()
	}
	h.logDone(rq, err)
	if cap(resp.enc.b) <= maxPooledBuffer {
		*buf = resp.enc.b[:0]
		responseBuffers.Put(buf)
	}
}

// responseBuffers recycles response buffers, which grow to the buffer
// limit for every large response.
var responseBuffers = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledBuffer is the largest buffer kept for reuse.
const maxPooledBuffer = 4 << 20

// A request is one call being served.
type request struct {
	ctx   context.Context
	user  string
	call  *call
	out   *response
	start time.Time
}

// serve runs the call; its error becomes the response's ERROR.
func (h *Handler) serve(rq *request) error {
	if !rq.call.intrinsic {
		return h.invokeMethod(rq)
	}
	op, ok := intrinsics[strings.ToLower(rq.call.method)]
	if !ok {
		return cim.Errorf(cim.ErrNotSupported, "%s is not an intrinsic operation Ferrum supports", rq.call.method)
	}
	p, err := newIParams(rq.call.method, rq.call.params, op.params)
	if err != nil {
		return err
	}
	return op.run(h, rq, p)
}

// classInfo returns what the encoder needs of a class, or nil.
func (h *Handler) classInfo(ns, class string) *classInfo {
	c := h.classOf(ns, class)
	if c == nil {
		return nil
	}
	return h.infos.get(c)
}

// classOf returns a class declaration, or nil.
func (h *Handler) classOf(ns, class string) *cim.Class {
	c, err := h.d.Repo.Class(ns, class)
	if err != nil {
		return nil
	}
	return c
}

// bodyError turns a failure to read the body into a protocol error.
func bodyError(err error) *protocolError {
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return &protocolError{status: http.StatusRequestEntityTooLarge, msg: "the request body is larger than " + formatBytes(tooBig.Limit)}
	case errors.Is(err, errNotWellFormed):
		return badRequest(errRequestNotWellFormed, "%v", err)
	case errors.Is(err, errNotAllowed):
		return badRequest(errNotValid, "%v", err)
	}
	return &protocolError{status: http.StatusBadRequest, msg: "reading the request: " + err.Error()}
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// refuse answers a protocol error and logs it.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, hdr *cimHeaders, perr *protocolError) {
	h.log.InfoContext(r.Context(), "CIM-XML request refused", "op", "cimxml", "addr", r.RemoteAddr,
		"status", perr.status, "cimerror", perr.cimError, "err", perr.msg)
	writeProtocolError(w, hdr, perr)
}

// logDone logs a served call: Debug when it succeeded or failed for the
// client's reasons, Error for CIM_ERR_FAILED, which is the server's.
func (h *Handler) logDone(rq *request, writeErr error) {
	attrs := []any{"op", rq.call.method, "ns", rq.call.ns, "user", rq.user,
		"status", rq.out.status.String(), "bytes", rq.out.sent, "duration", time.Since(rq.start)}
	if rq.out.failure != nil {
		attrs = append(attrs, "err", rq.out.failure)
	}
	if writeErr != nil {
		attrs = append(attrs, "writeErr", writeErr)
	}
	level := slog.LevelDebug
	if rq.out.status == cim.ErrFailed || writeErr != nil {
		level = slog.LevelError
	}
	h.log.Log(rq.ctx, level, "CIM-XML call", attrs...)
}
