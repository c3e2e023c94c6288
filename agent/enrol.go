package agent

import (
	"context"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ferrum-virt/ferrum/agent/pki"
	"github.com/ferrum-virt/ferrum/agent/proto"
	"github.com/ferrum-virt/ferrum/backends"
)

// handshakeTimeout bounds the TLS handshake and the Hello or join exchange.
const handshakeTimeout = 15 * time.Second

// ErrNotEnrolled reports an agent with no credentials and no join token.
var ErrNotEnrolled = errors.New("node is not enrolled: start the agent once with a join token from the manager")

// credentialsFor loads the node's credentials, enrolling with the join
// token when the state directory has none. The certificate must name the
// backend's host: a state directory copied from another node is refused.
func (a *Agent) credentialsFor(ctx context.Context, info backends.HostInfo) (*credentials, error) {
	creds, err := loadCredentials(a.cfg.StateDir)
	switch {
	case err == nil:
		if creds.nodeID() != info.ID {
			return nil, fmt.Errorf("state dir %s holds the identity of node %s but the backend is host %s: "+
				"remove the state dir and enrol again", a.cfg.StateDir, creds.nodeID(), info.ID)
		}
		if a.cfg.JoinToken != "" {
			a.log.Info("already enrolled; the join token is not needed", "node", creds.nodeID())
		}
		return creds, nil
	case !errors.Is(err, errNotEnrolled):
		return nil, fmt.Errorf("state dir %s: %w", a.cfg.StateDir, err)
	case a.cfg.JoinToken == "":
		return nil, ErrNotEnrolled
	}
	if err := a.enrol(ctx, info); err != nil {
		return nil, err
	}
	return loadCredentials(a.cfg.StateDir)
}

// enrol sends a certificate request with the join token and saves what the
// manager issues.
func (a *Agent) enrol(ctx context.Context, info backends.HostInfo) error {
	tok, err := pki.ParseToken(a.cfg.JoinToken)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(a.cfg.StateDir, 0o700); err != nil {
		return fmt.Errorf("state dir: %w", err)
	}
	if err := os.Chmod(a.cfg.StateDir, 0o700); err != nil {
		return fmt.Errorf("state dir: %w", err)
	}
	key, err := pki.NewKey()
	if err != nil {
		return err
	}
	csr, err := pki.NewCSR(key, info.ID)
	if err != nil {
		return err
	}
	var ca *x509.Certificate
	resp, err := a.join(ctx, pki.JoinTLS(tok.CAFingerprint, proto.ALPNJoin, &ca), proto.JoinRequest{
		Version: proto.Current, Token: tok.Secret, HostID: info.ID, Hostname: info.Hostname, CSR: csr})
	if err != nil {
		return fmt.Errorf("enrol with %s: %w", a.cfg.Manager, err)
	}
	cert, err := x509.ParseCertificate(resp.Certificate)
	if err != nil {
		return fmt.Errorf("enrol: issued certificate: %w", err)
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: pool(ca),
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		return fmt.Errorf("enrol: issued certificate does not chain to the manager's CA: %w", err)
	}
	if id, err := pki.NodeID(cert); err != nil || id != info.ID || !key.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(cert.PublicKey) {
		return fmt.Errorf("enrol: issued certificate is not for this node's key and identity %s", info.ID)
	}
	if err := pki.WriteKey(filepath.Join(a.cfg.StateDir, keyFile), key); err != nil {
		return err
	}
	if err := saveCredentials(a.cfg.StateDir, cert.Raw, ca.Raw); err != nil {
		return err
	}
	a.log.Info("enrolled", "node", info.ID, "manager", a.cfg.Manager, "expires", cert.NotAfter)
	return nil
}

// join runs the enrolment exchange on a fresh connection.
func (a *Agent) join(ctx context.Context, cfg *tls.Config, req proto.JoinRequest) (proto.JoinResponse, error) {
	conn, err := a.dial(ctx, cfg)
	if err != nil {
		return proto.JoinResponse{}, err
	}
	defer conn.Close()
	if err := proto.WriteFrame(conn, proto.FrameJoin, req); err != nil {
		return proto.JoinResponse{}, err
	}
	f, err := proto.ReadFrame(conn, proto.MaxFrame)
	if err != nil {
		return proto.JoinResponse{}, err
	}
	var resp proto.JoinResponse
	switch f.Type {
	case proto.FrameJoined:
		err = f.Decode(&resp)
	case proto.FrameRefuse:
		err = refusal(f)
	default:
		err = fmt.Errorf("unexpected %s frame: %w", f.Type, proto.ErrMalformed)
	}
	return resp, err
}

// refusal decodes a Refuse frame into the error it carries.
func refusal(f proto.Frame) error {
	var e proto.Error
	if err := f.Decode(&e); err != nil {
		return err
	}
	return fmt.Errorf("manager refused: %w", e.Err())
}

// dial connects to the manager (over TCP, or through Config.Dial) and
// completes the TLS handshake; the connection's deadline is set for the
// exchange that follows.
func (a *Agent) dial(ctx context.Context, cfg *tls.Config) (*tls.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, handshakeTimeout)
	defer cancel()
	if a.cfg.Dial == nil {
		d := tls.Dialer{Config: cfg}
		c, err := d.DialContext(ctx, "tcp", a.cfg.Manager)
		if err != nil {
			return nil, err
		}
		conn := c.(*tls.Conn)
		_ = conn.SetDeadline(time.Now().Add(handshakeTimeout))
		return conn, nil
	}
	raw, err := a.cfg.Dial(ctx, "tcp", a.cfg.Manager)
	if err != nil {
		return nil, err
	}
	conn := tls.Client(raw, cfg)
	_ = conn.SetDeadline(time.Now().Add(handshakeTimeout))
	if err := conn.HandshakeContext(ctx); err != nil {
		_ = raw.Close()
		return nil, err
	}
	return conn, nil
}

func pool(c *x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(c)
	return p
}
