package libvirt

import (
	"fmt"
	"slices"

	golibvirt "github.com/digitalocean/go-libvirt"
	"github.com/google/uuid"

	"github.com/ferrum-virt/ferrum/backends"
)

// libvirt domain states (virDomainState) and the reasons Ferrum tells apart
// (virDomainRunningReason, virDomainPausedReason, virDomainShutoffReason).
const (
	stNoState     = 0
	stRunning     = 1
	stBlocked     = 2
	stPaused      = 3
	stShutdown    = 4
	stShutoff     = 5
	stCrashed     = 6
	stPMSuspended = 7
)

var runningReasons = map[int32]backends.Reason{
	1: backends.ReasonBooted, 2: backends.ReasonMigrated, 3: backends.ReasonRestored,
	5: backends.ReasonUnpaused, 6: backends.ReasonMigrated, 7: backends.ReasonRestored, 9: backends.ReasonCrashed,
}

var pausedReasons = map[int32]backends.Reason{
	1: backends.ReasonUser, 2: backends.ReasonMigrated, 3: backends.ReasonSaved,
	5: backends.ReasonCrashed, 6: backends.ReasonCrashed, 8: backends.ReasonShutdown,
}

var shutoffReasons = map[int32]backends.Reason{
	0: backends.ReasonDefined, 1: backends.ReasonShutdown, 2: backends.ReasonDestroyed,
	3: backends.ReasonCrashed, 4: backends.ReasonMigrated, 5: backends.ReasonSaved,
	6: backends.ReasonCrashed, 8: backends.ReasonHostDown,
}

// stateOf translates a libvirt state and reason. saved tells whether a
// stopped domain has a managed save image, which makes it Saved.
func stateOf(state, reason int32, saved bool) (backends.State, backends.Reason) {
	pick := func(m map[int32]backends.Reason) backends.Reason {
		if r, ok := m[reason]; ok {
			return r
		}
		return backends.ReasonUnknown
	}
	switch state {
	case stRunning, stBlocked:
		return backends.StateRunning, pick(runningReasons)
	case stPaused, stPMSuspended:
		return backends.StatePaused, pick(pausedReasons)
	case stShutdown:
		return backends.StateShuttingDown, backends.ReasonUser
	case stCrashed:
		return backends.StateCrashed, backends.ReasonCrashed
	case stShutoff:
		if saved {
			return backends.StateSaved, backends.ReasonSaved
		}
		return backends.StateOff, pick(shutoffReasons)
	}
	return backends.StateOff, backends.ReasonUnknown
}

// lookup resolves a VM ID, the domain's UUID, to the domain. An ID that is
// not a UUID or names no domain fails with ErrNotFound.
func (h *Host) lookup(id string) (golibvirt.Domain, error) {
	u, err := uuid.Parse(id)
	if err != nil {
		return golibvirt.Domain{}, fmt.Errorf("vm %s on %s: %w", id, h, backends.ErrNotFound)
	}
	d, err := h.l.DomainLookupByUUID(golibvirt.UUID(u))
	if err != nil {
		return golibvirt.Domain{}, wrap(err, "vm %s on %s", id, h)
	}
	return d, nil
}

// domainID spells a domain's UUID as a VM ID.
func domainID(d golibvirt.Domain) string { return uuid.UUID(d.UUID).String() }

// state reads a domain's Ferrum state and reason.
func (h *Host) state(d golibvirt.Domain) (backends.State, backends.Reason, error) {
	st, reason, err := h.l.DomainGetState(d, 0)
	if err != nil {
		return "", "", wrap(err, "state of vm %s on %s", d.Name, h)
	}
	saved := false
	if st == stShutoff {
		n, err := h.l.DomainHasManagedSaveImage(d, 0)
		if err != nil && !isCode(err, golibvirt.ErrNoSupport) {
			return "", "", wrap(err, "managed save image of vm %s on %s", d.Name, h)
		}
		saved = n == 1
	}
	s, r := stateOf(st, reason, saved)
	return s, r, nil
}

// allow fails with a *StateError unless the domain is in one of states; it
// returns the state found.
func (h *Host) allow(d golibvirt.Domain, op string, states ...backends.State) (backends.State, error) {
	s, _, err := h.state(d)
	if err != nil {
		return "", err
	}
	if !slices.Contains(states, s) {
		return s, fmt.Errorf("on %s: %w", h, &backends.StateError{VM: domainID(d), Op: op, State: s})
	}
	return s, nil
}

// domainDoc reads a domain's document: the live one while it runs, the
// persistent definition otherwise (or with inactive).
func (h *Host) domainDoc(d golibvirt.Domain, inactive bool) (*domainXML, error) {
	var flags golibvirt.DomainXMLFlags
	if inactive {
		flags = golibvirt.DomainXMLInactive
	}
	text, err := h.l.DomainGetXMLDesc(d, flags)
	if err != nil {
		return nil, wrap(err, "get xml of vm %s on %s", d.Name, h)
	}
	return parseDomainXML(text)
}

// vm reports a domain as a backends.VM.
func (h *Host) vm(d golibvirt.Domain) (backends.VM, error) {
	s, r, err := h.state(d)
	if err != nil {
		return backends.VM{}, err
	}
	doc, err := h.domainDoc(d, false)
	if err != nil {
		return backends.VM{}, err
	}
	spec, err := specOf(doc)
	if err != nil {
		return backends.VM{}, fmt.Errorf("vm %s on %s: %w", d.Name, h, err)
	}
	vm := backends.VM{VMSpec: spec, Host: h.static.ID, State: s, Reason: r}
	if t, ok := h.seen.Load(spec.UUID); ok {
		vm.Since = t.(vmSeen).since
	}
	return vm, nil
}
