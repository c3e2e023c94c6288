// Package authtest is the behaviour every auth.UserStore must show, as one
// test suite that each implementation runs against itself.
package authtest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/cimom/auth"
)

// RunUserStore runs the UserStore contract against stores made by newStore,
// which must return an empty store for each call.
func RunUserStore(t *testing.T, newStore func(t *testing.T) auth.UserStore) {
	ctx := context.Background()
	bob := auth.User{Name: "bob", PasswordHash: "$2a$04$hash", Roles: []string{"operator", "reader"}}

	t.Run("a created user reads back field for field, with its times set", func(t *testing.T) {
		s := newStore(t)
		mustCreate(t, s, bob)
		got, err := s.GetUser(ctx, "bob")
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != bob.Name || got.PasswordHash != bob.PasswordHash || !slices.Equal(got.Roles, bob.Roles) || got.Disabled {
			t.Fatalf("got %+v, want %+v", got, bob)
		}
		if got.Created.IsZero() || got.Updated.IsZero() {
			t.Fatalf("times not set: %+v", got)
		}
	})
	t.Run("a taken name → ErrUserExists", func(t *testing.T) {
		s := newStore(t)
		mustCreate(t, s, bob)
		if err := s.CreateUser(ctx, auth.User{Name: "bob"}); !errors.Is(err, auth.ErrUserExists) {
			t.Fatalf("err = %v, want auth.ErrUserExists", err)
		}
	})
	t.Run("names are case-sensitive", func(t *testing.T) {
		s := newStore(t)
		mustCreate(t, s, bob)
		if _, err := s.GetUser(ctx, "Bob"); !errors.Is(err, auth.ErrNoSuchUser) {
			t.Fatalf("GetUser(Bob) err = %v, want auth.ErrNoSuchUser", err)
		}
	})
	t.Run("an empty name is refused", func(t *testing.T) {
		if err := newStore(t).CreateUser(ctx, auth.User{}); err == nil {
			t.Fatal("CreateUser with no name succeeded")
		}
	})
	t.Run("a missing user → ErrNoSuchUser from get, update and delete", func(t *testing.T) {
		s := newStore(t)
		if _, err := s.GetUser(ctx, "nobody"); !errors.Is(err, auth.ErrNoSuchUser) {
			t.Errorf("GetUser: %v", err)
		}
		if err := s.UpdateUser(ctx, auth.User{Name: "nobody"}); !errors.Is(err, auth.ErrNoSuchUser) {
			t.Errorf("UpdateUser: %v", err)
		}
		if err := s.DeleteUser(ctx, "nobody"); !errors.Is(err, auth.ErrNoSuchUser) {
			t.Errorf("DeleteUser: %v", err)
		}
	})
	t.Run("an update replaces hash, roles and disabled, and keeps Created", func(t *testing.T) {
		s := newStore(t)
		created := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
		u := bob
		u.Created = created
		mustCreate(t, s, u)
		upd := auth.User{Name: "bob", PasswordHash: "$2a$04$other", Roles: []string{"admin"}, Disabled: true,
			Created: created.Add(time.Hour)}
		if err := s.UpdateUser(ctx, upd); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetUser(ctx, "bob")
		if err != nil {
			t.Fatal(err)
		}
		if got.PasswordHash != upd.PasswordHash || !slices.Equal(got.Roles, upd.Roles) || !got.Disabled || !got.Created.Equal(created) {
			t.Fatalf("after update: %+v", got)
		}
	})
	t.Run("a user read back does not alias the store", func(t *testing.T) {
		s := newStore(t)
		mustCreate(t, s, bob)
		got, _ := s.GetUser(ctx, "bob")
		got.Roles[0] = "admin"
		again, _ := s.GetUser(ctx, "bob")
		if again.Roles[0] != "operator" {
			t.Fatalf("the store changed through a returned user: %v", again.Roles)
		}
	})
	t.Run("list returns every user sorted by name", func(t *testing.T) {
		s := newStore(t)
		for _, n := range []string{"zoe", "alice", "bob"} {
			mustCreate(t, s, auth.User{Name: n})
		}
		us, err := s.ListUsers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, u := range us {
			names = append(names, u.Name)
		}
		if want := []string{"alice", "bob", "zoe"}; !slices.Equal(names, want) {
			t.Fatalf("ListUsers = %v, want %v", names, want)
		}
	})
	t.Run("a deleted user is gone", func(t *testing.T) {
		s := newStore(t)
		mustCreate(t, s, bob)
		if err := s.DeleteUser(ctx, "bob"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetUser(ctx, "bob"); !errors.Is(err, auth.ErrNoSuchUser) {
			t.Fatalf("GetUser after delete: %v", err)
		}
	})
}

func mustCreate(t *testing.T, s auth.UserStore, u auth.User) {
	t.Helper()
	if err := s.CreateUser(context.Background(), u); err != nil {
		t.Fatalf("CreateUser(%s): %v", u.Name, err)
	}
}
