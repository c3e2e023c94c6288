package cimxml

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom/auth"
	"github.com/ferrum-virt/ferrum/cimom/cim"
)

func TestHTTPLevel(t *testing.T) {
	f := newFixture(t, 3, func(o *Options) { o.MaxRequestBytes = 4096 })
	tests := []struct {
		name       string
		req        func() *http.Request
		user       string
		wantCode   int
		wantHeader map[string]string
	}{
		{"GET → 405 with Allow", func() *http.Request {
			return httptest.NewRequest(http.MethodGet, "/cimom", nil)
		}, "alice", http.StatusMethodNotAllowed, map[string]string{"Allow": "POST, M-POST"}},
		{"a request without a principal → 401 with a challenge", func() *http.Request {
			return intrinsicCall("EnumerateInstanceNames", ipv("ClassName", `<CLASSNAME NAME="CIM_ComputerSystem"/>`))
		}, "", http.StatusUnauthorized, map[string]string{"WWW-Authenticate": `Basic realm="ferrum"`}},
		{"a body larger than MaxRequestBytes → 413", func() *http.Request {
			pad := ipv("PropertyList", "<VALUE.ARRAY>"+strings.Repeat("<VALUE>Name</VALUE>", 300)+"</VALUE.ARRAY>")
			return intrinsicCall("GetInstance", ipv("InstanceName", vmName("vm1")), pad)
		}, "alice", http.StatusRequestEntityTooLarge, nil},
		{"elements nested deeper than the limit → 400 request-not-valid", func() *http.Request {
			deep := strings.Repeat("<VALUE.ARRAY>", 70) + strings.Repeat("</VALUE.ARRAY>", 70)
			return intrinsicCall("GetInstance", ipv("InstanceName", vmName("vm1")), ipv("PropertyList", deep))
		}, "alice", http.StatusBadRequest, map[string]string{"CIMError": "request-not-valid"}},
		{"an entity reference to nowhere → 400 request-not-well-formed", func() *http.Request {
			return intrinsicCall("GetInstance", ipv("InstanceName", vmName("&boom;")))
		}, "alice", http.StatusBadRequest, map[string]string{"CIMError": "request-not-well-formed"}},
		{"invalid UTF-8 → 400 request-not-well-formed", func() *http.Request {
			return intrinsicCall("GetInstance", ipv("InstanceName", vmName("vm\xff")))
		}, "alice", http.StatusBadRequest, map[string]string{"CIMError": "request-not-well-formed"}},
		{"a second root element → 400 request-not-well-formed", func() *http.Request {
			body := requestBody("GetInstance", ns, ipv("InstanceName", vmName("vm1"))) + "<CIM/>"
			return newCIMRequest("GetInstance", ns, body)
		}, "alice", http.StatusBadRequest, map[string]string{"CIMError": "request-not-well-formed"}},
		{"a missing Content-Type → 400", func() *http.Request {
			r := intrinsicCall("GetInstance", ipv("InstanceName", vmName("vm1")))
			r.Header.Del("Content-Type")
			return r
		}, "alice", http.StatusBadRequest, nil},
		{"text/xml is accepted", func() *http.Request {
			r := intrinsicCall("GetInstance", ipv("InstanceName", vmName("vm1")))
			r.Header.Set("Content-Type", "text/xml")
			return r
		}, "alice", http.StatusOK, map[string]string{"CIMOperation": "MethodResponse"}},
		{"a missing CIMProtocolVersion means 1.0", func() *http.Request {
			r := intrinsicCall("GetInstance", ipv("InstanceName", vmName("vm1")))
			r.Header.Del("CIMProtocolVersion")
			return r
		}, "alice", http.StatusOK, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := f.serve(tc.user, tc.req())
			if w.Code != tc.wantCode {
				t.Fatalf("HTTP %d, want %d\n%s", w.Code, tc.wantCode, w.Body)
			}
			for k, v := range tc.wantHeader {
				if got := headerValue(w.Result().Header, k); got != v {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
		})
	}
}

// TestResponseBuffering checks the choice the handler makes for errors met
// while a response is being produced.
func TestResponseBuffering(t *testing.T) {
	enumerate := requestBody("EnumerateInstanceNames", ns, ipv("ClassName", `<CLASSNAME NAME="Ferrum_ComputerSystem"/>`))
	post := func(t *testing.T, url string, trailers bool) (*http.Response, []byte, error) {
		t.Helper()
		r, _ := http.NewRequest(http.MethodPost, url+"/cimom", strings.NewReader(enumerate))
		r.Header = newCIMRequest("EnumerateInstanceNames", ns, "").Header
		if trailers {
			r.Header.Set("TE", "trailers")
		}
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		return resp, body, err
	}
	server := func(t *testing.T, n, failAfter int) string {
		f := newFixture(t, n, func(o *Options) { o.BufferBytes, o.FlushBytes = 4096, 1024 })
		f.vms.failAfter = failAfter
		srv := httptest.NewServer(withPrincipal("alice", f.h))
		t.Cleanup(srv.Close)
		return srv.URL
	}

	t.Run("an error before the buffer fills → a whole ERROR response", func(t *testing.T) {
		resp, body, err := post(t, server(t, 100, 5), false)
		if err != nil {
			t.Fatal(err)
		}
		r := parseResult(t, resp.StatusCode, body).want(t, int(cim.ErrFailed))
		if r.ret != nil || resp.ContentLength != int64(len(body)) {
			t.Fatalf("a failed response holds objects or has no Content-Length:\n%s", body)
		}
	})
	t.Run("a small response has a Content-Length", func(t *testing.T) {
		resp, body, err := post(t, server(t, 3, 0), true)
		if err != nil || resp.ContentLength != int64(len(body)) || len(resp.Trailer) != 0 {
			t.Fatalf("Content-Length %d for %d bytes, trailers %v, err %v", resp.ContentLength, len(body), resp.Trailer, err)
		}
	})
	t.Run("a large response streams and ends with CIMStatusCode 0 when the client takes trailers", func(t *testing.T) {
		resp, body, err := post(t, server(t, 300, 0), true)
		if err != nil {
			t.Fatal(err)
		}
		if resp.ContentLength != -1 || resp.Trailer.Get("CIMStatusCode") != "0" {
			t.Fatalf("Content-Length %d, trailers %v", resp.ContentLength, resp.Trailer)
		}
		if r := parseResult(t, resp.StatusCode, body).want(t, 0); r.count() != 300 {
			t.Fatalf("%d names", r.count())
		}
	})
	t.Run("an error after the response began travels in the trailers", func(t *testing.T) {
		resp, body, err := post(t, server(t, 300, 200), true)
		if err != nil {
			t.Fatal(err)
		}
		if got := resp.Trailer.Get("CIMStatusCode"); got != strconv.Itoa(int(cim.ErrFailed)) {
			t.Fatalf("CIMStatusCode trailer %q, trailers %v", got, resp.Trailer)
		}
		if d := resp.Trailer.Get("CIMStatusCodeDescription"); !strings.Contains(d, "hypervisor went away") {
			t.Errorf("CIMStatusCodeDescription %q", d)
		}
		if r := parseResult(t, resp.StatusCode, body); r.count() != 200 {
			t.Errorf("the body before the error holds %d names", r.count())
		}
	})
	t.Run("an error after the response began cuts the connection without trailers", func(t *testing.T) {
		_, body, err := post(t, server(t, 300, 200), false)
		if err == nil {
			t.Fatalf("the client read a cut response as complete:\n…%s", body[max(0, len(body)-200):])
		}
		if !errors.Is(err, io.ErrUnexpectedEOF) && !strings.Contains(err.Error(), "unexpected EOF") {
			t.Logf("the read failed with %v", err)
		}
	})
}

// headerValue finds a header whatever the case of its key: the handler
// keeps DSP0200's spelling, which is not Go's canonical form.
func headerValue(h http.Header, name string) string {
	for k, vs := range h {
		if strings.EqualFold(k, name) {
			return strings.Join(vs, ", ")
		}
	}
	return ""
}

// withPrincipal stands in for authentication middleware.
func withPrincipal(user string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), auth.Principal{User: user})))
	})
}

// countingWriter records how a response is written.
type countingWriter struct {
	header   http.Header
	writes   int
	largest  int
	total    int
	flushes  int
	finished bool
}

func (c *countingWriter) Header() http.Header { return c.header }
func (c *countingWriter) WriteHeader(int)     {}
func (c *countingWriter) Flush()              { c.flushes++ }
func (c *countingWriter) Write(b []byte) (int, error) {
	c.writes++
	c.total += len(b)
	c.largest = max(c.largest, len(b))
	return len(b), nil
}

// TestStreamingKeepsMemoryFlat checks that a large enumeration goes out in
// chunks of about FlushBytes once the buffer limit is passed, rather than
// being assembled whole.
func TestStreamingKeepsMemoryFlat(t *testing.T) {
	f := newFixture(t, 2000, func(o *Options) { o.BufferBytes, o.FlushBytes = 64<<10, 16<<10 })
	r := intrinsicCall("EnumerateInstances", ipv("ClassName", `<CLASSNAME NAME="Ferrum_ComputerSystem"/>`))
	r = r.WithContext(auth.WithPrincipal(context.Background(), auth.Principal{User: "alice"}))
	w := &countingWriter{header: http.Header{}}
	f.h.ServeHTTP(w, r)
	if w.total < 2000*1000 {
		t.Fatalf("only %d bytes written", w.total)
	}
	if w.largest > 64<<10+8<<10 || w.flushes < w.total/(32<<10) {
		t.Fatalf("%d bytes in %d writes (largest %d) with %d flushes: the response was not streamed", w.total, w.writes, w.largest, w.flushes)
	}
}

// TestNoDTD makes sure no entity is ever expanded: the DOCTYPE is refused
// before the decoder could use it.
func TestNoDTD(t *testing.T) {
	body := `<?xml version="1.0"?><!DOCTYPE CIM [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><CIM CIMVERSION="2.0" DTDVERSION="2.0"/>`
	_, err := parseXML(bytes.NewReader([]byte(body)), defaultXMLLimits)
	if !errors.Is(err, errNotAllowed) {
		t.Fatalf("a DOCTYPE was not refused: %v", err)
	}
}
