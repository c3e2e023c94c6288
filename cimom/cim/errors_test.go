package cim

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrors(t *testing.T) {
	cause := errors.New("disk gone")
	err := fmt.Errorf("get vm: %w", Errorf(ErrNotFound, "no VM %q: %w", "vm1", cause))
	if StatusOf(err) != ErrNotFound {
		t.Fatalf("StatusOf = %v", StatusOf(err))
	}
	if !errors.Is(err, cause) {
		t.Fatal("the cause must stay reachable")
	}
	if !errors.Is(err, &Error{Code: ErrNotFound}) || errors.Is(err, &Error{Code: ErrFailed}) {
		t.Fatal("errors.Is by code")
	}
	if StatusOf(errors.New("x")) != ErrFailed || StatusOf(nil) != StatusOK {
		t.Fatal("StatusOf of plain error / nil")
	}
	if ErrQueryFeatureNotSupported.String() != "CIM_ERR_QUERY_FEATURE_NOT_SUPPORTED" || ErrInvalidEnumerationContext != 21 {
		t.Fatal("status names")
	}
}
