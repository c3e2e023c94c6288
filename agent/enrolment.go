package agent

import (
	"crypto/x509"
	"errors"
	"fmt"
)

// Enrolment returns the node certificate and the pinned manager CA that
// stateDir holds, or ErrNotEnrolled when it holds none. A manager running
// its own agents in-process uses it to tell whether they must enrol again.
func Enrolment(stateDir string) (node, ca *x509.Certificate, err error) {
	c, err := loadCredentials(stateDir)
	switch {
	case errors.Is(err, errNotEnrolled):
		return nil, nil, ErrNotEnrolled
	case err != nil:
		return nil, nil, fmt.Errorf("state dir %s: %w", stateDir, err)
	}
	return c.leaf, c.ca, nil
}
