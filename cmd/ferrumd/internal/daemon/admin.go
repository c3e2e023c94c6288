package daemon

import (
	"net/http"
	"time"

	"github.com/ferrum-virt/ferrum/agent/manager"
	"github.com/ferrum-virt/ferrum/cimom/auth"
)

// joinTokenTTL is how long a join token issued by POST /admin/join-token
// stays valid.
const joinTokenTTL = time.Hour

// adminRole is the role of the users allowed to enrol hosts.
const adminRole = "admin"

// joinTokenHandler issues a one-time join token for a new ferrum-agent. Only
// a principal with the admin role gets one; without the agents backend the
// endpoint answers 409 with the fix.
func joinTokenHandler(nodes *manager.Registry) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := auth.PrincipalFrom(r.Context())
		if !ok || !p.HasRole(adminRole) {
			http.Error(w, "issuing join tokens needs the admin role", http.StatusForbidden)
			return
		}
		if nodes == nil {
			http.Error(w, "ferrumd is not serving agents: start it with FERRUM_BACKEND=agents", http.StatusConflict)
			return
		}
		tok, err := nodes.NewJoinToken(joinTokenTTL)
		if err != nil {
			http.Error(w, "cannot issue a join token: "+err.Error(), http.StatusInternalServerError)
			return
		}
		writeJSON(w, map[string]string{"token": tok.Value, "expires": tok.Expires.UTC().Format(time.RFC3339)})
	})
}
