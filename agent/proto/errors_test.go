package proto

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/ferrum-virt/ferrum/backends"
)

// roundTrip sends err through a frame as a Response would carry it.
func roundTrip(t *testing.T, err error) error {
	t.Helper()
	data, merr := Marshal(Response{Err: WireError(err)})
	if merr != nil {
		t.Fatal(merr)
	}
	var r Response
	if uerr := Unmarshal(data, &r); uerr != nil {
		t.Fatal(uerr)
	}
	return r.Err.Err()
}

func TestErrorsKeepTheirMeaningAcrossTheWire(t *testing.T) {
	sentinels := []error{backends.ErrNotFound, backends.ErrConflict, backends.ErrInsufficientResources,
		backends.ErrUnsupported, backends.ErrInvalidArgument, backends.ErrIncompatible, backends.ErrNotConverged,
		backends.ErrUnavailable, context.Canceled, context.DeadlineExceeded, ErrDenied}
	for _, s := range sentinels {
		t.Run(fmt.Sprintf("a wrapped %v → errors.Is %v", s, s), func(t *testing.T) {
			sent := fmt.Errorf("start vm x on node1: %w", s)
			got := roundTrip(t, sent)
			if !errors.Is(got, s) {
				t.Fatalf("errors.Is(%v, %v) = false", got, s)
			}
			if got.Error() != sent.Error() {
				t.Fatalf("message %q, want %q", got, sent)
			}
			for _, other := range sentinels {
				if other != s && errors.Is(got, other) {
					t.Fatalf("%v also matches %v", got, other)
				}
			}
		})
	}
}

func TestStateErrorCrossesTheWire(t *testing.T) {
	sent := fmt.Errorf("on node1: %w", &backends.StateError{VM: "vm1", Op: "start", State: backends.StateRunning})
	got := roundTrip(t, sent)
	var se *backends.StateError
	if !errors.As(got, &se) || se.State != backends.StateRunning || se.Op != "start" || se.VM != "vm1" {
		t.Fatalf("errors.As = %v (%+v)", got, se)
	}
	if !errors.Is(got, backends.ErrConflict) {
		t.Fatalf("a StateError must match ErrConflict after the wire: %v", got)
	}
}

func TestJoinedErrorsKeepEveryCode(t *testing.T) {
	got := roundTrip(t, errors.Join(backends.ErrNotFound, backends.ErrUnavailable))
	if !errors.Is(got, backends.ErrNotFound) || !errors.Is(got, backends.ErrUnavailable) {
		t.Fatalf("joined error lost a code: %v", got)
	}
}

func TestUnknownCodesAreIgnored(t *testing.T) {
	e := &Error{Message: "from the future", Codes: []Code{"quantum-flux", "not-found"}}
	got := e.Err()
	if !errors.Is(got, backends.ErrNotFound) || got.Error() != "from the future" {
		t.Fatalf("Err = %v", got)
	}
	if (*Error)(nil).Err() != nil || WireError(nil) != nil {
		t.Fatal("nil must stay nil")
	}
}
