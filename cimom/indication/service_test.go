package indication

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/query"
)

// deadline is how long a test waits for something that should happen at
// once; generous, since it only bounds failures.
const deadline = 20 * time.Second

// recorder is a Sender that records what it receives and fails while down.
type recorder struct {
	mu   sync.Mutex
	got  []*cim.Instance
	down bool
	ch   chan struct{}
}

func newRecorder() *recorder { return &recorder{ch: make(chan struct{}, 100000)} }

func (r *recorder) Send(_ context.Context, ind *cim.Instance) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.down {
		return errors.New("listener down")
	}
	r.got = append(r.got, ind)
	r.ch <- struct{}{}
	return nil
}

func (r *recorder) setDown(b bool) { r.mu.Lock(); r.down = b; r.mu.Unlock() }

func (r *recorder) wait(t *testing.T, n int) []*cim.Instance {
	t.Helper()
	timeout := time.After(deadline)
	for {
		r.mu.Lock()
		if len(r.got) >= n {
			out := append([]*cim.Instance(nil), r.got...)
			r.mu.Unlock()
			return out
		}
		r.mu.Unlock()
		select {
		case <-r.ch:
		case <-timeout:
			t.Fatalf("received %d indications, want %d", len(r.got), n)
		}
	}
}

func mustQuery(t testing.TB, q string) *query.Query {
	t.Helper()
	pq, err := query.Parse("WQL", q)
	if err != nil {
		t.Fatal(err)
	}
	return pq
}

// isA knows the few classes the tests use.
func isA(_ string, class, ancestor string) bool {
	parents := map[string]string{"CIM_InstCreation": "CIM_InstIndication", "CIM_InstDeletion": "CIM_InstIndication",
		"CIM_InstModification": "CIM_InstIndication", "CIM_InstIndication": "CIM_Indication",
		"CIM_AlertIndication": "CIM_ProcessIndication", "CIM_ProcessIndication": "CIM_Indication",
		"Ferrum_ComputerSystem": "CIM_ComputerSystem"}
	for c := class; c != ""; c = parents[c] {
		if c == ancestor {
			return true
		}
	}
	return false
}

func vm(name string, state uint16) *cim.Instance {
	return cim.NewInstance("Ferrum_ComputerSystem").Set("Name", cim.String(name)).Set("EnabledState", cim.Uint16(state))
}

func vmPath(name string) cim.ObjectPath {
	return cim.NewInstancePath("root/virt", "Ferrum_ComputerSystem", cim.KeyBinding{Name: "Name", Value: cim.String(name)})
}

func TestFiltersSelectWhatTheyShould(t *testing.T) {
	created := InstCreation("root/virt", vm("a", 2), vmPath("a"))
	modified := InstModification("root/virt", vm("a", 3), vm("a", 2), vmPath("a"))
	other := InstCreation("root/virt", cim.NewInstance("Ferrum_Other").Set("Name", cim.String("x")), cim.ObjectPath{ClassName: "Ferrum_Other"})
	alert := Alert{AlertType: AlertOther, ProbableCause: ProbableCauseUnknown}.Instance()
	tests := []struct {
		name string
		q    string
		ns   []string
		ind  *cim.Instance
		want bool
	}{
		{"FROM the class itself selects it", "SELECT * FROM CIM_InstCreation", nil, created, true},
		{"FROM a superclass selects subclasses", "SELECT * FROM CIM_InstIndication", nil, modified, true},
		{"FROM another class does not select", "SELECT * FROM CIM_InstDeletion", nil, created, false},
		{"ISA on SourceInstance selects its class", "SELECT * FROM CIM_InstCreation WHERE SourceInstance ISA CIM_ComputerSystem", nil, created, true},
		{"ISA on SourceInstance refuses other classes", "SELECT * FROM CIM_InstCreation WHERE SourceInstance ISA CIM_ComputerSystem", nil, other, false},
		{"WHERE on an embedded property matches", "SELECT * FROM CIM_InstModification WHERE SourceInstance.EnabledState = 2 AND PreviousInstance.EnabledState = 3", nil, modified, true},
		{"WHERE on an embedded property refuses", "SELECT * FROM CIM_InstModification WHERE SourceInstance.EnabledState = 3", nil, modified, false},
		{"SourceNamespaces limits the namespace", "SELECT * FROM CIM_InstCreation", []string{"root/interop"}, created, false},
		{"SourceNamespaces admits its namespace", "SELECT * FROM CIM_InstCreation", []string{"/root/virt"}, created, true},
		{"alerts reach CIM_Indication filters", "SELECT * FROM CIM_Indication", nil, alert, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := New(Config{IsA: isA})
			defer s.Close()
			if err := s.Add(Subscription{ID: "s", Query: mustQuery(t, tc.q), SourceNamespaces: tc.ns, Sender: newRecorder()}); err != nil {
				t.Fatal(err)
			}
			if got := s.Publish(context.Background(), "root/virt", tc.ind.Clone()) == 1; got != tc.want {
				t.Errorf("selected = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDeliveryIsOrderedAndSequenced(t *testing.T) {
	s := New(Config{IsA: isA})
	defer s.Close()
	r := newRecorder()
	if err := s.Add(Subscription{ID: "s", FilterName: "f", Query: mustQuery(t, "SELECT * FROM CIM_InstCreation"), Sender: r}); err != nil {
		t.Fatal(err)
	}
	const n = 1000
	for i := range n {
		s.Publish(context.Background(), "root/virt", InstCreation("root/virt", vm(fmt.Sprint(i), 2), vmPath(fmt.Sprint(i))))
	}
	got := r.wait(t, n)
	ctx0 := got[0].Str("SequenceContext")
	for i, ind := range got {
		seq, _ := ind.Get("SequenceNumber")
		if n, _ := seq.AsInt64(); n != int64(i) {
			t.Fatalf("indication %d has SequenceNumber %d", i, n)
		}
		if src := mustSource(t, ind); src.Str("Name") != fmt.Sprint(i) {
			t.Fatalf("indication %d is for %s", i, src.Str("Name"))
		}
		if ind.Str("SequenceContext") != ctx0 || ind.Str("IndicationFilterName") != "f" || ind.Str("IndicationIdentifier") == "" {
			t.Fatalf("indication %d: context %q filter %q id %q", i, ind.Str("SequenceContext"), ind.Str("IndicationFilterName"), ind.Str("IndicationIdentifier"))
		}
	}
}

func mustSource(t *testing.T, ind *cim.Instance) *cim.Instance {
	t.Helper()
	v, _ := ind.Get("SourceInstance")
	if v.AsInstance() == nil {
		t.Fatalf("%s has no SourceInstance", ind.ClassName)
	}
	return v.AsInstance()
}

// manualRetry lets a test release each retry wait.
type manualRetry struct{ ch chan chan time.Time }

func (m *manualRetry) after(time.Duration) <-chan time.Time {
	c := make(chan time.Time, 1)
	m.ch <- c
	return c
}

func TestListenerBackWithinRetryWindowGetsMissedIndications(t *testing.T) {
	m := &manualRetry{ch: make(chan chan time.Time)}
	s := New(Config{IsA: isA, RetryAttempts: 5, After: m.after})
	defer s.Close()
	r := newRecorder()
	r.setDown(true)
	if err := s.Add(Subscription{ID: "s", Query: mustQuery(t, "SELECT * FROM CIM_InstCreation"), Sender: r, OnFatalErrorPolicy: PolicyDisable}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		s.Publish(context.Background(), "root/virt", InstCreation("root/virt", vm(fmt.Sprint(i), 2), vmPath(fmt.Sprint(i))))
	}
	(<-m.ch) <- time.Time{} // first retry wait: still down
	wait := <-m.ch          // second retry wait: bring the listener back
	r.setDown(false)
	wait <- time.Time{}
	got := r.wait(t, 3)
	for i, ind := range got {
		if mustSource(t, ind).Str("Name") != fmt.Sprint(i) {
			t.Errorf("indication %d is for %s", i, mustSource(t, ind).Str("Name"))
		}
	}
	if !s.Active("s") {
		t.Error("the subscription was ended although the listener came back")
	}
}

func TestOnFatalErrorPolicy(t *testing.T) {
	for _, tc := range []struct {
		name   string
		policy uint16
		active bool
	}{
		{"Ignore keeps the subscription and drops the indication", PolicyIgnore, true},
		{"Disable ends the subscription and reports it", PolicyDisable, false},
		{"Remove ends the subscription and reports it", PolicyRemove, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fatal := make(chan uint16, 1)
			now := make(chan time.Time)
			close(now)
			s := New(Config{IsA: isA, RetryAttempts: 2, After: func(time.Duration) <-chan time.Time { return now },
				OnFatal: func(_ context.Context, id string, policy uint16, err error) { fatal <- policy }})
			defer s.Close()
			r := newRecorder()
			r.setDown(true)
			if err := s.Add(Subscription{ID: "s", Query: mustQuery(t, "SELECT * FROM CIM_Indication"), Sender: r, OnFatalErrorPolicy: tc.policy}); err != nil {
				t.Fatal(err)
			}
			s.Publish(context.Background(), "root/virt", InstCreation("root/virt", vm("a", 2), vmPath("a")))
			if tc.active {
				waitFor(t, func() bool { st, _ := s.Stats("s"); return st.Failed == 1 })
				if !s.Active("s") {
					t.Error("subscription ended under policy Ignore")
				}
				return
			}
			select {
			case p := <-fatal:
				if p != tc.policy {
					t.Errorf("OnFatal policy %d, want %d", p, tc.policy)
				}
			case <-time.After(deadline):
				t.Fatal("OnFatal was not called")
			}
			if s.Active("s") {
				t.Error("subscription still active")
			}
		})
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	end := time.Now().Add(deadline)
	for !cond() {
		if time.Now().After(end) {
			t.Fatal("condition not reached")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestQueueOverflowDropsOldestAndRaisesOneAlert(t *testing.T) {
	s := New(Config{IsA: isA, QueueLength: 4})
	defer s.Close()
	block := make(chan struct{})
	started := make(chan struct{}, 1)
	var mu sync.Mutex
	var got []*cim.Instance
	blocking := SenderFunc(func(ctx context.Context, ind *cim.Instance) error {
		select {
		case started <- struct{}{}:
		default:
		}
		<-block
		mu.Lock()
		got = append(got, ind)
		mu.Unlock()
		return nil
	})
	alerts := newRecorder()
	if err := s.Add(Subscription{ID: "s", Query: mustQuery(t, "SELECT * FROM CIM_InstCreation"), Sender: blocking}); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(Subscription{ID: "alerts", Query: mustQuery(t, "SELECT * FROM CIM_AlertIndication"), Sender: alerts}); err != nil {
		t.Fatal(err)
	}
	s.Publish(context.Background(), "root/virt", InstCreation("root/virt", vm("0", 2), vmPath("0")))
	<-started // indication 0 is being delivered, outside the queue
	for i := 1; i < 10; i++ {
		s.Publish(context.Background(), "root/virt", InstCreation("root/virt", vm(fmt.Sprint(i), 2), vmPath(fmt.Sprint(i))))
	}
	st, _ := s.Stats("s")
	if st.Dropped != 5 || st.Queued != 4 {
		t.Errorf("stats %+v, want 5 dropped and 4 queued", st)
	}
	a := alerts.wait(t, 1)
	if pc, _ := a[0].Get("ProbableCause"); !cim.Equal(pc, cim.Uint16(ProbableCauseQueueSize)) {
		t.Errorf("alert ProbableCause %v", pc)
	}
	close(block)
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(got) >= 5 })
	mu.Lock()
	defer mu.Unlock()
	var names []string
	for _, ind := range got {
		names = append(names, mustSource(t, ind).Str("Name"))
	}
	if fmt.Sprint(names) != "[0 6 7 8 9]" {
		t.Errorf("delivered %v, want [0 6 7 8 9] (the oldest waiting dropped)", names)
	}
	if n := len(alerts.wait(t, 1)); n != 1 {
		t.Errorf("%d alerts, want one per overflow episode", n)
	}
}
