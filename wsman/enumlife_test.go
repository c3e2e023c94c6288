package wsman

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
)

func addVMs(e *testEnv, n int) {
	for i := range n {
		e.vms.add(testVM(fmt.Sprintf("bulk%05d", i), "bulk worker", 2))
	}
}

func TestLargePullIsStreamedAndEndsCleanly(t *testing.T) {
	e := newTestEnv(t)
	addVMs(e, 600) // about 300 KiB of items, well past streamThreshold
	ctx := e.openEnumeration(testUser, vmURI)
	r := e.pull(testUser, ctx, 1000)
	body := string(r.body)
	if r.status != 200 || r.header.Get("Content-Length") != "" {
		t.Fatalf("HTTP %d, Content-Length %q: want a streamed 200", r.status, r.header.Get("Content-Length"))
	}
	if _, err := indentXML(body); err != nil {
		t.Fatalf("streamed response is not well-formed: %v", err)
	}
	if n := strings.Count(body, "<p:Ferrum_ComputerSystem "); n != 602 {
		t.Errorf("%d items, want 602", n)
	}
	if !strings.Contains(body, "<wsen:EndOfSequence/>") || !strings.Contains(body, ctx) {
		t.Errorf("a committed response ending the sequence carries both the context and EndOfSequence")
	}
	r = e.pull(testUser, ctx, 10)
	if !strings.Contains(string(r.body), "<wsen:EndOfSequence/>") || strings.Contains(string(r.body), "<wsen:EnumerationContext>") {
		t.Errorf("the Pull after a streamed end should confirm it:\n%s", r.body)
	}
	if n := e.h.enums.count(); n != 0 {
		t.Errorf("%d contexts left", n)
	}
}

func TestEnumerationContextsAreBoundedPerUser(t *testing.T) {
	e := newTestEnv(t, func(o *Options) { o.MaxEnumerationsPerUser = 2 })
	e.openEnumeration(testUser, vmURI)
	e.openEnumeration(testUser, vmURI)
	r := e.post([]byte(strings.ReplaceAll(enumerateXML, "{URI}", vmURI)), testUser)
	if r.status != 500 || !strings.Contains(string(r.body), "wsman:QuotaLimit") {
		t.Errorf("third enumeration: HTTP %d\n%s", r.status, r.body)
	}
	e.openEnumeration(otherUser, vmURI) // others are not affected
}

const enumerateXML = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:wsman="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:wsen="http://schemas.xmlsoap.org/ws/2004/09/enumeration">
<s:Header><wsa:To>/wsman</wsa:To><wsa:Action>http://schemas.xmlsoap.org/ws/2004/09/enumeration/Enumerate</wsa:Action>
<wsa:MessageID>uuid:33333333-3333-4333-8333-333333333333</wsa:MessageID><wsman:ResourceURI>{URI}</wsman:ResourceURI></s:Header>
<s:Body><wsen:Enumerate/></s:Body></s:Envelope>`

func TestExpiredContextsAreSweptAndTheirProducersStop(t *testing.T) {
	e := newTestEnv(t)
	addVMs(e, 500)
	id := e.openEnumeration(testUser, vmURI)
	c := e.h.enums.byID[id]
	e.now = e.now.Add(11 * time.Minute)
	e.h.enums.sweep()
	if n := e.h.enums.count(); n != 0 {
		t.Fatalf("%d contexts after the sweep", n)
	}
	deadline := time.After(5 * time.Second)
	for {
		select {
		case _, ok := <-c.prod.ch:
			if !ok {
				return
			}
		case <-deadline:
			t.Fatal("the producer of an expired context is still running")
		}
	}
}

// countingProvider counts the instances it has handed out.
type countingProvider struct {
	memProvider
	yielded atomic.Int64
}

func (p *countingProvider) EnumerateInstances(ctx context.Context, ns string, class *cim.Class, yield func(*cim.Instance) bool) error {
	return p.memProvider.EnumerateInstances(ctx, ns, class, func(in *cim.Instance) bool {
		p.yielded.Add(1)
		return yield(in)
	})
}

func TestProducersDoNotRunAhead(t *testing.T) {
	e := newTestEnv(t)
	cp := &countingProvider{}
	for i := range 1000 {
		cp.add(cim.NewInstance("Ferrum_ProcessorPool").Set("InstanceID", cim.String(fmt.Sprintf("pool%d", i))))
	}
	e.d.Providers.Handle(cimom.VirtNamespace, "Ferrum_ProcessorPool", cp)
	e.openEnumeration(testUser, FerrumResourcePrefix+"Ferrum_ProcessorPool")
	// The producer fills its buffer, then blocks handing over one more.
	want := int64(producerBuffer + 1)
	deadline := time.Now().Add(5 * time.Second)
	for cp.yielded.Load() < want && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	if got := cp.yielded.Load(); got != want {
		t.Errorf("the provider yielded %d instances before any Pull, want %d", got, want)
	}
}

func TestCloseEndsEveryEnumeration(t *testing.T) {
	e := newTestEnv(t)
	e.openEnumeration(testUser, vmURI)
	e.openEnumeration(otherUser, vmURI)
	_ = e.h.Close()
	if n := e.h.enums.count(); n != 0 {
		t.Errorf("%d contexts after Close", n)
	}
}

func TestHTTPLimits(t *testing.T) {
	e := newTestEnv(t, func(o *Options) { o.MaxRequestSize = 4096 })
	big := []byte(strings.Replace(enumerateXML, "<s:Body>", "<s:Body><!--"+strings.Repeat("x", 5000)+"-->", 1))
	for _, c := range []struct {
		name       string
		method     string
		body       []byte
		ctype      string
		user       string
		wantStatus int
		wantBody   string
	}{
		{"GET is not allowed", http.MethodGet, nil, "", testUser, 405, ""},
		{"an oversized request → EncodingLimit", http.MethodPost, big, "application/soap+xml", testUser, 500, "faultDetail/ServiceEnvelopeLimit"},
		{"an oversized request without credentials → 401", http.MethodPost, big, "application/soap+xml", "", 401, ""},
		{"a UTF-16 request → EncodingLimit", http.MethodPost, []byte(enumerateXML), "application/soap+xml;charset=UTF-16", testUser, 500, "faultDetail/CharacterSet"},
		{"garbage without credentials → 401", http.MethodPost, []byte("hello"), "text/plain", "", 401, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(c.method, "http://ferrum.test/wsman", strings.NewReader(string(c.body)))
			if c.ctype != "" {
				r.Header.Set("Content-Type", c.ctype)
			}
			if c.user != "" {
				r.SetBasicAuth(c.user, testPassword)
			}
			w := httptest.NewRecorder()
			e.h.ServeHTTP(w, r)
			if w.Code != c.wantStatus || !strings.Contains(w.Body.String(), c.wantBody) {
				t.Errorf("HTTP %d, want %d with %q:\n%s", w.Code, c.wantStatus, c.wantBody, w.Body)
			}
		})
	}
}
