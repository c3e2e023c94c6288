package link

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/ferrum-virt/ferrum/agent/proto"
	"github.com/ferrum-virt/ferrum/backends"
)

// MaxInFlight bounds the calls a session serves at once; further streams
// wait to be accepted, which pushes back on the caller.
const MaxInFlight = 256

// A Handler serves one call. It answers with exactly one Reply; a migration
// may send Progress before it, a subscription sends Items after it until
// ctx ends. ctx ends when the caller cancels, its deadline passes, or the
// session closes.
type Handler func(ctx context.Context, req proto.Request, c *Call)

// A Call is the callee's side of one call.
type Call struct {
	st      *Stream
	replied bool
}

// Reply ends the call with result, or with err when it is not nil.
func (c *Call) Reply(result any, err error) error {
	if c.replied {
		return errors.New("reply sent twice")
	}
	c.replied = true
	r := proto.Response{Err: proto.WireError(err)}
	if err == nil {
		if result == nil {
			result = proto.Empty{}
		}
		raw, merr := proto.Marshal(result)
		if merr != nil {
			r.Err = proto.WireError(fmt.Errorf("encode %T: %w", result, merr))
		}
		r.Result = raw
	}
	return c.st.Send(proto.FrameResponse, r)
}

// Progress reports progress before the Reply.
func (c *Call) Progress(v any) error { return c.st.Send(proto.FrameProgress, v) }

// Item sends one item of a subscription, after the Reply. It blocks while
// the caller is a full window behind.
func (c *Call) Item(v any) error { return c.st.Send(proto.FrameItem, v) }

// Serve accepts the peer's calls until ctx ends or the session closes,
// running each with h on its own goroutine.
func (s *Session) Serve(ctx context.Context, h Handler) error {
	sem := make(chan struct{}, MaxInFlight)
	for {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		st, err := s.Accept(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("session with %s: %w", s.peer, err)
		}
		go func() {
			defer func() { <-sem }()
			s.serveStream(ctx, st, h)
		}()
	}
}

func (s *Session) serveStream(ctx context.Context, st *Stream, h Handler) {
	defer st.Close()
	f, err := st.Recv()
	if err != nil {
		return
	}
	c := &Call{st: st}
	var req proto.Request
	if f.Type != proto.FrameRequest {
		err = fmt.Errorf("a call must start with a request, not %s: %w", f.Type, proto.ErrMalformed)
	} else {
		err = f.Decode(&req)
	}
	if err != nil {
		_ = c.Reply(nil, err)
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if req.Timeout > 0 {
		var cancelT context.CancelFunc
		ctx, cancelT = context.WithTimeout(ctx, req.Timeout)
		defer cancelT()
	}
	go func() {
		f, err := st.Recv() // a Cancel frame, the caller closing, or the session ending
		cancel()
		if err != nil || f.Type != proto.FrameCancel {
			_ = st.SetWriteDeadline(time.Now()) // nobody reads any more: unblock a full window
		}
	}()
	s.run(ctx, req, c, h)
}

// run calls h, turning a panic into an error reply so one bad call cannot
// take the agent down.
func (s *Session) run(ctx context.Context, req proto.Request, c *Call, h Handler) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("call panicked", "op", req.Op, "panic", p, "stack", string(debug.Stack()))
			if !c.replied {
				_ = c.Reply(nil, fmt.Errorf("%s: internal error: %v", req.Op, p))
			}
		}
	}()
	h(ctx, req, c)
	if !c.replied {
		_ = c.Reply(nil, fmt.Errorf("%s: handler sent no reply: %w", req.Op, backends.ErrUnsupported))
	}
	if ctx.Err() != nil && !errors.Is(ctx.Err(), context.Canceled) {
		s.log.Debug("call ended by its deadline", "op", req.Op, slog.Any("err", ctx.Err()))
	}
}
