package auth

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func checkPassword(t *testing.T, s UserStore, pw string) {
	t.Helper()
	u, err := s.GetUser(context.Background(), AdminUser)
	if err != nil {
		t.Fatal(err)
	}
	if err := bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(pw)); err != nil {
		t.Fatalf("admin's password is not %q: %v", pw, err)
	}
	if !u.HasRole(RoleAdmin) {
		t.Fatalf("admin roles = %v", u.Roles)
	}
}

func TestEnsureAdmin(t *testing.T) {
	ctx := context.Background()

	t.Run("first start generates a password, saves it 0600 and returns it once", func(t *testing.T) {
		dir, s := t.TempDir(), NewMemoryUserStore()
		gen, err := EnsureAdmin(ctx, s, "", dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(gen) < 32 {
			t.Fatalf("generated password %q is too short", gen)
		}
		checkPassword(t, s, gen)
		file := filepath.Join(dir, AdminPasswordFile)
		fi, err := os.Stat(file)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s mode = %v, want 0600", file, fi.Mode().Perm())
		}
		b, _ := os.ReadFile(file)
		if strings.TrimSpace(string(b)) != gen {
			t.Fatalf("file holds %q, want %q", b, gen)
		}
		before, _ := s.GetUser(ctx, AdminUser)
		gen2, err := EnsureAdmin(ctx, s, "", dir)
		if err != nil || gen2 != "" {
			t.Fatalf("second EnsureAdmin = %q, %v; want nothing generated", gen2, err)
		}
		after, _ := s.GetUser(ctx, AdminUser)
		if after.PasswordHash != before.PasswordHash {
			t.Fatal("second EnsureAdmin changed the admin's password")
		}
	})
	t.Run("two data dirs get different passwords", func(t *testing.T) {
		a, err := EnsureAdmin(ctx, NewMemoryUserStore(), "", t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		b, err := EnsureAdmin(ctx, NewMemoryUserStore(), "", t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if a == b {
			t.Fatal("two generated passwords are equal")
		}
	})
	t.Run("a given password is used and nothing is written", func(t *testing.T) {
		dir, s := t.TempDir(), NewMemoryUserStore()
		gen, err := EnsureAdmin(ctx, s, "from-the-env", dir)
		if err != nil || gen != "" {
			t.Fatalf("EnsureAdmin = %q, %v", gen, err)
		}
		checkPassword(t, s, "from-the-env")
		if _, err := os.Stat(filepath.Join(dir, AdminPasswordFile)); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("password file written: %v", err)
		}
	})
	t.Run("an existing admin is never changed, even with a given password", func(t *testing.T) {
		dir, s := t.TempDir(), NewMemoryUserStore()
		if err := s.CreateUser(ctx, User{Name: AdminUser, PasswordHash: mustHash(t, "original"), Roles: []string{"custom"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := EnsureAdmin(ctx, s, "replacement", dir); err != nil {
			t.Fatal(err)
		}
		u, _ := s.GetUser(ctx, AdminUser)
		if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte("original")) != nil || u.HasRole(RoleAdmin) {
			t.Fatalf("existing admin changed: %+v", u)
		}
	})
	t.Run("a saved password is reused when the store has no admin", func(t *testing.T) {
		dir := t.TempDir()
		gen, err := EnsureAdmin(ctx, NewMemoryUserStore(), "", dir)
		if err != nil {
			t.Fatal(err)
		}
		s := NewMemoryUserStore()
		again, err := EnsureAdmin(ctx, s, "", dir)
		if err != nil || again != "" {
			t.Fatalf("EnsureAdmin on a fresh store = %q, %v; want the saved password reused", again, err)
		}
		checkPassword(t, s, gen)
	})
	t.Run("a saved password readable by others is not reused", func(t *testing.T) {
		dir := t.TempDir()
		file := filepath.Join(dir, AdminPasswordFile)
		if err := os.WriteFile(file, []byte("leaked-password\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		s := NewMemoryUserStore()
		gen, err := EnsureAdmin(ctx, s, "", dir)
		if err != nil || gen == "" || gen == "leaked-password" {
			t.Fatalf("EnsureAdmin = %q, %v; want a new password", gen, err)
		}
		checkPassword(t, s, gen)
		if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o600 {
			t.Fatalf("replaced file mode = %v", fi.Mode().Perm())
		}
	})
	t.Run("a weak given password is refused", func(t *testing.T) {
		_, err := EnsureAdmin(ctx, NewMemoryUserStore(), "short", t.TempDir())
		if !errors.Is(err, ErrWeakPassword) {
			t.Fatalf("err = %v, want ErrWeakPassword", err)
		}
	})
}

func TestHashPassword(t *testing.T) {
	tests := []struct {
		name string
		pw   string
		ok   bool
	}{
		{"an 8-byte password is accepted", "12345678", true},
		{"a 72-byte password is accepted", strings.Repeat("x", 72), true},
		{"a 7-byte password is refused", "1234567", false},
		{"a 73-byte password is refused (bcrypt would truncate it)", strings.Repeat("x", 73), false},
		{"invalid UTF-8 is refused", "abcdefg\xff", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := HashPassword(tt.pw, bcrypt.MinCost)
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
			if tt.ok && bcrypt.CompareHashAndPassword([]byte(h), []byte(tt.pw)) != nil {
				t.Fatal("hash does not verify")
			}
			if !tt.ok && !errors.Is(err, ErrWeakPassword) {
				t.Fatalf("err = %v, want ErrWeakPassword", err)
			}
		})
	}
}
