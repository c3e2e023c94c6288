package wsman

import (
	"errors"
	"net/http"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/auth"
)

// authenticate checks the request's HTTP Basic credentials. authed is false
// when there were none (the request may still be an Identify); ok is false
// when the response has already been written: a 401 for bad credentials or
// a 500 for a failing user store.
func (h *Handler) authenticate(w http.ResponseWriter, r *http.Request) (p auth.Principal, authed, ok bool) {
	if r.Header.Get("Authorization") == "" {
		return p, false, true
	}
	name, password, basic := r.BasicAuth()
	if !basic || h.opts.Authenticator == nil {
		h.log.InfoContext(r.Context(), "authentication refused", "op", "auth", "addr", r.RemoteAddr, "basic", basic)
		h.challenge(w, r)
		return p, false, false
	}
	p, err := h.opts.Authenticator.Authenticate(r.Context(), name, password)
	switch {
	case errors.Is(err, auth.ErrUnauthenticated):
		h.log.InfoContext(r.Context(), "authentication refused", "op", "auth", "user", name, "addr", r.RemoteAddr, "err", err)
		h.challenge(w, r)
		return p, false, false
	case err != nil:
		h.log.ErrorContext(r.Context(), "authentication failed", "op", "auth", "user", name, "addr", r.RemoteAddr, "err", err)
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return p, false, false
	}
	return p, true, true
}

// challenge answers 401 with a Basic challenge and an empty body, as WinRM
// does: an unauthenticated client learns nothing about the request.
func (h *Handler) challenge(w http.ResponseWriter, r *http.Request) {
	h.log.DebugContext(r.Context(), "authentication challenged", "op", "auth", "addr", r.RemoteAddr)
	realm := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(h.opts.Realm)
	w.Header().Set("WWW-Authenticate", `Basic realm="`+realm+`"`)
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusUnauthorized)
}
