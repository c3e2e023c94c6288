package virt

import (
	"context"
	"sync"
	"time"

	"github.com/ferrum-virt/ferrum/backends"
)

// faultHost wraps a host and fails chosen calls, to test rollback.
type faultHost struct {
	backends.Host
	mu    sync.Mutex
	fail  map[string]error // op → error to return instead of calling
	calls []string
}

func newFaultHost(h backends.Host) *faultHost {
	return &faultHost{Host: h, fail: map[string]error{}}
}

func (h *faultHost) ID() string { return h.Host.(identified).ID() }

func (h *faultHost) failOn(op string, err error) {
	h.mu.Lock()
	h.fail[op] = err
	h.mu.Unlock()
}

func (h *faultHost) check(op string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls = append(h.calls, op)
	return h.fail[op]
}

func (h *faultHost) VMs() backends.VMManager { return faultVMs{h.Host.VMs(), h} }

type faultVMs struct {
	backends.VMManager
	h *faultHost
}

func (v faultVMs) Define(ctx context.Context, s backends.VMSpec) (backends.VM, error) {
	if err := v.h.check("define"); err != nil {
		return backends.VM{}, err
	}
	return v.VMManager.Define(ctx, s)
}

func (v faultVMs) Start(ctx context.Context, id string) error {
	if err := v.h.check("start"); err != nil {
		return err
	}
	return v.VMManager.Start(ctx, id)
}

func (v faultVMs) Shutdown(ctx context.Context, id string, d time.Duration) error {
	if err := v.h.check("shutdown"); err != nil {
		return err
	}
	return v.VMManager.Shutdown(ctx, id, d)
}

func (v faultVMs) Undefine(ctx context.Context, id string) error {
	if err := v.h.check("undefine"); err != nil {
		return err
	}
	return v.VMManager.Undefine(ctx, id)
}

func (v faultVMs) AttachNIC(ctx context.Context, id string, n backends.NICSpec) (backends.NICSpec, error) {
	if err := v.h.check("attach nic"); err != nil {
		return n, err
	}
	return v.VMManager.AttachNIC(ctx, id, n)
}
