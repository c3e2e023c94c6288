package link

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ferrum-virt/ferrum/agent/proto"
	"github.com/ferrum-virt/ferrum/backends"
)

// CancelGrace is how long a call whose context ended waits for the callee
// to acknowledge the Cancel before abandoning the stream.
const CancelGrace = 5 * time.Second

// Call sends op with args and waits for the response, decoding its result
// into result (nil ignores it). progress, if not nil, receives each Progress
// frame, on the calling goroutine.
//
// The callee runs the call with the time left of ctx's deadline; when ctx
// ends the callee is told to stop, and Call returns the callee's answer or,
// after CancelGrace, ctx.Err(). A remote failure is returned as the callee
// reported it (see proto.Error.Err); a broken link matches
// backends.ErrUnavailable.
func (s *Session) Call(ctx context.Context, op proto.Op, args, result any, progress func(proto.Frame)) error {
	st, err := s.start(ctx, op, args, true)
	if err != nil {
		return err
	}
	defer st.Close()
	stop := context.AfterFunc(ctx, func() {
		_ = st.Send(proto.FrameCancel, proto.Cancel{})
		_ = st.SetReadDeadline(time.Now().Add(CancelGrace))
	})
	defer stop()
	for {
		f, err := st.Recv()
		if err != nil {
			return s.broken(ctx, op, err)
		}
		switch f.Type {
		case proto.FrameProgress:
			if progress != nil {
				progress(f)
			}
		case proto.FrameResponse:
			err := decodeResponse(op, f, result)
			if ctxErr := ctx.Err(); ctxErr != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
				// The callee stopped because of the caller's context, which
				// says best why: its deadline, or its cancellation.
				return fmt.Errorf("%s: %w (on %s: %v)", op, ctxErr, s.peer, err)
			}
			return err
		default:
			return fmt.Errorf("%s: unexpected %s frame: %w", op, f.Type, proto.ErrMalformed)
		}
	}
}

// Subscribe sends op with args and waits, within ctx, for the callee to
// accept; the stream then carries Item frames until either side closes it.
// Closing the stream ends the subscription on the callee's side.
func (s *Session) Subscribe(ctx context.Context, op proto.Op, args any) (*Stream, error) {
	st, err := s.start(ctx, op, args, false)
	if err != nil {
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { _ = st.Send(proto.FrameCancel, proto.Cancel{}) })
	f, err := st.Recv()
	stop()
	switch {
	case err != nil:
		err = s.broken(ctx, op, err)
	case f.Type != proto.FrameResponse:
		err = fmt.Errorf("%s: unexpected %s frame: %w", op, f.Type, proto.ErrMalformed)
	default:
		err = decodeResponse(op, f, nil)
	}
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	return st, nil
}

// start opens a stream and sends the request, with ctx's deadline when
// timed (a subscription outlives the context that set it up).
func (s *Session) start(ctx context.Context, op proto.Op, args any, timed bool) (*Stream, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if args == nil {
		args = proto.Empty{}
	}
	raw, err := proto.Marshal(args)
	if err != nil {
		return nil, fmt.Errorf("%s: encode %T: %w", op, args, backends.ErrInvalidArgument)
	}
	req := proto.Request{Op: op, Args: raw}
	if dl, ok := ctx.Deadline(); ok && timed {
		if req.Timeout = time.Until(dl); req.Timeout <= 0 {
			return nil, fmt.Errorf("%s: %w", op, context.DeadlineExceeded)
		}
	}
	st, err := s.Open()
	if err != nil {
		return nil, s.broken(ctx, op, err)
	}
	if err := st.Send(proto.FrameRequest, req); err != nil {
		_ = st.Close()
		return nil, s.broken(ctx, op, err)
	}
	return st, nil
}

// broken explains a stream that failed: the caller's context, or the link.
func (s *Session) broken(ctx context.Context, op proto.Op, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w", op, ctx.Err())
	}
	return fmt.Errorf("%s on %s: %w: %w", op, s.peer, backends.ErrUnavailable, err)
}

func decodeResponse(op proto.Op, f proto.Frame, result any) error {
	var r proto.Response
	if err := f.Decode(&r); err != nil {
		return fmt.Errorf("%s response: %w", op, err)
	}
	if r.Err != nil {
		return r.Err.Err()
	}
	if result == nil {
		return nil
	}
	if err := proto.Unmarshal(r.Result, result); err != nil {
		return fmt.Errorf("%s result: %w", op, err)
	}
	return nil
}
