package daemon

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom/auth"
	"golang.org/x/crypto/bcrypt"
)

// newTestRouter returns the router over a store with user "op" (password
// "op-secret") and the given bindings (the 501 defaults when zero), logging
// at debug level into the returned buffer.
func newTestRouter(t *testing.T, b Bindings) (http.Handler, *bytes.Buffer) {
	t.Helper()
	users := auth.NewMemoryUserStore()
	h, err := auth.HashPassword("op-secret", bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if err := users.CreateUser(context.Background(), auth.User{Name: "op", PasswordHash: h, Roles: []string{"operator"}}); err != nil {
		t.Fatal(err)
	}
	authn, err := auth.NewAuthenticator(users, auth.AuthenticatorOptions{Cost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	if b.CIMXML == nil {
		b = Bindings{CIMXML: notImplemented("no CIM-XML in this test"), WSMan: notImplemented("no WS-Man in this test")}
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return newRouter(routes{authn: authn, bindings: b, maxBody: 1024, log: log}), &logs
}

func do(h http.Handler, method, path, user, pw, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if user != "" {
		r.SetBasicAuth(user, pw)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestRoutes(t *testing.T) {
	h, _ := newTestRouter(t, Bindings{})
	tests := []struct {
		name           string
		method, path   string
		user, pw, body string
		want           int
	}{
		{"POST /cimom without credentials → 401", "POST", "/cimom", "", "", "<CIM/>", 401},
		{"POST /wsman without credentials → 401", "POST", "/wsman", "", "", "<s:Envelope/>", 401},
		{"POST /cimom with a wrong password → 401", "POST", "/cimom", "op", "nope-nope", "<CIM/>", 401},
		{"POST /wsman with an unknown user → 401", "POST", "/wsman", "eve", "op-secret", "<s:Envelope/>", 401},
		{"POST /cimom with good credentials → 501 until the binding lands", "POST", "/cimom", "op", "op-secret", "<CIM/>", 501},
		{"POST /wsman with good credentials → 501 until the binding lands", "POST", "/wsman", "op", "op-secret", "<s:Envelope/>", 501},
		{"M-POST /cimom reaches the binding, whose 501 makes clients fall back to POST", "M-POST", "/cimom", "op", "op-secret", "<CIM/>", 501},
		{"M-POST /cimom without credentials → 401", "M-POST", "/cimom", "", "", "<CIM/>", 401},
		{"GET /healthz needs no credentials", "GET", "/healthz", "", "", "", 200},
		{"GET /version needs no credentials", "GET", "/version", "", "", "", 200},
		{"GET /cimom → 405", "GET", "/cimom", "op", "op-secret", "", 405},
		{"an unknown path → 404", "GET", "/nope", "", "", "", 404},
		{"a body over the limit → 413 before authentication", "POST", "/cimom", "", "", strings.Repeat("x", 1025), 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(h, tt.method, tt.path, tt.user, tt.pw, tt.body)
			if w.Code != tt.want {
				t.Fatalf("status = %d, want %d (body %q)", w.Code, tt.want, w.Body.String())
			}
			if tt.want == 401 && w.Header().Get("WWW-Authenticate") != `Basic realm="ferrum"` {
				t.Errorf("WWW-Authenticate = %q", w.Header().Get("WWW-Authenticate"))
			}
		})
	}
}

func TestHealthzAndVersionBodies(t *testing.T) {
	h, _ := newTestRouter(t, Bindings{})
	var health map[string]string
	if err := json.Unmarshal(do(h, "GET", "/healthz", "", "", "").Body.Bytes(), &health); err != nil || health["status"] != "ok" {
		t.Fatalf("healthz = %v, %v", health, err)
	}
	if len(health) != 1 {
		t.Errorf("healthz says more than its status: %v", health)
	}
	var ver map[string]string
	if err := json.Unmarshal(do(h, "GET", "/version", "", "", "").Body.Bytes(), &ver); err != nil || ver["version"] != Version || ver["name"] != "ferrumd" {
		t.Fatalf("version = %v, %v", ver, err)
	}
}

func TestBindingsHooks(t *testing.T) {
	var seen auth.Principal
	var readErr error
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen, _ = auth.PrincipalFrom(r.Context())
		_, readErr = io.ReadAll(r.Body)
		if readErr != nil {
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			return
		}
		io.WriteString(w, "ok")
	})
	h, logs := newTestRouter(t, Bindings{
		CIMXML:             echo,
		CIMXMLUnauthorized: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(401); io.WriteString(w, "<cim-401/>") }),
		WSMan:              echo,
		WSManAuthenticates: true,
	})
	t.Run("an authenticated request reaches the binding with its principal", func(t *testing.T) {
		seen = auth.Principal{}
		w := do(h, "POST", "/cimom", "op", "op-secret", "<CIM/>")
		if w.Code != 200 || seen.User != "op" || !seen.HasRole("operator") {
			t.Fatalf("status %d, principal %+v", w.Code, seen)
		}
		if !strings.Contains(logs.String(), "msg=request op=http method=POST path=/cimom status=200") || !strings.Contains(logs.String(), "user=op") {
			t.Fatalf("no access log line with the user:\n%s", logs.String())
		}
	})
	t.Run("the CIM-XML unauthorized hook writes the 401 body after the challenge", func(t *testing.T) {
		w := do(h, "POST", "/cimom", "op", "wrong-wrong", "<CIM/>")
		if w.Code != 401 || w.Body.String() != "<cim-401/>" || w.Header().Get("WWW-Authenticate") != `Basic realm="ferrum"` {
			t.Fatalf("got %d %q %v", w.Code, w.Body.String(), w.Header())
		}
	})
	t.Run("a WS-Man binding that authenticates itself is reached without credentials", func(t *testing.T) {
		seen = auth.Principal{User: "stale"}
		w := do(h, "POST", "/wsman", "", "", "<Identify/>")
		if w.Code != 200 || seen.User != "" {
			t.Fatalf("status %d, principal %+v; want the binding reached with no principal", w.Code, seen)
		}
	})
	t.Run("a body without a declared length is cut at the limit", func(t *testing.T) {
		r := httptest.NewRequest("POST", "/cimom", io.MultiReader(strings.NewReader(strings.Repeat("x", 2048))))
		r.ContentLength = -1
		r.SetBasicAuth("op", "op-secret")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		var mbe *http.MaxBytesError
		if w.Code != 413 || !errors.As(readErr, &mbe) || mbe.Limit != 1024 {
			t.Fatalf("status %d, read error %v; want 413 and *http.MaxBytesError{1024}", w.Code, readErr)
		}
	})
	t.Run("the limit applies to a self-authenticating binding too", func(t *testing.T) {
		if w := do(h, "POST", "/wsman", "", "", strings.Repeat("x", 1025)); w.Code != 413 {
			t.Fatalf("status = %d, want 413", w.Code)
		}
	})
}
