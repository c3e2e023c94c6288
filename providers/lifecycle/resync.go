package lifecycle

import (
	"context"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// resync brings what was published about host hostID's VMs to their
// current state: a VM not seen before is created (silently when first:
// the host's baseline), one that changed is modified, one that is gone
// from the host and from every other host is deleted.
func (s *Service) resync(ctx context.Context, hostID string, h backends.Host, first bool) error {
	vms, err := h.VMs().List(ctx)
	if err != nil {
		return errorf(err, "list vms of host %s", hostID)
	}
	s.resyncs.Add(1)
	listed := make(map[string]bool, len(vms))
	for _, vm := range vms {
		listed[vm.UUID] = true
		cs, err := s.computerSystem(ctx, vm.UUID)
		if err != nil {
			continue // undefined meanwhile: the stream tells
		}
		set := s.readSettings(ctx, vm.UUID)
		s.apply(ctx, vm.UUID, hostID, cs, &set, false, !first)
	}
	for _, id := range s.cachedOn(hostID) {
		if listed[id] {
			continue
		}
		if _, err := s.computerSystem(ctx, id); err == nil {
			continue // elsewhere now: its host reports it
		} else if cim.StatusOf(err) != cim.ErrNotFound {
			continue
		}
		s.vmUndefined(ctx, backends.Event{VM: id})
	}
	s.checkCapacity(ctx, hostID, h)
	if !first {
		s.elements.trigger() // what was missed may have changed pools too
	}
	return nil
}

// cachedOn returns the VMs last published as living on host hostID.
func (s *Service) cachedOn(hostID string) []string {
	s.vmu.Lock()
	defer s.vmu.Unlock()
	var out []string
	for id, e := range s.vms {
		if e.host == hostID {
			out = append(out, id)
		}
	}
	return out
}
