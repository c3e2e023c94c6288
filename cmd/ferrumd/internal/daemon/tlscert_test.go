package daemon

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestSelfSignedCertificate(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)
	cert, err := loadOrCreateCert(dir, now, discard)
	if err != nil {
		t.Fatal(err)
	}
	leaf := cert.Leaf
	t.Run("the files are written 0600", func(t *testing.T) {
		for _, f := range []string{CertFile, KeyFile} {
			fi, err := os.Stat(filepath.Join(dir, f))
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("%s mode = %v, want 0600", f, fi.Mode().Perm())
			}
		}
	})
	t.Run("the certificate names localhost, the loopback addresses and the host", func(t *testing.T) {
		host, _ := os.Hostname()
		for _, name := range []string{"localhost", host} {
			if err := leaf.VerifyHostname(name); err != nil {
				t.Errorf("VerifyHostname(%q): %v", name, err)
			}
		}
		for _, ip := range []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")} {
			if !slices.ContainsFunc(leaf.IPAddresses, ip.Equal) {
				t.Errorf("no SAN for %v in %v", ip, leaf.IPAddresses)
			}
		}
	})
	t.Run("the certificate is ECDSA and verifies as its own root", func(t *testing.T) {
		if leaf.PublicKeyAlgorithm != x509.ECDSA {
			t.Errorf("key algorithm = %v", leaf.PublicKeyAlgorithm)
		}
		roots := x509.NewCertPool()
		roots.AddCert(leaf)
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: "localhost", CurrentTime: now}); err != nil {
			t.Errorf("Verify: %v", err)
		}
	})
	t.Run("a second start reuses the certificate", func(t *testing.T) {
		before, _ := os.ReadFile(filepath.Join(dir, CertFile))
		again, err := loadOrCreateCert(dir, now.Add(24*time.Hour), discard)
		if err != nil {
			t.Fatal(err)
		}
		after, _ := os.ReadFile(filepath.Join(dir, CertFile))
		if !bytes.Equal(before, after) || !again.Leaf.Equal(leaf) {
			t.Fatal("the certificate was regenerated")
		}
	})
	t.Run("an expired certificate is replaced", func(t *testing.T) {
		renewed, err := loadOrCreateCert(dir, leaf.NotAfter.Add(time.Hour), discard)
		if err != nil {
			t.Fatal(err)
		}
		if renewed.Leaf.Equal(leaf) || !renewed.Leaf.NotAfter.After(leaf.NotAfter) {
			t.Fatal("the expired certificate was kept")
		}
	})
	t.Run("a corrupt certificate is an error, not silently replaced", func(t *testing.T) {
		bad := t.TempDir()
		os.WriteFile(filepath.Join(bad, CertFile), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("junk")}), 0o600)
		os.WriteFile(filepath.Join(bad, KeyFile), []byte("junk"), 0o600)
		if _, err := loadOrCreateCert(bad, now, discard); err == nil {
			t.Fatal("a corrupt certificate was accepted")
		}
		if b, _ := os.ReadFile(filepath.Join(bad, KeyFile)); string(b) != "junk" {
			t.Fatal("the operator's key file was overwritten")
		}
	})
}
