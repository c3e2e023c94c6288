package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"time"
)

// Identities written into certificates as URI SANs.
const (
	ManagerURI    = "urn:ferrum:manager"
	NodeURIPrefix = "urn:ferrum:node:"
)

// Lifetimes of what the CA issues.
const (
	CAValidity     = 20 * 365 * 24 * time.Hour
	NodeValidity   = 2 * 365 * 24 * time.Hour
	ServerValidity = 365 * 24 * time.Hour
	clockSkew      = 5 * time.Minute
)

// Files of the CA under its directory.
const (
	CACertFile = "ca.crt"
	CAKeyFile  = "ca.key"
)

// A CA issues the manager's server certificate and the nodes' client
// certificates. It is safe for concurrent use.
type CA struct {
	Cert *x509.Certificate
	key  crypto.Signer
}

// LoadOrCreateCA loads the CA kept in dir, creating dir (0700) and a new CA
// (key 0600) when there is none.
func LoadOrCreateCA(dir string) (*CA, error) {
	certPath, keyPath := filepath.Join(dir, CACertFile), filepath.Join(dir, CAKeyFile)
	if _, err := os.Stat(keyPath); err == nil {
		return loadCA(certPath, keyPath)
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("ca key: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("ca dir: %w", err)
	}
	ca, err := NewCA("Ferrum manager CA")
	if err != nil {
		return nil, err
	}
	if err := WriteKey(keyPath, ca.key); err != nil {
		return nil, err
	}
	if err := WriteCert(certPath, ca.Cert.Raw); err != nil {
		return nil, err
	}
	return ca, nil
}

func loadCA(certPath, keyPath string) (*CA, error) {
	cert, err := ReadCert(certPath)
	if err != nil {
		return nil, err
	}
	key, err := ReadKey(keyPath)
	if err != nil {
		return nil, err
	}
	if !cert.IsCA || !publicKeysEqual(cert.PublicKey, key.Public()) {
		return nil, fmt.Errorf("%s is not the CA certificate of %s", certPath, keyPath)
	}
	return &CA{Cert: cert, key: key}, nil
}

// NewCA creates a CA in memory.
func NewCA(name string) (*CA, error) {
	key, err := NewKey()
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          newSerial(),
		Subject:               pkix.Name{CommonName: name, Organization: []string{"Ferrum"}},
		NotBefore:             now.Add(-clockSkew),
		NotAfter:              now.Add(CAValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("create ca certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &CA{Cert: cert, key: key}, nil
}

// Fingerprint is the SHA-256 of the CA certificate's DER.
func (ca *CA) Fingerprint() [32]byte { return sha256.Sum256(ca.Cert.Raw) }

// Pool returns a pool holding only the CA.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Cert)
	return p
}

// ServerCertificate issues the manager a server certificate for names (DNS
// names or IP addresses), with its chain, ready for a tls.Config.
func (ca *CA) ServerCertificate(names []string) (tls.Certificate, error) {
	key, err := NewKey()
	if err != nil {
		return tls.Certificate{}, err
	}
	u, _ := url.Parse(ManagerURI)
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: "ferrum-manager", Organization: []string{"Ferrum"}},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		URIs:        []*url.URL{u},
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else if n != "" {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := ca.issue(tmpl, key.Public(), ServerValidity)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der, ca.Cert.Raw}, PrivateKey: key}, nil
}

// SignNode checks a DER certificate request and issues a client certificate
// for node id. The request must be self-signed with an ECDSA or Ed25519 key
// and name id as its common name; everything else in the certificate is
// decided here, not taken from the request.
func (ca *CA) SignNode(csrDER []byte, id string) (*x509.Certificate, error) {
	csr, err := x509.ParseCertificateRequest(csrDER)
	if err != nil {
		return nil, fmt.Errorf("parse certificate request: %w", err)
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, fmt.Errorf("certificate request signature: %w", err)
	}
	if csr.Subject.CommonName != id {
		return nil, fmt.Errorf("certificate request names %q, node is %q", csr.Subject.CommonName, id)
	}
	switch k := csr.PublicKey.(type) {
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() && k.Curve != elliptic.P384() {
			return nil, fmt.Errorf("certificate request key on curve %s: use P-256 or P-384", k.Curve.Params().Name)
		}
	case ed25519.PublicKey:
	default:
		return nil, fmt.Errorf("certificate request key %T: use ECDSA or Ed25519", csr.PublicKey)
	}
	u, err := url.Parse(NodeURIPrefix + id)
	if err != nil {
		return nil, fmt.Errorf("node id %q: %w", id, err)
	}
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: id, Organization: []string{"Ferrum nodes"}},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		URIs:        []*url.URL{u},
	}
	der, err := ca.issue(tmpl, csr.PublicKey, NodeValidity)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

func (ca *CA) issue(tmpl *x509.Certificate, pub crypto.PublicKey, validity time.Duration) ([]byte, error) {
	now := time.Now()
	tmpl.SerialNumber = newSerial()
	tmpl.NotBefore, tmpl.NotAfter = now.Add(-clockSkew), now.Add(validity)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, pub, ca.key)
	if err != nil {
		return nil, fmt.Errorf("issue certificate for %q: %w", tmpl.Subject.CommonName, err)
	}
	return der, nil
}

// newSerial draws a random 127-bit serial number.
func newSerial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return n
}

// Serial spells a certificate's serial number the way the registry stores it.
func Serial(c *x509.Certificate) string { return c.SerialNumber.Text(16) }

// NodeID returns the node identity a client certificate carries.
func NodeID(c *x509.Certificate) (string, error) {
	for _, u := range c.URIs {
		if s := u.String(); len(s) > len(NodeURIPrefix) && s[:len(NodeURIPrefix)] == NodeURIPrefix {
			if id := s[len(NodeURIPrefix):]; id == c.Subject.CommonName {
				return id, nil
			}
		}
	}
	return "", fmt.Errorf("certificate %q is not a Ferrum node certificate", c.Subject.CommonName)
}

type publicKey interface{ Equal(crypto.PublicKey) bool }

func publicKeysEqual(a, b crypto.PublicKey) bool {
	k, ok := a.(publicKey)
	return ok && k.Equal(b)
}
