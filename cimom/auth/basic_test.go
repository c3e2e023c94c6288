package auth

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// whoami answers 200 with the principal's user name, or "anonymous".
var whoami = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	if p, ok := PrincipalFrom(r.Context()); ok {
		io.WriteString(w, p.User)
		return
	}
	io.WriteString(w, "anonymous")
})

func serve(h http.Handler, setup func(*http.Request)) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/cimom", strings.NewReader("<CIM/>"))
	if setup != nil {
		setup(r)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func basic(user, pw string) func(*http.Request) {
	return func(r *http.Request) { r.SetBasicAuth(user, pw) }
}

func TestRequireBasic(t *testing.T) {
	_, a, _ := newFixture(t)
	var logs bytes.Buffer
	h := RequireBasic(a, "ferrum", whoami, WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	tests := []struct {
		name     string
		setup    func(*http.Request)
		wantCode int
		wantBody string
	}{
		{"no credentials → 401 with a challenge", nil, 401, ""},
		{"a wrong password → 401", basic("alice", "wrong-wrong"), 401, ""},
		{"an unknown user → 401", basic("mallory", "alice-secret"), 401, ""},
		{"a disabled user → 401", basic("dave", "dave-secret"), 401, ""},
		{"a non-Basic scheme → 401", func(r *http.Request) { r.Header.Set("Authorization", "Bearer abc") }, 401, ""},
		{"the right password → served with the principal", basic("alice", "alice-secret"), 200, "alice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(h, tt.setup)
			if w.Code != tt.wantCode {
				t.Fatalf("status = %d, want %d", w.Code, tt.wantCode)
			}
			if tt.wantCode == 401 {
				if got := w.Header().Get("WWW-Authenticate"); got != `Basic realm="ferrum"` {
					t.Errorf("WWW-Authenticate = %q", got)
				}
				if body := strings.TrimSpace(w.Body.String()); body != "Unauthorized" {
					t.Errorf("401 body = %q, want only %q", body, "Unauthorized")
				}
				return
			}
			if w.Body.String() != tt.wantBody {
				t.Errorf("body = %q, want %q", w.Body.String(), tt.wantBody)
			}
		})
	}
	if !strings.Contains(logs.String(), "user=mallory") || !strings.Contains(logs.String(), "no such user") {
		t.Errorf("the refusal reason is not logged:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), "alice-secret") || strings.Contains(logs.String(), "wrong-wrong") {
		t.Errorf("a password reached the log:\n%s", logs.String())
	}
}

func TestRequireBasicOptions(t *testing.T) {
	_, a, _ := newFixture(t)
	quiet := WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))

	t.Run("a custom unauthorized handler writes the 401 body, after the challenge is set", func(t *testing.T) {
		custom := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("CIMError", "request-not-valid")
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, "<fault/>")
		})
		w := serve(RequireBasic(a, `we "quote"`, whoami, WithUnauthorizedHandler(custom), quiet), basic("alice", "bad-bad-bad"))
		if w.Code != 401 || w.Body.String() != "<fault/>" || w.Header().Get("CIMError") == "" {
			t.Fatalf("got %d %q %v", w.Code, w.Body.String(), w.Header())
		}
		if got := w.Header().Get("WWW-Authenticate"); got != `Basic realm="we \"quote\""` {
			t.Fatalf("WWW-Authenticate = %q", got)
		}
	})
	anon := AllowAnonymous(func(r *http.Request) bool { return r.Header.Get("X-Identify") != "" })
	h := RequireBasic(a, "ferrum", whoami, anon, quiet)
	t.Run("an allowed anonymous request passes without a principal", func(t *testing.T) {
		w := serve(h, func(r *http.Request) { r.Header.Set("X-Identify", "1") })
		if w.Code != 200 || w.Body.String() != "anonymous" {
			t.Fatalf("got %d %q", w.Code, w.Body.String())
		}
	})
	t.Run("an anonymous request the hook does not allow → 401", func(t *testing.T) {
		if w := serve(h, nil); w.Code != 401 {
			t.Fatalf("status = %d", w.Code)
		}
	})
	t.Run("bad credentials on an allowed request are still refused", func(t *testing.T) {
		w := serve(h, func(r *http.Request) { r.Header.Set("X-Identify", "1"); r.SetBasicAuth("alice", "bad-bad-bad") })
		if w.Code != 401 {
			t.Fatalf("status = %d", w.Code)
		}
	})
	t.Run("good credentials on an allowed request carry the principal", func(t *testing.T) {
		w := serve(h, func(r *http.Request) { r.Header.Set("X-Identify", "1"); r.SetBasicAuth("alice", "alice-secret") })
		if w.Code != 200 || w.Body.String() != "alice" {
			t.Fatalf("got %d %q", w.Code, w.Body.String())
		}
	})
	t.Run("a store failure → 500, not 401", func(t *testing.T) {
		fa, err := NewAuthenticator(failingStore{}, AuthenticatorOptions{Cost: 4})
		if err != nil {
			t.Fatal(err)
		}
		w := serve(RequireBasic(fa, "ferrum", whoami, quiet), basic("alice", "alice-secret"))
		if w.Code != 500 || strings.Contains(w.Body.String(), "disk") {
			t.Fatalf("got %d %q", w.Code, w.Body.String())
		}
	})
}
