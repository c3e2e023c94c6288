package cimxml

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// This file holds the export side of CIM-XML (DSP0200 §§5.3, 7; digest §1.5):
// the EXPMETHODCALL ExportIndication message a WBEM server sends to a
// listener, the client that sends it, and a listener handler that receives
// it.

// Export header values.
const (
	exportRequest  = "MethodRequest"
	exportResponse = "MethodResponse"
	exportMethod   = "ExportIndication"
	exportParam    = "NewIndication"
	// maxExportBody bounds an export request or response read from the
	// network.
	maxExportBody = 4 << 20
)

// EncodeExportIndication returns the CIM-XML document of an
// ExportIndication request with message ID id carrying ind. Embedded
// instances (SourceInstance, PreviousInstance) are written as escaped
// INSTANCE strings with EmbeddedObject="instance".
func EncodeExportIndication(id string, ind *cim.Instance) []byte {
	e := encoder{b: make([]byte, 0, 1024)}
	e.raw(`<?xml version="1.0" encoding="utf-8" ?>` + "\n")
	e.raw(`<CIM CIMVERSION="2.0" DTDVERSION="2.0">`)
	e.open("MESSAGE")
	e.attr("ID", id)
	e.attr("PROTOCOLVERSION", "1.0")
	e.end()
	e.raw(`<SIMPLEEXPREQ><EXPMETHODCALL NAME="ExportIndication"><EXPPARAMVALUE NAME="NewIndication">`)
	e.instance("", ind)
	e.raw(`</EXPPARAMVALUE></EXPMETHODCALL></SIMPLEEXPREQ></MESSAGE></CIM>`)
	return e.b
}

// EncodeExportResponse returns the EXPMETHODRESPONSE answering message id:
// an empty IRETURNVALUE for a nil err, an ERROR element otherwise.
func EncodeExportResponse(id string, err error) []byte {
	e := encoder{b: make([]byte, 0, 256)}
	e.raw(`<?xml version="1.0" encoding="utf-8" ?>` + "\n")
	e.raw(`<CIM CIMVERSION="2.0" DTDVERSION="2.0">`)
	e.open("MESSAGE")
	e.attr("ID", id)
	e.attr("PROTOCOLVERSION", "1.0")
	e.end()
	e.raw(`<SIMPLEEXPRSP><EXPMETHODRESPONSE NAME="ExportIndication">`)
	if err != nil {
		ce := toCIMError(err)
		e.open("ERROR")
		e.attr("CODE", strconv.Itoa(int(ce.Code)))
		e.attr("DESCRIPTION", ce.Description)
		e.empty()
	} else {
		e.raw("<IRETURNVALUE/>")
	}
	e.raw(`</EXPMETHODRESPONSE></SIMPLEEXPRSP></MESSAGE></CIM>`)
	return e.b
}

// DecodeExportIndication reads an ExportIndication request and returns its
// message ID and the indication. A request that is not a single
// ExportIndication with exactly one NewIndication parameter is a
// CIM_ERR_INVALID_PARAMETER *cim.Error, as DSP0200 wants of listeners.
func DecodeExportIndication(r io.Reader) (id string, ind *cim.Instance, err error) {
	root, err := parseXML(r, defaultXMLLimits)
	if err != nil {
		return "", nil, cim.Errorf(cim.ErrInvalidParameter, "export request: %v", err)
	}
	msg := root.child("MESSAGE")
	if root.name != "CIM" || msg == nil {
		return "", nil, cim.Errorf(cim.ErrInvalidParameter, "export request: want CIM/MESSAGE")
	}
	id = msg.attrOr("ID", "")
	call := msg.child("SIMPLEEXPREQ")
	if call != nil {
		call = call.child("EXPMETHODCALL")
	}
	if call == nil || call.attrOr("NAME", "") != exportMethod {
		return id, nil, cim.Errorf(cim.ErrInvalidParameter, "export request: want SIMPLEEXPREQ/EXPMETHODCALL NAME=%q", exportMethod)
	}
	if len(call.kids) != 1 || call.kids[0].name != "EXPPARAMVALUE" || call.kids[0].attrOr("NAME", "") != exportParam ||
		len(call.kids[0].kids) != 1 {
		return id, nil, cim.Errorf(cim.ErrInvalidParameter, "export request: want exactly one EXPPARAMVALUE %s holding an INSTANCE", exportParam)
	}
	d := &decoder{}
	ind, err = d.instance(call.kids[0].kids[0])
	if err != nil {
		return id, nil, cim.Errorf(cim.ErrInvalidParameter, "export request: %v", err)
	}
	return id, ind, nil
}

// decodeExportResponse reads an EXPMETHODRESPONSE: nil for success, the
// *cim.Error its ERROR carries otherwise.
func decodeExportResponse(r io.Reader) error {
	root, err := parseXML(r, defaultXMLLimits)
	if err != nil {
		return fmt.Errorf("export response: %w", err)
	}
	msg := root.child("MESSAGE")
	var rsp *element
	if msg != nil {
		if s := msg.child("SIMPLEEXPRSP"); s != nil {
			rsp = s.child("EXPMETHODRESPONSE")
		}
	}
	if rsp == nil {
		return errors.New("export response: want CIM/MESSAGE/SIMPLEEXPRSP/EXPMETHODRESPONSE")
	}
	if e := rsp.child("ERROR"); e != nil {
		code, _ := strconv.Atoi(e.attrOr("CODE", "1"))
		return &cim.Error{Code: cim.Status(code), Description: e.attrOr("DESCRIPTION", "")}
	}
	return nil
}

// An ExportClient sends indications to CIM-XML listeners. Its zero value
// uses http.DefaultClient; it is safe for concurrent use.
type ExportClient struct {
	// HTTP sends the requests; nil means http.DefaultClient.
	HTTP *http.Client
	// User and Password, when User is set, go out as HTTP Basic
	// credentials.
	User, Password string

	id atomic.Int64
}

// Export delivers ind to the listener at url (http or https) with
// ExportIndication, and returns nil once the listener has acknowledged it.
// A listener's ERROR comes back as a *cim.Error; transport failures and
// HTTP statuses other than 200 as other errors.
func (c *ExportClient) Export(ctx context.Context, url string, ind *cim.Instance) error {
	id := strconv.FormatInt(c.id.Add(1), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(EncodeExportIndication(id, ind)))
	if err != nil {
		return fmt.Errorf("export to %s: %w", url, err)
	}
	req.Header.Set("Content-Type", `application/xml; charset="utf-8"`)
	req.Header.Set("CIMProtocolVersion", "1.0")
	req.Header.Set("CIMExport", exportRequest)
	req.Header.Set("CIMExportMethod", exportMethod)
	if c.User != "" {
		req.SetBasicAuth(c.User, c.Password)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	rsp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("export to %s: %w", url, err)
	}
	defer rsp.Body.Close()
	body := io.LimitReader(rsp.Body, maxExportBody)
	if rsp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, body)
		return fmt.Errorf("export to %s: HTTP %s (CIMError %q)", url, rsp.Status, rsp.Header.Get("CIMError"))
	}
	if err := decodeExportResponse(body); err != nil {
		return fmt.Errorf("export to %s: %w", url, err)
	}
	return nil
}
