// Package link runs the ferrum-agent protocol over one multiplexed
// connection: framed streams, calls with deadlines and cancellation, and
// subscriptions. Both the manager (which calls) and the agent (which
// serves) use it; see package proto for the messages.
package link
