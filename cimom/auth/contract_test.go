package auth_test

import (
	"testing"

	"github.com/ferrum-virt/ferrum/cimom/auth"
	"github.com/ferrum-virt/ferrum/cimom/auth/authtest"
)

func TestMemoryUserStoreContract(t *testing.T) {
	authtest.RunUserStore(t, func(*testing.T) auth.UserStore { return auth.NewMemoryUserStore() })
}
