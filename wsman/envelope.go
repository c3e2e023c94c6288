package wsman

import (
	"strconv"
	"strings"
	"time"
)

// soapVersion is the SOAP version of a request; the response uses the same.
type soapVersion int

const (
	soap12 soapVersion = iota
	soap11
)

func (v soapVersion) ns() string {
	if v == soap11 {
		return nsSOAP11
	}
	return nsSOAP12
}

func (v soapVersion) contentType() string {
	if v == soap11 {
		return "text/xml;charset=UTF-8"
	}
	return "application/soap+xml;charset=UTF-8"
}

// A request is a decoded SOAP envelope with its WS-Addressing and
// WS-Management headers read.
type request struct {
	soap    soapVersion
	header  *node
	body    *node
	payload *node // the first element in the body; nil for an empty body

	to, action, messageID string
	resourceURI           string
	selectors             []selector
	hasSelectorSet        bool
	options               []option
	timeout               time.Duration // 0: none given
	maxEnvelope           int           // 0: none given
	requestEPR            bool
	countEstimate         bool
	fragment              bool
	identifier            string // wse:Identifier of an eventing subscription
}

// An option is one wsman:Option of the OptionSet header.
type option struct {
	name, value string
	mustComply  bool
}

// minEnvelopeLimit is the smallest MaxEnvelopeSize DSP0226 lets a client ask
// for.
const minEnvelopeLimit = 8192

// decodeEnvelope parses data and finds the envelope's header, body and
// payload. Headers are read later by readHeaders, so that Identify can be
// answered without them.
func decodeEnvelope(data []byte) (*request, *Fault) {
	root, err := parseXML(data)
	if err != nil {
		return nil, newFault(faultSchemaValidationError, "", "The request is not well-formed XML: %v.", err)
	}
	req := &request{}
	switch {
	case root.is(nsSOAP12, "Envelope"):
		req.soap = soap12
	case root.is(nsSOAP11, "Envelope"):
		req.soap = soap11
	default:
		return nil, &Fault{kind: faultVersionMismatch}
	}
	env := req.soap.ns()
	req.header = root.child(env, "Header")
	req.body = root.child(env, "Body")
	if req.body == nil {
		return req, newFault(faultSchemaValidationError, "", "The envelope has no Body.")
	}
	if len(req.body.Children) > 0 {
		req.payload = req.body.Children[0]
	}
	return req, nil
}

// isIdentify reports whether the request is a WS-Management Identify, which
// carries no WS-Addressing headers and is answered without authentication.
func (r *request) isIdentify() bool { return r.payload.is(nsWSMID, "Identify") }

// mustUnderstand reports whether header h carries mustUnderstand="true",
// with the SOAP prefix or, as some clients write it, without one.
func (r *request) mustUnderstand(h *node) bool {
	for _, a := range h.Attrs {
		if a.Name.Local == "mustUnderstand" && (a.Name.Space == r.soap.ns() || a.Name.Space == "") {
			return isTrue(a.Value)
		}
	}
	return false
}

// readHeaders reads and checks the headers. Every header it does not
// understand and that is marked mustUnderstand gives s:MustUnderstand.
func (r *request) readHeaders() *Fault {
	// Every header is read, even after a fault, so that the fault can
	// relate to the request's MessageID; s:MustUnderstand comes first, as
	// SOAP processes it before anything else.
	seen := map[string]bool{}
	var notUnderstood, first *Fault
	for _, h := range r.header.childrenOrNil() {
		known, f := r.readHeader(h)
		key := h.Space + " " + h.Local
		switch {
		case !known && r.mustUnderstand(h) && notUnderstood == nil:
			notUnderstood = &Fault{kind: faultMustUnderstand, reason: "The header " + h.qname() + " is not understood.", notUnderstood: h}
		case known && seen[key] && f == nil:
			f = newFault(faultInvalidMessageInformationHeader, "", "The header %s appears more than once.", h.qname())
		}
		seen[key] = known
		if first == nil {
			first = f
		}
	}
	if notUnderstood != nil {
		return notUnderstood
	}
	if first != nil {
		return first
	}
	for _, req := range []struct{ v, name string }{{r.to, "wsa:To"}, {r.action, "wsa:Action"}, {r.messageID, "wsa:MessageID"}} {
		if req.v == "" {
			return newFault(faultMessageInformationHeaderRequired, "", "The required header %s is missing.", req.name)
		}
	}
	return nil
}

func (n *node) childrenOrNil() []*node {
	if n == nil {
		return nil
	}
	return n.Children
}

// readHeader reads one header, reporting whether Ferrum understands it.
func (r *request) readHeader(h *node) (bool, *Fault) {
	switch h.Space {
	case nsWSA:
		return r.readAddressingHeader(h)
	case nsWSMAN:
		return r.readManagementHeader(h)
	case nsWSE:
		if h.Local == "Identifier" {
			r.identifier = h.text()
			return true, nil
		}
	}
	return false, nil
}

func (r *request) readAddressingHeader(h *node) (bool, *Fault) {
	switch h.Local {
	case "To":
		r.to = h.text()
	case "Action":
		r.action = h.text()
	case "MessageID":
		r.messageID = h.text()
	case "ReplyTo", "FaultTo":
		if addr := h.child(nsWSA, "Address").text(); strings.TrimSuffix(addr, "/") != anonymousAddress {
			return true, newFault(faultUnsupportedFeature, "AddressingMode",
				"The wsa:%s address must be %s; Ferrum answers on the same connection only.", h.Local, anonymousAddress)
		}
	case "From", "RelatesTo":
	default:
		return false, nil
	}
	return true, nil
}

func (r *request) readManagementHeader(h *node) (bool, *Fault) {
	var f *Fault
	switch h.Local {
	case "ResourceURI":
		r.resourceURI = h.text()
	case "SelectorSet":
		r.hasSelectorSet = true
		r.selectors, f = parseSelectorSet(h)
	case "OptionSet":
		r.options, f = r.parseOptionSet(h)
	case "OperationTimeout":
		d, err := parseXSDuration(h.text())
		if err != nil || d <= 0 {
			f = newFault(faultInvalidMessageInformationHeader, "InvalidTimeout", "OperationTimeout %q is not a positive xs:duration.", h.text())
		}
		r.timeout = d
	case "MaxEnvelopeSize":
		f = r.readMaxEnvelopeSize(h)
	case "Locale", "DataLocale":
		lang, _ := h.attr(nsXML, "lang")
		if r.mustUnderstand(h) && lang != "" && !strings.HasPrefix(strings.ToLower(lang), "en") {
			f = newFault(faultUnsupportedFeature, "Locale", "Ferrum answers in English only, not in %q.", lang)
		}
	case "RequestEPR":
		r.requestEPR = true
	case "RequestTotalItemsCountEstimate":
		r.countEstimate = true
	case "FragmentTransfer":
		r.fragment = true
	default:
		return false, nil
	}
	return true, f
}

func (r *request) readMaxEnvelopeSize(h *node) *Fault {
	n, err := strconv.Atoi(h.text())
	switch {
	case err != nil || n <= 0:
		return newFault(faultSchemaValidationError, "", "MaxEnvelopeSize %q is not a positive integer.", h.text())
	case n < minEnvelopeLimit:
		return newFault(faultEncodingLimit, "MinimumEnvelopeLimit",
			"MaxEnvelopeSize %d is below the minimum of %d octets.", n, minEnvelopeLimit)
	}
	r.maxEnvelope = n
	return nil
}

// parseOptionSet reads the OptionSet; when the set is mustUnderstand every
// option must be complied with.
func (r *request) parseOptionSet(h *node) ([]option, *Fault) {
	all := r.mustUnderstand(h)
	var opts []option
	for _, o := range h.childrenNamed(nsWSMAN, "Option") {
		name, _ := o.attr("", "Name")
		if name == "" {
			return nil, newFault(faultInvalidOptions, "InvalidName", "An option has no Name.")
		}
		mc, _ := o.attr("", "MustComply")
		opts = append(opts, option{name: name, value: o.text(), mustComply: all || isTrue(mc)})
	}
	return opts, nil
}

// option returns the named option (case-insensitive, with or without a
// prefix such as wsmb:).
func (r *request) option(name string) (option, bool) {
	for _, o := range r.options {
		if strings.EqualFold(optionName(o.name), name) {
			return o, true
		}
	}
	return option{}, false
}

// boolOption reads a boolean option; a present option without a value is
// true.
func (r *request) boolOption(name string) bool {
	o, ok := r.option(name)
	return ok && (o.value == "" || isTrue(o.value))
}

// knownOptions are the options Ferrum acts on or can safely ignore.
var knownOptions = map[string]bool{"excludenilproperties": true, "showextensions": true}

// checkOptions refuses options that must be complied with but are unknown.
func (r *request) checkOptions() *Fault {
	for _, o := range r.options {
		if o.mustComply && !knownOptions[strings.ToLower(optionName(o.name))] {
			return newFault(faultInvalidOptions, "NotSupported", "Option %s is not supported.", o.name)
		}
	}
	return nil
}

// optionName strips a prefix from an option name: wsmb:ExcludeNilProperties.
func optionName(name string) string {
	if i := strings.IndexByte(name, ':'); i >= 0 {
		return name[i+1:]
	}
	return name
}
