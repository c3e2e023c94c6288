package manager_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/agent/agenttest"
	"github.com/ferrum-virt/ferrum/agent/manager"
	"github.com/ferrum-virt/ferrum/agent/pki"
	"github.com/ferrum-virt/ferrum/agent/proto"
	"github.com/ferrum-virt/ferrum/backends/sim"
)

func TestEnrolmentWithAValidTokenIssuesANodeCertificate(t *testing.T) {
	m := agenttest.StartManager(t)
	cert, ca, err := joinWithNewToken(t, m, "node-a")
	if err != nil {
		t.Fatal(err)
	}
	if !ca.Equal(m.CA().Cert) {
		t.Fatal("enrolment returned another CA than the manager's")
	}
	leaf := cert.Leaf
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: m.CA().Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Fatalf("node certificate does not verify for client auth: %v", err)
	}
	if id, err := pki.NodeID(leaf); err != nil || id != "node-a" {
		t.Fatalf("node identity %q, %v", id, err)
	}
	st, err := m.Node(t.Context(), "node-a")
	if err != nil || st.CertSerial != pki.Serial(leaf) || st.Connected || st.State != manager.StateDead {
		t.Fatalf("registry after enrolment: %+v, %v", st, err)
	}
	if _, err := hello(m.Addr, cert, ca, "node-a", proto.Current); err != nil {
		t.Fatalf("the enrolled node cannot open its link: %v", err)
	}
}

func TestJoinTokens(t *testing.T) {
	clock := agenttest.NewClock(time.Date(2008, 3, 3, 9, 0, 0, 0, time.UTC))
	m := agenttest.StartManager(t, func(c *manager.Config) { c.Clock = clock })
	tests := []struct {
		name  string
		token func(t *testing.T) string
		want  string
	}{
		{"a reused token is refused", func(t *testing.T) string {
			tok := newToken(t, m, time.Minute)
			if _, _, err := join(t, m.Addr, tok, "first-user"); err != nil {
				t.Fatal(err)
			}
			return tok
		}, "already used"},
		{"an expired token is refused", func(t *testing.T) string {
			tok := newToken(t, m, time.Minute)
			clock.Advance(time.Minute)
			return tok
		}, "expired"},
		{"a token the manager never issued is refused", func(t *testing.T) string {
			tok := mustParse(t, newToken(t, m, time.Minute))
			tok.Secret = "AAAAAAAAAAAAAAAAAAAAAA"
			return tok.String()
		}, "unknown join token"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := []string{"n1", "n2", "n3"}[i]
			_, _, err := join(t, m.Addr, tt.token(t), id)
			wantDenied(t, err, tt.want)
			if _, err := m.Node(t.Context(), id); err == nil {
				t.Fatalf("refused node %s is in the registry", id)
			}
		})
	}
}

func TestAgentRefusesAManagerWhoseCADoesNotMatchTheToken(t *testing.T) {
	m := agenttest.StartManager(t)
	other, err := pki.NewCA("another manager")
	if err != nil {
		t.Fatal(err)
	}
	tok := mustParse(t, newToken(t, m, time.Minute))
	tok.CAFingerprint = other.Fingerprint()
	if _, _, err := join(t, m.Addr, tok.String(), "node-x"); !errors.Is(err, pki.ErrUntrustedManager) {
		t.Fatalf("join = %v, want ErrUntrustedManager", err)
	}
}

func TestManagementLinkRefusals(t *testing.T) {
	m := agenttest.StartManager(t)
	cert, ca := enrol(t, m, "node-ok")
	otherCA, err := pki.NewCA("rogue")
	if err != nil {
		t.Fatal(err)
	}
	key, _ := pki.NewKey()
	csr, _ := pki.NewCSR(key, "node-ok")
	rogueLeaf, err := otherCA.SignNode(csr, "node-ok")
	if err != nil {
		t.Fatal(err)
	}
	rogue := tls.Certificate{Certificate: [][]byte{rogueLeaf.Raw}, PrivateKey: key}
	tests := []struct {
		name string
		cert tls.Certificate
		id   string
		v    proto.Version
		want error // nil: any refusal
	}{
		{"a connection without a client certificate is refused", tls.Certificate{}, "node-ok", proto.Current, nil},
		{"a certificate from another CA is refused", rogue, "node-ok", proto.Current, nil},
		{"a hello for another host than the certificate's is refused", cert, "node-other", proto.Current, proto.ErrDenied},
		{"a hello with another protocol major is refused", cert, "node-ok", proto.Version{Major: proto.Current.Major + 1},
			proto.ErrIncompatibleVersion},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := hello(m.Addr, tt.cert, ca, tt.id, tt.v)
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("hello = %v, want a refusal (%v)", err, tt.want)
			}
			if st, _ := m.Node(t.Context(), "node-ok"); st.Connected {
				t.Fatal("a refused connection became the node's link")
			}
		})
	}
	t.Run("the refusal of another major explains the fix", func(t *testing.T) {
		_, err := hello(m.Addr, cert, ca, "node-ok", proto.Version{Major: 9})
		if err == nil || !errors.Is(err, proto.ErrIncompatibleVersion) || !containsAll(err.Error(), "9.0", "major", "upgrade") {
			t.Fatalf("refusal %q does not name the versions and the fix", err)
		}
	})
}

func TestAJoinConnectionCannotMakeCalls(t *testing.T) {
	m := agenttest.StartManager(t)
	tok := mustParse(t, newToken(t, m, time.Minute))
	var ca *x509.Certificate
	conn, err := tls.Dial("tcp", m.Addr, pki.JoinTLS(tok.CAFingerprint, proto.ALPNJoin, &ca))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	req := proto.Request{Op: proto.OpVMList}
	if err := proto.WriteFrame(conn, proto.FrameRequest, req); err != nil {
		t.Fatal(err)
	}
	wantDenied(t, expect(conn, proto.FrameResponse, &proto.Response{}), "join request")
	if _, _, err := join(t, m.Addr, tok.String(), "late"); err != nil {
		t.Fatalf("the token was used up by a refused request: %v", err)
	}
}

func TestARevokedNodeCannotReconnect(t *testing.T) {
	m := agenttest.StartManager(t)
	dc, err := sim.NewDataCenter(sim.Config{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	a := agenttest.StartAgent(t, m, dc.Host(0))
	ctx := t.Context()
	if err := m.Revoke(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := agenttest.WaitState(ctx, m.Registry, a.ID, manager.StateDead); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Host(ctx, a.ID); err == nil {
		t.Fatal("a revoked node's host is still handed out")
	}
	cert, ca := agentCredentials(t, a)
	for _, when := range []string{"after revocation", "after a manager restart"} {
		if _, err := hello(m.Addr, cert, ca, a.ID, proto.Current); err == nil {
			t.Fatalf("%s: the revoked node's certificate opened a link", when)
		}
		if st, _ := m.Node(ctx, a.ID); st.Connected || st.State != manager.StateDead || !st.Revoked() {
			t.Fatalf("%s: node %+v", when, st)
		}
		m.Restart(t)
	}
	tok := newToken(t, m, time.Minute)
	_, _, err = join(t, m.Addr, tok, a.ID)
	wantDenied(t, err, "revoked")
}

func TestEnrollingAgainSupersedesTheOldCertificate(t *testing.T) {
	m := agenttest.StartManager(t)
	old, ca := enrol(t, m, "node-b")
	fresh, _ := enrol(t, m, "node-b")
	if _, err := hello(m.Addr, old, ca, "node-b", proto.Current); err == nil {
		t.Fatal("the superseded certificate opened a link")
	}
	if _, err := hello(m.Addr, fresh, ca, "node-b", proto.Current); err != nil {
		t.Fatalf("the new certificate was refused: %v", err)
	}
}

func TestForgetLetsANodeEnrolAgain(t *testing.T) {
	m := agenttest.StartManager(t)
	enrol(t, m, "node-f")
	ctx := context.Background()
	if err := m.Forget(ctx, "node-f"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Node(ctx, "node-f"); err == nil {
		t.Fatal("a forgotten node is still listed")
	}
	enrol(t, m, "node-f")
}
