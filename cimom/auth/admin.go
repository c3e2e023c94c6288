package auth

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// AdminUser is the name of the administrator EnsureAdmin creates.
const AdminUser = "admin"

// AdminPasswordFile is the file, in the data directory, that holds a
// generated administrator password.
const AdminPasswordFile = "admin-password"

// EnsureAdmin creates the user "admin" with role "admin" if store has no such
// user, and never changes an existing one.
//
// The password is the given one (from FERRUM_ADMIN_PASSWORD) when it is not
// empty. Otherwise it is the one saved in <dataDir>/admin-password by an
// earlier start, if that file exists and only its owner can read it; otherwise
// a new random password is generated, written 0600 to that file and returned
// as generated so the caller can show it once. generated is empty in every
// other case.
func EnsureAdmin(ctx context.Context, store UserStore, password, dataDir string) (generated string, err error) {
	_, err = store.GetUser(ctx, AdminUser)
	if err == nil {
		return "", nil
	}
	if !errors.Is(err, ErrNoSuchUser) {
		return "", fmt.Errorf("ensure admin: %w", err)
	}
	file := filepath.Join(dataDir, AdminPasswordFile)
	if password == "" {
		password = readSavedPassword(file)
	}
	if password == "" {
		if password, err = GeneratePassword(); err != nil {
			return "", fmt.Errorf("ensure admin: %w", err)
		}
		if err := writeSecret(file, password+"\n"); err != nil {
			return "", fmt.Errorf("ensure admin: %w", err)
		}
		generated = password
	}
	hash, err := HashPassword(password, DefaultCost)
	if err != nil {
		return "", fmt.Errorf("ensure admin: admin password: %w", err)
	}
	if err := store.CreateUser(ctx, User{Name: AdminUser, PasswordHash: hash, Roles: []string{RoleAdmin}}); err != nil {
		return "", fmt.Errorf("ensure admin: %w", err)
	}
	return generated, nil
}

// readSavedPassword returns the password in file, or "" if there is none or
// the file could be read by anyone but its owner.
func readSavedPassword(file string) string {
	fi, err := os.Stat(file)
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o077 != 0 {
		return ""
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return ""
	}
	pw := strings.TrimSpace(string(b))
	if ValidatePassword(pw) != nil {
		return ""
	}
	return pw
}

// writeSecret writes data to file with mode 0600 (os.CreateTemp's) through a
// temporary file and a rename, so a crash never leaves half a password.
func writeSecret(file, data string) error {
	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", file, err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	_, werr := tmp.WriteString(data)
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		return fmt.Errorf("write %s: %w", file, err)
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return fmt.Errorf("write %s: %w", file, err)
	}
	return nil
}
