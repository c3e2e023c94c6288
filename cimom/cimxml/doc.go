// Package cimxml serves CIM operations over HTTP as DSP0200 1.4 defines
// them, in the CIM-XML encoding of DSP0201 (DTD 2.4): every intrinsic
// operation, the pull operations, ExecQuery (WQL and DMTF:CQL through
// package query) and extrinsic methods, dispatched to a cimom.Dispatcher.
//
//	h := cimxml.NewHandler(dispatcher, cimxml.Options{})
//	defer h.Close()
//	mux.Handle("POST /cimom", auth.RequireBasic(authenticator, "ferrum", h))
//	mux.Handle("M-POST /cimom", auth.RequireBasic(authenticator, "ferrum", h))
//
// # Requests
//
// POST and M-POST (with the Man extension and NN- prefixed headers, which
// the response repeats with Ext:) are served; other methods get 405. The
// headers are checked in the order OpenPegasus checks them, each failure
// answered with its HTTP status and CIMError value. Bodies are limited
// (413), parsed without DTDs (a DOCTYPE is refused, so no entity is ever
// declared or expanded), in UTF-8 only, with bounded nesting. Unknown or
// repeated parameters are CIM_ERR_INVALID_PARAMETER; an unknown intrinsic
// operation is CIM_ERR_NOT_SUPPORTED. The handler refuses with 401 any
// request whose context carries no auth.Principal.
//
// Embedded objects arrive as escaped INSTANCE XML marked EmbeddedObject
// (or the older EMBEDDEDOBJECT), as MOF text ("instance of X { … };",
// compiled against the repository), as INSTANCE elements, or as plain
// strings in properties and parameters the class declares as embedded.
//
// # Responses
//
// Responses are produced as the dispatcher yields objects. The first
// Options.BufferBytes are held back, so that most responses carry a
// Content-Length and an error met while producing them still becomes a
// clean ERROR. Past that the response is sent in chunks, so memory stays
// flat for any number of objects. An error after that point is reported,
// when the client sent "TE: trailers", in the CIMStatusCode and
// CIMStatusCodeDescription trailers after a properly closed body (DSP0200
// §7.4; also as CIMStatusDescription, which sblim clients read); otherwise
// the connection is cut, so that the client sees a broken response rather
// than a short but well-formed one.
//
// Values are written so that every response is well-formed XML: characters
// XML 1.0 cannot carry become U+FFFD; reals always have a fraction or a
// dotted mantissa, or are NaN, INF or -INF; CLASSORIGIN and PROPAGATED
// appear only when IncludeClassOrigin asked for them. Null output
// parameters of methods are left out (sblim wbemcli crashes on them).
// LocalOnly on instance operations is read and ignored, as DSP0200 1.4
// recommends.
//
// # Pull operations
//
// An Open operation starts a producer goroutine that runs the enumeration
// and hands objects over a channel of PullOptions.Buffer objects, so a
// context never holds a whole large result. Contexts have 128-bit random
// identifiers, belong to the user who opened them (others get
// CIM_ERR_INVALID_ENUMERATION_CONTEXT, as for unknown, closed or expired
// ones), are limited per user (CIM_ERR_SERVER_LIMITS_EXCEEDED) and expire
// after OperationTimeout seconds without an operation, which frees them
// and stops their producer. Choices DSP0200 leaves open:
//
//   - OperationTimeout NULL is PullOptions.DefaultTimeout; 0 ("never") and
//     values above PullOptions.MaxTimeout are CIM_ERR_INVALID_OPERATION_TIMEOUT.
//   - MaxObjectCount 0 returns no objects, EndOfSequence FALSE and the
//     context; a NULL MaxObjectCount on Open is 0; counts above
//     PullOptions.MaxObjectCount return that many.
//   - ContinueOnError TRUE is CIM_ERR_CONTINUATION_ON_ERROR_NOT_SUPPORTED:
//     an error ends the enumeration and frees the context.
//   - FilterQueryLanguage must be DMTF:FQL (else
//     CIM_ERR_QUERY_LANGUAGE_NOT_SUPPORTED); the filter is the WHERE grammar
//     of package query.
//   - A Pull of the wrong variant, or on a context another operation is
//     using, is CIM_ERR_INVALID_ENUMERATION_CONTEXT and leaves the context
//     open; CloseEnumeration during a Pull is CIM_ERR_PULL_CANNOT_BE_ABANDONED.
//   - EnumerationCount checks the context and answers CIM_ERR_NOT_SUPPORTED.
//   - OpenQueryInstances with ReturnQueryResultClass returns the FROM class
//     limited to the selected properties, without methods.
//   - The output parameters come after IRETURNVALUE as EndOfSequence, then
//     EnumerationContext (null once the sequence has ended).
package cimxml
