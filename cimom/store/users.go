package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// A User is an account that may authenticate to Ferrum. It mirrors the
// User of package cimom/auth field for field.
type User struct {
	Name         string    // unique, case-sensitive
	PasswordHash string    // an encoded hash (bcrypt/argon2 string); the store never sees plain passwords
	Roles        []string  // kept in order; nil and empty both mean no role
	Disabled     bool      // a disabled user cannot authenticate
	Created      time.Time // set by CreateUser when zero; never changed by UpdateUser
	Updated      time.Time // set by CreateUser when zero (to Created); set to the current time by UpdateUser
}

// The user errors. Each wraps the general sentinel, so errors.Is(err,
// ErrNotFound) holds for ErrNoSuchUser and errors.Is(err, ErrExists) for
// ErrUserExists.
var (
	ErrNoSuchUser = fmt.Errorf("%w: no such user", ErrNotFound)
	ErrUserExists = fmt.Errorf("%w: user exists", ErrExists)
)

const timeFormat = time.RFC3339Nano

// CreateUser stores a new user, or fails with ErrUserExists.
func (s *Store) CreateUser(ctx context.Context, u User) error {
	if u.Name == "" {
		return fmt.Errorf("create user: %w: empty name", ErrInvalid)
	}
	now := s.now().UTC()
	if u.Created.IsZero() {
		u.Created = now
	}
	if u.Updated.IsZero() {
		u.Updated = u.Created
	}
	roles, err := json.Marshal(u.Roles)
	if err != nil {
		return fmt.Errorf("create user %s: encode roles: %w", u.Name, err)
	}
	res, err := s.w.ExecContext(ctx, `INSERT INTO users (name, password_hash, roles, disabled, created, updated)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`,
		u.Name, u.PasswordHash, string(roles), u.Disabled,
		u.Created.UTC().Format(timeFormat), u.Updated.UTC().Format(timeFormat))
	if err = affected(res, err); errors.Is(err, ErrNotFound) {
		err = ErrUserExists
	}
	if err != nil {
		return fmt.Errorf("create user %s: %w", u.Name, err)
	}
	return nil
}

// GetUser returns the user named name, or fails with ErrNoSuchUser.
func (s *Store) GetUser(ctx context.Context, name string) (User, error) {
	row := s.r.QueryRowContext(ctx, `SELECT name, password_hash, roles, disabled, created, updated
		FROM users WHERE name = ?`, name)
	u, err := scanUser(row)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNoSuchUser
	}
	if err != nil {
		return User{}, fmt.Errorf("get user %s: %w", name, err)
	}
	return u, nil
}

// UpdateUser replaces the password hash, roles and disabled flag of the
// user named u.Name and sets its update time to now, or fails with
// ErrNoSuchUser. u.Created and u.Updated are ignored: the creation time
// stays as stored.
func (s *Store) UpdateUser(ctx context.Context, u User) error {
	u.Updated = s.now().UTC()
	roles, err := json.Marshal(u.Roles)
	if err != nil {
		return fmt.Errorf("update user %s: encode roles: %w", u.Name, err)
	}
	err = affected(s.w.ExecContext(ctx, `UPDATE users SET password_hash = ?, roles = ?, disabled = ?, updated = ?
		WHERE name = ?`, u.PasswordHash, string(roles), u.Disabled, u.Updated.UTC().Format(timeFormat), u.Name))
	if errors.Is(err, ErrNotFound) {
		err = ErrNoSuchUser
	}
	if err != nil {
		return fmt.Errorf("update user %s: %w", u.Name, err)
	}
	return nil
}

// DeleteUser deletes the user named name, or fails with ErrNoSuchUser.
func (s *Store) DeleteUser(ctx context.Context, name string) error {
	err := affected(s.w.ExecContext(ctx, `DELETE FROM users WHERE name = ?`, name))
	if errors.Is(err, ErrNotFound) {
		err = ErrNoSuchUser
	}
	if err != nil {
		return fmt.Errorf("delete user %s: %w", name, err)
	}
	return nil
}

// ListUsers returns every user, ordered by name (byte order).
func (s *Store) ListUsers(ctx context.Context) ([]User, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT name, password_hash, roles, disabled, created, updated
		FROM users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var roles, created, updated string
	if err := row.Scan(&u.Name, &u.PasswordHash, &roles, &u.Disabled, &created, &updated); err != nil {
		return User{}, err
	}
	if err := json.Unmarshal([]byte(roles), &u.Roles); err != nil {
		return User{}, fmt.Errorf("user %s: %w: roles: %v", u.Name, ErrCorrupt, err)
	}
	var err error
	if u.Created, err = time.Parse(timeFormat, created); err != nil {
		return User{}, fmt.Errorf("user %s: %w: created: %v", u.Name, ErrCorrupt, err)
	}
	if u.Updated, err = time.Parse(timeFormat, updated); err != nil {
		return User{}, fmt.Errorf("user %s: %w: updated: %v", u.Name, ErrCorrupt, err)
	}
	return u, nil
}
