package agent

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ferrum-virt/ferrum/agent/link"
	"github.com/ferrum-virt/ferrum/agent/pki"
	"github.com/ferrum-virt/ferrum/agent/proto"
	"github.com/ferrum-virt/ferrum/backends"
)

// runOnce connects, serves until the link breaks or ctx ends, and reports
// whether the manager welcomed it.
func (a *Agent) runOnce(ctx context.Context, creds *credentials, srv *server) (bool, error) {
	sess, err := a.connect(ctx, creds)
	if err != nil {
		return false, err
	}
	defer sess.Close()
	a.connected.Store(true)
	defer a.connected.Store(false)
	a.log.Info("connected to the manager", "manager", a.cfg.Manager)
	ctl, err := sess.Open()
	if err != nil {
		return true, err
	}
	hbDone := make(chan error, 1)
	go func() {
		err := a.heartbeat(ctx, ctl, sess.Done())
		if ctx.Err() == nil {
			_ = sess.Close() // a link that cannot carry heartbeats is dead
		}
		hbDone <- err
	}()
	serveErr := sess.Serve(ctx, srv.handler(a.log))
	if ctx.Err() != nil {
		<-hbDone // the goodbye is out
		return true, nil
	}
	_ = sess.Close()
	hbErr := <-hbDone
	return true, errors.Join(serveErr, hbErr)
}

// connect dials the manager over mutual TLS and exchanges Hello and Welcome.
func (a *Agent) connect(ctx context.Context, creds *credentials) (*link.Session, error) {
	info, err := a.cfg.Backend.Info(ctx)
	if err != nil {
		return nil, fmt.Errorf("backend inventory: %w", err)
	}
	conn, err := a.dial(ctx, pki.AgentTLS(creds.cert, creds.ca, proto.ALPNAgent))
	if err != nil {
		return nil, err
	}
	_, migrates := a.cfg.Backend.(backends.Migrator)
	_, snapshots := a.cfg.Backend.(backends.Snapshots)
	hello := proto.Hello{Version: proto.Current, AgentVersion: a.cfg.Version, Host: info,
		Heartbeat: a.cfg.Heartbeat, Features: proto.Features{Migrator: migrates, Snapshots: snapshots},
		MigrationURI: a.cfg.MigrationURI}
	w, err := a.hello(conn, hello)
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	_ = conn.SetDeadline(time.Time{})
	a.log.Debug("welcomed", "manager_version", w.ManagerVersion, "protocol", w.Version)
	return link.Dialer(conn, "manager "+a.cfg.Manager, link.Options{Logger: a.log})
}

func (a *Agent) hello(conn *tls.Conn, h proto.Hello) (proto.Welcome, error) {
	var w proto.Welcome
	if err := proto.WriteFrame(conn, proto.FrameHello, h); err != nil {
		return w, err
	}
	f, err := proto.ReadFrame(conn, proto.MaxFrame)
	if err != nil {
		return w, err
	}
	switch f.Type {
	case proto.FrameWelcome:
		return w, f.Decode(&w)
	case proto.FrameRefuse:
		return w, refusal(f)
	}
	return w, fmt.Errorf("unexpected %s frame: %w", f.Type, proto.ErrMalformed)
}

// heartbeat sends a heartbeat at once and then every interval on the
// control stream until the link ends; when ctx ends it says goodbye.
func (a *Agent) heartbeat(ctx context.Context, ctl *link.Stream, linkDone <-chan struct{}) error {
	defer ctl.Close()
	t := time.NewTicker(a.cfg.Heartbeat)
	defer t.Stop()
	for seq := uint64(1); ; seq++ {
		if err := ctl.Send(proto.FrameHeartbeat, proto.Heartbeat{Seq: seq, Time: time.Now()}); err != nil {
			return fmt.Errorf("heartbeat: %w", err)
		}
		select {
		case <-ctx.Done():
			return ctl.Send(proto.FrameGoodbye, proto.Goodbye{Reason: "agent stopping"})
		case <-linkDone:
			return errors.New("link closed")
		case <-t.C:
		}
	}
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
