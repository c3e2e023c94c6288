package agent

import (
	"context"
	"time"

	"github.com/ferrum-virt/ferrum/agent/proto"
)

// WatchStats streams the node's statistics: a sample at once, then one per
// interval (at least proto.MinStatsInterval), with every VM's counters when
// withVMs is set. The channel closes when ctx ends or the link breaks. A
// reader that falls behind gets fewer samples, never stale ones queued.
func (h *Host) WatchStats(ctx context.Context, interval time.Duration, withVMs bool) (<-chan proto.StatsSample, error) {
	s, err := h.session()
	if err != nil {
		return nil, err
	}
	st, err := s.Subscribe(ctx, proto.OpWatchStats, proto.WatchStatsArgs{Interval: interval, VMs: withVMs})
	if err != nil {
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { _ = st.Close() })
	ch := make(chan proto.StatsSample)
	go func() {
		defer close(ch)
		defer stop()
		defer st.Close()
		for {
			f, err := st.Recv()
			if err != nil {
				return
			}
			var smp proto.StatsSample
			if f.Type != proto.FrameItem || f.Decode(&smp) != nil {
				continue
			}
			select {
			case ch <- smp:
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch, nil
}
