package cimxml

import (
	"strings"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

func openVMs(max int, extra ...string) []string {
	return append([]string{ipv("ClassName", `<CLASSNAME NAME="Ferrum_ComputerSystem"/>`), ipv("MaxObjectCount", xval(max))}, extra...)
}

func pullParams(ctx string, max int) []string {
	return []string{ipv("EnumerationContext", xval(ctx)), ipv("MaxObjectCount", xval(max))}
}

func TestPullSequence(t *testing.T) {
	f := newFixture(t, 5, nil)
	open := f.call(t, "alice", "OpenEnumerateInstancePaths", openVMs(2)...).want(t, 0)
	if open.count() != 2 || open.eos(t) || open.context() == "" {
		t.Fatalf("Open returned %d paths, EndOfSequence %v, context %q", open.count(), open.eos(t), open.context())
	}
	ctx := open.context()
	if len(ctx) != 32 || strings.Trim(ctx, "0123456789abcdef") != "" {
		t.Errorf("context id %q is not 128 random bits in hex", ctx)
	}
	var names []string
	collect := func(r cimResult) {
		for _, p := range r.ret.kids {
			for _, kb := range p.child("INSTANCENAME").kids {
				if kb.attrOr("NAME", "") == "Name" {
					names = append(names, kb.kids[0].text)
				}
			}
		}
	}
	collect(open)
	p1 := f.call(t, "alice", "PullInstancePaths", pullParams(ctx, 2)...).want(t, 0)
	collect(p1)
	if p1.eos(t) || p1.context() != ctx {
		t.Fatalf("the second batch ended the sequence early")
	}
	p2 := f.call(t, "alice", "PullInstancePaths", pullParams(ctx, 2)...).want(t, 0)
	collect(p2)
	if !p2.eos(t) || p2.context() != "" {
		t.Fatalf("the last batch: EndOfSequence %v, context %q", p2.eos(t), p2.context())
	}
	if got := strings.Join(names, ","); got != "vm1,vm2,vm3,vm4,vm5" {
		t.Fatalf("pulled %s", got)
	}
	if n := f.h.pulls.count("alice"); n != 0 {
		t.Fatalf("%d contexts left open after EndOfSequence", n)
	}
}

func TestPullContexts(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, f *fixture)
	}{
		{"a context expires after OperationTimeout of inactivity → CIM_ERR_INVALID_ENUMERATION_CONTEXT", func(t *testing.T, f *fixture) {
			ctx := f.call(t, "alice", "OpenEnumerateInstances", openVMs(1, ipv("OperationTimeout", xval(30)))...).want(t, 0).context()
			f.advance(20 * time.Second)
			f.call(t, "alice", "PullInstancesWithPath", pullParams(ctx, 1)...).want(t, 0)
			f.advance(25 * time.Second) // 45 s after Open, 25 s after the last Pull
			f.call(t, "alice", "PullInstancesWithPath", pullParams(ctx, 1)...).want(t, 0)
			f.advance(31 * time.Second)
			f.call(t, "alice", "PullInstancesWithPath", pullParams(ctx, 1)...).want(t, int(cim.ErrInvalidEnumerationContext))
			if n := f.h.pulls.count("alice"); n != 0 {
				t.Fatalf("the expired context is still counted: %d", n)
			}
		}},
		{"an expired context frees its producer", func(t *testing.T, f *fixture) {
			f.call(t, "alice", "OpenEnumerateInstances", openVMs(1, ipv("OperationTimeout", xval(5)))...).want(t, 0)
			f.advance(6 * time.Second)
			f.h.pulls.sweep()
			waitFor(t, "the producer to stop", func() bool { return f.vms.finished.Load() == 1 })
		}},
		{"the default timeout applies without OperationTimeout", func(t *testing.T, f *fixture) {
			ctx := f.call(t, "alice", "OpenEnumerateInstances", openVMs(1)...).want(t, 0).context()
			f.advance(59 * time.Second)
			f.call(t, "alice", "PullInstancesWithPath", pullParams(ctx, 1)...).want(t, 0)
			f.advance(61 * time.Second)
			f.call(t, "alice", "PullInstancesWithPath", pullParams(ctx, 1)...).want(t, int(cim.ErrInvalidEnumerationContext))
		}},
		{"a context belongs to the user who opened it → CIM_ERR_INVALID_ENUMERATION_CONTEXT for others", func(t *testing.T, f *fixture) {
			ctx := f.call(t, "alice", "OpenEnumerateInstances", openVMs(1)...).want(t, 0).context()
			r := f.call(t, "mallory", "PullInstancesWithPath", pullParams(ctx, 1)...).want(t, int(cim.ErrInvalidEnumerationContext))
			unknown := f.call(t, "mallory", "PullInstancesWithPath", pullParams(strings.Repeat("0", 32), 1)...)
			if r.desc != strings.ReplaceAll(unknown.desc, strings.Repeat("0", 32), ctx) {
				t.Errorf("another user's context is told apart from an unknown one: %q vs %q", r.desc, unknown.desc)
			}
			f.call(t, "mallory", "CloseEnumeration", ipv("EnumerationContext", xval(ctx))).want(t, int(cim.ErrInvalidEnumerationContext))
			f.call(t, "alice", "PullInstancesWithPath", pullParams(ctx, 1)...).want(t, 0)
		}},
		{"contexts per user are limited → CIM_ERR_SERVER_LIMITS_EXCEEDED", func(t *testing.T, f *fixture) {
			var ctxs []string
			for range 2 {
				ctxs = append(ctxs, f.call(t, "alice", "OpenEnumerateInstances", openVMs(0)...).want(t, 0).context())
			}
			f.call(t, "alice", "OpenEnumerateInstances", openVMs(0)...).want(t, int(cim.ErrServerLimitsExceeded))
			f.call(t, "bob", "OpenEnumerateInstances", openVMs(0)...).want(t, 0)
			f.call(t, "alice", "CloseEnumeration", ipv("EnumerationContext", xval(ctxs[0]))).want(t, 0)
			f.call(t, "alice", "OpenEnumerateInstances", openVMs(0)...).want(t, 0)
		}},
		{"contexts that ended or expired do not count against the limit", func(t *testing.T, f *fixture) {
			ctx := f.call(t, "alice", "OpenEnumerateInstances", openVMs(3)...).want(t, 0).context()
			f.call(t, "alice", "PullInstancesWithPath", pullParams(ctx, 3)...).want(t, 0)
			f.call(t, "alice", "OpenEnumerateInstances", openVMs(0, ipv("OperationTimeout", xval(1)))...).want(t, 0)
			f.advance(2 * time.Second)
			f.call(t, "alice", "OpenEnumerateInstances", openVMs(0)...).want(t, 0)
			f.call(t, "alice", "OpenEnumerateInstances", openVMs(0)...).want(t, 0)
		}},
		{"MaxObjectCount 0 returns nothing and keeps the context", func(t *testing.T, f *fixture) {
			r := f.call(t, "alice", "OpenEnumerateInstances", openVMs(0)...).want(t, 0)
			if r.count() != 0 || r.eos(t) || r.context() == "" {
				t.Fatalf("Open(MaxObjectCount 0) returned %d objects, EndOfSequence %v", r.count(), r.eos(t))
			}
			p := f.call(t, "alice", "PullInstancesWithPath", pullParams(r.context(), 0)...).want(t, 0)
			if p.count() != 0 || p.eos(t) {
				t.Fatalf("Pull(MaxObjectCount 0) returned %d objects, EndOfSequence %v", p.count(), p.eos(t))
			}
			if p = f.call(t, "alice", "PullInstancesWithPath", pullParams(r.context(), 3)...).want(t, 0); p.count() != 3 || p.eos(t) {
				t.Fatalf("the next Pull returned %d objects, EndOfSequence %v", p.count(), p.eos(t))
			}
			if p = f.call(t, "alice", "PullInstancesWithPath", pullParams(r.context(), 3)...).want(t, 0); p.count() != 2 || !p.eos(t) {
				t.Fatalf("the last Pull returned %d objects, EndOfSequence %v", p.count(), p.eos(t))
			}
		}},
		{"a MaxObjectCount above the server's cap returns the cap", func(t *testing.T, f *fixture) {
			r := f.call(t, "alice", "OpenEnumerateInstancePaths", openVMs(1000)...).want(t, 0)
			if r.count() != 3 || r.eos(t) {
				t.Fatalf("returned %d paths, want the cap of 3", r.count())
			}
		}},
		{"a context runs at most Buffer objects ahead of the client", func(t *testing.T, _ *fixture) {
			f := newFixture(t, 50, func(o *Options) { o.Pull = PullOptions{Buffer: 4} })
			f.call(t, "alice", "OpenEnumerateInstancePaths", openVMs(1)...).want(t, 0)
			// one returned, one read ahead for EndOfSequence, Buffer queued
			// and one held by a producer blocked on the full queue.
			waitFor(t, "the producer to fill its queue", func() bool { return f.vms.yielded.Load() >= 1+1+4 })
			time.Sleep(20 * time.Millisecond)
			if n := f.vms.yielded.Load(); n > 1+1+4+1 {
				t.Fatalf("the producer ran %d instances ahead", n)
			}
		}},
		{"CloseEnumeration stops the producer and frees the context", func(t *testing.T, f *fixture) {
			ctx := f.call(t, "alice", "OpenEnumerateInstancePaths", openVMs(1)...).want(t, 0).context()
			f.call(t, "alice", "CloseEnumeration", ipv("EnumerationContext", xval(ctx))).want(t, 0)
			waitFor(t, "the producer to stop", func() bool { return f.vms.finished.Load() == 1 })
			if n := f.h.pulls.count("alice"); n != 0 {
				t.Fatalf("%d contexts open after CloseEnumeration", n)
			}
		}},
		{"Handler.Close ends every context", func(t *testing.T, f *fixture) {
			f.call(t, "alice", "OpenEnumerateInstancePaths", openVMs(1)...).want(t, 0)
			f.call(t, "bob", "OpenEnumerateInstancePaths", openVMs(1)...).want(t, 0)
			f.h.Close()
			waitFor(t, "the producers to stop", func() bool { return f.vms.finished.Load() == 2 })
		}},
		{"a producer error ends the enumeration with that error", func(t *testing.T, f *fixture) {
			f.vms.failAfter = 3
			ctx := f.call(t, "alice", "OpenEnumerateInstancePaths", openVMs(2)...).want(t, 0).context()
			f.call(t, "alice", "PullInstancePaths", pullParams(ctx, 2)...).want(t, int(cim.ErrFailed))
			f.call(t, "alice", "PullInstancePaths", pullParams(ctx, 2)...).want(t, int(cim.ErrInvalidEnumerationContext))
		}},
		{"a pull from another namespace → CIM_ERR_INVALID_NAMESPACE", func(t *testing.T, f *fixture) {
			ctx := f.call(t, "alice", "OpenEnumerateInstancePaths", openVMs(1)...).want(t, 0).context()
			body := requestBody("PullInstancePaths", "root/interop", pullParams(ctx, 1)...)
			w := f.serve("alice", newCIMRequest("PullInstancePaths", "root/interop", body))
			parseResult(t, w.Code, w.Body.Bytes()).want(t, int(cim.ErrInvalidNamespace))
			f.call(t, "alice", "PullInstancePaths", pullParams(ctx, 1)...).want(t, 0)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, 5, func(o *Options) {
				o.Pull = PullOptions{MaxContextsPerUser: 2, MaxObjectCount: 3, Buffer: 4}
			})
			tc.run(t, f)
		})
	}
}

// TestCloseWhilePulling closes a context whose Pull waits for its
// producer: CIM_ERR_PULL_CANNOT_BE_ABANDONED, and the Pull still finishes.
func TestCloseWhilePulling(t *testing.T) {
	f := newFixture(t, 5, nil)
	f.vms.gate = make(chan struct{})
	ctx := f.call(t, "alice", "OpenEnumerateInstancePaths", openVMs(0)...).want(t, 0).context()
	done := make(chan cimResult)
	go func() { done <- f.call(t, "alice", "PullInstancePaths", pullParams(ctx, 5)...) }()
	waitFor(t, "the Pull to start", func() bool {
		f.h.pulls.mu.Lock()
		defer f.h.pulls.mu.Unlock()
		c := f.h.pulls.byID[ctx]
		return c != nil && c.busy
	})
	f.call(t, "alice", "CloseEnumeration", ipv("EnumerationContext", xval(ctx))).want(t, int(cim.ErrPullCannotBeAbandoned))
	f.call(t, "alice", "PullInstancePaths", pullParams(ctx, 1)...).want(t, int(cim.ErrInvalidEnumerationContext))
	close(f.vms.gate)
	r := <-done
	if r.want(t, 0); r.count() != 5 || !r.eos(t) {
		t.Fatalf("the Pull returned %d paths", r.count())
	}
}

// waitFor polls cond for up to five seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
