package daemon

import (
	"context"
	"fmt"
	"os"

	"github.com/ferrum-virt/ferrum/agent/manager"
	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/providers/lifecycle"
)

// registerLifecycle starts the service that raises the DSP1054 indications
// of the provider-served classes: virtual systems and their settings from
// the hosts' event streams, jobs, host, liveness and capacity alerts. It
// publishes through e.indications and stops with the engine.
func registerLifecycle(ctx context.Context, d serviceDeps) error {
	e := d.e
	if e.indications == nil {
		return fmt.Errorf("lifecycle indications: no indication service")
	}
	host, _ := os.Hostname()
	cfg := lifecycle.Config{
		Dispatcher: e.d, Inventory: e.inv, Publisher: e.indications,
		HostID: d.virt.HostID, Jobs: d.jobs, SystemName: host,
		Views: func(ctx context.Context, id string, h backends.Host) lifecycle.VMBuilder {
			return d.virt.View(ctx, id, h)
		},
		Log: d.log.With("component", "lifecycle"),
	}
	if e.nodes != nil {
		cfg.Nodes = nodeChanges(e.nodes)
	}
	svc, err := lifecycle.Start(ctx, cfg)
	if err != nil {
		return fmt.Errorf("lifecycle indications: %w", err)
	}
	e.closers = append(e.closers, func() { _ = svc.Close() })
	return nil
}

// nodeChanges adapts the node registry's liveness events.
func nodeChanges(reg *manager.Registry) func(ctx context.Context) <-chan lifecycle.NodeChange {
	return func(ctx context.Context) <-chan lifecycle.NodeChange {
		in := reg.Watch(ctx)
		out := make(chan lifecycle.NodeChange, 16)
		go func() {
			defer close(out)
			for ev := range in {
				c := lifecycle.NodeChange{Host: ev.Node, Name: ev.Name, Up: ev.Up(), Down: ev.Down(), Reason: ev.Reason}
				select {
				case out <- c:
				case <-ctx.Done():
					return
				}
			}
		}()
		return out
	}
}
