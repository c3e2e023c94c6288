package cimxml

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// FuzzRequest sends arbitrary bodies through the whole handler, with the
// headers a client would derive from them. It must never panic; a 200
// must carry a well-formed CIM-XML response with one ERROR or a result,
// and a 400 or 501 must name its CIMError.
func FuzzRequest(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/golden/*.req.xml")
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	fx := newFixture(f, 3, func(o *Options) { o.MaxRequestBytes = 1 << 20 })
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/cimom", bytes.NewReader(body))
		setDerivedHeaders(r, body)
		w := fx.serve("fuzzer", r)
		switch w.Code {
		case http.StatusOK:
			res := parseResult(t, w.Code, w.Body.Bytes())
			if err := wellFormed(w.Body.String()); err != nil {
				t.Fatalf("a 200 response is not well-formed: %v\n%s", err, w.Body)
			}
			if res.status == 0 && res.ret == nil && len(res.outputs) == 0 && !bytes.Contains(w.Body.Bytes(), []byte("RESPONSE NAME=")) {
				t.Fatalf("a 200 response without a method response:\n%s", w.Body)
			}
		case http.StatusBadRequest, http.StatusNotImplemented:
			if headerValue(w.Result().Header, "CIMError") == "" {
				t.Fatalf("HTTP %d without CIMError: %s", w.Code, w.Body)
			}
		default:
			t.Fatalf("unexpected HTTP %d: %s", w.Code, w.Body)
		}
	})
}
