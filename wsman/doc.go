// Package wsman serves Ferrum's CIM object manager over WS-Management: DSP0226
// 1.2 (SOAP 1.2, and 1.1 envelopes answered in 1.1), the WS-Management CIM
// binding DSP0227 and the WS-CIM mapping DSP0230. It decodes requests, calls
// the cimom.Dispatcher and encodes the results; it knows nothing of
// providers or backends.
//
// # Mounting
//
// NewHandler returns an http.Handler for POST /wsman on both listeners:
//
//	h := wsman.NewHandler(dispatcher, wsman.Options{Authenticator: authn, ProductVersion: version})
//	defer h.Close()
//	mux.Handle("POST /wsman", h)
//
// The handler authenticates requests itself with HTTP Basic against
// Options.Authenticator, because wsmid:Identify must be answered without
// credentials: do not wrap it in auth.RequireBasic. A request without
// credentials that is not an Identify, or with bad credentials, gets 401
// with a WWW-Authenticate challenge and an empty body.
//
// # Resource URIs
//
// A class's resource URI is a prefix followed by the class name. Requests
// may use any URI whose path contains /wbem/wscim/1/cim-schema/2/ (vendor
// prefixes included): the class is its last segment. Responses use
// DMTFResourcePrefix (http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/)
// for CIM_ classes and FerrumResourcePrefix
// (http://schemas.ferrum.dev/wbem/wscim/1/cim-schema/2/) for Ferrum_ and all
// other classes. AllClassesURI stands for every class; it may only be
// enumerated, with a filter. The CIM namespace is the __cimnamespace
// selector, root/virt without one; the EPRs Ferrum writes always carry it.
//
// # Operations
//
//   - Identify: ProtocolVersion, ProductVendor "Ferrum", ProductVersion and
//     the http/https basic security profiles.
//   - WS-Transfer Get, Put, Create, Delete: GetInstance, ModifyInstance (the
//     body is the whole representation, PropertyList NULL), CreateInstance
//     (answered with wxf:ResourceCreated) and DeleteInstance. Selectors must
//     be exactly the class's keys (wsman:InvalidSelectors otherwise).
//   - WS-Enumeration Enumerate, Pull, Release, Renew, GetStatus, with
//     OptimizeEnumeration and MaxElements, the EnumerateEPR and
//     EnumerateObjectAndEPR modes, Expires as xs:duration or xs:dateTime,
//     wsmb:PolymorphismMode (IncludeSubClassProperties, the default;
//     ExcludeSubClassProperties, which renders subclass instances as the
//     requested class; None, which returns instances of exactly that class),
//     RequestTotalItemsCountEstimate, and the selector, WQL (both dialect
//     URIs), CQL and association filters.
//   - Extrinsic methods: action ResourceURI/Method, body Method_INPUT, reply
//     Method_OUTPUT with the output parameters and ReturnValue last, under the
//     action plus "Response".
//   - WS-Eventing Subscribe, Renew, GetStatus, Unsubscribe (DSP0226 §10),
//     below.
//
// # Eventing
//
// Subscribe takes the Push and PushWithAck delivery modes, an http or https
// NotifyTo (its reference parameters are echoed as headers of every event),
// an optional EndTo, Expires as xs:duration or xs:dateTime (the grant is
// answered in the same form; without Expires the subscription does not
// expire) and a WQL or CQL filter. The ResourceURI names an indication class
// (CIM_InstCreation, …; without a filter that is SELECT * FROM the class) or
// is AllClassesURI with a filter; __cimnamespace limits the source
// namespace. Bookmarks and heartbeats are refused (wsman:UnsupportedFeature),
// other modes give wse:DeliveryModeRequestedUnavailable, other dialects
// wse:FilteringRequestedUnavailable, filters that do not parse or select no
// indication class wsman:CannotProcessFilter.
//
// Each subscription is the DSP1054 trio, created through the dispatcher in
// root/interop: a CIM_IndicationFilter and a
// CIM_ListenerDestinationWSManagement named "wse:" plus the identifier, and
// a CIM_IndicationSubscription whose SubscriptionInfo keeps the identifier,
// the expiry and the reference parameters (eventInfo). The indication
// provider persists and activates them, so subscriptions survive restarts;
// the Handler re-arms their expiries when it starts. The response's
// SubscriptionManager is the request's wsa:To with the ResourceURI and a
// wse:Identifier; Renew, GetStatus and Unsubscribe name it in a
// wse:Identifier header (unknown: wse:UnableToRenew for Renew,
// wse:InvalidMessage otherwise). At expiry the trio is deleted and EndTo,
// when given, receives wse:SubscriptionEnd (SourceCancelling).
//
// Deliverer is the indication service's indication.Deliverer for these
// destinations: it sends each indication as a DSP0226 event (action
// …/wsman/Event, body the DSP0230 instance); in PushWithAck mode the
// listener must answer with wsman:Ack relating to the event, or the delivery
// failed and is retried. NewEventListener is the listener side, used by
// ferrumctl listen --protocol wsman.
//
// # Enumeration contexts
//
// Each enumeration runs in a producer goroutine that hands items over a
// channel of producerBuffer items, so an open enumeration holds at most that
// many. Context IDs are random UUIDs bound to the user who opened them
// (another user's ID is as invalid as an unknown one). A context ends when
// its sequence ends, on Release, at the Expires granted to it or, when the
// client asked for none, after EnumerationIdle without use; a janitor frees
// abandoned ones. Each user may hold
// MaxEnumerationsPerUser contexts (wsman:QuotaLimit beyond).
//
// Pull responses are bounded by MaxElements, MaxCharacters and the envelope
// limit, and stream: up to streamThreshold octets are buffered, so that a
// response that ends the sequence can leave out the context as WS-Enumeration
// wants; past it, items are written as they are produced. Should such a
// streamed response end the sequence, it carries both the context and
// EndOfSequence, and the context lingers a minute, off the quota, so that a
// client that pulls once more gets an empty, final PullResponse.
//
// # Instances
//
// An instance is written as <p:Class xmlns:p="resource URI"> with one child
// per property in the class's declaration order (repeated for arrays,
// xsi:nil for nulls, none for empty arrays), references as EPRs, datetimes
// as cim:Datetime, cim:Interval, cim:Date or cim:CIM_DateTime, embedded
// instances with their own prefix and xsi:type. In EnumerateObjectAndEPR
// items the wsman:Item declares the prefix instead, so that the instance's
// start tag is bare: line-oriented clients such as wsl find instances by
// their ":Class>" tag.
//
// # Faults
//
// Every fault is sent with HTTP status 500, as WinRM and Pegasus do, with
// the fault action of its subcode's namespace and wsa:RelatesTo. CIM errors
// become faults through one table, statusFaults (DSP0227; digest §2.5).
// Header problems give s:MustUnderstand (with s:NotUnderstood),
// wsa:MessageInformationHeaderRequired, wsa:InvalidMessageInformationHeader
// or wsman:UnsupportedFeature; an envelope of another SOAP version
// s:VersionMismatch. DSP0226 1.2's wsman:CannotProcessFilter reports filters
// Ferrum cannot run (Pegasus sends the older wsen:CannotProcessFilter).
//
// # Tolerance
//
// Real clients deviate from the specification; Ferrum accepts a
// mustUnderstand attribute without the SOAP prefix, a relative wsa:To such as
// /wsman, MessageIDs that are not uuid: URNs, datetimes as DSP0230 child
// elements (whatever their namespace prefix) or as plain text in the
// DSP0004, xs:dateTime, xs:duration or xs:date forms, option names with a
// prefix (wsmb:ExcludeNilProperties), and selectors on Enumerate, which
// filter as a selector filter does (openwsman's behaviour).
//
// # Limits and safety
//
// Requests are bounded by Options.MaxRequestSize (wsman:EncodingLimit).
// The XML reader refuses DTDs, unknown entities, character sets other than
// UTF-8 and nesting beyond maxDepth. Responses replace characters XML cannot
// carry, so they are always well-formed. OperationTimeout is honoured even
// for providers that ignore their context (wsman:TimedOut).
package wsman
