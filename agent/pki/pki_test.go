package pki

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestTokens(t *testing.T) {
	ca, err := NewCA("t")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := NewToken(ca.Fingerprint())
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseToken(" " + tok.String() + "\n")
	if err != nil || got != tok {
		t.Fatalf("ParseToken(String()) = %+v, %v", got, err)
	}
	for _, bad := range []string{"", "ferrum1.x.y", "swarm.abc.def", tok.String() + ".extra",
		"ferrum1." + tok.String()[8:51] + ".short"} {
		if _, err := ParseToken(bad); !errors.Is(err, ErrBadToken) {
			t.Errorf("ParseToken(%q) = %v, want ErrBadToken", bad, err)
		}
	}
}

func TestCAIsCreatedOnceWithAPrivateKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ca")
	a, err := LoadOrCreateCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := LoadOrCreateCA(dir)
	if err != nil || a.Fingerprint() != b.Fingerprint() {
		t.Fatalf("second load gave another CA: %v", err)
	}
	fi, err := os.Stat(filepath.Join(dir, CAKeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("ca key mode %v, %v", fi.Mode().Perm(), err)
	}
	if err := os.Chmod(filepath.Join(dir, CAKeyFile), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateCA(dir); err == nil {
		t.Fatal("a CA key readable by others was accepted")
	}
}

func TestSignNode(t *testing.T) {
	ca, err := NewCA("t")
	if err != nil {
		t.Fatal(err)
	}
	key, _ := NewKey()
	csr, _ := NewCSR(key, "node-1")
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rsaCSR, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, rsaKey)
	tests := []struct {
		name string
		csr  []byte
		id   string
		ok   bool
	}{
		{"a request naming the node is signed for client auth", csr, "node-1", true},
		{"a request naming another node is refused", csr, "node-2", false},
		{"an RSA key is refused", rsaCSR, "", false},
		{"garbage is refused", []byte("not a csr"), "node-1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cert, err := ca.SignNode(tt.csr, tt.id)
			if (err == nil) != tt.ok {
				t.Fatalf("SignNode = %v", err)
			}
			if !tt.ok {
				return
			}
			if id, err := NodeID(cert); err != nil || id != tt.id || cert.ExtKeyUsage[0] != x509.ExtKeyUsageClientAuth {
				t.Fatalf("certificate %v, id %q, %v", cert.ExtKeyUsage, id, err)
			}
		})
	}
}
