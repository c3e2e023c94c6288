package agent

import (
	"context"
	"fmt"
	"time"

	"github.com/ferrum-virt/ferrum/agent/link"
	"github.com/ferrum-virt/ferrum/agent/proto"
	"github.com/ferrum-virt/ferrum/backends"
)

// serveEvents forwards the backend's events until the caller unsubscribes.
func serveEvents(ctx context.Context, s *server, _ proto.RawMessage, c *link.Call) (any, error) {
	sub, err := s.host.Events(ctx)
	if err != nil {
		return nil, err
	}
	defer sub.Close()
	if err := c.Reply(nil, nil); err != nil {
		return nil, errReplied
	}
	for e := range sub.Events() {
		if err := c.Item(e); err != nil {
			break
		}
	}
	return nil, errReplied
}

// serveStats samples the host's (and optionally every VM's) statistics at
// the asked interval until the caller unsubscribes. A caller that reads
// slowly gets fewer samples, never a backlog.
func serveStats(ctx context.Context, s *server, raw proto.RawMessage, c *link.Call) (any, error) {
	var a proto.WatchStatsArgs
	if err := proto.Unmarshal(raw, &a); err != nil {
		return nil, fmt.Errorf("%w: %w", backends.ErrInvalidArgument, err)
	}
	interval := max(a.Interval, proto.MinStatsInterval)
	first, err := sample(ctx, s.host, a.VMs)
	if err != nil {
		return nil, err
	}
	if err := c.Reply(nil, nil); err != nil {
		return nil, errReplied
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for smp := first; ; {
		if err := c.Item(smp); err != nil {
			return nil, errReplied
		}
		select {
		case <-ctx.Done():
			return nil, errReplied
		case <-t.C:
		}
		if smp, err = sample(ctx, s.host, a.VMs); err != nil {
			return nil, errReplied
		}
	}
}

func sample(ctx context.Context, h backends.Host, withVMs bool) (proto.StatsSample, error) {
	hs, err := h.Stats(ctx)
	if err != nil {
		return proto.StatsSample{}, err
	}
	smp := proto.StatsSample{Host: hs}
	if !withVMs {
		return smp, nil
	}
	vms, err := h.VMs().List(ctx)
	if err != nil {
		return proto.StatsSample{}, err
	}
	smp.VMs = make(map[string]backends.VMStats, len(vms))
	for _, vm := range vms {
		if st, err := h.VMs().Stats(ctx, vm.UUID); err == nil {
			smp.VMs[vm.UUID] = st
		}
	}
	return smp, nil
}
