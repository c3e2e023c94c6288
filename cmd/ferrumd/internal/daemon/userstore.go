package daemon

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ferrum-virt/ferrum/cimom/auth"
	"github.com/ferrum-virt/ferrum/cimom/store"
)

// storeUsers is the SQLite store seen as an auth.UserStore. The two User
// types have the same fields, so they convert directly; a change to either
// breaks the build here rather than losing a field.
type storeUsers struct{ s *store.Store }

var _ auth.UserStore = storeUsers{}

// CreateUser validates the name as auth does and stores u.
func (a storeUsers) CreateUser(ctx context.Context, u auth.User) error {
	if err := auth.ValidateUserName(u.Name); err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	return userErr(a.s.CreateUser(ctx, store.User(u)))
}

// GetUser returns the named user.
func (a storeUsers) GetUser(ctx context.Context, name string) (auth.User, error) {
	u, err := a.s.GetUser(ctx, name)
	return auth.User(u), userErr(err)
}

// UpdateUser replaces the user named u.Name.
func (a storeUsers) UpdateUser(ctx context.Context, u auth.User) error {
	u.Updated = time.Time{} // the store stamps the time of the update
	return userErr(a.s.UpdateUser(ctx, store.User(u)))
}

// DeleteUser removes the named user.
func (a storeUsers) DeleteUser(ctx context.Context, name string) error {
	return userErr(a.s.DeleteUser(ctx, name))
}

// ListUsers returns every user sorted by name.
func (a storeUsers) ListUsers(ctx context.Context) ([]auth.User, error) {
	us, err := a.s.ListUsers(ctx)
	if err != nil {
		return nil, userErr(err)
	}
	out := make([]auth.User, len(us))
	for i, u := range us {
		out[i] = auth.User(u)
	}
	return out, nil
}

// mappedErr is a store error that also matches auth's sentinel.
type mappedErr struct{ err, sentinel error }

func (e mappedErr) Error() string   { return e.err.Error() }
func (e mappedErr) Unwrap() []error { return []error{e.err, e.sentinel} }

// userErr makes the store's user errors match auth.ErrNoSuchUser and
// auth.ErrUserExists, keeping the store's own error and message.
func userErr(err error) error {
	switch {
	case errors.Is(err, store.ErrNoSuchUser):
		return mappedErr{err, auth.ErrNoSuchUser}
	case errors.Is(err, store.ErrUserExists):
		return mappedErr{err, auth.ErrUserExists}
	}
	return err
}
