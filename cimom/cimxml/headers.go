package cimxml

import (
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// The CIMError header values of DSP0200 §7.3.
const (
	errUnsupportedProtocolVersion = "unsupported-protocol-version"
	errMultipleRequests           = "multiple-requests-unsupported"
	errUnsupportedCIMVersion      = "unsupported-cim-version"
	errUnsupportedDTDVersion      = "unsupported-dtd-version"
	errNotValid                   = "request-not-valid"
	errRequestNotWellFormed       = "request-not-well-formed"
	errHeaderMismatch             = "header-mismatch"
	errUnsupportedOperation       = "unsupported-operation"
)

// A protocolError fails a request at the HTTP level, before or instead of
// a CIM response: a status and, for 400 and 501, a CIMError value.
type protocolError struct {
	status   int
	cimError string
	msg      string
}

func (e *protocolError) Error() string {
	if e.cimError == "" {
		return fmt.Sprintf("HTTP %d: %s", e.status, e.msg)
	}
	return fmt.Sprintf("HTTP %d %s: %s", e.status, e.cimError, e.msg)
}

func badRequest(cimError, format string, args ...any) *protocolError {
	return &protocolError{status: http.StatusBadRequest, cimError: cimError, msg: fmt.Sprintf(format, args...)}
}

func notImplemented(cimError, format string, args ...any) *protocolError {
	return &protocolError{status: http.StatusNotImplemented, cimError: cimError, msg: fmt.Sprintf(format, args...)}
}

// manURI is the extension that M-POST requests declare in their Man
// header (DSP0200 §6.2); "http://www.dmtf.org/cim/operation" is an older
// spelling some clients still send.
const manURI = "http://www.dmtf.org/cim/mapping/http/v1.0"

// cimHeaders are the CIM headers of a request. For M-POST they were read
// with the NN- prefix its Man header declared, which responses repeat.
type cimHeaders struct {
	mpost    bool
	ns       string // the M-POST prefix number, "" when none
	method   string // CIMMethod, percent-decoded; "" when absent
	object   string // CIMObject, percent-decoded; "" when absent
	protocol string // CIMProtocolVersion, "1.0" when absent
	trailers bool   // TE: trailers
}

// prefix returns the NN- header prefix of an M-POST request, or "".
func (h *cimHeaders) prefix() string {
	if h.ns == "" {
		return ""
	}
	return h.ns + "-"
}

// readHeaders checks the CIM headers of r in the order OpenPegasus does:
// CIMOperation, CIMBatch, CIMMethod, CIMObject, Content-Type.
func readHeaders(r *http.Request) (*cimHeaders, *protocolError) {
	h := &cimHeaders{mpost: r.Method == "M-POST"}
	if h.mpost {
		ns, ok := manNamespace(r.Header.Values("Man"))
		if !ok {
			return nil, &protocolError{status: http.StatusNotExtended, msg: "M-POST without a Man header declaring " + manURI}
		}
		h.ns = ns
	}
	get := func(name string) (string, bool) {
		vs, ok := r.Header[http.CanonicalHeaderKey(h.prefix()+name)]
		if !ok || len(vs) == 0 {
			return "", false
		}
		return strings.TrimSpace(vs[0]), true
	}
	if op, _ := get("CIMOperation"); !strings.EqualFold(op, "MethodCall") {
		return nil, badRequest(errUnsupportedOperation, "CIMOperation %q is not MethodCall", op)
	}
	if _, batch := get("CIMBatch"); batch {
		return nil, notImplemented(errMultipleRequests, "multiple operations (CIMBatch) are not supported")
	}
	var err *protocolError
	if h.method, err = decodedHeader(get, "CIMMethod"); err != nil {
		return nil, err
	}
	if h.object, err = decodedHeader(get, "CIMObject"); err != nil {
		return nil, err
	}
	if err := checkContentType(r.Header.Get("Content-Type")); err != nil {
		return nil, err
	}
	h.protocol = "1.0"
	if v, ok := get("CIMProtocolVersion"); ok {
		h.protocol = v
	}
	for _, te := range r.Header.Values("TE") {
		for _, tok := range strings.Split(te, ",") {
			if strings.EqualFold(strings.TrimSpace(strings.SplitN(tok, ";", 2)[0]), "trailers") {
				h.trailers = true
			}
		}
	}
	return h, nil
}

// decodedHeader returns a percent-decoded CIMMethod or CIMObject: "" when
// absent, header-mismatch when empty or badly encoded.
func decodedHeader(get func(string) (string, bool), name string) (string, *protocolError) {
	v, ok := get(name)
	if !ok {
		return "", nil
	}
	if v == "" {
		return "", badRequest(errHeaderMismatch, "empty %s header", name)
	}
	d, err := url.PathUnescape(v)
	if err != nil {
		return "", badRequest(errHeaderMismatch, "%s header: %v", name, err)
	}
	return d, nil
}

// checkContentType accepts application/xml and text/xml in UTF-8 (the
// default when no charset is given).
func checkContentType(ct string) *protocolError {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || (mt != "application/xml" && mt != "text/xml") {
		return &protocolError{status: http.StatusBadRequest, msg: fmt.Sprintf("Content-Type %q is not application/xml", ct)}
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "utf8") {
		return &protocolError{status: http.StatusBadRequest, msg: fmt.Sprintf("charset %q is not utf-8", cs)}
	}
	return nil
}

// manNamespace finds the declaration of the CIM mapping extension in Man
// headers ("http://www.dmtf.org/cim/mapping/http/v1.0 ; ns=73") and
// returns its ns number.
func manNamespace(values []string) (string, bool) {
	for _, v := range values {
		for _, decl := range strings.Split(v, ",") {
			parts := strings.Split(decl, ";")
			uri := strings.Trim(strings.TrimSpace(parts[0]), `"`)
			if uri != manURI && uri != "http://www.dmtf.org/cim/operation" {
				continue
			}
			for _, p := range parts[1:] {
				k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
				if ok && strings.TrimSpace(k) == "ns" && isDigits(strings.TrimSpace(val)) {
					return strings.TrimSpace(val), true
				}
			}
			return "", true
		}
	}
	return "", false
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
