package agent

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ferrum-virt/ferrum/agent/link"
	"github.com/ferrum-virt/ferrum/agent/proto"
	"github.com/ferrum-virt/ferrum/backends"
)

// Host is a node's host reached through its agent. It is safe for
// concurrent use.
type Host struct {
	id  string
	log *slog.Logger
	hub backends.Hub
	mig *MigratingHost

	mu    sync.Mutex
	sess  *link.Session
	hello proto.Hello
	lost  bool // a link was lost since the last Attach
}

var _ backends.Host = (*Host)(nil)

// NewHost returns the Host of node id, without a link yet.
func NewHost(id string, log *slog.Logger) *Host {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &Host{id: id, log: log.With("host", id)}
	h.mig = &MigratingHost{h}
	return h
}

// ID returns the node's host UUID.
func (h *Host) ID() string { return h.id }

// String names the host by the hostname its agent reported.
func (h *Host) String() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.hello.Host.Hostname != "" {
		return h.hello.Host.Hostname
	}
	return h.id
}

// Backend returns the Host as providers should see it: a *MigratingHost
// when the node's agent can migrate, the *Host otherwise.
func (h *Host) Backend() backends.Host {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.hello.Features.Migrator {
		return h.mig
	}
	return h
}

// Hello returns what the agent reported when it last connected.
func (h *Host) Hello() proto.Hello {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.hello
}

// Attach makes sess the Host's link and subscribes to the node's events,
// within ctx. The previous link, if any, is replaced.
func (h *Host) Attach(ctx context.Context, sess *link.Session, hello proto.Hello) error {
	st, err := sess.Subscribe(ctx, proto.OpEvents, nil)
	if err != nil {
		return fmt.Errorf("subscribe to the events of %s: %w", h.id, err)
	}
	h.mu.Lock()
	h.sess, h.hello = sess, hello
	restored := h.lost
	h.lost = false
	h.mu.Unlock()
	if restored {
		h.linkAlert(backends.SeverityInfo, "link to the agent restored")
	}
	go h.pump(st)
	return nil
}

// Detach drops sess if it is still the Host's link; calls fail with
// ErrUnavailable until the next Attach.
func (h *Host) Detach(sess *link.Session) {
	h.mu.Lock()
	mine := h.sess == sess
	if mine {
		h.sess, h.lost = nil, true
	}
	h.mu.Unlock()
	if mine {
		h.linkAlert(backends.SeverityWarning, "link to the agent lost; events may be missed until it is restored")
	}
}

// pump publishes the node's events until the stream ends.
func (h *Host) pump(st *link.Stream) {
	defer st.Close()
	for {
		f, err := st.Recv()
		if err != nil {
			return
		}
		var e backends.Event
		if f.Type != proto.FrameItem {
			h.log.Warn("unexpected frame on the event stream", "frame", f.Type)
			continue
		}
		if err := f.Decode(&e); err != nil {
			h.log.Warn("undecodable event", "err", err)
			continue
		}
		h.hub.Publish(e)
	}
}

func (h *Host) linkAlert(sev backends.Severity, msg string) {
	h.hub.Publish(backends.Event{Time: time.Now(), Host: h.id, Type: backends.EventHostAlert, Detail: msg,
		Alert: &backends.Alert{Severity: sev, Component: "agent", Message: msg}})
}

// session returns the current link.
func (h *Host) session() (*link.Session, error) {
	h.mu.Lock()
	s := h.sess
	h.mu.Unlock()
	if s == nil || s.Closed() {
		return nil, fmt.Errorf("host %s: no link to its agent: %w", h.id, backends.ErrUnavailable)
	}
	return s, nil
}

// call runs op on the node and decodes its result.
func call[R any](ctx context.Context, h *Host, op proto.Op, args any) (R, error) {
	var r R
	s, err := h.session()
	if err != nil {
		return r, err
	}
	err = s.Call(ctx, op, args, &r, nil)
	return r, err
}

// do runs op on the node, ignoring its result.
func do(ctx context.Context, h *Host, op proto.Op, args any) error {
	s, err := h.session()
	if err != nil {
		return err
	}
	return s.Call(ctx, op, args, nil, nil)
}

// Info reads the node's inventory now. Snapshot capabilities are declared
// only when the node's agent serves the snapshot ops.
func (h *Host) Info(ctx context.Context) (backends.HostInfo, error) {
	info, err := call[backends.HostInfo](ctx, h, proto.OpInfo, nil)
	if err == nil && !h.Hello().Features.Snapshots {
		info.Caps.Snapshots, info.Caps.LiveSnapshots = false, false
	}
	return info, err
}

// Stats reads the node's statistics now.
func (h *Host) Stats(ctx context.Context) (backends.HostStats, error) {
	return call[backends.HostStats](ctx, h, proto.OpHostStats, nil)
}

// Events subscribes to the node's events. The subscription survives link
// losses (see the package documentation).
func (h *Host) Events(ctx context.Context) (*backends.Subscription, error) {
	return h.hub.Subscribe(ctx, 0), nil
}

// VMs returns the node's virtual servers.
func (h *Host) VMs() backends.VMManager { return vms{h} }

// Storage returns the node's pools and volumes.
func (h *Host) Storage() backends.StorageManager { return storage{h} }

// Switches returns the node's virtual switches.
func (h *Host) Switches() backends.SwitchManager { return switches{h} }
