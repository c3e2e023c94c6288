package auth

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// MemoryUserStore is a UserStore that keeps users in memory. It is meant for
// tests and for running without a database; nothing survives the process.
type MemoryUserStore struct {
	mu    sync.RWMutex
	users map[string]User
	now   func() time.Time
}

// NewMemoryUserStore returns an empty MemoryUserStore.
func NewMemoryUserStore() *MemoryUserStore {
	return &MemoryUserStore{users: make(map[string]User), now: time.Now}
}

// CreateUser adds u. It fails on an invalid name or a name that is taken.
func (s *MemoryUserStore) CreateUser(ctx context.Context, u User) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := ValidateUserName(u.Name); err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[u.Name]; ok {
		return fmt.Errorf("create user %q: %w", u.Name, ErrUserExists)
	}
	now := s.now()
	if u.Created.IsZero() {
		u.Created = now
	}
	if u.Updated.IsZero() {
		u.Updated = u.Created
	}
	s.users[u.Name] = u.clone()
	return nil
}

// GetUser returns the named user.
func (s *MemoryUserStore) GetUser(ctx context.Context, name string) (User, error) {
	if err := ctx.Err(); err != nil {
		return User{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.users[name]
	if !ok {
		return User{}, fmt.Errorf("get user %q: %w", name, ErrNoSuchUser)
	}
	return u.clone(), nil
}

// UpdateUser replaces the user named u.Name, keeping its Created time.
func (s *MemoryUserStore) UpdateUser(ctx context.Context, u User) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.users[u.Name]
	if !ok {
		return fmt.Errorf("update user %q: %w", u.Name, ErrNoSuchUser)
	}
	u.Created = old.Created
	u.Updated = s.now()
	s.users[u.Name] = u.clone()
	return nil
}

// DeleteUser removes the named user.
func (s *MemoryUserStore) DeleteUser(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[name]; !ok {
		return fmt.Errorf("delete user %q: %w", name, ErrNoSuchUser)
	}
	delete(s.users, name)
	return nil
}

// ListUsers returns every user, sorted by name.
func (s *MemoryUserStore) ListUsers(ctx context.Context) ([]User, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]User, 0, len(s.users))
	for _, u := range s.users {
		out = append(out, u.clone())
	}
	slices.SortFunc(out, func(a, b User) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}
