package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// WS-Management URIs the wsman listener uses (DSP0226 §10).
const (
	nsSOAP        = "http://www.w3.org/2003/05/soap-envelope"
	nsWSA         = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
	nsWSMan       = "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
	nsWSE         = "http://schemas.xmlsoap.org/ws/2004/08/eventing"
	anonymous     = nsWSA + "/role/anonymous"
	allClassesURI = "http://schemas.dmtf.org/wbem/wscim/1/*"
	dialectWQL    = "http://schemas.dmtf.org/wbem/wsman/1/WQL"
	modePush      = nsWSE + "/DeliveryModes/Push"
	modePushAck   = "http://schemas.dmtf.org/wbem/wsman/1/wsman/PushWithAck"
)

// wsmanClient sends WS-Management requests to one server.
type wsmanClient struct {
	url, user, password string
	http                *http.Client
}

func newWSManClient(url, user, password string, insecure bool) *wsmanClient {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if insecure {
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	}
	return &wsmanClient{url: url, user: user, password: password, http: &http.Client{Transport: tr, Timeout: 60 * time.Second}}
}

// xnode is a parsed XML element.
type xnode struct {
	XMLName xml.Name
	Text    string  `xml:",chardata"`
	Kids    []xnode `xml:",any"`
}

// find returns the first descendant named {space}local, or nil.
func (n *xnode) find(space, local string) *xnode {
	if n == nil {
		return nil
	}
	for i := range n.Kids {
		k := &n.Kids[i]
		if k.XMLName.Space == space && k.XMLName.Local == local {
			return k
		}
		if f := k.find(space, local); f != nil {
			return f
		}
	}
	return nil
}

func (n *xnode) text() string {
	if n == nil {
		return ""
	}
	return strings.TrimSpace(n.Text)
}

func newMessageID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("uuid:%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// call sends action to the server with the extra headers and body, and
// returns the response's Body; a fault is an error naming its subcode.
func (c *wsmanClient) call(ctx context.Context, to, action, resourceURI, headers, body string) (*xnode, error) {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="%s" xmlns:wsa="%s" xmlns:wsman="%s" xmlns:wse="%s"><s:Header>`,
		nsSOAP, nsWSA, nsWSMan, nsWSE)
	fmt.Fprintf(&b, `<wsa:To>%s</wsa:To><wsa:Action s:mustUnderstand="true">%s</wsa:Action><wsa:MessageID>%s</wsa:MessageID>`,
		xmlEscape(to), xmlEscape(action), newMessageID())
	fmt.Fprintf(&b, `<wsa:ReplyTo><wsa:Address>%s</wsa:Address></wsa:ReplyTo>`, anonymous)
	if resourceURI != "" {
		fmt.Fprintf(&b, `<wsman:ResourceURI s:mustUnderstand="true">%s</wsman:ResourceURI>`, xmlEscape(resourceURI))
	}
	b.WriteString(headers)
	fmt.Fprintf(&b, `</s:Header><s:Body>%s</s:Body></s:Envelope>`, body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, strings.NewReader(b.String()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
	if c.user != "" {
		req.SetBasicAuth(c.user, c.password)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", action, err)
	}
	var env xnode
	if err := xml.Unmarshal(data, &env); err != nil {
		return nil, fmt.Errorf("%s: HTTP %d: %w", action, resp.StatusCode, err)
	}
	if f := env.find(nsSOAP, "Fault"); f != nil {
		sub := f.find(nsSOAP, "Subcode").find(nsSOAP, "Value").text()
		return nil, fmt.Errorf("%s: fault %s: %s", action, sub, f.find(nsSOAP, "Reason").find(nsSOAP, "Text").text())
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: HTTP %d", action, resp.StatusCode)
	}
	bodyNode := env.find(nsSOAP, "Body")
	if bodyNode == nil {
		return nil, fmt.Errorf("%s: the response has no Body", action)
	}
	return bodyNode, nil
}
