package libvirt

import (
	"context"
	"fmt"
	"sync"
	"time"

	golibvirt "github.com/digitalocean/go-libvirt"

	"github.com/ferrum-virt/ferrum/backends"
)

// lifecycleEvent is what a libvirt lifecycle event (event, detail) means to
// Ferrum; an empty Type means the event is not reported (a step inside a
// migration or a shutdown that another event completes).
type lifecycleEvent struct {
	Type   backends.EventType
	State  backends.State
	Reason backends.Reason
}

// lifecycleEvents translates virDomainEventType and its detail enums
// (libvirt-domain.h) into Ferrum events.
var lifecycleEvents = map[[2]int32]lifecycleEvent{
	{0, 0}: {backends.EventDefined, backends.StateOff, backends.ReasonDefined},
	{0, 1}: {backends.EventModified, "", ""}, // updated
	{0, 2}: {backends.EventModified, "", ""}, // renamed
	{0, 3}: {backends.EventModified, "", ""}, // from snapshot
	{1, 0}: {backends.EventUndefined, backends.StateOff, backends.ReasonUnknown},
	{1, 1}: {backends.EventUndefined, backends.StateOff, backends.ReasonUnknown},
	{2, 0}: {backends.EventStarted, backends.StateRunning, backends.ReasonBooted},
	{2, 1}: {backends.EventMigratedIn, backends.StateRunning, backends.ReasonMigrated},
	{2, 2}: {backends.EventRestored, backends.StateRunning, backends.ReasonRestored},
	{2, 3}: {backends.EventStarted, backends.StateRunning, backends.ReasonRestored},
	{2, 4}: {backends.EventResumed, backends.StateRunning, backends.ReasonUnpaused},
	{3, 0}: {backends.EventPaused, backends.StatePaused, backends.ReasonUser},
	{3, 2}: {backends.EventPaused, backends.StatePaused, backends.ReasonCrashed}, // I/O error
	{3, 3}: {backends.EventPaused, backends.StatePaused, backends.ReasonCrashed}, // watchdog
	{3, 4}: {backends.EventPaused, backends.StatePaused, backends.ReasonRestored},
	{3, 5}: {backends.EventPaused, backends.StatePaused, backends.ReasonRestored},
	{3, 6}: {backends.EventPaused, backends.StatePaused, backends.ReasonCrashed}, // API error
	{4, 0}: {backends.EventResumed, backends.StateRunning, backends.ReasonUnpaused},
	{4, 2}: {backends.EventResumed, backends.StateRunning, backends.ReasonRestored},
	{5, 0}: {backends.EventShutdown, backends.StateOff, backends.ReasonShutdown},
	{5, 1}: {backends.EventStopped, backends.StateOff, backends.ReasonDestroyed},
	{5, 2}: {backends.EventCrashed, backends.StateCrashed, backends.ReasonCrashed},
	{5, 3}: {backends.EventMigratedOut, backends.StateOff, backends.ReasonMigrated},
	{5, 4}: {backends.EventSaved, backends.StateSaved, backends.ReasonSaved},
	{5, 5}: {backends.EventCrashed, backends.StateCrashed, backends.ReasonCrashed}, // failed
	{5, 6}: {backends.EventStopped, backends.StateOff, backends.ReasonRestored},
	{7, 0}: {backends.EventPaused, backends.StatePaused, backends.ReasonUser}, // PM suspended
	{8, 0}: {backends.EventCrashed, backends.StateCrashed, backends.ReasonCrashed},
}

// startEvents subscribes to the daemon's lifecycle, reboot and device
// events for the life of the connection and publishes them to h.hub.
// Each libvirt stream is read by its own goroutine, so events of one kind
// keep their order.
func (h *Host) startEvents() error {
	ctx, cancel := context.WithCancel(context.Background())
	h.stopEvents = cancel
	done := make(chan struct{})
	h.eventsDone = done
	var wg sync.WaitGroup
	for _, id := range []golibvirt.DomainEventID{golibvirt.DomainEventIDLifecycle, golibvirt.DomainEventIDReboot,
		golibvirt.DomainEventIDDeviceAdded, golibvirt.DomainEventIDDeviceRemoved} {
		ch, err := h.l.SubscribeEvents(ctx, id, golibvirt.OptDomain{})
		if err != nil {
			cancel()
			wg.Wait()
			close(done)
			return wrap(err, "subscribe to event %d", id)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ev := range ch { // drained until go-libvirt closes it
				h.handleEvent(ev)
			}
		}()
	}
	go func() {
		wg.Wait()
		close(done)
	}()
	return nil
}

// handleEvent records a VM's state change time and publishes the event.
func (h *Host) handleEvent(ev any) {
	now := time.Now()
	var e backends.Event
	switch m := ev.(type) {
	case *golibvirt.DomainEventCallbackLifecycleMsg:
		t, ok := lifecycleEvents[[2]int32{m.Msg.Event, m.Msg.Detail}]
		if !ok {
			return
		}
		e = backends.Event{Type: t.Type, State: t.State, Reason: t.Reason, VM: domainID(m.Msg.Dom), VMName: m.Msg.Dom.Name}
		if t.Type != backends.EventModified && !h.observe(e.VM, t, now) {
			return
		}
	case *golibvirt.DomainEventCallbackRebootMsg:
		e = backends.Event{Type: backends.EventRebooted, State: backends.StateRunning, Reason: backends.ReasonRebooted,
			VM: domainID(m.Msg.Dom), VMName: m.Msg.Dom.Name}
	case *golibvirt.DomainEventCallbackDeviceAddedMsg:
		e = backends.Event{Type: backends.EventModified, VM: domainID(m.Dom), VMName: m.Dom.Name,
			Detail: fmt.Sprintf("device %s added", m.DevAlias)}
	case *golibvirt.DomainEventCallbackDeviceRemovedMsg:
		e = backends.Event{Type: backends.EventModified, VM: domainID(m.Msg.Dom), VMName: m.Msg.Dom.Name,
			Detail: fmt.Sprintf("device %s removed", m.Msg.DevAlias)}
	default:
		return
	}
	if h.hub.Subscribers() == 0 {
		return
	}
	if e.State == "" { // a configuration change: the event does not say the state
		if d, err := h.lookup(e.VM); err == nil {
			e.State, e.Reason, _ = h.state(d)
		}
	}
	h.publish(e, now)
}

// vmSeen is the last state change the event stream reported for a VM.
type vmSeen struct {
	since time.Time
	state backends.State
}

// observe records a lifecycle change of VM id and reports whether it is
// news. QEMU resumes a starting or restoring guest's vCPUs, and libvirt says
// so, before it reports the start: a resume of a VM not seen paused is part
// of that start and is not reported.
func (h *Host) observe(id string, t lifecycleEvent, now time.Time) bool {
	prev, known := h.seen.Load(id)
	if t.Type == backends.EventResumed && known && prev.(vmSeen).state != backends.StatePaused {
		return false
	}
	if t.Type == backends.EventUndefined {
		h.seen.Delete(id)
	} else {
		h.seen.Store(id, vmSeen{since: now, state: t.State})
	}
	return true
}

// publish stamps and sends an event.
func (h *Host) publish(e backends.Event, now time.Time) {
	if h.hub.Subscribers() == 0 {
		return
	}
	e.Time, e.Host = now, h.static.ID
	h.hub.Publish(e)
}

// Events subscribes to the host's events; see backends.Subscription.
func (h *Host) Events(ctx context.Context) (*backends.Subscription, error) {
	if err := h.alive(ctx); err != nil {
		return nil, err
	}
	return h.hub.Subscribe(ctx, 0), nil
}
