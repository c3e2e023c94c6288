package pki

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"slices"
)

// ErrUntrustedManager reports a manager whose certificate does not chain to
// the CA the agent pins (or the join token names).
var ErrUntrustedManager = errors.New("untrusted manager certificate")

// AgentTLS is the agent's configuration for the management link: its client
// certificate, TLS 1.3, and a manager that must present a ServerAuth
// certificate with ManagerURI issued by the pinned CA. Host names are not
// checked, so an agent may dial the manager by any address; the private CA
// and ManagerURI identify it.
func AgentTLS(cert tls.Certificate, ca *x509.Certificate, alpn string) *tls.Config {
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return &tls.Config{
		MinVersion:         tls.VersionTLS13,
		Certificates:       []tls.Certificate{cert},
		NextProtos:         []string{alpn},
		InsecureSkipVerify: true, // replaced by VerifyConnection against the pinned CA
		VerifyConnection:   func(cs tls.ConnectionState) error { return verifyManager(cs, pool) },
	}
}

// JoinTLS is the agent's configuration for enrolment: no client
// certificate, and a manager whose chain holds the CA with the token's
// fingerprint. On success *ca receives that CA.
func JoinTLS(fp [32]byte, alpn string, ca **x509.Certificate) *tls.Config {
	return &tls.Config{
		MinVersion:         tls.VersionTLS13,
		NextProtos:         []string{alpn},
		InsecureSkipVerify: true, // replaced by VerifyConnection against the token's CA
		VerifyConnection: func(cs tls.ConnectionState) error {
			i := slices.IndexFunc(cs.PeerCertificates, func(c *x509.Certificate) bool {
				sum := sha256.Sum256(c.Raw)
				return c.IsCA && bytes.Equal(sum[:], fp[:])
			})
			if i < 0 {
				return fmt.Errorf("%w: no CA with the join token's fingerprint in the manager's chain", ErrUntrustedManager)
			}
			pool := x509.NewCertPool()
			pool.AddCert(cs.PeerCertificates[i])
			if err := verifyManager(cs, pool); err != nil {
				return err
			}
			*ca = cs.PeerCertificates[i]
			return nil
		},
	}
}

func verifyManager(cs tls.ConnectionState, roots *x509.CertPool) error {
	if len(cs.PeerCertificates) == 0 {
		return fmt.Errorf("%w: none presented", ErrUntrustedManager)
	}
	leaf := cs.PeerCertificates[0]
	_, err := leaf.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUntrustedManager, err)
	}
	if !slices.ContainsFunc(leaf.URIs, func(u *url.URL) bool { return u.String() == ManagerURI }) {
		return fmt.Errorf("%w: certificate %q does not name %s", ErrUntrustedManager, leaf.Subject.CommonName, ManagerURI)
	}
	return nil
}

// ManagerTLS is the manager's listener configuration. A client offering
// agentALPN must present a client certificate issued by ca, and admit (given
// the node ID and serial number it carries) must accept it, or the
// handshake fails; a client offering joinALPN (and not agentALPN) needs no
// certificate and may only enrol. Any other client is refused.
func ManagerTLS(ca *CA, server tls.Certificate, agentALPN, joinALPN string, admit func(id, serial string) error) *tls.Config {
	agent := &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{server},
		NextProtos:   []string{agentALPN},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    ca.Pool(),
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("no client certificate")
			}
			id, err := NodeID(cs.PeerCertificates[0])
			if err != nil {
				return err
			}
			return admit(id, Serial(cs.PeerCertificates[0]))
		},
	}
	join := &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{server},
		NextProtos:   []string{joinALPN},
		ClientAuth:   tls.NoClientCert,
	}
	return &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{server},
		GetConfigForClient: func(hi *tls.ClientHelloInfo) (*tls.Config, error) {
			switch {
			case slices.Contains(hi.SupportedProtos, agentALPN):
				return agent, nil
			case slices.Contains(hi.SupportedProtos, joinALPN):
				return join, nil
			}
			return nil, fmt.Errorf("client offers neither %s nor %s", agentALPN, joinALPN)
		},
	}
}
