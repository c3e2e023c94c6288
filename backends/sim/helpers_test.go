package sim_test

import (
	"errors"
	"testing"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/backends/sim"
)

func wantIs(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error = %v, want %v", err, target)
	}
}

func ok(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// start defines and starts a VM on h.
func start(t *testing.T, h *sim.Host, s backends.VMSpec) backends.VM {
	t.Helper()
	vm, err := h.VMs().Define(t.Context(), s)
	ok(t, err)
	ok(t, h.VMs().Start(t.Context(), vm.UUID))
	return vm
}

func freeMiB(t *testing.T, h *sim.Host) uint64 {
	t.Helper()
	info, err := h.Info(t.Context())
	ok(t, err)
	return info.FreeMiB
}
