package lifecycle

import (
	"context"
	"time"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/indication"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

const ns = model.Namespace

// vmEntry is what was last published about a VM, packed (see snapshot).
type vmEntry struct {
	host string
	snap snapshot
}

// newEntry packs cs and st as VM vm's last published instances. A VM
// whose instances cannot be packed (no CIM constructor makes such values)
// keeps only its minimal computer system.
func (s *Service) newEntry(ctx context.Context, vm, hostID string, cs *cim.Instance, st settings) *vmEntry {
	snap, err := encodeSnapshot(cs, st)
	if err != nil {
		s.cfg.Log.ErrorContext(ctx, "pack virtual system instances", "op", "lifecycle", "vm", vm, "err", err)
		snap, _ = encodeSnapshot(minimalVM(vm, ""), settings{})
	}
	return &vmEntry{host: hostID, snap: snap}
}

// unpack returns e's instances; a snapshot that cannot be read (a bug) is
// logged and reads as the minimal computer system of vm.
func (s *Service) unpack(ctx context.Context, vm string, e *vmEntry) (*cim.Instance, settings) {
	cs, st, err := e.snap.decode()
	if err != nil {
		s.cfg.Log.ErrorContext(ctx, "unpack virtual system instances", "op", "lifecycle", "vm", vm, "err", err)
		return minimalVM(vm, ""), settings{rasds: map[string]setting{}}
	}
	return cs, st
}

// vmChanged publishes what ev did to its VM.
func (s *Service) vmChanged(ctx context.Context, hostID string, h backends.Host, ev backends.Event) {
	cs, err := s.computerSystem(ctx, ev.VM)
	if err != nil && cim.StatusOf(err) != cim.ErrNotFound {
		s.cfg.Log.WarnContext(ctx, "read virtual system", "op", "lifecycle", "vm", ev.VM, "host", hostID, "err", err)
		return
	}
	if cs == nil { // gone already: report what the event says
		cs = minimalVM(ev.VM, ev.VMName)
	}
	pinState(cs, ev.State, ev.Time)
	var set *settings
	s.vmu.Lock()
	e := s.vms[ev.VM]
	s.vmu.Unlock()
	if e == nil || ev.Type == backends.EventModified || ev.Type == backends.EventDefined || ev.Type == backends.EventMigratedIn {
		if err == nil {
			st := s.readSettings(ctx, ev.VM)
			set = &st
		}
	}
	s.apply(ctx, ev.VM, hostID, cs, set, ev.Type == backends.EventMigratedIn, true)
}

// apply records cs (and set, when read) as VM vm's current instances and
// publishes the difference from the last ones: a creation when the VM is
// new (unless announce is false: a baseline), a modification when it
// changed (or always, when moved).
func (s *Service) apply(ctx context.Context, vm, hostID string, cs *cim.Instance, set *settings, moved, announce bool) {
	s.vmu.Lock()
	defer s.vmu.Unlock()
	e := s.vms[vm]
	path := model.VMPath(vm)
	if e == nil {
		st := settings{rasds: map[string]setting{}}
		if set != nil {
			st = *set
		}
		s.vms[vm] = s.newEntry(ctx, vm, hostID, cs, st)
		if announce {
			s.publish(ctx, ns, indication.InstCreation(ns, cs, path))
			st.announce(ctx, s)
		}
		return
	}
	prev, st := s.unpack(ctx, vm, e)
	if moved || len(indication.ChangedProperties(prev, cs)) > 0 {
		s.publish(ctx, ns, indication.InstModification(ns, prev, cs, path))
	}
	if set != nil {
		st.diff(ctx, s, *set)
		st = *set
	}
	s.vms[vm] = s.newEntry(ctx, vm, hostID, cs, st)
}

// vmUndefined publishes the deletion of ev's VM: its RASDs, VSSD and
// computer system, as last published.
func (s *Service) vmUndefined(ctx context.Context, ev backends.Event) {
	s.vmu.Lock()
	defer s.vmu.Unlock()
	e := s.vms[ev.VM]
	delete(s.vms, ev.VM)
	var cs *cim.Instance
	st := settings{rasds: map[string]setting{}}
	if e != nil {
		cs, st = s.unpack(ctx, ev.VM, e)
	} else {
		cs = minimalVM(ev.VM, ev.VMName)
		pinState(cs, ev.State, ev.Time)
	}
	st.retract(ctx, s)
	s.publish(ctx, ns, indication.InstDeletion(ns, cs, model.VMPath(ev.VM)))
}

// computerSystem reads VM vm's Ferrum_ComputerSystem; (nil, NotFound)
// when it is gone.
func (s *Service) computerSystem(ctx context.Context, vm string) (*cim.Instance, error) {
	in, err := s.cfg.Dispatcher.GetInstance(ctx, ns, model.VMPath(vm), cimom.InstanceOptions{})
	if err != nil {
		return nil, errorf(err, "get virtual system %s", vm)
	}
	return in, nil
}

// minimalVM is the computer system of a VM that can no longer be read.
func minimalVM(vm, name string) *cim.Instance {
	in := cim.NewInstance(model.ClassVM).
		Set("CreationClassName", cim.String(model.ClassVM)).
		Set("Name", cim.String(vm))
	if name != "" {
		in.Set("ElementName", cim.String(name))
	}
	return in
}

// pinState sets the state properties of a computer system to those of
// state, entered at since.
func pinState(in *cim.Instance, state backends.State, since time.Time) {
	if state == "" {
		return
	}
	transitioning := model.TransitionNotApplic
	if state == backends.StateShuttingDown {
		transitioning = model.Disabled
	}
	in.Set("EnabledState", cim.Uint16(model.EnabledState(state))).
		Set("HealthState", cim.Uint16(model.HealthState(state))).
		Set("OperationalStatus", cim.Uint16Array(model.OperationalStatus(state)...)).
		Set("AvailableRequestedStates", cim.Uint16Array(model.AvailableRequestedStates(state)...)).
		Set("TransitioningToState", cim.Uint16(transitioning))
	if !since.IsZero() {
		in.Set("TimeOfLastStateChange", cim.DateTimeValue(cim.NewTimestamp(since)))
	}
}
