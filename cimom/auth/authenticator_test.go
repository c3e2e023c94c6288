package auth

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// fakeClock is a settable clock for cache expiry.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

// countCompares counts bcrypt comparisons for the rest of the test.
func countCompares(t *testing.T) *atomic.Int64 {
	t.Helper()
	var n atomic.Int64
	orig := compareHash
	compareHash = func(h, p []byte) error { n.Add(1); return orig(h, p) }
	t.Cleanup(func() { compareHash = orig })
	return &n
}

func mustHash(t testing.TB, pw string) string {
	t.Helper()
	h, err := HashPassword(pw, bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// newFixture returns a store with users alice (enabled, roles admin and
// operator) and dave (disabled), and an Authenticator over it.
func newFixture(t *testing.T) (*MemoryUserStore, *Authenticator, *fakeClock) {
	t.Helper()
	ctx := context.Background()
	s := NewMemoryUserStore()
	for _, u := range []User{
		{Name: "alice", PasswordHash: mustHash(t, "alice-secret"), Roles: []string{"admin", "operator"}},
		{Name: "dave", PasswordHash: mustHash(t, "dave-secret"), Disabled: true},
	} {
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	clock := &fakeClock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	a, err := NewAuthenticator(s, AuthenticatorOptions{Cost: bcrypt.MinCost, CacheTTL: time.Minute, Now: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	return s, a, clock
}

func TestAuthenticate(t *testing.T) {
	_, a, _ := newFixture(t)
	tests := []struct {
		name     string
		user, pw string
		why      error // nil: accepted
		compares int64 // bcrypt comparisons the call must spend
	}{
		{"the right password → the user's principal", "alice", "alice-secret", nil, 1},
		{"a wrong password → refused", "alice", "alice-secreT", ErrWrongPassword, 1},
		{"an unknown user → refused after a dummy comparison", "mallory", "alice-secret", ErrNoSuchUser, 1},
		{"a disabled user with the right password → refused after a comparison", "dave", "dave-secret", ErrUserDisabled, 1},
		{"an invalid user name → refused after a dummy comparison", "a:b", "whatever1", ErrWrongPassword, 1},
		{"a password beyond bcrypt's 72 bytes → refused even if its prefix matches", "alice", "alice-secret" + strings.Repeat("x", 70), ErrWrongPassword, 1},
		{"an empty password → refused", "alice", "", ErrWrongPassword, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := countCompares(t)
			p, err := a.Authenticate(context.Background(), tt.user, tt.pw)
			if got := n.Load(); got != tt.compares {
				t.Errorf("bcrypt comparisons = %d, want %d", got, tt.compares)
			}
			if tt.why == nil {
				if err != nil {
					t.Fatalf("Authenticate: %v", err)
				}
				if p.User != tt.user || !p.HasRole("admin") || !p.HasRole("operator") {
					t.Fatalf("principal = %+v", p)
				}
				return
			}
			if !errors.Is(err, ErrUnauthenticated) || !errors.Is(err, tt.why) {
				t.Fatalf("err = %v, want ErrUnauthenticated and %v", err, tt.why)
			}
		})
	}
}

// failingStore is a UserStore whose reads fail.
type failingStore struct{ UserStore }

func (failingStore) GetUser(context.Context, string) (User, error) {
	return User{}, errors.New("disk on fire")
}

func TestAuthenticateStoreFailureIsNotARefusal(t *testing.T) {
	a, err := NewAuthenticator(failingStore{}, AuthenticatorOptions{Cost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.Authenticate(context.Background(), "alice", "alice-secret")
	if err == nil || errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("err = %v, want a server error that is not ErrUnauthenticated", err)
	}
}

func TestAuthenticateCache(t *testing.T) {
	ctx := context.Background()
	t.Run("a repeated success is served without bcrypt", func(t *testing.T) {
		_, a, _ := newFixture(t)
		n := countCompares(t)
		for range 3 {
			if _, err := a.Authenticate(ctx, "alice", "alice-secret"); err != nil {
				t.Fatal(err)
			}
		}
		if n.Load() != 1 {
			t.Fatalf("bcrypt comparisons = %d, want 1", n.Load())
		}
	})
	t.Run("a wrong password is never cached", func(t *testing.T) {
		_, a, _ := newFixture(t)
		n := countCompares(t)
		for range 2 {
			if _, err := a.Authenticate(ctx, "alice", "nope-nope"); err == nil {
				t.Fatal("wrong password accepted")
			}
		}
		if n.Load() != 2 || a.cache.len() != 0 {
			t.Fatalf("comparisons = %d, cache entries = %d; want 2, 0", n.Load(), a.cache.len())
		}
	})
	t.Run("a password change invalidates the cached old password", func(t *testing.T) {
		s, a, _ := newFixture(t)
		if _, err := a.Authenticate(ctx, "alice", "alice-secret"); err != nil {
			t.Fatal(err)
		}
		u, _ := s.GetUser(ctx, "alice")
		u.PasswordHash = mustHash(t, "new-secret")
		if err := s.UpdateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Authenticate(ctx, "alice", "alice-secret"); !errors.Is(err, ErrWrongPassword) {
			t.Fatalf("old password after change: err = %v, want ErrWrongPassword", err)
		}
		if _, err := a.Authenticate(ctx, "alice", "new-secret"); err != nil {
			t.Fatalf("new password: %v", err)
		}
	})
	t.Run("disabling a user takes effect despite the cache", func(t *testing.T) {
		s, a, _ := newFixture(t)
		if _, err := a.Authenticate(ctx, "alice", "alice-secret"); err != nil {
			t.Fatal(err)
		}
		u, _ := s.GetUser(ctx, "alice")
		u.Disabled = true
		if err := s.UpdateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Authenticate(ctx, "alice", "alice-secret"); !errors.Is(err, ErrUserDisabled) {
			t.Fatalf("err = %v, want ErrUserDisabled", err)
		}
	})
	t.Run("role changes take effect despite the cache", func(t *testing.T) {
		s, a, _ := newFixture(t)
		if _, err := a.Authenticate(ctx, "alice", "alice-secret"); err != nil {
			t.Fatal(err)
		}
		u, _ := s.GetUser(ctx, "alice")
		u.Roles = []string{"reader"}
		if err := s.UpdateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		p, err := a.Authenticate(ctx, "alice", "alice-secret")
		if err != nil || p.HasRole("admin") || !p.HasRole("reader") {
			t.Fatalf("principal = %+v, err = %v; want roles [reader]", p, err)
		}
	})
	t.Run("an entry expires after the TTL", func(t *testing.T) {
		_, a, clock := newFixture(t)
		n := countCompares(t)
		if _, err := a.Authenticate(ctx, "alice", "alice-secret"); err != nil {
			t.Fatal(err)
		}
		clock.t = clock.t.Add(time.Minute)
		if _, err := a.Authenticate(ctx, "alice", "alice-secret"); err != nil {
			t.Fatal(err)
		}
		if n.Load() != 2 {
			t.Fatalf("bcrypt comparisons = %d, want 2 (the entry should have expired)", n.Load())
		}
	})
	t.Run("a negative TTL disables the cache", func(t *testing.T) {
		s, _, _ := newFixture(t)
		a, err := NewAuthenticator(s, AuthenticatorOptions{Cost: bcrypt.MinCost, CacheTTL: -1})
		if err != nil {
			t.Fatal(err)
		}
		n := countCompares(t)
		for range 2 {
			if _, err := a.Authenticate(ctx, "alice", "alice-secret"); err != nil {
				t.Fatal(err)
			}
		}
		if n.Load() != 2 {
			t.Fatalf("bcrypt comparisons = %d, want 2", n.Load())
		}
	})
}

func TestVerifiedCacheStaysBounded(t *testing.T) {
	c, err := newVerifiedCache(time.Minute, 4)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 10 {
		c.add(c.key("u", "h", strings.Repeat("p", i)), now)
	}
	if c.len() != 4 {
		t.Fatalf("entries = %d, want 4", c.len())
	}
	last := c.key("u", "h", strings.Repeat("p", 9))
	if !c.hit(last, now) {
		t.Fatal("the newest entry was evicted")
	}
	if c.key("ab", "c", "") == c.key("a", "bc", "") {
		t.Fatal("different triples share a cache key")
	}
}

// BenchmarkAuthenticate compares a full bcrypt verification at the default
// cost with a verification served from the cache.
func BenchmarkAuthenticate(b *testing.B) {
	ctx := context.Background()
	s := NewMemoryUserStore()
	h, err := HashPassword("bench-secret", DefaultCost)
	if err != nil {
		b.Fatal(err)
	}
	if err := s.CreateUser(ctx, User{Name: "bench", PasswordHash: h}); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		ttl  time.Duration
	}{{"uncached_cost10", -1}, {"cached", time.Hour}} {
		b.Run(bc.name, func(b *testing.B) {
			a, err := NewAuthenticator(s, AuthenticatorOptions{CacheTTL: bc.ttl})
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := a.Authenticate(ctx, "bench", "bench-secret"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
