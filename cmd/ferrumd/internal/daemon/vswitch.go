package daemon

import (
	"context"

	"github.com/ferrum-virt/ferrum/providers/vswitch"
)

// registerVSwitch serves DSP1097 Virtual Ethernet Switch: the hosts'
// virtual switches as virtual systems, defined and destroyed through the
// management service.
func registerVSwitch(ctx context.Context, d serviceDeps) error {
	_, err := vswitch.Register(ctx, d.e.d, d.e.interop, d.virt, d.jobs, vswitch.Options{
		Log: d.log.With("component", "vswitch"), Inventory: d.e.inv,
	})
	return err
}
