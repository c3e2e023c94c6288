// Package agent is the manager's side of a ferrum-agent: a backends.Host
// whose every call travels over the agent link to the node and is served
// there by the node's own backend (libvirt, or the simulator). Providers use
// it exactly like a local host: errors keep their sentinels and
// *backends.StateError, contexts' deadlines and cancellation reach the
// node, events arrive through a backends.Subscription.
//
// The node registry (agent/manager) makes one Host per enrolled node and
// attaches each new link to it, so a Host stays valid across agent
// reconnections; while a node has no link, calls fail with
// backends.ErrUnavailable. A Host whose agent can migrate is handed out as a
// *MigratingHost, which also implements backends.Migrator between
// agent-backed hosts. Every Host implements backends.Snapshots; it declares
// Capabilities.Snapshots, and the calls succeed, only when the node's agent
// serves them (protocol 1.1 over a backend with snapshots).
//
// Event sequence numbers are the Host's own: they count the events
// delivered through this Host from 1, in the node's order. When the link is
// lost and when it is restored, subscribers receive a host-alert event
// (component "agent"), since events of the node may have been missed in
// between.
package agent
