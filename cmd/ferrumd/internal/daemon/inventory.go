package daemon

import (
	"context"
	"fmt"
	"sync"

	"github.com/ferrum-virt/ferrum/backends"
)

// staticInventory is the host registry of a backend whose hosts are fixed
// at start (the simulator, a list of libvirt URIs). The agents' node
// registry replaces it when FERRUM_BACKEND=agents.
type staticInventory struct {
	hosts []backends.Host
	mu    sync.Mutex
	byID  map[string]backends.Host
}

func newStaticInventory(hosts []backends.Host) *staticInventory {
	return &staticInventory{hosts: hosts, byID: map[string]backends.Host{}}
}

// Hosts returns every host.
func (s *staticInventory) Hosts(context.Context) []backends.Host { return s.hosts }

// Host returns the host whose ID is id, or an error wrapping
// backends.ErrNotFound.
func (s *staticInventory) Host(ctx context.Context, id string) (backends.Host, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h, ok := s.byID[id]; ok {
		return h, nil
	}
	for _, h := range s.hosts {
		info, err := h.Info(ctx)
		if err != nil {
			continue // an unreachable host cannot be the one asked for now
		}
		s.byID[info.ID] = h
		if info.ID == id {
			return h, nil
		}
	}
	return nil, fmt.Errorf("host %s: %w", id, backends.ErrNotFound)
}
