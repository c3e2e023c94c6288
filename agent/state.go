package agent

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ferrum-virt/ferrum/agent/pki"
)

// Files in the agent's state directory.
const (
	keyFile  = "node.key" // 0600
	certFile = "node.crt"
	caFile   = "ca.crt" // the manager's CA, pinned at enrolment
)

// credentials are what enrolment leaves in the state directory.
type credentials struct {
	cert tls.Certificate
	leaf *x509.Certificate
	ca   *x509.Certificate
}

// errNotEnrolled reports a state directory without credentials.
var errNotEnrolled = errors.New("not enrolled")

// loadCredentials reads the credentials kept in dir.
func loadCredentials(dir string) (*credentials, error) {
	if _, err := os.Stat(filepath.Join(dir, certFile)); errors.Is(err, os.ErrNotExist) {
		return nil, errNotEnrolled
	}
	key, err := pki.ReadKey(filepath.Join(dir, keyFile))
	if err != nil {
		return nil, err
	}
	leaf, err := pki.ReadCert(filepath.Join(dir, certFile))
	if err != nil {
		return nil, err
	}
	ca, err := pki.ReadCert(filepath.Join(dir, caFile))
	if err != nil {
		return nil, err
	}
	return &credentials{
		cert: tls.Certificate{Certificate: [][]byte{leaf.Raw}, PrivateKey: key, Leaf: leaf},
		leaf: leaf, ca: ca,
	}, nil
}

// nodeID is the identity the certificate carries.
func (c *credentials) nodeID() string { return c.leaf.Subject.CommonName }

// saveCredentials writes the certificate and the CA next to the key.
func saveCredentials(dir string, cert, ca []byte) error {
	if err := pki.WriteCert(filepath.Join(dir, caFile), ca); err != nil {
		return fmt.Errorf("save ca: %w", err)
	}
	if err := pki.WriteCert(filepath.Join(dir, certFile), cert); err != nil {
		return fmt.Errorf("save certificate: %w", err)
	}
	return nil
}
