package auth

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
)

// A BasicOption customises RequireBasic.
type BasicOption func(*basicConfig)

type basicConfig struct {
	unauthorized http.Handler
	anonymous    func(*http.Request) bool
	logger       *slog.Logger
}

// WithUnauthorizedHandler makes RequireBasic answer refused requests with h
// instead of a bare 401. The WWW-Authenticate challenge header is already set
// when h runs; h must write status 401 itself. Protocol bindings use this to
// send their own fault bodies (a SOAP fault for WS-Man, CIMError headers for
// CIM-XML).
func WithUnauthorizedHandler(h http.Handler) BasicOption {
	return func(c *basicConfig) { c.unauthorized = h }
}

// AllowAnonymous lets requests without an Authorization header through to the
// next handler, with no Principal in their context, when allow returns true.
// Requests that carry credentials are always checked. This is the hook for
// WS-Man Identify, which DSP0226 §11 allows without authentication; allow may
// read the body only if it restores r.Body for the next handler.
func AllowAnonymous(allow func(r *http.Request) bool) BasicOption {
	return func(c *basicConfig) { c.anonymous = allow }
}

// WithLogger sets the logger refusals and errors are logged to; the default
// is slog.Default().
func WithLogger(l *slog.Logger) BasicOption {
	return func(c *basicConfig) { c.logger = l }
}

// RequireBasic returns a handler that authenticates each request with HTTP
// Basic authentication (RFC 7617) against a and serves it with next, with the
// Principal in the request context. A request with missing or bad credentials
// gets 401 and a `WWW-Authenticate: Basic realm="…"` challenge, with nothing
// in the body that says why; the reason is logged. A failure of the user store
// gets 500.
func RequireBasic(a *Authenticator, realm string, next http.Handler, opts ...BasicOption) http.Handler {
	c := basicConfig{unauthorized: http.HandlerFunc(plainUnauthorized)}
	for _, o := range opts {
		o(&c)
	}
	if c.logger == nil {
		c.logger = slog.Default()
	}
	challenge := `Basic realm="` + quoteEscape(realm) + `"`
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, password, ok := r.BasicAuth()
		if !ok && r.Header.Get("Authorization") == "" && c.anonymous != nil && c.anonymous(r) {
			next.ServeHTTP(w, r)
			return
		}
		if !ok {
			// Clients commonly try without credentials first and answer the
			// challenge, so this is not worth more than a debug line.
			c.logger.DebugContext(r.Context(), "authentication challenged", "op", "auth", "addr", r.RemoteAddr)
			w.Header().Set("WWW-Authenticate", challenge)
			c.unauthorized.ServeHTTP(w, r)
			return
		}
		p, err := a.Authenticate(r.Context(), name, password)
		switch {
		case errors.Is(err, ErrUnauthenticated):
			c.logger.InfoContext(r.Context(), "authentication refused", "op", "auth", "user", name, "addr", r.RemoteAddr, "err", err)
			w.Header().Set("WWW-Authenticate", challenge)
			c.unauthorized.ServeHTTP(w, r)
		case err != nil:
			c.logger.ErrorContext(r.Context(), "authentication failed", "op", "auth", "user", name, "addr", r.RemoteAddr, "err", err)
			http.Error(w, "internal server error", http.StatusInternalServerError)
		default:
			next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
		}
	})
}

func plainUnauthorized(w http.ResponseWriter, _ *http.Request) {
	http.Error(w, "Unauthorized", http.StatusUnauthorized)
}

// quoteEscape escapes s for an HTTP quoted-string.
func quoteEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
}
