package daemon

import (
	"context"
	"errors"
	"fmt"

	"github.com/ferrum-virt/ferrum/backends"
)

// seedSim defines perHost virtual servers on each simulated host and starts
// every other one that fits in the host's memory, so that a fresh ferrumd shows a working data center.
func seedSim(ctx context.Context, hosts []backends.Host, perHost int) error {
	for i, h := range hosts {
		switches, err := h.Switches().ListSwitches(ctx)
		if err != nil {
			return fmt.Errorf("seed host %d: list switches: %w", i, err)
		}
		for k := range perHost {
			spec := backends.VMSpec{
				Name:      fmt.Sprintf("vm-%02d-%02d", i+1, k+1),
				VCPUs:     1 + k%2,
				MemoryMiB: 512 * uint64(1+k%4),
				BootOrder: []backends.BootDevice{backends.BootDisk},
			}
			if len(switches) > 0 {
				spec.NICs = []backends.NICSpec{{Switch: switches[0].Name}}
			}
			vm, err := h.VMs().Define(ctx, spec)
			if err != nil {
				return fmt.Errorf("seed host %d: define %s: %w", i, spec.Name, err)
			}
			if k%2 == 0 {
				err := h.VMs().Start(ctx, vm.UUID)
				if err != nil && !errors.Is(err, backends.ErrInsufficientResources) {
					return fmt.Errorf("seed host %d: start %s: %w", i, spec.Name, err)
				}
			}
		}
	}
	return nil
}
