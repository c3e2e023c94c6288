package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// CIMXML is a CIM-XML client (DSP0200 over HTTP POST).
type CIMXML struct {
	cfg  Config
	http *http.Client
	id   atomic.Int64
}

// NewCIMXML returns a CIM-XML client for cfg.URL (e.g. http://host:5988/cimom).
func NewCIMXML(cfg Config) *CIMXML {
	return &CIMXML{cfg: cfg, http: newHTTPClient(cfg)}
}

func newHTTPClient(cfg Config) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if cfg.Insecure {
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // the user asked for it
	}
	return &http.Client{Transport: tr, Timeout: 2 * time.Minute}
}

// Protocol returns "cimxml".
func (c *CIMXML) Protocol() string { return "cimxml" }

// imethod calls an intrinsic method and returns the IMETHODRESPONSE element.
func (c *CIMXML) imethod(ctx context.Context, ns, name string, params ...iparam) (*node, error) {
	var b strings.Builder
	fmt.Fprintf(&b, `<IMETHODCALL NAME="%s">`, name)
	writeLocalNamespace(&b, ns)
	for _, p := range params {
		fmt.Fprintf(&b, `<IPARAMVALUE NAME="%s">%s</IPARAMVALUE>`, p.name, p.xml)
	}
	b.WriteString("</IMETHODCALL>")
	resp, err := c.post(ctx, name, url.PathEscape(strings.Trim(ns, "/")), b.String())
	if err != nil {
		return nil, err
	}
	r := resp.find("IMETHODRESPONSE")
	if r == nil {
		return nil, fmt.Errorf("%s: response without IMETHODRESPONSE", name)
	}
	return r, errorOf(r)
}

func (c *CIMXML) post(ctx context.Context, method, object, body string) (*node, error) {
	id := c.id.Add(1)
	doc := fmt.Sprintf(`<?xml version="1.0" encoding="utf-8"?><CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="%d" PROTOCOLVERSION="1.0"><SIMPLEREQ>%s</SIMPLEREQ></MESSAGE></CIM>`, id, body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.URL, strings.NewReader(doc))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", `application/xml; charset="utf-8"`)
	req.Header.Set("CIMProtocolVersion", "1.0")
	req.Header.Set("CIMOperation", "MethodCall")
	req.Header.Set("CIMMethod", method)
	req.Header.Set("CIMObject", object)
	if c.cfg.User != "" {
		req.SetBasicAuth(c.cfg.User, c.cfg.Password)
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	slog.Debug("cimxml", "op", method, "object", object, "status", resp.StatusCode, "took", time.Since(start))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: HTTP %d %s %s", method, resp.StatusCode, resp.Header.Get("CIMError"), bytes.TrimSpace(data))
	}
	if code := resp.Trailer.Get("CIMStatusCode"); code != "" && code != "0" {
		return nil, &Error{Status: parseStatus(code), Message: resp.Trailer.Get("CIMStatusCodeDescription")}
	}
	return parseXML(data)
}

func parseStatus(s string) cim.Status {
	var n int
	fmt.Sscan(s, &n)
	return cim.Status(n)
}

// errorOf returns the ERROR child of a (I)METHODRESPONSE as *Error, or nil.
func errorOf(r *node) error {
	e := r.kid("ERROR")
	if e == nil {
		return nil
	}
	return &Error{Status: parseStatus(e.attr("CODE")), Message: e.attr("DESCRIPTION")}
}

func (c *CIMXML) objects(ctx context.Context, ns, op string, params ...iparam) ([]Object, error) {
	r, err := c.imethod(ctx, ns, op, params...)
	if err != nil {
		return nil, err
	}
	var out []Object
	for _, k := range r.kid("IRETURNVALUE").Kids {
		o, err := decodeObjectWithPath(k, ns)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		out = append(out, o)
	}
	return out, nil
}

func (c *CIMXML) paths(ctx context.Context, ns, op string, params ...iparam) ([]cim.ObjectPath, error) {
	r, err := c.imethod(ctx, ns, op, params...)
	if err != nil {
		return nil, err
	}
	var out []cim.ObjectPath
	for _, k := range r.kid("IRETURNVALUE").Kids {
		p, err := decodePath(k, ns)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// EnumerateInstances enumerates class and its subclasses (DeepInheritance).
func (c *CIMXML) EnumerateInstances(ctx context.Context, ns, class string) ([]Object, error) {
	return c.objects(ctx, ns, "EnumerateInstances", classNameParam("ClassName", class),
		boolParam("LocalOnly", false), boolParam("DeepInheritance", true))
}

// EnumerateInstanceNames enumerates the paths of class's instances.
func (c *CIMXML) EnumerateInstanceNames(ctx context.Context, ns, class string) ([]cim.ObjectPath, error) {
	return c.paths(ctx, ns, "EnumerateInstanceNames", classNameParam("ClassName", class))
}

// GetInstance returns the instance at path.
func (c *CIMXML) GetInstance(ctx context.Context, path cim.ObjectPath) (*cim.Instance, error) {
	r, err := c.imethod(ctx, path.Namespace, "GetInstance", instanceNameParam("InstanceName", path), boolParam("LocalOnly", false))
	if err != nil {
		return nil, err
	}
	return decodeInstance(r.kid("IRETURNVALUE").kid("INSTANCE"), path.Namespace)
}

// Associators returns the instances associated with path.
func (c *CIMXML) Associators(ctx context.Context, path cim.ObjectPath, f AssocFilter) ([]Object, error) {
	return c.objects(ctx, path.Namespace, "Associators", append([]iparam{instanceNameParam("ObjectName", path)}, assocParams(f)...)...)
}

// AssociatorNames returns the paths of the instances associated with path.
func (c *CIMXML) AssociatorNames(ctx context.Context, path cim.ObjectPath, f AssocFilter) ([]cim.ObjectPath, error) {
	return c.paths(ctx, path.Namespace, "AssociatorNames", append([]iparam{instanceNameParam("ObjectName", path)}, assocParams(f)...)...)
}

// References returns the association instances that refer to path.
func (c *CIMXML) References(ctx context.Context, path cim.ObjectPath, resultClass, role string) ([]Object, error) {
	return c.objects(ctx, path.Namespace, "References", append([]iparam{instanceNameParam("ObjectName", path)},
		assocParams(AssocFilter{ResultClass: resultClass, Role: role})...)...)
}

// ReferenceNames returns the paths of the association instances that refer to path.
func (c *CIMXML) ReferenceNames(ctx context.Context, path cim.ObjectPath, resultClass, role string) ([]cim.ObjectPath, error) {
	return c.paths(ctx, path.Namespace, "ReferenceNames", append([]iparam{instanceNameParam("ObjectName", path)},
		assocParams(AssocFilter{ResultClass: resultClass, Role: role})...)...)
}

// CreateInstance creates inst in ns and returns its path.
func (c *CIMXML) CreateInstance(ctx context.Context, ns string, inst *cim.Instance) (cim.ObjectPath, error) {
	var b strings.Builder
	writeInstance(&b, inst)
	r, err := c.imethod(ctx, ns, "CreateInstance", iparam{"NewInstance", b.String()})
	if err != nil {
		return cim.ObjectPath{}, err
	}
	rv := r.kid("IRETURNVALUE")
	if rv == nil || len(rv.Kids) == 0 {
		return cim.ObjectPath{}, fmt.Errorf("CreateInstance: no INSTANCENAME returned")
	}
	return decodePath(rv.Kids[0], ns)
}

// DeleteInstance deletes the instance at path.
func (c *CIMXML) DeleteInstance(ctx context.Context, path cim.ObjectPath) error {
	_, err := c.imethod(ctx, path.Namespace, "DeleteInstance", instanceNameParam("InstanceName", path))
	return err
}

// InvokeMethod calls method on the instance (or class, without keys) at path.
func (c *CIMXML) InvokeMethod(ctx context.Context, path cim.ObjectPath, method string, in cim.Params) (cim.Value, cim.Params, error) {
	var b strings.Builder
	fmt.Fprintf(&b, `<METHODCALL NAME="%s">`, esc(method))
	if path.IsInstance() {
		b.WriteString("<LOCALINSTANCEPATH>")
		writeLocalNamespace(&b, path.Namespace)
		writeInstanceName(&b, path)
		b.WriteString("</LOCALINSTANCEPATH>")
	} else {
		b.WriteString("<LOCALCLASSPATH>")
		writeLocalNamespace(&b, path.Namespace)
		fmt.Fprintf(&b, `<CLASSNAME NAME="%s"/>`, esc(path.ClassName))
		b.WriteString("</LOCALCLASSPATH>")
	}
	for _, p := range in {
		writeParamValue(&b, p)
	}
	b.WriteString("</METHODCALL>")
	object := strings.TrimPrefix(path.Local().String(), "/")
	resp, err := c.post(ctx, method, url.PathEscape(object), b.String())
	if err != nil {
		return cim.Value{}, nil, err
	}
	r := resp.find("METHODRESPONSE")
	if r == nil {
		return cim.Value{}, nil, fmt.Errorf("%s: response without METHODRESPONSE", method)
	}
	if err := errorOf(r); err != nil {
		return cim.Value{}, nil, err
	}
	var rv cim.Value
	if n := r.kid("RETURNVALUE"); n != nil {
		if rv, err = decodePropertyValue(n, path.Namespace); err != nil {
			return rv, nil, err
		}
	}
	var out cim.Params
	for _, p := range r.all("PARAMVALUE") {
		v, err := decodePropertyValue(p, path.Namespace)
		if err != nil {
			return rv, out, fmt.Errorf("%s: output %s: %w", method, p.attr("NAME"), err)
		}
		out = append(out, cim.Param{Name: p.attr("NAME"), Value: v})
	}
	return rv, out, nil
}
