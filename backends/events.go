package backends

import (
	"fmt"
	"time"
)

// EventType names what happened.
type EventType string

// Lifecycle events name the VM operation or guest action that changed its
// state; the others report migrations, configuration changes and the host.
const (
	EventDefined     EventType = "defined"
	EventUndefined   EventType = "undefined"
	EventStarted     EventType = "started"
	EventPaused      EventType = "paused"
	EventResumed     EventType = "resumed"
	EventStopped     EventType = "stopped"  // hard power-off (Stop)
	EventShutdown    EventType = "shutdown" // the guest powered off
	EventRebooted    EventType = "rebooted"
	EventReset       EventType = "reset"
	EventCrashed     EventType = "crashed"
	EventSaved       EventType = "saved"
	EventRestored    EventType = "restored"
	EventMigratedOut EventType = "migrated-out" // on the source, the VM left
	EventMigratedIn  EventType = "migrated-in"  // on the destination, the VM arrived
	EventMigration   EventType = "migration"    // a pre-copy round; see Event.Migration
	EventModified    EventType = "modified"     // vCPUs, memory or devices changed
	EventHostAlert   EventType = "host-alert"
)

// Event is one occurrence on a host.
type Event struct {
	// Seq numbers a host's events from 1 without gaps; a subscriber that
	// sees a gap lost events (see Subscription).
	Seq       uint64
	Time      time.Time // backend clock
	Host      string    // host ID
	Type      EventType
	VM        string // VM ID, for VM events
	VMName    string
	State     State  // VM state after the event
	Reason    Reason // why, for lifecycle events
	Detail    string // free text: device changed, peer host, ...
	Migration *MigrationProgress
	Alert     *Alert
}

func (e Event) String() string {
	if e.VM != "" {
		return fmt.Sprintf("#%d %s vm=%s state=%s", e.Seq, e.Type, e.VMName, e.State)
	}
	return fmt.Sprintf("#%d %s %s", e.Seq, e.Type, e.Detail)
}

// Severity grades a host alert.
type Severity string

// Alert severities.
const (
	SeverityInfo     Severity = "info"
	SeverityWarning  Severity = "warning"
	SeverityCritical Severity = "critical"
)

// Alert is a host-level condition: a NIC link lost, a pool nearly full, a
// failed component.
type Alert struct {
	Severity  Severity
	Component string // e.g. "nic:eno1", "pool:default", "host"
	Message   string
}
