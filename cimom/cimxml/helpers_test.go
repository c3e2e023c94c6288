package cimxml

import (
	"bytes"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// ipv writes an IPARAMVALUE.
func ipv(name, inner string) string {
	return `<IPARAMVALUE NAME="` + name + `">` + inner + `</IPARAMVALUE>`
}

// xval writes a VALUE with escaped text.
func xval(s any) string { return "<VALUE>" + html.EscapeString(fmt.Sprint(s)) + "</VALUE>" }

// vmName writes the INSTANCENAME of a test virtual machine.
func vmName(name string) string {
	return `<INSTANCENAME CLASSNAME="Ferrum_ComputerSystem">` +
		`<KEYBINDING NAME="CreationClassName"><KEYVALUE VALUETYPE="string">Ferrum_ComputerSystem</KEYVALUE></KEYBINDING>` +
		`<KEYBINDING NAME="Name"><KEYVALUE VALUETYPE="string">` + name + `</KEYVALUE></KEYBINDING></INSTANCENAME>`
}

// requestBody writes the body of an intrinsic call in namespace ns.
func requestBody(method, namespace string, params ...string) string {
	var nsb strings.Builder
	for _, part := range strings.Split(namespace, "/") {
		nsb.WriteString(`<NAMESPACE NAME="` + part + `"/>`)
	}
	return `<?xml version="1.0" encoding="utf-8"?><CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="7" PROTOCOLVERSION="1.0"><SIMPLEREQ>` +
		`<IMETHODCALL NAME="` + method + `"><LOCALNAMESPACEPATH>` + nsb.String() + `</LOCALNAMESPACEPATH>` +
		strings.Join(params, "") + `</IMETHODCALL></SIMPLEREQ></MESSAGE></CIM>`
}

// intrinsicCall builds the HTTP request of an intrinsic call in root/virt with
// the headers a client sends.
func intrinsicCall(method string, params ...string) *http.Request {
	return newCIMRequest(method, ns, requestBody(method, ns, params...))
}

func newCIMRequest(method, namespace, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/cimom", strings.NewReader(body))
	r.Header.Set("Content-Type", `application/xml; charset="utf-8"`)
	r.Header.Set("CIMOperation", "MethodCall")
	r.Header.Set("CIMMethod", method)
	r.Header.Set("CIMObject", strings.ReplaceAll(namespace, "/", "%2F"))
	r.Header.Set("CIMProtocolVersion", "1.0")
	return r
}

// cimResult is the parsed answer to an intrinsic call.
type cimResult struct {
	code    int    // HTTP status
	status  int    // CIM status: ERROR CODE, 0 for success
	desc    string // ERROR DESCRIPTION
	ret     *element
	outputs map[string]*element // PARAMVALUEs by name
	body    []byte
}

// call sends an intrinsic call as user and parses the response.
func (f *fixture) call(t *testing.T, user, method string, params ...string) cimResult {
	t.Helper()
	w := f.serve(user, intrinsicCall(method, params...))
	return parseResult(t, w.Code, w.Body.Bytes())
}

func parseResult(t *testing.T, code int, body []byte) cimResult {
	t.Helper()
	res := cimResult{code: code, body: body, outputs: map[string]*element{}}
	if code != http.StatusOK {
		return res
	}
	root, err := parseXML(bytes.NewReader(body), defaultXMLLimits)
	if err != nil {
		t.Fatalf("the response is not XML: %v\n%s", err, body)
	}
	resp := root.child("MESSAGE").child("SIMPLERSP").kids[0]
	for _, k := range resp.kids {
		switch k.name {
		case "ERROR":
			res.status, _ = strconv.Atoi(k.attrOr("CODE", "-1"))
			res.desc = k.attrOr("DESCRIPTION", "")
		case "IRETURNVALUE", "RETURNVALUE":
			res.ret = k
		case "PARAMVALUE":
			res.outputs[k.attrOr("NAME", "")] = k
		}
	}
	return res
}

// want fails the test unless the call ended with CIM status code.
func (r cimResult) want(t *testing.T, code int) cimResult {
	t.Helper()
	if r.code != http.StatusOK || r.status != code {
		t.Fatalf("HTTP %d, CIM status %d (%s); want CIM status %d\n%s", r.code, r.status, r.desc, code, r.body)
	}
	return r
}

// context returns the EnumerationContext of a pull response, "" when null.
func (r cimResult) context() string {
	if e := r.outputs["EnumerationContext"]; e != nil && len(e.kids) > 0 {
		return e.kids[0].text
	}
	return ""
}

// eos returns EndOfSequence.
func (r cimResult) eos(t *testing.T) bool {
	t.Helper()
	e := r.outputs["EndOfSequence"]
	if e == nil || len(e.kids) != 1 {
		t.Fatalf("no EndOfSequence in\n%s", r.body)
	}
	return e.kids[0].text == "TRUE"
}

// count returns the number of objects in IRETURNVALUE.
func (r cimResult) count() int {
	if r.ret == nil {
		return 0
	}
	return len(r.ret.kids)
}
