// Package agent is ferrum-agent, the daemon that runs on every node beside
// its hypervisor (libvirtd, or an in-process simulated host for
// development) and serves that host's backends contract to the manager.
//
// On first start the agent enrols: it makes a key, sends a certificate
// request with the one-time join token, and keeps the client certificate
// the manager's CA issues, with the pinned CA, in its state directory. It
// then dials the manager — nodes need no open port — over mutual TLS 1.3,
// reports its inventory in the Hello, heartbeats, and serves calls, event
// and statistics subscriptions until the link breaks, when it dials again
// with exponential backoff. See package proto for the protocol and
// agent/manager for the manager's side.
package agent
