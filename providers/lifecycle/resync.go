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
	read := s.reader(ctx, hostID, h)
	for _, vm := range vms {
		listed[vm.UUID] = true
		cs, set, ok := read(vm)
		if !ok {
			continue // undefined meanwhile: the stream tells
		}
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

// reader returns how resync reads a listed VM's instances: built from the
// listing by Config.Views when set, else through the Dispatcher; ok is
// false for a VM that is gone.
func (s *Service) reader(ctx context.Context, hostID string, h backends.Host) func(backends.VM) (*cim.Instance, settings, bool) {
	if s.cfg.Views == nil {
		return func(vm backends.VM) (*cim.Instance, settings, bool) {
			cs, err := s.computerSystem(ctx, vm.UUID)
			if err != nil {
				return nil, settings{}, false
			}
			return cs, s.readSettings(ctx, vm.UUID), true
		}
	}
	view := s.cfg.Views(ctx, hostID, h)
	return func(vm backends.VM) (*cim.Instance, settings, bool) {
		cs, vssd, rasds := view.Instances(vm)
		st := settings{vssd: vssd, rasds: make(map[string]setting, len(rasds))}
		for _, r := range rasds {
			class, err := s.cfg.Dispatcher.Repo.Class(ns, r.ClassName)
			if err != nil {
				continue
			}
			if p, err := r.Path(ns, class); err == nil {
				st.rasds[p.Canonical()] = setting{path: p, in: r}
			}
		}
		return cs, st, true
	}
}
