package libvirt

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"

	golibvirt "github.com/digitalocean/go-libvirt"

	"github.com/ferrum-virt/ferrum/backends"
)

func lvErr(code golibvirt.ErrorNumber) error {
	return golibvirt.Error{Code: uint32(code), Message: fmt.Sprintf("libvirt error %d", code)}
}

func TestErrorMapping(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"no domain → ErrNotFound", lvErr(golibvirt.ErrNoDomain), backends.ErrNotFound},
		{"no network → ErrNotFound", lvErr(golibvirt.ErrNoNetwork), backends.ErrNotFound},
		{"no storage pool → ErrNotFound", lvErr(golibvirt.ErrNoStoragePool), backends.ErrNotFound},
		{"no storage volume → ErrNotFound", lvErr(golibvirt.ErrNoStorageVol), backends.ErrNotFound},
		{"domain exists → ErrConflict", lvErr(golibvirt.ErrDomExist), backends.ErrConflict},
		{"volume exists → ErrConflict", lvErr(golibvirt.ErrStorageVolExist), backends.ErrConflict},
		{"operation invalid in this state → ErrConflict", lvErr(golibvirt.ErrOperationInvalid), backends.ErrConflict},
		{"resource busy → ErrConflict", lvErr(golibvirt.ErrResourceBusy), backends.ErrConflict},
		{"not supported by the driver → ErrUnsupported", lvErr(golibvirt.ErrNoSupport), backends.ErrUnsupported},
		{"unsupported configuration → ErrUnsupported", lvErr(golibvirt.ErrConfigUnsupported), backends.ErrUnsupported},
		{"operation unsupported → ErrUnsupported", lvErr(golibvirt.ErrOperationUnsupported), backends.ErrUnsupported},
		{"invalid argument → ErrInvalidArgument", lvErr(golibvirt.ErrInvalidArg), backends.ErrInvalidArgument},
		{"XML error → ErrInvalidArgument", lvErr(golibvirt.ErrXMLError), backends.ErrInvalidArgument},
		{"CPU incompatible → ErrIncompatible", lvErr(golibvirt.ErrCPUIncompatible), backends.ErrIncompatible},
		{"unsafe migration → ErrIncompatible", lvErr(golibvirt.ErrMigrateUnsafe), backends.ErrIncompatible},
		{"out of memory → ErrInsufficientResources", lvErr(golibvirt.ErrNoMemory), backends.ErrInsufficientResources},
		{"RPC failure → ErrUnavailable", lvErr(golibvirt.ErrRPC), backends.ErrUnavailable},
		{"no connection → ErrUnavailable", lvErr(golibvirt.ErrNoConnect), backends.ErrUnavailable},
		{"operation aborted → context.Canceled", lvErr(golibvirt.ErrOperationAborted), context.Canceled},
		{"operation timeout → context.DeadlineExceeded", lvErr(golibvirt.ErrOperationTimeout), context.DeadlineExceeded},
		{"connection cut during a call → ErrUnavailable", golibvirt.ErrInterrupted, backends.ErrUnavailable},
		{"socket error → ErrUnavailable", &net.OpError{Op: "read", Err: errors.New("reset")}, backends.ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := wrap(tt.err, "op on %s", "host")
			if !errors.Is(got, tt.want) {
				t.Fatalf("wrap(%v) = %v, does not match %v", tt.err, got, tt.want)
			}
		})
	}
	t.Run("the libvirt code stays reachable with errors.As", func(t *testing.T) {
		var lv golibvirt.Error
		if err := wrap(lvErr(golibvirt.ErrNoDomain), "get"); !errors.As(err, &lv) || lv.Code != uint32(golibvirt.ErrNoDomain) {
			t.Fatalf("errors.As on %v gave %+v", err, lv)
		}
	})
	t.Run("an internal error has no backends meaning", func(t *testing.T) {
		err := wrap(lvErr(golibvirt.ErrInternalError), "start")
		for _, s := range []error{backends.ErrNotFound, backends.ErrConflict, backends.ErrUnsupported,
			backends.ErrInvalidArgument, backends.ErrUnavailable} {
			if errors.Is(err, s) {
				t.Fatalf("%v matches %v", err, s)
			}
		}
	})
	t.Run("wrap of nil is nil", func(t *testing.T) {
		if err := wrap(nil, "noop"); err != nil {
			t.Fatalf("wrap(nil) = %v", err)
		}
	})
}

func TestStateOf(t *testing.T) {
	tests := []struct {
		name          string
		state, reason int32
		saved         bool
		want          backends.State
		wantReason    backends.Reason
	}{
		{"running, booted", stRunning, 1, false, backends.StateRunning, backends.ReasonBooted},
		{"running after an incoming migration", stRunning, 2, false, backends.StateRunning, backends.ReasonMigrated},
		{"running after a restore", stRunning, 3, false, backends.StateRunning, backends.ReasonRestored},
		{"paused by the user", stPaused, 1, false, backends.StatePaused, backends.ReasonUser},
		{"shutting down", stShutdown, 1, false, backends.StateShuttingDown, backends.ReasonUser},
		{"shut off by the guest", stShutoff, 1, false, backends.StateOff, backends.ReasonShutdown},
		{"shut off by destroy", stShutoff, 2, false, backends.StateOff, backends.ReasonDestroyed},
		{"never started", stShutoff, 0, false, backends.StateOff, backends.ReasonDefined},
		{"shut off with a managed save image is saved", stShutoff, 5, true, backends.StateSaved, backends.ReasonSaved},
		{"crashed", stCrashed, 0, false, backends.StateCrashed, backends.ReasonCrashed},
		{"an unknown running reason", stRunning, 99, false, backends.StateRunning, backends.ReasonUnknown},
		{"an unknown state", 42, 0, false, backends.StateOff, backends.ReasonUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, r := stateOf(tt.state, tt.reason, tt.saved)
			if s != tt.want || r != tt.wantReason {
				t.Fatalf("stateOf(%d, %d, %v) = %s, %s; want %s, %s", tt.state, tt.reason, tt.saved, s, r, tt.want, tt.wantReason)
			}
		})
	}
}
