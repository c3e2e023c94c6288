package daemon

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom/auth"
	"github.com/ferrum-virt/ferrum/cimom/auth/authtest"
	"github.com/ferrum-virt/ferrum/cimom/store"
)

func openTestStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), DBFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestSQLiteUserStoreContract(t *testing.T) {
	authtest.RunUserStore(t, func(t *testing.T) auth.UserStore { return storeUsers{openTestStore(t)} })
}

func TestSQLiteUserStoreKeepsTheStoreErrors(t *testing.T) {
	users := storeUsers{openTestStore(t)}
	_, err := users.GetUser(context.Background(), "nobody")
	if !errors.Is(err, auth.ErrNoSuchUser) || !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("err = %v, want both auth.ErrNoSuchUser and store.ErrNotFound", err)
	}
	if err := users.CreateUser(context.Background(), auth.User{Name: "with:colon"}); err == nil {
		t.Fatal("a name auth refuses was stored")
	}
}
