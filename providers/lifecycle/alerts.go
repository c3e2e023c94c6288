package lifecycle

import (
	"context"
	"fmt"
	"strings"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/indication"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// ProbableCause values of CIM_AlertIndication used here (the schema's
// ValueMap).
const (
	causeLossOfSignal       uint16 = 30
	causeSoftwareAbend      uint16 = 48 // Software Program Abnormally Terminated
	causeStorageCapacity    uint16 = 50
	causeThresholdCrossed   uint16 = 52
	causeElementUnavailable uint16 = 72
)

// severities maps backend alert severities to PerceivedSeverity.
var severities = map[backends.Severity]uint16{
	backends.SeverityInfo:     indication.SeverityInformation,
	backends.SeverityWarning:  indication.SeverityDegraded, // "Degraded/Warning"
	backends.SeverityCritical: indication.SeverityCritical,
}

// HostAlert returns the CIM alert of a backend host alert on host hostID.
func HostAlert(hostID string, a backends.Alert) indication.Alert {
	sev, ok := severities[a.Severity]
	if !ok {
		sev = indication.SeverityUnknown
	}
	out := indication.Alert{PerceivedSeverity: sev, Element: model.HostPath(hostID),
		Message: fmt.Sprintf("Host %s: %s: %s", hostID, a.Component, a.Message), MessageID: "FRM0100",
		Description: "a condition reported by the host's hypervisor"}
	kind, _, _ := strings.Cut(a.Component, ":")
	switch kind {
	case "nic":
		out.AlertType, out.ProbableCause = indication.AlertCommunications, causeLossOfSignal
	case "agent": // the manager's link to the host's agent
		out.AlertType, out.ProbableCause = indication.AlertCommunications, indication.ProbableCauseUnknown
	case "pool":
		out.AlertType, out.ProbableCause = indication.AlertQualityOfService, causeStorageCapacity
	case "host":
		out.AlertType, out.ProbableCause = indication.AlertDeviceAlert, indication.ProbableCauseUnknown
		if a.Severity == backends.SeverityCritical {
			out.ProbableCause = causeElementUnavailable
		}
	default:
		out.AlertType, out.OtherAlertType = indication.AlertOther, "Host condition"
		out.ProbableCause = indication.ProbableCauseUnknown
	}
	return out
}

// hostAlert publishes the alert an EventHostAlert carries.
func (s *Service) hostAlert(ctx context.Context, hostID string, ev backends.Event) {
	a := backends.Alert{Severity: backends.SeverityInfo, Component: "host", Message: ev.Detail}
	if ev.Alert != nil {
		a = *ev.Alert
	}
	s.alert(ctx, HostAlert(hostID, a), hostID)
}

// watchNodes raises host-down and host-up alerts from node liveness
// changes, and re-reads the inventory after each change.
func (s *Service) watchNodes(ctx context.Context, ch <-chan NodeChange) {
	for {
		select {
		case <-ctx.Done():
			return
		case c, ok := <-ch:
			if !ok {
				return
			}
			s.nodeChanged(ctx, c)
			s.Resync()
		}
	}
}

func (s *Service) nodeChanged(ctx context.Context, c NodeChange) {
	name := c.Name
	if name == "" {
		name = c.Host
	}
	a := indication.Alert{AlertType: indication.AlertCommunications, Element: model.HostPath(c.Host)}
	switch {
	case c.Down:
		a.PerceivedSeverity, a.ProbableCause, a.MessageID = indication.SeverityCritical, causeElementUnavailable, "FRM0101"
		a.Message = fmt.Sprintf("Host %s is down: %s.", name, c.Reason)
	case c.Up:
		a.PerceivedSeverity, a.ProbableCause, a.MessageID = indication.SeverityInformation, indication.ProbableCauseUnknown, "FRM0102"
		a.Message = fmt.Sprintf("Host %s is up again: %s.", name, c.Reason)
	default:
		return
	}
	s.cfg.Log.InfoContext(ctx, "host liveness alert", "op", "lifecycle", "host", c.Host, "down", c.Down)
	s.alert(ctx, a, c.Host)
}

// checkCapacity raises a Warning when the memory of host hostID's active
// VMs reaches the threshold, and an Information alert once it has fallen
// below the threshold minus the clear margin.
func (s *Service) checkCapacity(ctx context.Context, hostID string, h backends.Host) {
	info, err := h.Info(ctx)
	if err != nil || info.MemoryMiB == 0 {
		return
	}
	vms, err := h.VMs().List(ctx)
	if err != nil {
		return
	}
	var used uint64
	for _, vm := range vms {
		if vm.State.Active() {
			used += vm.MemoryMiB
		}
	}
	share := float64(used) / float64(info.MemoryMiB)
	s.cmu.Lock()
	defer s.cmu.Unlock()
	above := s.capacity[hostID]
	a := indication.Alert{AlertType: indication.AlertQualityOfService, ProbableCause: causeThresholdCrossed,
		Element: model.HostPath(hostID)}
	switch {
	case !above && share >= s.cfg.MemoryThreshold:
		a.PerceivedSeverity, a.MessageID = indication.SeverityDegraded, "FRM0103"
		a.Message = fmt.Sprintf("Host %s: running virtual systems hold %d of %d MiB of memory (%.0f%%, threshold %.0f%%).",
			hostID, used, info.MemoryMiB, 100*share, 100*s.cfg.MemoryThreshold)
	case above && share < s.cfg.MemoryThreshold-s.cfg.MemoryClearMargin:
		a.PerceivedSeverity, a.MessageID = indication.SeverityInformation, "FRM0104"
		a.Message = fmt.Sprintf("Host %s: running virtual systems hold %d of %d MiB of memory (%.0f%%), back under the threshold.",
			hostID, used, info.MemoryMiB, 100*share)
	default:
		return
	}
	s.capacity[hostID] = !above
	s.cfg.Log.InfoContext(ctx, "memory threshold crossed", "op", "lifecycle", "host", hostID, "share", share, "above", !above)
	s.alert(ctx, a, hostID)
}
