package libvirt

import (
	"context"
	"errors"
	"fmt"
	"net"

	golibvirt "github.com/digitalocean/go-libvirt"

	"github.com/ferrum-virt/ferrum/backends"
)

// errorKinds maps libvirt error codes onto the backends sentinel errors. It
// is the only place that gives a libvirt code a meaning; codes not listed
// stay plain errors.
var errorKinds = map[golibvirt.ErrorNumber]error{
	golibvirt.ErrNoDomain:           backends.ErrNotFound,
	golibvirt.ErrNoNetwork:          backends.ErrNotFound,
	golibvirt.ErrNoStoragePool:      backends.ErrNotFound,
	golibvirt.ErrNoStorageVol:       backends.ErrNotFound,
	golibvirt.ErrNoNodeDevice:       backends.ErrNotFound,
	golibvirt.ErrNoInterface:        backends.ErrNotFound,
	golibvirt.ErrNoSecret:           backends.ErrNotFound,
	golibvirt.ErrNoDomainSnapshot:   backends.ErrNotFound,
	golibvirt.ErrNoNetworkPort:      backends.ErrNotFound,
	golibvirt.ErrDeviceMissing:      backends.ErrNotFound,
	golibvirt.ErrNoDomainCheckpoint: backends.ErrNotFound,

	golibvirt.ErrDomExist:          backends.ErrConflict,
	golibvirt.ErrNetworkExist:      backends.ErrConflict,
	golibvirt.ErrStorageVolExist:   backends.ErrConflict,
	golibvirt.ErrNetworkPortExist:  backends.ErrConflict,
	golibvirt.ErrOperationInvalid:  backends.ErrConflict,
	golibvirt.ErrResourceBusy:      backends.ErrConflict,
	golibvirt.ErrBlockCopyActive:   backends.ErrConflict,
	golibvirt.ErrMultipleDomains:   backends.ErrConflict,
	golibvirt.ErrStoragePoolBuilt:  backends.ErrConflict,
	golibvirt.ErrMigrateUnsafe:     backends.ErrIncompatible,
	golibvirt.ErrCPUIncompatible:   backends.ErrIncompatible,
	golibvirt.ErrNoMemory:          backends.ErrInsufficientResources,
	golibvirt.ErrNoSupport:         backends.ErrUnsupported,
	golibvirt.ErrConfigUnsupported: backends.ErrUnsupported,

	golibvirt.ErrOperationUnsupported: backends.ErrUnsupported,
	golibvirt.ErrArgumentUnsupported:  backends.ErrUnsupported,

	golibvirt.ErrInvalidArg:       backends.ErrInvalidArgument,
	golibvirt.ErrXMLError:         backends.ErrInvalidArgument,
	golibvirt.ErrXMLDetail:        backends.ErrInvalidArgument,
	golibvirt.ErrXMLInvalidSchema: backends.ErrInvalidArgument,
	golibvirt.ErrInvalidMac:       backends.ErrInvalidArgument,
	golibvirt.ErrOverflow:         backends.ErrInvalidArgument,

	golibvirt.ErrNoConnect:         backends.ErrUnavailable,
	golibvirt.ErrInvalidConn:       backends.ErrUnavailable,
	golibvirt.ErrRPC:               backends.ErrUnavailable,
	golibvirt.ErrAuthFailed:        backends.ErrUnavailable,
	golibvirt.ErrAuthUnavailable:   backends.ErrUnavailable,
	golibvirt.ErrAgentUnresponsive: backends.ErrUnavailable,
	golibvirt.ErrOperationTimeout:  context.DeadlineExceeded,
	golibvirt.ErrOperationAborted:  context.Canceled,
}

// apiError is a libvirt error together with the sentinel it means. It
// matches both with errors.Is/As: the sentinel, and golibvirt.Error for a
// caller that needs the libvirt code.
type apiError struct {
	lv   golibvirt.Error
	kind error // nil when the code has no backends meaning
}

func (e *apiError) Error() string { return e.lv.Message }

// Unwrap exposes the sentinel and the libvirt error.
func (e *apiError) Unwrap() []error {
	if e.kind == nil {
		return []error{e.lv}
	}
	return []error{e.kind, e.lv}
}

// classify gives err its backends meaning: a libvirt error through
// errorKinds, a lost connection as ErrUnavailable. Other errors pass
// unchanged.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var lv golibvirt.Error
	if errors.As(err, &lv) {
		return &apiError{lv: lv, kind: errorKinds[golibvirt.ErrorNumber(lv.Code)]}
	}
	var ne net.Error
	if errors.Is(err, golibvirt.ErrInterrupted) || errors.As(err, &ne) {
		return fmt.Errorf("%w: %w", backends.ErrUnavailable, err)
	}
	return err
}

// wrap classifies err and prefixes it with what was being done; nil stays
// nil.
func wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf(format+": %w", append(args, classify(err))...)
}

// isCode reports whether err is a libvirt error with the given code.
func isCode(err error, code golibvirt.ErrorNumber) bool {
	var lv golibvirt.Error
	return errors.As(err, &lv) && golibvirt.ErrorNumber(lv.Code) == code
}
