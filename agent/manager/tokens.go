package manager

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/ferrum-virt/ferrum/agent/pki"
	"github.com/ferrum-virt/ferrum/agent/proto"
)

// A JoinToken lets one node enrol once before it expires.
type JoinToken struct {
	Value   string // give this to the agent: ferrum-agent --join-token
	Expires time.Time
}

// joinToken is what the registry keeps of a token: not the secret, its
// hash.
type joinToken struct {
	expires time.Time
	used    bool
}

// NewJoinToken makes a single-use join token valid for ttl. The registry
// keeps only the secret's hash, in memory: tokens do not survive a restart.
func (r *Registry) NewJoinToken(ttl time.Duration) (JoinToken, error) {
	if ttl <= 0 {
		return JoinToken{}, fmt.Errorf("join token ttl %v: must be positive", ttl)
	}
	tok, err := pki.NewToken(r.ca.Fingerprint())
	if err != nil {
		return JoinToken{}, err
	}
	now := r.cfg.Clock.Now()
	jt := &joinToken{expires: now.Add(ttl)}
	r.mu.Lock()
	r.pruneTokens(now)
	r.tokens[tok.SecretHash()] = jt
	r.mu.Unlock()
	return JoinToken{Value: tok.String(), Expires: jt.expires}, nil
}

// pruneTokens forgets tokens expired for a while. Called with r.mu held.
func (r *Registry) pruneTokens(now time.Time) {
	for h, t := range r.tokens {
		if now.Sub(t.expires) > time.Hour {
			delete(r.tokens, h)
		}
	}
}

// redeem uses up the token with secret, or says why it cannot.
func (r *Registry) redeem(secret string) error {
	now := r.cfg.Clock.Now()
	h := pki.Token{Secret: secret}.SecretHash()
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.tokens[h]
	switch {
	case !ok:
		return fmt.Errorf("unknown join token: %w", proto.ErrDenied)
	case t.used:
		return fmt.Errorf("join token already used: %w", proto.ErrDenied)
	case !now.Before(t.expires):
		return fmt.Errorf("join token expired at %s: %w", t.expires.Format(time.RFC3339), proto.ErrDenied)
	}
	t.used = true
	return nil
}

// validID matches the node identities the registry accepts: host UUIDs,
// and other short plain names.
var validID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// enrol checks a join request and issues the node's certificate.
func (r *Registry) enrol(ctx context.Context, req proto.JoinRequest) (proto.JoinResponse, error) {
	if err := proto.Check("manager", proto.Current, req.Version); err != nil {
		return proto.JoinResponse{}, err
	}
	if !validID.MatchString(req.HostID) {
		return proto.JoinResponse{}, fmt.Errorf("host id %q: %w", req.HostID, proto.ErrDenied)
	}
	if err := r.redeem(req.Token); err != nil {
		return proto.JoinResponse{}, err
	}
	r.mu.Lock()
	n, known := r.nodes[req.HostID]
	revoked := known && n.rec.Revoked()
	r.mu.Unlock()
	if revoked {
		return proto.JoinResponse{}, fmt.Errorf("node %s is revoked; forget it before it enrols again: %w",
			req.HostID, proto.ErrDenied)
	}
	cert, err := r.ca.SignNode(req.CSR, req.HostID)
	if err != nil {
		return proto.JoinResponse{}, fmt.Errorf("%w: %w", proto.ErrDenied, err)
	}
	rec := NodeRecord{ID: req.HostID, Name: req.Hostname, CertSerial: pki.Serial(cert),
		CertNotAfter: cert.NotAfter, EnrolledAt: r.cfg.Clock.Now()}
	if err := r.cfg.Store.SaveNode(ctx, rec); err != nil {
		return proto.JoinResponse{}, fmt.Errorf("save node %s: %w", req.HostID, err)
	}
	r.mu.Lock()
	if n, known = r.nodes[req.HostID]; known {
		n.rec = rec // the previous certificate is refused from now on
	} else {
		r.nodes[req.HostID] = r.newNode(rec, rec.EnrolledAt)
	}
	r.mu.Unlock()
	r.log.Info("node enrolled", "host", req.HostID, "name", req.Hostname, "serial", rec.CertSerial)
	return proto.JoinResponse{Certificate: cert.Raw, CA: r.ca.Cert.Raw}, nil
}
