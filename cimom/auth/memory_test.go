package auth

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestMemoryUserStore(t *testing.T) {
	ctx := context.Background()
	s := NewMemoryUserStore()
	clock := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	s.now = func() time.Time { return clock }

	if err := s.CreateUser(ctx, User{Name: "bob", PasswordHash: "h1", Roles: []string{"operator"}}); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	t.Run("a taken name → ErrUserExists", func(t *testing.T) {
		err := s.CreateUser(ctx, User{Name: "bob"})
		if !errors.Is(err, ErrUserExists) {
			t.Fatalf("err = %v, want ErrUserExists", err)
		}
	})
	t.Run("an invalid name is refused", func(t *testing.T) {
		if err := s.CreateUser(ctx, User{Name: "a:b"}); err == nil {
			t.Fatal("CreateUser(a:b) succeeded")
		}
	})
	t.Run("create stamps Created and Updated", func(t *testing.T) {
		u, err := s.GetUser(ctx, "bob")
		if err != nil {
			t.Fatal(err)
		}
		if !u.Created.Equal(clock) || !u.Updated.Equal(clock) {
			t.Fatalf("Created, Updated = %v, %v; want %v", u.Created, u.Updated, clock)
		}
	})
	t.Run("returned users do not alias the store", func(t *testing.T) {
		u, _ := s.GetUser(ctx, "bob")
		u.Roles[0] = "admin"
		again, _ := s.GetUser(ctx, "bob")
		if again.Roles[0] != "operator" {
			t.Fatalf("store changed through a returned user: %v", again.Roles)
		}
	})
	t.Run("update keeps Created and moves Updated", func(t *testing.T) {
		created := clock
		clock = clock.Add(time.Hour)
		if err := s.UpdateUser(ctx, User{Name: "bob", PasswordHash: "h2", Disabled: true}); err != nil {
			t.Fatal(err)
		}
		u, _ := s.GetUser(ctx, "bob")
		if u.PasswordHash != "h2" || !u.Disabled || !u.Created.Equal(created) || !u.Updated.Equal(clock) {
			t.Fatalf("after update: %+v", u)
		}
	})
	t.Run("missing users → ErrNoSuchUser", func(t *testing.T) {
		if _, err := s.GetUser(ctx, "nobody"); !errors.Is(err, ErrNoSuchUser) {
			t.Errorf("GetUser: %v", err)
		}
		if err := s.UpdateUser(ctx, User{Name: "nobody"}); !errors.Is(err, ErrNoSuchUser) {
			t.Errorf("UpdateUser: %v", err)
		}
		if err := s.DeleteUser(ctx, "nobody"); !errors.Is(err, ErrNoSuchUser) {
			t.Errorf("DeleteUser: %v", err)
		}
	})
	t.Run("list is sorted by name", func(t *testing.T) {
		for _, n := range []string{"zoe", "alice"} {
			if err := s.CreateUser(ctx, User{Name: n}); err != nil {
				t.Fatal(err)
			}
		}
		us, err := s.ListUsers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, u := range us {
			names = append(names, u.Name)
		}
		if got, want := names, []string{"alice", "bob", "zoe"}; !slices.Equal(got, want) {
			t.Fatalf("ListUsers = %v, want %v", got, want)
		}
	})
	t.Run("delete removes the user", func(t *testing.T) {
		if err := s.DeleteUser(ctx, "zoe"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetUser(ctx, "zoe"); !errors.Is(err, ErrNoSuchUser) {
			t.Fatalf("GetUser after delete: %v", err)
		}
	})
	t.Run("a cancelled context is honoured", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := s.GetUser(cctx, "bob"); !errors.Is(err, context.Canceled) {
			t.Fatalf("GetUser: %v", err)
		}
	})
}

func TestValidateUserName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"admin", true},
		{"jörg.müller@example", true},
		{"", false},
		{"with:colon", false},
		{"tab\there", false},
		{" leading", false},
		{"trailing ", false},
		{string(make([]byte, MaxUserNameLen+1)), false},
		{"\xff", false},
	}
	for _, tt := range tests {
		if err := ValidateUserName(tt.name); (err == nil) != tt.ok {
			t.Errorf("ValidateUserName(%q) = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}
