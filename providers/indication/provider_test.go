package indication

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/auth"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/cimxml"
	ind "github.com/ferrum-virt/ferrum/cimom/indication"
	"github.com/ferrum-virt/ferrum/cimom/store"
)

const deadline = 30 * time.Second

// daemon is a dispatcher over a SQLite store with the provider registered
// and store-backed classes raising lifecycle indications, as ferrumd wires
// it.
type daemon struct {
	d   *cimom.Dispatcher
	p   *Provider
	svc *ind.Service
	st  *store.Store
}

func start(t *testing.T, dbPath string, svcCfg ind.Config) *daemon {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	r, err := cimom.NewSchemaRepository()
	if err != nil {
		t.Fatal(err)
	}
	raw := cimom.SQLStore{S: st}
	d := cimom.New(r, raw)
	p, svc, err := Register(ctx, d, nil, Config{Host: "test", Store: raw}, svcCfg)
	if err != nil {
		t.Fatal(err)
	}
	d.Store = ind.ObserveStore(raw, svc, ind.SkipInterop)
	dm := &daemon{d: d, p: p, svc: svc, st: st}
	t.Cleanup(dm.stop)
	return dm
}

func (dm *daemon) stop() {
	if dm.svc != nil {
		dm.svc.Close()
		dm.st.Close()
		dm.svc = nil
	}
}

func as(user string, roles ...string) context.Context {
	return auth.WithPrincipal(context.Background(), auth.Principal{User: user, Roles: roles})
}

// subscribe creates a filter, a CIM-XML destination and a subscription.
func (dm *daemon) subscribe(t *testing.T, ctx context.Context, q, dest string) cim.ObjectPath {
	t.Helper()
	in := cimom.InteropNamespace
	fp, err := dm.d.CreateInstance(ctx, in, cim.NewInstance(ClassFilter).Set("Query", cim.String(q)).
		Set("QueryLanguage", cim.String("WQL")).Set("SourceNamespaces", cim.StringArray("root/virt")))
	if err != nil {
		t.Fatal(err)
	}
	hp, err := dm.d.CreateInstance(ctx, in, cim.NewInstance(ClassDestCIMXML).Set("Destination", cim.String(dest)))
	if err != nil {
		t.Fatal(err)
	}
	sp, err := dm.d.CreateInstance(ctx, in, cim.NewInstance(ClassSubscription).Set("Filter", cim.Ref(fp)).Set("Handler", cim.Ref(hp)))
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

// listener is a plain HTTP CIM-XML listener that records indications.
type listener struct {
	mu  sync.Mutex
	got []*cim.Instance
	ch  chan struct{}
	srv *httptest.Server
}

func newListener(t *testing.T) *listener {
	l := &listener{ch: make(chan struct{}, 1)}
	l.srv = httptest.NewServer(cimxml.NewListener(func(_ context.Context, x *cim.Instance) error {
		l.mu.Lock()
		l.got = append(l.got, x)
		l.mu.Unlock()
		select {
		case l.ch <- struct{}{}:
		default:
		}
		return nil
	}))
	t.Cleanup(l.srv.Close)
	return l
}

func (l *listener) wait(t *testing.T, n int) []*cim.Instance {
	t.Helper()
	timeout := time.After(deadline)
	for {
		l.mu.Lock()
		if len(l.got) >= n {
			out := append([]*cim.Instance(nil), l.got...)
			l.mu.Unlock()
			return out
		}
		have := len(l.got)
		l.mu.Unlock()
		select {
		case <-l.ch:
		case <-timeout:
			t.Fatalf("listener received %d indications, want %d", have, n)
		}
	}
}

func vm(name string, state uint16) *cim.Instance {
	return cim.NewInstance("Ferrum_ComputerSystem").Set("CreationClassName", cim.String("Ferrum_ComputerSystem")).
		Set("Name", cim.String(name)).Set("EnabledState", cim.Uint16(state))
}

// lifecycle drives define → start → stop → destroy for vm name through the
// dispatcher, against store-backed instances.
func lifecycle(t *testing.T, d *cimom.Dispatcher, name string) {
	t.Helper()
	ctx := context.Background()
	path, err := d.CreateInstance(ctx, "root/virt", vm(name, 3))
	if err != nil {
		t.Fatal(err)
	}
	for _, state := range []uint16{2, 3} {
		if err := d.ModifyInstance(ctx, "root/virt", path, cim.NewInstance("Ferrum_ComputerSystem").Set("EnabledState", cim.Uint16(state)), nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.DeleteInstance(ctx, "root/virt", path); err != nil {
		t.Fatal(err)
	}
}

func source(x *cim.Instance) *cim.Instance {
	v, _ := x.Get("SourceInstance")
	return v.AsInstance()
}

func TestLifecycleIndicationsReachAListenerInOrderWithNothingLost(t *testing.T) {
	dm := start(t, filepath.Join(t.TempDir(), "f.db"), ind.Config{})
	l := newListener(t)
	dm.subscribe(t, as("alice"), "SELECT * FROM CIM_InstIndication WHERE SourceInstance ISA CIM_ComputerSystem", l.srv.URL)
	const vms = 250 // four indications each: 1,000 in all
	for i := range vms {
		lifecycle(t, dm.d, fmt.Sprint("vm", i))
	}
	got := l.wait(t, 4*vms)
	want := []string{"CIM_InstCreation/3", "CIM_InstModification/2", "CIM_InstModification/3", "CIM_InstDeletion/3"}
	for i, x := range got {
		if n, _ := x.Get("SequenceNumber"); !cim.Equal(n, cim.Sint64(int64(i))) {
			t.Fatalf("indication %d has SequenceNumber %v", i, n)
		}
		src := source(x)
		state, _ := src.Get("EnabledState")
		if g := fmt.Sprintf("%s/%s", x.ClassName, state.Text()); g != want[i%4] || src.Str("Name") != fmt.Sprint("vm", i/4) {
			t.Fatalf("indication %d is %s for %s, want %s for vm%d", i, g, src.Str("Name"), want[i%4], i/4)
		}
	}
	if prev, _ := got[1].Get("PreviousInstance"); prev.AsInstance() == nil || prev.AsInstance().Str("Name") != "vm0" {
		t.Errorf("the modification has no PreviousInstance: %v", got[1])
	}
}

func TestFilterValidation(t *testing.T) {
	dm := start(t, filepath.Join(t.TempDir(), "f.db"), ind.Config{})
	for _, tc := range []struct {
		name, lang, q string
		want          cim.Status
	}{
		{"a syntax error → CIM_ERR_INVALID_QUERY", "WQL", "SELECT FROM", cim.ErrInvalidQuery},
		{"a non-indication class → CIM_ERR_INVALID_QUERY", "WQL", "SELECT * FROM CIM_ComputerSystem", cim.ErrInvalidQuery},
		{"an unknown language → CIM_ERR_QUERY_LANGUAGE_NOT_SUPPORTED", "XPath", "/a", cim.ErrQueryLanguageNotSupported},
		{"DMTF:CQL is accepted", "DMTF:CQL", "SELECT * FROM CIM_InstCreation", cim.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := dm.d.CreateInstance(as("alice"), cimom.InteropNamespace, cim.NewInstance(ClassFilter).
				Set("Query", cim.String(tc.q)).Set("QueryLanguage", cim.String(tc.lang)))
			if got := cim.StatusOf(err); got != tc.want {
				t.Errorf("status %v (%v), want %v", got, err, tc.want)
			}
		})
	}
	_, err := dm.d.CreateInstance(as("alice"), cimom.InteropNamespace, cim.NewInstance(ClassDestCIMXML).Set("Destination", cim.String("ftp://x")))
	if cim.StatusOf(err) != cim.ErrInvalidParameter {
		t.Errorf("an ftp Destination: %v, want CIM_ERR_INVALID_PARAMETER", err)
	}
	missing := cim.NewInstancePath("", ClassFilter, cim.KeyBinding{Name: "Name", Value: cim.String("nope")})
	_, err = dm.d.CreateInstance(as("alice"), cimom.InteropNamespace, cim.NewInstance(ClassSubscription).Set("Filter", cim.Ref(missing)).Set("Handler", cim.Ref(missing)))
	if cim.StatusOf(err) == cim.StatusOK {
		t.Error("a subscription to a missing filter was created")
	}
}

func count(t *testing.T, dm *daemon, ctx context.Context, class string) int {
	t.Helper()
	n := 0
	err := dm.d.EnumerateInstances(ctx, cimom.InteropNamespace, class, cimom.InstanceOptions{}, func(cim.ObjectPath, *cim.Instance) bool { n++; return true })
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSubscriptionsAreVisibleToTheirOwnerAndAdminsOnly(t *testing.T) {
	dm := start(t, filepath.Join(t.TempDir(), "f.db"), ind.Config{})
	sp := dm.subscribe(t, as("alice"), "SELECT * FROM CIM_InstCreation", "http://127.0.0.1:1/")
	for _, tc := range []struct {
		name string
		ctx  context.Context
		want int
	}{
		{"the owner sees it", as("alice"), 1},
		{"another user does not", as("bob"), 0},
		{"an administrator does", as("root", auth.RoleAdmin), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, class := range []string{ClassSubscription, ClassFilter, ClassDestCIMXML} {
				if n := count(t, dm, tc.ctx, class); n != tc.want {
					t.Errorf("%s: %d instances, want %d", class, n, tc.want)
				}
			}
		})
	}
	if err := dm.d.DeleteInstance(as("bob"), cimom.InteropNamespace, sp); cim.StatusOf(err) != cim.ErrNotFound {
		t.Errorf("bob deleting alice's subscription: %v, want CIM_ERR_NOT_FOUND", err)
	}
	if err := dm.d.DeleteInstance(as("alice"), cimom.InteropNamespace, sp); err != nil {
		t.Errorf("alice deleting her subscription: %v", err)
	}
	if dm.svc.Active(subscriptionID(cimom.InteropNamespace, sp)) {
		t.Error("the deleted subscription is still active")
	}
}

func TestSubscriptionsSurviveARestart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "f.db")
	l := newListener(t)
	dm := start(t, db, ind.Config{})
	dm.subscribe(t, as("alice"), "SELECT * FROM CIM_InstCreation", l.srv.URL)
	dm.stop()

	dm = start(t, db, ind.Config{})
	if n := count(t, dm, as("alice"), ClassSubscription); n != 1 {
		t.Fatalf("%d subscriptions after the restart, want 1", n)
	}
	lifecycle(t, dm.d, "after-restart")
	if got := l.wait(t, 1); source(got[0]).Str("Name") != "after-restart" {
		t.Errorf("got %v", got[0])
	}
}

func TestOnFatalErrorPolicyDisableIsPersisted(t *testing.T) {
	now := make(chan time.Time)
	close(now)
	dm := start(t, filepath.Join(t.TempDir(), "f.db"), ind.Config{RetryAttempts: 1, After: func(time.Duration) <-chan time.Time { return now }})
	dead := httptest.NewServer(nil)
	dead.Close()
	ctx := as("alice")
	sp := dm.subscribe(t, ctx, "SELECT * FROM CIM_InstCreation", dead.URL)
	if err := dm.d.ModifyInstance(ctx, cimom.InteropNamespace, sp, cim.NewInstance(ClassSubscription).Set("OnFatalErrorPolicy", cim.Uint16(ind.PolicyDisable)), []string{"OnFatalErrorPolicy"}); err != nil {
		t.Fatal(err)
	}
	lifecycle(t, dm.d, "x")
	end := time.Now().Add(deadline)
	for {
		sub, err := dm.d.GetInstance(ctx, cimom.InteropNamespace, sp, cimom.InstanceOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if st, _ := sub.Get("SubscriptionState"); cim.Equal(st, cim.Uint16(ind.StateDisabled)) {
			break
		}
		if time.Now().After(end) {
			t.Fatal("the subscription was not disabled")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
