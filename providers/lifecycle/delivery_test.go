package lifecycle

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/cimxml"
	"github.com/ferrum-virt/ferrum/cimom/indication"
	"github.com/ferrum-virt/ferrum/cimom/query"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// exportListener is a CIM-XML listener that can be taken down (it answers
// 503 meanwhile) and brought back.
type exportListener struct {
	srv      *httptest.Server
	down     atomic.Bool
	refused  atomic.Int64
	mu       sync.Mutex
	received []*cim.Instance
}

func newExportListener(t *testing.T) *exportListener {
	l := &exportListener{}
	h := cimxml.NewListener(func(_ context.Context, ind *cim.Instance) error {
		l.mu.Lock()
		l.received = append(l.received, ind)
		l.mu.Unlock()
		return nil
	})
	l.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if l.down.Load() {
			l.refused.Add(1)
			http.Error(w, "listener restarting", http.StatusServiceUnavailable)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(l.srv.Close)
	return l
}

func (l *exportListener) all() []*cim.Instance {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*cim.Instance(nil), l.received...)
}

// TestListenerAwayWithinTheRetryWindowMissesNothing runs the real
// indication service with a short DeliveryRetryInterval: VM lifecycles
// keep going while the listener answers 503, and once it is back every
// indication arrives, in SequenceNumber order without a gap.
func TestListenerAwayWithinTheRetryWindowMissesNothing(t *testing.T) {
	l := newExportListener(t)
	var svc *indication.Service
	f := newFixture(t, 1, func(c *Config) {
		svc = indication.New(indication.Config{RetryAttempts: 100, RetryInterval: 20 * time.Millisecond,
			SendTimeout: 5 * time.Second, IsA: c.Dispatcher.Repo.IsA, Log: quiet})
		c.Publisher = svc
		c.WatchedClasses = []string{}
	})
	t.Cleanup(func() { _ = svc.Close() })
	q, err := query.Parse("WQL", "SELECT * FROM CIM_InstIndication WHERE SourceInstance ISA CIM_ComputerSystem")
	f.must(err)
	exp := &cimxml.ExportClient{}
	f.must(svc.Add(indication.Subscription{ID: "sub", Query: q, OnFatalErrorPolicy: indication.PolicyIgnore,
		Sender: indication.SenderFunc(func(ctx context.Context, ind *cim.Instance) error { return exp.Export(ctx, l.srv.URL, ind) })}))

	const n = 40
	vms := f.host(0).VMs()
	lifecycle := func(i int) {
		vm := f.define(0, smallSpec("v"+strconv.Itoa(i), 256))
		f.must(vms.Start(f.ctx, vm.UUID))
		f.must(vms.Stop(f.ctx, vm.UUID))
		f.must(vms.Undefine(f.ctx, vm.UUID))
		// Paced as a client's calls are, so the host stream keeps up.
		waitPublished(t, f, uint64(4*(i+1)))
	}
	for i := range n / 2 {
		lifecycle(i)
	}
	l.down.Store(true)
	for i := n / 2; i < n; i++ {
		lifecycle(i)
	}
	time.Sleep(100 * time.Millisecond) // a few refused retries
	l.down.Store(false)
	deadline := time.Now().Add(20 * time.Second)
	for len(l.all()) < 4*n && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	got := l.all()
	if len(got) != 4*n {
		t.Fatalf("listener received %d indications, want %d", len(got), 4*n)
	}
	if l.refused.Load() == 0 {
		t.Fatal("the listener never refused a delivery: the test did not test retries")
	}
	requireOrdered(t, got)
}

// waitPublished waits until the service has published at least n
// computer-system indications (each lifecycle raises 4 plus its settings').
func waitPublished(t *testing.T, f *fixture, n uint64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := f.svc.Stats()
		if s.Published >= n || time.Now().After(deadline) {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// requireOrdered checks SequenceNumbers 0, 1, 2, … and, per VM, creation,
// two modifications, deletion.
func requireOrdered(t *testing.T, got []*cim.Instance) {
	t.Helper()
	per := map[string][]string{}
	for i, ind := range got {
		v, _ := ind.Get("SequenceNumber")
		if n, _ := v.AsInt64(); n != int64(i) {
			t.Fatalf("indication %d has SequenceNumber %d", i, n)
		}
		src := source(ind)
		if src == nil || src.ClassName != model.ClassVM {
			t.Fatalf("indication %d is about %v", i, src)
		}
		per[src.Str("Name")] = append(per[src.Str("Name")], kinds([]*cim.Instance{ind})[0])
	}
	for vm, ks := range per {
		if len(ks) != 4 || ks[0] != "creation" || ks[1] != "modification" || ks[2] != "modification" || ks[3] != "deletion" {
			t.Fatalf("VM %s: %q", vm, ks)
		}
	}
}
