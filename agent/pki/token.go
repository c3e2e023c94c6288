package pki

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// tokenPrefix starts every join token and names its format.
const tokenPrefix = "ferrum1"

// ErrBadToken reports a join token that is not in the ferrum1 format.
var ErrBadToken = errors.New("malformed join token")

// A Token is a parsed join token: the fingerprint of the CA the agent must
// find in the manager's chain, and the one-time secret the manager checks.
type Token struct {
	CAFingerprint [32]byte
	Secret        string
}

// NewToken draws a token with a 128-bit secret for the CA with fingerprint fp.
func NewToken(fp [32]byte) (Token, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return Token{}, fmt.Errorf("draw join token: %w", err)
	}
	return Token{CAFingerprint: fp, Secret: base64.RawURLEncoding.EncodeToString(b[:])}, nil
}

// String formats the token as "ferrum1.<CA fingerprint>.<secret>", both
// base64url.
func (t Token) String() string {
	return tokenPrefix + "." + base64.RawURLEncoding.EncodeToString(t.CAFingerprint[:]) + "." + t.Secret
}

// SecretHash is what the manager keeps instead of the secret.
func (t Token) SecretHash() [32]byte { return sha256.Sum256([]byte(t.Secret)) }

// ParseToken parses a join token.
func ParseToken(s string) (Token, error) {
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) != 3 || parts[0] != tokenPrefix {
		return Token{}, fmt.Errorf("%w: want %s.<fingerprint>.<secret>", ErrBadToken, tokenPrefix)
	}
	fp, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || len(fp) != 32 {
		return Token{}, fmt.Errorf("%w: CA fingerprint is not 32 base64url bytes", ErrBadToken)
	}
	if secret, err := base64.RawURLEncoding.DecodeString(parts[2]); err != nil || len(secret) < 16 {
		return Token{}, fmt.Errorf("%w: secret is not at least 16 base64url bytes", ErrBadToken)
	}
	return Token{CAFingerprint: [32]byte(fp), Secret: parts[2]}, nil
}
