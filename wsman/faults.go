package wsman

import (
	"context"
	"errors"
	"fmt"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// A faultKind is one fault DSP0226 defines: its SOAP code, its subcode and
// the reason sent when nothing more specific is known.
type faultKind struct {
	receiver bool   // s:Receiver rather than s:Sender
	ns       string // namespace of the subcode (the SOAP envelope for s:MustUnderstand, s:VersionMismatch)
	local    string // local name of the subcode
	reason   string
}

// The faults Ferrum raises (DSP0226 Annex; Sender/Receiver as in Pegasus's
// WsmFault table, digest §2.6).
var (
	faultAccessDenied          = &faultKind{false, nsWSMAN, "AccessDenied", "The sender was not authorized to access the resource."}
	faultAlreadyExists         = &faultKind{false, nsWSMAN, "AlreadyExists", "The sender attempted to create a resource which already exists."}
	faultCannotProcessFilter   = &faultKind{false, nsWSMAN, "CannotProcessFilter", "The requested filter could not be processed."}
	faultConcurrency           = &faultKind{false, nsWSMAN, "Concurrency", "The action could not be completed due to concurrency or locking problems."}
	faultEncodingLimit         = &faultKind{false, nsWSMAN, "EncodingLimit", "An internal encoding limit was exceeded in a request or would be violated if the message were processed."}
	faultInternalError         = &faultKind{true, nsWSMAN, "InternalError", "The service cannot comply with the request due to internal processing errors."}
	faultInvalidOptions        = &faultKind{false, nsWSMAN, "InvalidOptions", "One or more options were not valid."}
	faultInvalidParameter      = &faultKind{false, nsWSMAN, "InvalidParameter", "An operation parameter was not valid."}
	faultInvalidSelectors      = &faultKind{false, nsWSMAN, "InvalidSelectors", "The selectors for the resource were not valid."}
	faultQuotaLimit            = &faultKind{false, nsWSMAN, "QuotaLimit", "The service is busy servicing other requests."}
	faultSchemaValidationError = &faultKind{false, nsWSMAN, "SchemaValidationError", "The supplied SOAP violates the corresponding XML schema definition."}
	faultTimedOut              = &faultKind{true, nsWSMAN, "TimedOut", "The operation has timed out."}
	faultUnsupportedFeature    = &faultKind{false, nsWSMAN, "UnsupportedFeature", "The specified feature is not supported."}

	faultActionNotSupported                = &faultKind{false, nsWSA, "ActionNotSupported", "The action is not supported by the service."}
	faultDestinationUnreachable            = &faultKind{false, nsWSA, "DestinationUnreachable", "No route can be determined to reach the destination role defined by the WS-Addressing To."}
	faultEndpointUnavailable               = &faultKind{true, nsWSA, "EndpointUnavailable", "The specified endpoint is currently unavailable."}
	faultInvalidMessageInformationHeader   = &faultKind{false, nsWSA, "InvalidMessageInformationHeader", "A message information header is not valid and the message cannot be processed."}
	faultMessageInformationHeaderRequired  = &faultKind{false, nsWSA, "MessageInformationHeaderRequired", "A required message information header, To, MessageID, or Action, is not present."}
	faultFilterDialectRequestedUnavailable = &faultKind{false, nsWSEN, "FilterDialectRequestedUnavailable", "The requested filtering dialect is not supported."}
	faultFilteringNotSupported             = &faultKind{false, nsWSEN, "FilteringNotSupported", "Filtered enumeration is not supported."}
	faultInvalidEnumerationContext         = &faultKind{true, nsWSEN, "InvalidEnumerationContext", "The supplied enumeration context is invalid."}
	faultInvalidExpirationTime             = &faultKind{false, nsWSEN, "InvalidExpirationTime", "The expiration time was not valid."}
	faultEnumerationTimedOut               = &faultKind{true, nsWSEN, "TimedOut", "No items became available before the requested time."}
	faultInvalidRepresentation             = &faultKind{false, nsWXF, "InvalidRepresentation", "The XML content was invalid."}
	faultPolymorphismModeNotSupported      = &faultKind{false, nsWSMB, "PolymorphismModeNotSupported", "The requested polymorphism mode is not supported."}

	faultDeliveryModeRequestedUnavailable = &faultKind{false, nsWSE, "DeliveryModeRequestedUnavailable", "The requested delivery mode is not supported."}
	faultEventSourceUnableToProcess       = &faultKind{false, nsWSE, "EventSourceUnableToProcess", "The event source cannot process the subscription."}
	faultEventingFilteringUnavailable     = &faultKind{false, nsWSE, "FilteringRequestedUnavailable", "The requested filter dialect is not supported."}
	faultEventingInvalidExpirationTime    = &faultKind{false, nsWSE, "InvalidExpirationTime", "The expiration time requested is invalid."}
	faultEventingInvalidMessage           = &faultKind{false, nsWSE, "InvalidMessage", "The request message has unknown or invalid content and cannot be processed."}
	faultUnableToRenew                    = &faultKind{false, nsWSE, "UnableToRenew", "The subscription could not be renewed."}

	faultMustUnderstand  = &faultKind{false, "", "MustUnderstand", "A header marked mustUnderstand was not understood."}
	faultVersionMismatch = &faultKind{false, "", "VersionMismatch", "The SOAP envelope namespace is not supported; use SOAP 1.2."}
)

// faultDetailPrefix starts every wsman:FaultDetail URI.
const faultDetailPrefix = "http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/"

// A Fault is a WS-Management fault on its way to the client.
type Fault struct {
	kind   *faultKind
	reason string // for people; the kind's reason when empty
	detail string // a faultDetail name such as "InsufficientSelectors", or ""

	supportedDialects bool   // list wsen:SupportedDialect in the detail
	action            string // the unsupported action, for wsa:ActionNotSupported
	notUnderstood     *node  // the header that was not understood
}

// newFault returns a fault of kind with a formatted reason.
func newFault(kind *faultKind, detail, format string, args ...any) *Fault {
	return &Fault{kind: kind, detail: detail, reason: fmt.Sprintf(format, args...)}
}

func (f *Fault) Error() string {
	s := f.kind.local
	if f.detail != "" {
		s += " (" + f.detail + ")"
	}
	return s + ": " + f.Reason()
}

// Reason returns the text sent in s:Reason.
func (f *Fault) Reason() string {
	if f.reason != "" {
		return f.reason
	}
	return f.kind.reason
}

// Subcode returns the fault's subcode as prefix:local in Ferrum's responses.
func (f *Fault) Subcode() string { return prefixFor(f.kind.ns) + ":" + f.kind.local }

// action returns the wsa:Action of the fault: the fault action of the
// subcode's namespace.
func (k *faultKind) action() string {
	switch k.ns {
	case nsWSMAN:
		return "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"
	case nsWXF:
		return nsWXF + "/fault"
	case nsWSEN:
		return nsWSEN + "/fault"
	case nsWSE:
		return nsWSE + "/fault"
	case nsWSMB:
		return "http://schemas.dmtf.org/wbem/wsman/1/cimbinding/fault"
	}
	return nsWSA + "/fault"
}

// An operation names what a request was doing when a CIM error came back,
// since the same CIM status maps to different faults for different
// operations.
type operation int

const (
	opOther     operation = iota
	opRepresent           // Put and Create: the body is a representation
	opInvoke              // extrinsic methods: the body holds parameters
	opFilter              // filtered and associated enumerations
)

// statusFault maps a CIM status to a fault (DSP0227 and digest §2.5). The
// repr and invoke columns, when set, replace the fault for Put/Create and
// for methods; the filter column for filtered enumerations.
type statusFault struct {
	kind   *faultKind
	detail string
	repr   *faultKind
	invoke *faultKind
	filter *faultKind
}

var statusFaults = map[cim.Status]statusFault{
	cim.ErrAccessDenied:                    {kind: faultAccessDenied},
	cim.ErrInvalidNamespace:                {kind: faultDestinationUnreachable},
	cim.ErrInvalidParameter:                {kind: faultInvalidParameter, repr: faultInvalidRepresentation, filter: faultCannotProcessFilter},
	cim.ErrInvalidClass:                    {kind: faultDestinationUnreachable, detail: "InvalidResourceURI", filter: faultCannotProcessFilter},
	cim.ErrNotFound:                        {kind: faultDestinationUnreachable},
	cim.ErrNotSupported:                    {kind: faultActionNotSupported, detail: "ActionMismatch"},
	cim.ErrAlreadyExists:                   {kind: faultAlreadyExists},
	cim.ErrNoSuchProperty:                  {kind: faultInvalidParameter, repr: faultInvalidRepresentation, filter: faultCannotProcessFilter},
	cim.ErrTypeMismatch:                    {kind: faultInvalidParameter, repr: faultInvalidRepresentation, filter: faultCannotProcessFilter},
	cim.ErrQueryLanguageNotSupported:       {kind: faultFilterDialectRequestedUnavailable},
	cim.ErrInvalidQuery:                    {kind: faultCannotProcessFilter},
	cim.ErrQueryFeatureNotSupported:        {kind: faultCannotProcessFilter},
	cim.ErrFilteredEnumerationNotSupported: {kind: faultFilteringNotSupported},
	cim.ErrMethodNotAvailable:              {kind: faultActionNotSupported, detail: "ActionMismatch"},
	cim.ErrMethodNotFound:                  {kind: faultActionNotSupported, detail: "ActionMismatch"},
	cim.ErrInvalidEnumerationContext:       {kind: faultInvalidEnumerationContext},
	cim.ErrInvalidOperationTimeout:         {kind: faultInvalidMessageInformationHeader, detail: "InvalidTimeout"},
	cim.ErrServerLimitsExceeded:            {kind: faultQuotaLimit},
	cim.ErrServerIsShuttingDown:            {kind: faultEndpointUnavailable},
}

// faultFor turns any error into the fault the client receives. Faults pass
// unchanged, an expired deadline is wsman:TimedOut, a *cim.Error is looked
// up in statusFaults for op, and anything else is wsman:InternalError.
func faultFor(err error, op operation) *Fault {
	var f *Fault
	if errors.As(err, &f) {
		return f
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &Fault{kind: faultTimedOut}
	}
	var ce *cim.Error
	if !errors.As(err, &ce) {
		return &Fault{kind: faultInternalError, reason: err.Error()}
	}
	sf, ok := statusFaults[ce.Code]
	kind := sf.kind
	switch {
	case !ok:
		kind = faultInternalError
	case op == opRepresent && sf.repr != nil:
		kind = sf.repr
	case op == opInvoke && sf.invoke != nil:
		kind = sf.invoke
	case op == opFilter && sf.filter != nil:
		kind = sf.filter
	}
	detail := sf.detail
	if kind != sf.kind {
		detail = ""
	}
	return &Fault{kind: kind, detail: detail, reason: ce.Error()}
}
