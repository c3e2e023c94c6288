package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

func sameUser(t *testing.T, want, got User) {
	t.Helper()
	if want.Name != got.Name || want.PasswordHash != got.PasswordHash || want.Disabled != got.Disabled ||
		!slices.Equal(want.Roles, got.Roles) || (want.Roles == nil) != (got.Roles == nil) ||
		!want.Created.Equal(got.Created) || !want.Updated.Equal(got.Updated) {
		t.Fatalf("user differs:\nwant %+v\n got %+v", want, got)
	}
}

func TestUsers(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	clock := time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)
	s.now = func() time.Time { return clock }

	admin := User{Name: "admin", PasswordHash: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", Roles: []string{"admin", "operator"}}
	if err := s.CreateUser(ctx, admin); err != nil {
		t.Fatal(err)
	}
	admin.Created, admin.Updated = clock, clock
	got, err := s.GetUser(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	sameUser(t, admin, got)

	// Given times are kept, in any zone, to the nanosecond.
	zone := time.FixedZone("X", -5*3600)
	reader := User{Name: "Admin", PasswordHash: "$2b$12$abc", Roles: []string{}, Disabled: true,
		Created: time.Date(2020, 1, 2, 3, 4, 5, 6, zone), Updated: time.Date(2021, 1, 2, 3, 4, 5, 7, zone)}
	if err := s.CreateUser(ctx, reader); err != nil {
		t.Fatalf("a name differing only in case is another user: %v", err)
	}
	if got, _ := s.GetUser(ctx, "Admin"); true {
		sameUser(t, reader, got)
	}

	clock = clock.Add(time.Hour)
	admin.PasswordHash, admin.Roles, admin.Disabled = "$2b$12$new", nil, true
	if err := s.UpdateUser(ctx, User{Name: "admin", PasswordHash: admin.PasswordHash, Disabled: true, Created: time.Unix(0, 0)}); err != nil {
		t.Fatal(err)
	}
	admin.Updated = clock // Created stays as stored
	got, _ = s.GetUser(ctx, "admin")
	sameUser(t, admin, got)

	users, err := s.ListUsers(ctx)
	if err != nil || len(users) != 2 || users[0].Name != "Admin" || users[1].Name != "admin" {
		t.Fatalf("ListUsers = %v, %v; want Admin, admin", users, err)
	}
	if err := s.DeleteUser(ctx, "admin"); err != nil {
		t.Fatal(err)
	}
	if users, _ := s.ListUsers(ctx); len(users) != 1 {
		t.Fatalf("after delete: %v", users)
	}
}

func TestUserErrors(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	if err := s.CreateUser(ctx, User{Name: "alice", PasswordHash: "h"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		op         func() error
		want, also error
	}{
		{"creating an existing user → ErrUserExists, which is ErrExists", func() error {
			return s.CreateUser(ctx, User{Name: "alice"})
		}, ErrUserExists, ErrExists},
		{"getting a missing user → ErrNoSuchUser, which is ErrNotFound", func() error {
			_, err := s.GetUser(ctx, "bob")
			return err
		}, ErrNoSuchUser, ErrNotFound},
		{"user names are case-sensitive", func() error { _, err := s.GetUser(ctx, "Alice"); return err }, ErrNoSuchUser, ErrNotFound},
		{"updating a missing user → ErrNoSuchUser", func() error { return s.UpdateUser(ctx, User{Name: "bob"}) }, ErrNoSuchUser, ErrNotFound},
		{"deleting a missing user → ErrNoSuchUser", func() error { return s.DeleteUser(ctx, "bob") }, ErrNoSuchUser, ErrNotFound},
		{"a user without a name → ErrInvalid", func() error { return s.CreateUser(ctx, User{}) }, ErrInvalid, ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.op()
			if !errors.Is(err, tc.want) || !errors.Is(err, tc.also) {
				t.Fatalf("got %v, want %v and %v", err, tc.want, tc.also)
			}
		})
	}
	if errors.Is(ErrNoSuchUser, ErrUserExists) || errors.Is(ErrUserExists, ErrNotFound) {
		t.Fatal("the user sentinels must stay distinct")
	}
}

func TestSettings(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	if v, found, err := s.GetSetting(ctx, "server.uuid"); err != nil || found || v != "" {
		t.Fatalf("missing setting = %q, %v, %v", v, found, err)
	}
	for i, v := range []string{"first", "", "third\x00with NUL"} {
		if err := s.PutSetting(ctx, "server.uuid", v); err != nil {
			t.Fatal(err)
		}
		got, found, err := s.GetSetting(ctx, "server.uuid")
		if err != nil || !found || got != v {
			t.Fatalf("put %d: GetSetting = %q, %v, %v; want %q", i, got, found, err, v)
		}
	}
	if _, found, _ := s.GetSetting(ctx, "Server.UUID"); found {
		t.Fatal("setting keys are case-sensitive")
	}
	if err := s.PutSetting(ctx, "other", fmt.Sprint(42)); err != nil {
		t.Fatal(err)
	}
	if v, _, _ := s.GetSetting(ctx, "server.uuid"); v != "third\x00with NUL" {
		t.Fatalf("another key's put changed this one to %q", v)
	}
}
