package auth

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestMemoryUserStoreTimes(t *testing.T) {
	ctx := context.Background()
	s := NewMemoryUserStore()
	clock := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	s.now = func() time.Time { return clock }
	if err := s.CreateUser(ctx, User{Name: "bob"}); err != nil {
		t.Fatal(err)
	}
	u, _ := s.GetUser(ctx, "bob")
	if !u.Created.Equal(clock) || !u.Updated.Equal(clock) {
		t.Fatalf("after create: Created, Updated = %v, %v; want %v", u.Created, u.Updated, clock)
	}
	created := clock
	clock = clock.Add(time.Hour)
	if err := s.UpdateUser(ctx, User{Name: "bob"}); err != nil {
		t.Fatal(err)
	}
	u, _ = s.GetUser(ctx, "bob")
	if !u.Created.Equal(created) || !u.Updated.Equal(clock) {
		t.Fatalf("after update: Created, Updated = %v, %v; want %v, %v", u.Created, u.Updated, created, clock)
	}
}

func TestMemoryUserStoreRefuses(t *testing.T) {
	ctx := context.Background()
	s := NewMemoryUserStore()
	if err := s.CreateUser(ctx, User{Name: "a:b"}); err == nil {
		t.Error("a name with a colon was accepted")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.GetUser(cctx, "bob"); !errors.Is(err, context.Canceled) {
		t.Errorf("GetUser on a cancelled context: %v", err)
	}
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
