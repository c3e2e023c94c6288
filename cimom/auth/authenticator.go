package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Errors Authenticate wraps. Every refusal wraps ErrUnauthenticated, which is
// all a client may learn; the second error says why, for the server's log.
var (
	ErrUnauthenticated = errors.New("authentication failed")
	ErrWrongPassword   = errors.New("wrong password")
	ErrUserDisabled    = errors.New("user disabled")
)

// Cache defaults for AuthenticatorOptions.
const (
	DefaultCacheTTL  = 2 * time.Minute
	DefaultCacheSize = 1024
)

// AuthenticatorOptions tune an Authenticator. The zero value is the
// production setting.
type AuthenticatorOptions struct {
	// Cost is the bcrypt cost of the dummy hash that unknown users are checked
	// against; it should match the cost of stored hashes. 0 means DefaultCost.
	Cost int
	// CacheTTL is how long a successful verification is remembered. 0 means
	// DefaultCacheTTL; a negative value disables the cache.
	CacheTTL time.Duration
	// CacheSize bounds the number of remembered verifications. 0 means
	// DefaultCacheSize.
	CacheSize int
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// An Authenticator checks user names and passwords against a UserStore.
//
// Unknown users, disabled users and wrong passwords are refused alike and in
// about the same time: an unknown user's password is checked against a dummy
// hash of the same cost, so timing does not tell which users exist. Successful
// checks are cached for a short TTL; the cache is keyed by the user's stored
// hash, so a password change takes effect at once, and the store is read on
// every call, so disabling or deleting a user does too.
type Authenticator struct {
	store UserStore
	now   func() time.Time
	dummy []byte
	cache *verifiedCache // nil when disabled
}

// NewAuthenticator returns an Authenticator over store.
func NewAuthenticator(store UserStore, opts AuthenticatorOptions) (*Authenticator, error) {
	if opts.Cost == 0 {
		opts.Cost = DefaultCost
	}
	if opts.CacheTTL == 0 {
		opts.CacheTTL = DefaultCacheTTL
	}
	if opts.CacheSize <= 0 {
		opts.CacheSize = DefaultCacheSize
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, fmt.Errorf("dummy password: %w", err)
	}
	dummy, err := bcrypt.GenerateFromPassword(secret, opts.Cost)
	if err != nil {
		return nil, fmt.Errorf("dummy hash: %w", err)
	}
	a := &Authenticator{store: store, now: opts.Now, dummy: dummy}
	if opts.CacheTTL > 0 {
		if a.cache, err = newVerifiedCache(opts.CacheTTL, opts.CacheSize); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// Authenticate returns the Principal for user if password is theirs. A
// refusal wraps ErrUnauthenticated; any other error (the store failing, ctx
// ending) is the server's problem, not the client's.
func (a *Authenticator) Authenticate(ctx context.Context, user, password string) (Principal, error) {
	if ValidateUserName(user) != nil || len(password) > MaxPasswordLen {
		a.burn(password)
		return Principal{}, refusal(user, ErrWrongPassword)
	}
	u, err := a.store.GetUser(ctx, user)
	if errors.Is(err, ErrNoSuchUser) {
		a.burn(password)
		return Principal{}, refusal(user, ErrNoSuchUser)
	}
	if err != nil {
		return Principal{}, fmt.Errorf("authenticate %q: %w", user, err)
	}
	if u.Disabled {
		a.burn(password)
		return Principal{}, refusal(user, ErrUserDisabled)
	}
	if !a.verify(u, password) {
		return Principal{}, refusal(user, ErrWrongPassword)
	}
	return Principal{User: u.Name, Roles: slices.Clone(u.Roles)}, nil
}

// verify checks password against u's stored hash, through the cache.
func (a *Authenticator) verify(u User, password string) bool {
	if a.cache == nil {
		return compareHash([]byte(u.PasswordHash), []byte(password)) == nil
	}
	k := a.cache.key(u.Name, u.PasswordHash, password)
	if a.cache.hit(k, a.now()) {
		return true
	}
	if compareHash([]byte(u.PasswordHash), []byte(password)) != nil {
		return false
	}
	a.cache.add(k, a.now())
	return true
}

// burn spends the time a real check would, so refusing early reveals nothing.
func (a *Authenticator) burn(password string) {
	_ = compareHash(a.dummy, []byte(password))
}

// compareHash is bcrypt's comparison; tests count its calls.
var compareHash = bcrypt.CompareHashAndPassword

func refusal(user string, why error) error {
	return fmt.Errorf("authenticate %q: %w: %w", user, ErrUnauthenticated, why)
}
