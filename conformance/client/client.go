// Package client holds small WBEM clients for the conformance suite: one that
// speaks CIM-XML (DSP0200/DSP0201) and one that speaks WS-Management
// (DSP0226/DSP0227/DSP0230). Both return cim.Instance and cim.ObjectPath
// values, so that checks written against Client are protocol-neutral.
//
// The clients know nothing of Ferrum: they talk to any CIMOM.
package client

import (
	"context"
	"fmt"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// An Object is an instance together with its path, as enumerations and
// association traversals return it.
type Object struct {
	Path     cim.ObjectPath
	Instance *cim.Instance
}

// An AssocFilter narrows an association traversal; empty fields do not filter.
type AssocFilter struct {
	AssocClass  string
	ResultClass string
	Role        string
	ResultRole  string
}

// A Client is a WBEM client. Every method blocks until the server answers or
// ctx ends. A server-side failure is returned as *Error, which carries the CIM
// status code (WS-Man faults are mapped back to the status DSP0227 maps them
// from) so that callers can compare outcomes across protocols.
//
// Values read over WS-Man carry no CIM type: scalars arrive as strings,
// repeated elements as string arrays, EPRs as references. Callers that need
// numbers parse them (see the conformance package's helpers).
type Client interface {
	// Protocol names the protocol: "cimxml" or "wsman".
	Protocol() string
	EnumerateInstances(ctx context.Context, ns, class string) ([]Object, error)
	EnumerateInstanceNames(ctx context.Context, ns, class string) ([]cim.ObjectPath, error)
	GetInstance(ctx context.Context, path cim.ObjectPath) (*cim.Instance, error)
	Associators(ctx context.Context, path cim.ObjectPath, f AssocFilter) ([]Object, error)
	AssociatorNames(ctx context.Context, path cim.ObjectPath, f AssocFilter) ([]cim.ObjectPath, error)
	References(ctx context.Context, path cim.ObjectPath, resultClass, role string) ([]Object, error)
	ReferenceNames(ctx context.Context, path cim.ObjectPath, resultClass, role string) ([]cim.ObjectPath, error)
	// InvokeMethod calls an extrinsic method and returns its return value and
	// output parameters.
	InvokeMethod(ctx context.Context, path cim.ObjectPath, method string, in cim.Params) (cim.Value, cim.Params, error)
	CreateInstance(ctx context.Context, ns string, inst *cim.Instance) (cim.ObjectPath, error)
	DeleteInstance(ctx context.Context, path cim.ObjectPath) error
}

// Error is a failure the server reported: a CIM-XML ERROR element or a
// WS-Man fault.
type Error struct {
	Status  cim.Status // the CIM status; for WS-Man, the one DSP0227 maps the fault from
	Fault   string     // WS-Man fault subcode, e.g. "wsman:InvalidSelectors"; "" for CIM-XML
	Detail  string     // WS-Man fault detail URI, if any
	Message string
}

func (e *Error) Error() string {
	if e.Fault != "" {
		return fmt.Sprintf("%s (%s): %s", e.Fault, e.Status, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Status, e.Message)
}

// StatusOf returns the CIM status of err: 0 for nil, the status of an *Error,
// and CIM_ERR_FAILED for transport failures.
func StatusOf(err error) cim.Status {
	if err == nil {
		return cim.StatusOK
	}
	if e, ok := err.(*Error); ok {
		return e.Status
	}
	return cim.ErrFailed
}

// Config is what both clients need to reach a server.
type Config struct {
	URL      string // the endpoint, e.g. http://host:5988/cimom or http://host:5985/wsman
	User     string
	Password string
	Insecure bool // skip TLS certificate verification
}
