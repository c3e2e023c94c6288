package manager

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/ferrum-virt/ferrum/agent/link"
	"github.com/ferrum-virt/ferrum/agent/pki"
	"github.com/ferrum-virt/ferrum/agent/proto"
)

// ListenAndServe listens on Config.Addr and serves agents until ctx ends.
func (r *Registry) ListenAndServe(ctx context.Context) error {
	ln, err := net.Listen("tcp", r.cfg.Addr)
	if err != nil {
		return fmt.Errorf("agent listener: %w", err)
	}
	return r.Serve(ctx, ln)
}

// Serve accepts agent connections on ln until ctx ends, then closes ln and
// every link accepted through it and returns nil.
func (r *Registry) Serve(ctx context.Context, ln net.Listener) error {
	r.log.Info("listening for agents", "addr", ln.Addr().String())
	stop := context.AfterFunc(ctx, func() { _ = ln.Close() })
	defer stop()
	var conns sync.WaitGroup
	defer conns.Wait()
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			return fmt.Errorf("agent listener: %w", err)
		}
		conns.Go(func() { r.serveConn(ctx, tls.Server(c, r.tls)) })
	}
}

// serveConn runs one connection: enrolment, or a management link.
func (r *Registry) serveConn(ctx context.Context, conn *tls.Conn) {
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	log := r.log.With("remote", conn.RemoteAddr().String())
	_ = conn.SetDeadline(time.Now().Add(r.cfg.HandshakeTimeout))
	if err := conn.HandshakeContext(ctx); err != nil {
		log.Warn("agent connection refused", "op", "handshake", "err", err)
		return
	}
	switch cs := conn.ConnectionState(); cs.NegotiatedProtocol {
	case proto.ALPNJoin:
		r.serveJoin(ctx, conn, log)
	case proto.ALPNAgent:
		r.serveAgent(ctx, conn, cs.PeerCertificates[0])
	default:
		log.Warn("agent connection refused: no application protocol")
	}
}

// serveJoin answers one join request; the peer is not authenticated, so
// it may send one small frame and nothing else.
func (r *Registry) serveJoin(ctx context.Context, conn *tls.Conn, log *slog.Logger) {
	f, err := proto.ReadFrame(conn, proto.MaxJoinFrame)
	if err != nil {
		log.Warn("enrolment aborted", "op", "join", "err", err)
		return
	}
	var req proto.JoinRequest
	if f.Type != proto.FrameJoin {
		err = fmt.Errorf("expected a join request, got %s: %w", f.Type, proto.ErrDenied)
	} else {
		err = f.Decode(&req)
	}
	var resp proto.JoinResponse
	if err == nil {
		resp, err = r.enrol(ctx, req)
	}
	if err != nil {
		log.Warn("enrolment refused", "op", "join", "host", req.HostID, "err", err)
		_ = proto.WriteFrame(conn, proto.FrameRefuse, proto.WireError(err))
		return
	}
	_ = proto.WriteFrame(conn, proto.FrameJoined, resp)
}

// serveAgent runs a management link: Hello, then calls and heartbeats
// until the link breaks.
func (r *Registry) serveAgent(ctx context.Context, conn *tls.Conn, cert *x509.Certificate) {
	id, _ := pki.NodeID(cert) // admitted by the handshake, so it is a node certificate
	log := r.log.With("host", id, "remote", conn.RemoteAddr().String())
	hello, err := r.greet(conn, id)
	if err != nil {
		log.Warn("agent refused", "op", "hello", "err", err)
		_ = proto.WriteFrame(conn, proto.FrameRefuse, proto.WireError(err))
		return
	}
	n, err := r.welcome(conn, id, hello)
	if err != nil {
		log.Warn("agent refused", "op", "hello", "err", err)
		return
	}
	_ = conn.SetDeadline(time.Time{})
	sess, err := link.Listener(conn, "node "+hello.Host.Hostname, link.Options{Logger: log})
	if err != nil {
		log.Warn("agent link failed", "err", err)
		return
	}
	defer sess.Close()
	actx, cancel := context.WithTimeout(ctx, r.cfg.HandshakeTimeout)
	ctl, err := sess.Accept(actx)
	if err == nil {
		err = r.attach(actx, n, sess, hello)
	}
	cancel()
	if err != nil {
		log.Warn("agent link failed", "op", "attach", "err", err)
		r.detach(n, sess, "")
		return
	}
	reason := r.control(ctl, n, sess)
	log.Info("agent link closed", "reason", reason)
	_ = sess.Close()
	if reason == "goodbye" {
		r.detach(n, sess, "agent stopping")
	} else {
		r.detach(n, sess, "")
	}
}

// greet reads and checks the Hello.
func (r *Registry) greet(conn *tls.Conn, id string) (proto.Hello, error) {
	var hello proto.Hello
	f, err := proto.ReadFrame(conn, proto.MaxFrame)
	if err != nil {
		return hello, err
	}
	if f.Type != proto.FrameHello {
		return hello, fmt.Errorf("the management link must start with a hello, not %s: %w", f.Type, proto.ErrMalformed)
	}
	if err := f.Decode(&hello); err != nil {
		return hello, err
	}
	if err := proto.Check("manager", proto.Current, hello.Version); err != nil {
		return hello, err
	}
	if hello.Host.ID != id {
		return hello, fmt.Errorf("certificate of node %s, hello from host %q: %w", id, hello.Host.ID, proto.ErrDenied)
	}
	return hello, nil
}

// welcome admits the node once more (it may have been revoked since the
// handshake), records its reported name and answers the Hello.
func (r *Registry) welcome(conn *tls.Conn, id string, hello proto.Hello) (*node, error) {
	r.mu.Lock()
	n, ok := r.nodes[id]
	if !ok || n.rec.Revoked() {
		r.mu.Unlock()
		err := fmt.Errorf("node %s is revoked or forgotten: %w", id, proto.ErrDenied)
		_ = proto.WriteFrame(conn, proto.FrameRefuse, proto.WireError(err))
		return nil, err
	}
	if n.rec.Name != hello.Host.Hostname {
		n.rec.Name = hello.Host.Hostname
		rec := n.rec
		r.mu.Unlock()
		if err := r.cfg.Store.SaveNode(context.Background(), rec); err != nil {
			r.log.Warn("cannot save the node's new name", "host", id, "err", err)
		}
	} else {
		r.mu.Unlock()
	}
	w := proto.Welcome{Version: proto.Current, ManagerVersion: r.cfg.Version, NodeID: id}
	return n, proto.WriteFrame(conn, proto.FrameWelcome, w)
}

// control reads heartbeats until the control stream ends, and says why.
func (r *Registry) control(ctl *link.Stream, n *node, sess *link.Session) string {
	defer ctl.Close()
	for {
		f, err := ctl.Recv()
		if err != nil {
			return "link lost: " + err.Error()
		}
		switch f.Type {
		case proto.FrameHeartbeat:
			r.beat(n, sess)
		case proto.FrameGoodbye:
			return "goodbye"
		}
	}
}
