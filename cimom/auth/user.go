package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
	"unicode"
	"unicode/utf8"
)

// Errors a UserStore returns, wrapped with context; test with errors.Is.
var (
	// ErrUserExists means CreateUser was given a name that is taken.
	ErrUserExists = errors.New("user exists")
	// ErrNoSuchUser means the named user does not exist.
	ErrNoSuchUser = errors.New("no such user")
)

// RoleAdmin is the role of administrators, the role EnsureAdmin gives "admin".
const RoleAdmin = "admin"

// A User is an account that may authenticate to Ferrum. PasswordHash is an
// encoded hash as HashPassword returns it, never a password.
type User struct {
	Name         string
	PasswordHash string
	Roles        []string
	Disabled     bool
	Created      time.Time
	Updated      time.Time
}

// HasRole reports whether u has the named role.
func (u User) HasRole(role string) bool { return slices.Contains(u.Roles, role) }

// A UserStore keeps users by name. Names are compared exactly (case matters).
// CreateUser returns an error wrapping ErrUserExists when the name is taken;
// GetUser, UpdateUser and DeleteUser return one wrapping ErrNoSuchUser when it
// is not. CreateUser sets Created and Updated when they are zero; UpdateUser
// keeps Created and sets Updated. ListUsers returns the users sorted by name.
// Implementations are safe for concurrent use.
type UserStore interface {
	CreateUser(ctx context.Context, u User) error
	GetUser(ctx context.Context, name string) (User, error)
	UpdateUser(ctx context.Context, u User) error
	DeleteUser(ctx context.Context, name string) error
	ListUsers(ctx context.Context) ([]User, error)
}

// MaxUserNameLen is the longest user name, in bytes, ValidateUserName accepts.
const MaxUserNameLen = 64

// ValidateUserName reports whether name can be a user name: 1 to
// MaxUserNameLen bytes of UTF-8 with no control characters, no colon (HTTP
// Basic authentication cannot carry one) and no leading or trailing space.
func ValidateUserName(name string) error {
	switch {
	case name == "":
		return errors.New("user name is empty")
	case len(name) > MaxUserNameLen:
		return fmt.Errorf("user name is longer than %d bytes", MaxUserNameLen)
	case !utf8.ValidString(name):
		return errors.New("user name is not valid UTF-8")
	}
	for _, r := range name {
		if unicode.IsControl(r) || r == ':' {
			return fmt.Errorf("user name %q contains %q", name, r)
		}
	}
	first, _ := utf8.DecodeRuneInString(name)
	last, _ := utf8.DecodeLastRuneInString(name)
	if unicode.IsSpace(first) || unicode.IsSpace(last) {
		return fmt.Errorf("user name %q starts or ends with a space", name)
	}
	return nil
}

// clone returns a copy of u that shares no memory with it.
func (u User) clone() User {
	u.Roles = slices.Clone(u.Roles)
	return u
}
