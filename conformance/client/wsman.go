package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// WS-Management namespaces and URIs (DSP0226, DSP0227).
const (
	nsSOAP     = "http://www.w3.org/2003/05/soap-envelope"
	nsWSA      = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
	nsWSMan    = "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
	nsWSEN     = "http://schemas.xmlsoap.org/ws/2004/09/enumeration"
	nsWSMB     = "http://schemas.dmtf.org/wbem/wsman/1/cimbinding.xsd"
	nsWSMID    = "http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"
	nsXSI      = "http://www.w3.org/2001/XMLSchema-instance"
	anonymous  = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"
	actionGet  = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Get"
	actionEnum = "http://schemas.xmlsoap.org/ws/2004/09/enumeration/Enumerate"
	actionPull = "http://schemas.xmlsoap.org/ws/2004/09/enumeration/Pull"
	actionCre  = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create"
	actionDel  = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete"
	// DMTFResourcePrefix is the resource URI prefix of CIM_ classes.
	DMTFResourcePrefix = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/"
	allClassesURI      = "http://schemas.dmtf.org/wbem/wscim/1/*"
	assocDialect       = "http://schemas.dmtf.org/wbem/wsman/1/cimbinding/associationFilter"
)

// WSMan is a WS-Management client speaking the CIM binding.
type WSMan struct {
	cfg  Config
	http *http.Client

	mu   sync.Mutex
	uris map[string]string // class (lower case) → resource URI seen in the server's EPRs
}

// NewWSMan returns a WS-Man client for cfg.URL (e.g. http://host:5985/wsman).
func NewWSMan(cfg Config) *WSMan {
	return &WSMan{cfg: cfg, http: newHTTPClient(cfg), uris: map[string]string{}}
}

// Protocol returns "wsman".
func (c *WSMan) Protocol() string { return "wsman" }

// ResourceURI returns the resource URI for class: the one the server used
// in its EPRs, else the DMTF prefix followed by the class name.
func (c *WSMan) ResourceURI(class string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if u, ok := c.uris[strings.ToLower(class)]; ok {
		return u
	}
	return DMTFResourcePrefix + class
}

func (c *WSMan) learn(class, uri string) {
	if class == "" || uri == "" {
		return
	}
	c.mu.Lock()
	c.uris[strings.ToLower(class)] = uri
	c.mu.Unlock()
}

func uuid() string {
	var b [16]byte
	rand.Read(b[:])
	return fmt.Sprintf("uuid:%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// selectorSet writes the selectors for path's keys plus __cimnamespace.
func selectorSet(b *strings.Builder, c *WSMan, p cim.ObjectPath) {
	b.WriteString("<wsman:SelectorSet>")
	if p.Namespace != "" {
		fmt.Fprintf(b, `<wsman:Selector Name="__cimnamespace">%s</wsman:Selector>`, esc(strings.Trim(p.Namespace, "/")))
	}
	for _, k := range p.Keys {
		fmt.Fprintf(b, `<wsman:Selector Name="%s">`, esc(k.Name))
		if ref, ok := k.Value.AsRef(); ok {
			writeEPR(b, c, ref)
		} else {
			b.WriteString(esc(k.Value.Text()))
		}
		b.WriteString("</wsman:Selector>")
	}
	b.WriteString("</wsman:SelectorSet>")
}

func writeEPR(b *strings.Builder, c *WSMan, p cim.ObjectPath) {
	fmt.Fprintf(b, `<wsa:EndpointReference><wsa:Address>%s</wsa:Address><wsa:ReferenceParameters><wsman:ResourceURI>%s</wsman:ResourceURI>`,
		anonymous, esc(c.ResourceURI(p.ClassName)))
	selectorSet(b, c, p)
	b.WriteString("</wsa:ReferenceParameters></wsa:EndpointReference>")
}

// call sends one SOAP request and returns the Body element.
func (c *WSMan) call(ctx context.Context, action, resourceURI string, sel *cim.ObjectPath, body string, auth bool) (*node, error) {
	var b strings.Builder
	fmt.Fprintf(&b, `<s:Envelope xmlns:s="%s" xmlns:wsa="%s" xmlns:wsman="%s" xmlns:wsen="%s" xmlns:wsmb="%s" xmlns:wsmid="%s" xmlns:xsi="%s"><s:Header>`,
		nsSOAP, nsWSA, nsWSMan, nsWSEN, nsWSMB, nsWSMID, nsXSI)
	if action != "" {
		fmt.Fprintf(&b, `<wsa:To>%s</wsa:To><wsman:ResourceURI s:mustUnderstand="true">%s</wsman:ResourceURI>`, esc(c.cfg.URL), esc(resourceURI))
		fmt.Fprintf(&b, `<wsa:ReplyTo><wsa:Address>%s</wsa:Address></wsa:ReplyTo><wsa:Action s:mustUnderstand="true">%s</wsa:Action>`, anonymous, esc(action))
		fmt.Fprintf(&b, `<wsa:MessageID>%s</wsa:MessageID><wsman:MaxEnvelopeSize s:mustUnderstand="true">4194304</wsman:MaxEnvelopeSize><wsman:OperationTimeout>PT120S</wsman:OperationTimeout>`, uuid())
		if sel != nil {
			selectorSet(&b, c, *sel)
		}
	}
	fmt.Fprintf(&b, "</s:Header><s:Body>%s</s:Body></s:Envelope>", body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.URL, strings.NewReader(b.String()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
	if auth && c.cfg.User != "" {
		req.SetBasicAuth(c.cfg.User, c.cfg.Password)
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	slog.Debug("wsman", "op", action, "uri", resourceURI, "status", resp.StatusCode, "took", time.Since(start))
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("wsman %s: HTTP %d with an empty body", action, resp.StatusCode)
	}
	env, err := parseXML(data)
	if err != nil {
		return nil, fmt.Errorf("wsman %s: HTTP %d: %w", action, resp.StatusCode, err)
	}
	body2 := env.kid("Body")
	if body2 == nil {
		return nil, fmt.Errorf("wsman %s: no SOAP body", action)
	}
	if f := body2.kid("Fault"); f != nil {
		return nil, decodeFault(f)
	}
	return body2, nil
}

// Identify sends wsmid:Identify without credentials and returns the
// IdentifyResponse's fields by local name (ProtocolVersion, ProductVendor, …).
func (c *WSMan) Identify(ctx context.Context) (map[string]string, error) {
	body, err := c.call(ctx, "", "", nil, "<wsmid:Identify/>", false)
	if err != nil {
		return nil, err
	}
	r := body.kid("IdentifyResponse")
	if r == nil {
		return nil, fmt.Errorf("Identify: no IdentifyResponse")
	}
	out := map[string]string{}
	for _, k := range r.Kids {
		out[k.XMLName.Local] = k.text()
	}
	return out, nil
}

// GetInstance is WS-Transfer Get.
func (c *WSMan) GetInstance(ctx context.Context, path cim.ObjectPath) (*cim.Instance, error) {
	body, err := c.call(ctx, actionGet, c.ResourceURI(path.ClassName), &path, "", true)
	if err != nil {
		return nil, err
	}
	if len(body.Kids) == 0 {
		return nil, fmt.Errorf("Get: empty body")
	}
	return c.decodeInstance(body.Kids[0], path.Namespace), nil
}

// DeleteInstance is WS-Transfer Delete.
func (c *WSMan) DeleteInstance(ctx context.Context, path cim.ObjectPath) error {
	_, err := c.call(ctx, actionDel, c.ResourceURI(path.ClassName), &path, "", true)
	return err
}

// CreateInstance is WS-Transfer Create; it returns the path of the
// wxf:ResourceCreated EPR.
func (c *WSMan) CreateInstance(ctx context.Context, ns string, inst *cim.Instance) (cim.ObjectPath, error) {
	var b strings.Builder
	c.writeInstance(&b, "p", inst)
	sel := cim.ObjectPath{Namespace: ns}
	body, err := c.call(ctx, actionCre, c.ResourceURI(inst.ClassName), &sel, b.String(), true)
	if err != nil {
		return cim.ObjectPath{}, err
	}
	rc := body.kid("ResourceCreated")
	if rc == nil {
		return cim.ObjectPath{}, fmt.Errorf("Create: no ResourceCreated")
	}
	return c.decodeEPR(rc), nil
}
