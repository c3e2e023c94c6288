package manager_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/agent/agenttest"
	"github.com/ferrum-virt/ferrum/agent/link"
	"github.com/ferrum-virt/ferrum/agent/manager"
	"github.com/ferrum-virt/ferrum/agent/pki"
	"github.com/ferrum-virt/ferrum/agent/proto"
	"github.com/ferrum-virt/ferrum/backends"
)

// join runs the enrolment exchange as an agent would, with a CSR for id.
func join(t *testing.T, addr, token, id string) (tls.Certificate, *x509.Certificate, error) {
	t.Helper()
	tok, err := pki.ParseToken(token)
	if err != nil {
		t.Fatal(err)
	}
	key, err := pki.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	csr, err := pki.NewCSR(key, id)
	if err != nil {
		t.Fatal(err)
	}
	var ca *x509.Certificate
	conn, err := tls.Dial("tcp", addr, pki.JoinTLS(tok.CAFingerprint, proto.ALPNJoin, &ca))
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	req := proto.JoinRequest{Version: proto.Current, Token: tok.Secret, HostID: id, Hostname: id + ".example", CSR: csr}
	if err := proto.WriteFrame(conn, proto.FrameJoin, req); err != nil {
		return tls.Certificate{}, nil, err
	}
	var resp proto.JoinResponse
	if err := expect(conn, proto.FrameJoined, &resp); err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf, err := x509.ParseCertificate(resp.Certificate)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{resp.Certificate}, PrivateKey: key, Leaf: leaf}, ca, nil
}

// enrol enrols id with a fresh token and fails the test if it cannot.
func enrol(t *testing.T, m *agenttest.Manager, id string) (tls.Certificate, *x509.Certificate) {
	t.Helper()
	tok, err := m.NewJoinToken(time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	cert, ca, err := join(t, m.Addr, tok.Value, id)
	if err != nil {
		t.Fatalf("enrol %s: %v", id, err)
	}
	return cert, ca
}

// expect reads one frame and decodes it into v if it has type want; a
// Refuse frame becomes the error it carries.
func expect(conn *tls.Conn, want proto.FrameType, v any) error {
	f, err := proto.ReadFrame(conn, proto.MaxFrame)
	if err != nil {
		return err
	}
	switch f.Type {
	case want:
		return f.Decode(v)
	case proto.FrameRefuse:
		var e proto.Error
		if err := f.Decode(&e); err != nil {
			return err
		}
		return e.Err()
	}
	return fmt.Errorf("got a %s frame, want %s", f.Type, want)
}

// hello opens a management link with cert (may be empty) and sends a Hello
// for id with version v. It returns the Welcome or why the link was refused.
func hello(addr string, cert tls.Certificate, ca *x509.Certificate, id string, v proto.Version) (proto.Welcome, error) {
	var w proto.Welcome
	conn, err := tls.Dial("tcp", addr, pki.AgentTLS(cert, ca, proto.ALPNAgent))
	if err != nil {
		return w, err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	h := proto.Hello{Version: v, Host: backends.HostInfo{ID: id, Hostname: id + ".example"}, Heartbeat: time.Hour}
	if err := proto.WriteFrame(conn, proto.FrameHello, h); err != nil {
		return w, err
	}
	return w, expect(conn, proto.FrameWelcome, &w)
}

func wantDenied(t *testing.T, err error, fragment string) {
	t.Helper()
	if !errors.Is(err, proto.ErrDenied) {
		t.Fatalf("error = %v, want ErrDenied", err)
	}
	if fragment != "" && !strings.Contains(err.Error(), fragment) {
		t.Fatalf("error %q does not say %q", err, fragment)
	}
}

func newToken(t *testing.T, m *agenttest.Manager, ttl time.Duration) string {
	t.Helper()
	tok, err := m.NewJoinToken(ttl)
	if err != nil {
		t.Fatal(err)
	}
	return tok.Value
}

func joinWithNewToken(t *testing.T, m *agenttest.Manager, id string) (tls.Certificate, *x509.Certificate, error) {
	return join(t, m.Addr, newToken(t, m, time.Minute), id)
}

func mustParse(t *testing.T, s string) pki.Token {
	t.Helper()
	tok, err := pki.ParseToken(s)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// agentCredentials reads what an agent keeps in its state dir.
func agentCredentials(t *testing.T, a *agenttest.Agent) (tls.Certificate, *x509.Certificate) {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(filepath.Join(a.Dir, "node.crt"), filepath.Join(a.Dir, "node.key"))
	if err != nil {
		t.Fatal(err)
	}
	ca, err := pki.ReadCert(filepath.Join(a.Dir, "ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	return cert, ca
}

// fakeAgent is an agent driven by hand: it holds a management link,
// answers the event subscription, and heartbeats only when told.
type fakeAgent struct {
	sess *link.Session
	ctl  *link.Stream
	seq  uint64
}

// connectFake enrols id and opens its link, reporting heartbeat as its
// interval.
func connectFake(t *testing.T, m *agenttest.Manager, id string, heartbeat time.Duration) *fakeAgent {
	t.Helper()
	cert, ca := enrol(t, m, id)
	conn, err := tls.Dial("tcp", m.Addr, pki.AgentTLS(cert, ca, proto.ALPNAgent))
	if err != nil {
		t.Fatal(err)
	}
	h := proto.Hello{Version: proto.Current, Host: backends.HostInfo{ID: id, Hostname: id + ".example"}, Heartbeat: heartbeat}
	if err := proto.WriteFrame(conn, proto.FrameHello, h); err != nil {
		t.Fatal(err)
	}
	if err := expect(conn, proto.FrameWelcome, &proto.Welcome{}); err != nil {
		t.Fatal(err)
	}
	sess, err := link.Dialer(conn, "manager", link.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sess.Close() })
	ctl, err := sess.Open()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = sess.Serve(context.Background(), func(ctx context.Context, req proto.Request, c *link.Call) {
			_ = c.Reply(nil, nil) // the event subscription: accepted, and no events
			<-ctx.Done()
		})
	}()
	return &fakeAgent{sess: sess, ctl: ctl}
}

func (f *fakeAgent) beat(t *testing.T) {
	t.Helper()
	f.seq++
	if err := f.ctl.Send(proto.FrameHeartbeat, proto.Heartbeat{Seq: f.seq, Time: time.Now()}); err != nil {
		t.Fatalf("heartbeat: %v", err)
	}
}

// next waits for the next node event.
func next(t *testing.T, events <-chan manager.NodeEvent) manager.NodeEvent {
	t.Helper()
	select {
	case e := <-events:
		return e
	case <-time.After(30 * time.Second):
		t.Fatal("no node event")
		return manager.NodeEvent{}
	}
}
