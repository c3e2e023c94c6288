package auth

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// DefaultCost is the bcrypt cost Ferrum hashes passwords with: about 50 ms on
// a current server core.
const DefaultCost = bcrypt.DefaultCost

// Password length limits in bytes. bcrypt reads only the first 72 bytes, so a
// longer password would silently be truncated; Ferrum refuses it instead.
const (
	MinPasswordLen = 8
	MaxPasswordLen = 72
)

// ErrWeakPassword is wrapped by ValidatePassword's errors.
var ErrWeakPassword = errors.New("unacceptable password")

// ValidatePassword reports whether password may be set for a user: valid
// UTF-8 of MinPasswordLen to MaxPasswordLen bytes.
func ValidatePassword(password string) error {
	switch {
	case !utf8.ValidString(password):
		return fmt.Errorf("%w: not valid UTF-8", ErrWeakPassword)
	case len(password) < MinPasswordLen:
		return fmt.Errorf("%w: shorter than %d bytes", ErrWeakPassword, MinPasswordLen)
	case len(password) > MaxPasswordLen:
		return fmt.Errorf("%w: longer than %d bytes", ErrWeakPassword, MaxPasswordLen)
	}
	return nil
}

// HashPassword validates password and returns its bcrypt hash at cost, encoded
// as the "$2a$…" string User.PasswordHash holds. A cost of 0 means DefaultCost;
// tests pass bcrypt.MinCost to run fast.
func HashPassword(password string, cost int) (string, error) {
	if err := ValidatePassword(password); err != nil {
		return "", err
	}
	if cost == 0 {
		cost = DefaultCost
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// GeneratePassword returns a random password of 32 URL-safe characters
// (192 bits from crypto/rand).
func GeneratePassword() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate password: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
