package link

import (
	"context"
	"errors"
	"net"
	"testing"

	"github.com/ferrum-virt/ferrum/agent/proto"
	"github.com/ferrum-virt/ferrum/backends"
)

// pair returns a caller session and a callee session serving h.
func pair(t *testing.T, h Handler) (caller, callee *Session) {
	t.Helper()
	a, b := net.Pipe()
	caller, err := Listener(a, "agent", Options{})
	if err != nil {
		t.Fatal(err)
	}
	callee, err = Dialer(b, "manager", Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = caller.Close(); _ = callee.Close() })
	go func() { _ = callee.Serve(context.Background(), h) }()
	return caller, callee
}

func TestCallCarriesArgumentsResultsAndProgress(t *testing.T) {
	caller, _ := pair(t, func(ctx context.Context, req proto.Request, c *Call) {
		var a proto.SetVCPUsArgs
		if err := proto.Unmarshal(req.Args, &a); err != nil {
			_ = c.Reply(nil, err)
			return
		}
		for i := range a.N {
			_ = c.Progress(backends.MigrationProgress{Round: i + 1})
		}
		_ = c.Reply(backends.MigrationResult{Rounds: a.N}, nil)
	})
	var rounds []int
	var res backends.MigrationResult
	err := caller.Call(t.Context(), proto.OpMigrate, proto.SetVCPUsArgs{N: 3}, &res, func(f proto.Frame) {
		var p backends.MigrationProgress
		if f.Decode(&p) == nil {
			rounds = append(rounds, p.Round)
		}
	})
	if err != nil || res.Rounds != 3 || len(rounds) != 3 || rounds[2] != 3 {
		t.Fatalf("Call = %+v, %v; progress %v", res, err, rounds)
	}
}

func TestSubscriptionDeliversItemsUntilTheCallerCloses(t *testing.T) {
	stopped := make(chan struct{})
	caller, _ := pair(t, func(ctx context.Context, req proto.Request, c *Call) {
		_ = c.Reply(nil, nil)
		for i := 1; ; i++ {
			if c.Item(proto.Heartbeat{Seq: uint64(i)}) != nil {
				break
			}
		}
		<-ctx.Done()
		close(stopped)
	})
	st, err := caller.Subscribe(t.Context(), proto.OpEvents, nil)
	if err != nil {
		t.Fatal(err)
	}
	for want := uint64(1); want <= 3; want++ {
		f, err := st.Recv()
		var hb proto.Heartbeat
		if err != nil || f.Type != proto.FrameItem || f.Decode(&hb) != nil || hb.Seq != want {
			t.Fatalf("item %d: %v %+v", want, err, hb)
		}
	}
	_ = st.Close()
	<-stopped
}

func TestCalleeRefusals(t *testing.T) {
	tests := []struct {
		name string
		send func(*Stream) error
		want error
	}{
		{"a stream that does not start with a request → ErrMalformed",
			func(s *Stream) error { return s.Send(proto.FrameHeartbeat, proto.Heartbeat{}) }, proto.ErrMalformed},
		{"a handler that does not reply → ErrUnsupported",
			func(s *Stream) error { return s.Send(proto.FrameRequest, proto.Request{Op: "silent"}) }, backends.ErrUnsupported},
	}
	caller, _ := pair(t, func(context.Context, proto.Request, *Call) {})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := caller.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if err := tt.send(st); err != nil {
				t.Fatal(err)
			}
			f, err := st.Recv()
			if err != nil {
				t.Fatal(err)
			}
			if err := decodeResponse("x", f, nil); !errors.Is(err, tt.want) {
				t.Fatalf("response = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestABrokenLinkIsUnavailable(t *testing.T) {
	caller, callee := pair(t, func(ctx context.Context, _ proto.Request, c *Call) { <-ctx.Done() })
	errc := make(chan error, 1)
	go func() { errc <- caller.Call(context.Background(), proto.OpVMList, nil, nil, nil) }()
	_ = callee.Close()
	if err := <-errc; !errors.Is(err, backends.ErrUnavailable) {
		t.Fatalf("Call over a closed link = %v, want ErrUnavailable", err)
	}
	if err := caller.Call(t.Context(), proto.OpVMList, nil, nil, nil); !errors.Is(err, backends.ErrUnavailable) {
		t.Fatalf("Call after the link closed = %v, want ErrUnavailable", err)
	}
}

func TestCoalescerJoinsDataHeadersWithTheirBody(t *testing.T) {
	var w recorder
	c := &coalescer{Conn: &w}
	data := []byte{0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 3}
	window := []byte{0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 0, 0}
	for _, p := range [][]byte{window, data, []byte("abc"), window} {
		if n, err := c.Write(p); err != nil || n != len(p) {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	if len(w.writes) != 3 || len(w.writes[1]) != 15 || string(w.writes[1][12:]) != "abc" {
		t.Fatalf("writes %q: want the window update, header+body, window update", w.writes)
	}
}

type recorder struct {
	net.Conn
	writes [][]byte
}

func (r *recorder) Write(p []byte) (int, error) {
	r.writes = append(r.writes, append([]byte(nil), p...))
	return len(p), nil
}
