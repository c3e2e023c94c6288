package wsman

import "strings"

// XML namespaces of the protocols the binding speaks (digest §2.1).
const (
	nsSOAP12 = "http://www.w3.org/2003/05/soap-envelope"
	nsSOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
	nsWSA    = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
	nsWXF    = "http://schemas.xmlsoap.org/ws/2004/09/transfer"
	nsWSEN   = "http://schemas.xmlsoap.org/ws/2004/09/enumeration"
	nsWSE    = "http://schemas.xmlsoap.org/ws/2004/08/eventing"
	nsWSMAN  = "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
	nsWSMB   = "http://schemas.dmtf.org/wbem/wsman/1/cimbinding.xsd"
	nsWSMID  = "http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"
	nsCIM    = "http://schemas.dmtf.org/wbem/wscim/1/common"
	nsXSI    = "http://www.w3.org/2001/XMLSchema-instance"
	nsXML    = "http://www.w3.org/XML/1998/namespace"
)

// anonymousAddress is the only wsa:ReplyTo and wsa:FaultTo address the
// service answers to, and the wsa:Address of the EPRs it writes.
const anonymousAddress = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"

// Action URIs (digest §2.3).
const (
	actionGet       = nsWXF + "/Get"
	actionPut       = nsWXF + "/Put"
	actionCreate    = nsWXF + "/Create"
	actionDelete    = nsWXF + "/Delete"
	actionEnumerate = nsWSEN + "/Enumerate"
	actionPull      = nsWSEN + "/Pull"
	actionRelease   = nsWSEN + "/Release"
	actionRenew     = nsWSEN + "/Renew"
	actionGetStatus = nsWSEN + "/GetStatus"

	actionSubscribe       = nsWSE + "/Subscribe"
	actionRenewSub        = nsWSE + "/Renew"
	actionGetStatusSub    = nsWSE + "/GetStatus"
	actionUnsubscribe     = nsWSE + "/Unsubscribe"
	actionSubscriptionEnd = nsWSE + "/SubscriptionEnd"
)

// WS-Management eventing URIs (DSP0226 §10, digest §2.3). Events and acks
// are also accepted under the misspelled base openwsman and Pegasus use.
const (
	wsmanBase         = "http://schemas.dmtf.org/wbem/wsman/1/wsman/"
	wsmanMisspelled   = "http://schemas.xmlsoap.org/wbmem/wsman/1/wsman/"
	actionEvent       = wsmanBase + "Event"
	actionAck         = wsmanBase + "Ack"
	deliveryPush      = nsWSE + "/DeliveryModes/Push"
	deliveryPushAck   = wsmanBase + "PushWithAck"
	deliveryEvents    = wsmanBase + "Events"
	deliveryPull      = wsmanBase + "Pull"
	endStatusFailure  = nsWSE + "/DeliveryFailure"
	endStatusCancel   = nsWSE + "/SourceCancelling"
	endStatusShutdown = nsWSE + "/SourceShuttingDown"
)

// Filter dialects (digest §2.4). Both WQL URIs are accepted.
const (
	dialectSelector    = "http://schemas.dmtf.org/wbem/wsman/1/wsman/SelectorFilter"
	dialectWQL         = "http://schemas.dmtf.org/wbem/wsman/1/WQL"
	dialectWQLMicrosft = "http://schemas.microsoft.com/wbem/wsman/1/WQL"
	dialectCQL         = "http://schemas.dmtf.org/wbem/cql/1/dsp0202.pdf"
	dialectAssociation = "http://schemas.dmtf.org/wbem/wsman/1/cimbinding/associationFilter"
	dialectXPath       = "http://www.w3.org/TR/1999/REC-xpath-19991116"
)

// supportedDialects are listed, in this order, in the detail of
// wsen:FilterDialectRequestedUnavailable.
var supportedDialects = []string{dialectSelector, dialectWQL, dialectWQLMicrosft, dialectCQL, dialectAssociation}

// Resource URI prefixes. A class's resource URI is its prefix followed by the
// class name; requests may use any prefix that ends in cimSchemaPath, as
// vendors do for their own classes (digest §2.5).
const (
	// DMTFResourcePrefix is the prefix of CIM_ classes.
	DMTFResourcePrefix = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/"
	// FerrumResourcePrefix is the prefix Ferrum writes for every class that
	// is not a CIM_ class (Ferrum_ classes above all).
	FerrumResourcePrefix = "http://schemas.ferrum.dev/wbem/wscim/1/cim-schema/2/"
	// AllClassesURI is the resource URI that stands for every class; it is
	// only meaningful for Enumerate with a filter.
	AllClassesURI = "http://schemas.dmtf.org/wbem/wscim/1/*"

	cimSchemaPath = "/wbem/wscim/1/cim-schema/2/"
)

// Security profiles advertised by Identify.
const (
	profileHTTPBasic  = "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/http/basic"
	profileHTTPSBasic = "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/basic"
)

// cimNamespaceSelector names the selector that carries the CIM namespace.
const cimNamespaceSelector = "__cimnamespace"

// ResourceURI returns the resource URI of class: the DMTF prefix for CIM_
// classes and Ferrum's for all others.
func ResourceURI(class string) string {
	if len(class) >= 4 && strings.EqualFold(class[:4], "CIM_") {
		return DMTFResourcePrefix + class
	}
	return FerrumResourcePrefix + class
}

// isAllClassesURI reports whether uri is the all-classes resource URI, in
// the form DSP0227 gives or with the cim-schema path that some clients add.
func isAllClassesURI(uri string) bool {
	return uri == AllClassesURI || uri == strings.TrimSuffix(DMTFResourcePrefix, "/")+"/*"
}

// classFromResourceURI returns the class name a resource URI names: the last
// path segment of any URI whose path contains /wbem/wscim/1/cim-schema/2/.
// ok is false for URIs of another shape.
func classFromResourceURI(uri string) (class string, ok bool) {
	if i := strings.IndexAny(uri, "?#"); i >= 0 {
		uri = uri[:i]
	}
	i := strings.Index(uri, cimSchemaPath)
	if i < 0 {
		return "", false
	}
	class = uri[i+len(cimSchemaPath):]
	if !isCIMName(class) {
		return "", false
	}
	return class, true
}

// isCIMName reports whether s is a CIM identifier: a letter or underscore,
// then letters, digits and underscores.
func isCIMName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80:
		case i > 0 && c >= '0' && c <= '9':
		default:
			return false
		}
	}
	return true
}
