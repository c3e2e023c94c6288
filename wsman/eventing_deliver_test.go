package wsman

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/indication"
	"github.com/ferrum-virt/ferrum/cimom/query"
)

// eventRecorder is a WS-Management listener that records what it gets.
type eventRecorder struct {
	mu     sync.Mutex
	events []*Event
	ends   []string // wse:Status of each SubscriptionEnd
	got    chan struct{}
}

func newEventRecorder(t *testing.T) (*eventRecorder, *httptest.Server) {
	rec := &eventRecorder{got: make(chan struct{}, 100)}
	r := schemaRepo(t)
	l := NewEventListener(ListenerOptions{
		Classes: func(class string) *cim.Class {
			c, err := r.Class(cimom.InteropNamespace, class)
			if err != nil {
				c, _ = r.Class(cimom.VirtNamespace, class)
			}
			return c
		},
		OnEvent: func(_ context.Context, ev *Event) error {
			rec.mu.Lock()
			rec.events = append(rec.events, ev)
			rec.mu.Unlock()
			rec.got <- struct{}{}
			return nil
		},
		OnEnd: func(_ context.Context, status, _ string) {
			rec.mu.Lock()
			rec.ends = append(rec.ends, status)
			rec.mu.Unlock()
			rec.got <- struct{}{}
		},
	})
	srv := httptest.NewServer(l)
	t.Cleanup(srv.Close)
	return rec, srv
}

// wait waits for n more messages.
func (rec *eventRecorder) wait(t *testing.T, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		select {
		case <-rec.got:
		case <-time.After(10 * time.Second):
			t.Fatalf("message %d of %d did not arrive", i+1, n)
		}
	}
}

// subscribeTo subscribes with Push or PushWithAck to notifyTo through the
// handler and returns the stored destination and subscription.
func (e *testEnv) subscribeTo(t *testing.T, mode, notifyTo, endTo, expires string) (dest, sub *cim.Instance) {
	t.Helper()
	extra := ""
	if endTo != "" {
		extra += `<wse:EndTo><wsa:Address>` + endTo + `</wsa:Address><wsa:ReferenceParameters><l:End>end-3</l:End></wsa:ReferenceParameters></wse:EndTo>`
	}
	if expires != "" {
		extra += `<wse:Expires>` + expires + `</wse:Expires>`
	}
	body := fmt.Sprintf(`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:wsman="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:wse="http://schemas.xmlsoap.org/ws/2004/08/eventing" xmlns:l="http://listener.test/ns">
<s:Header><wsa:To>http://ferrum.test/wsman</wsa:To><wsa:Action>http://schemas.xmlsoap.org/ws/2004/08/eventing/Subscribe</wsa:Action>
<wsa:MessageID>uuid:33333333-3333-4333-8333-333333333333</wsa:MessageID><wsman:ResourceURI>%s</wsman:ResourceURI></s:Header>
<s:Body><wse:Subscribe>%s<wse:Delivery Mode="%s"><wse:NotifyTo><wsa:Address>%s</wsa:Address>
<wsa:ReferenceParameters><l:ListenerID>listener-7</l:ListenerID></wsa:ReferenceParameters></wse:NotifyTo></wse:Delivery>
<wsman:Filter Dialect="%s">SELECT * FROM CIM_InstIndication WHERE SourceInstance ISA CIM_ComputerSystem</wsman:Filter>
</wse:Subscribe></s:Body></s:Envelope>`, AllClassesURI, extra, mode, notifyTo, dialectWQL)
	r := e.post([]byte(body), testUser)
	if r.status != 200 {
		t.Fatalf("Subscribe: HTTP %d\n%s", r.status, r.body)
	}
	return e.one(t, classDestWSMan), e.one(t, classSubscription)
}

// activate hands the stored subscription to svc, as the indication
// provider does, with the handler's Deliverer.
func activate(t *testing.T, e *testEnv, svc *indication.Service, dest, sub *cim.Instance) {
	t.Helper()
	s, err := NewDeliverer(e.d, DelivererOptions{}).Sender(dest, sub)
	if err != nil {
		t.Fatal(err)
	}
	q, err := query.Parse(query.WQL, e.one(t, classFilter).Str("Query"))
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Add(indication.Subscription{ID: "sub", Query: q, Sender: s, FilterName: "f"}); err != nil {
		t.Fatal(err)
	}
}

// instantRetries configures a service that retries twice without waiting.
func instantRetries(t *testing.T) indication.Config {
	return indication.Config{
		IsA:           schemaRepo(t).IsA,
		RetryAttempts: 2,
		After: func(time.Duration) <-chan time.Time {
			c := make(chan time.Time, 1)
			c <- time.Time{}
			return c
		},
		Log: slog.New(slog.DiscardHandler),
	}
}

// TestEventDeliveryInOrder subscribes with PushWithAck through the handler
// and delivers creation, modification and deletion indications to a real
// listener: they arrive in order, as DSP0230 instances, with NotifyTo's
// reference parameters echoed.
func TestEventDeliveryInOrder(t *testing.T) {
	e := newTestEnv(t)
	rec, srv := newEventRecorder(t)
	dest, sub := e.subscribeTo(t, deliveryPushAck, srv.URL+"/events", "", "PT1H")
	svc := indication.New(instantRetries(t))
	defer svc.Close()
	activate(t, e, svc, dest, sub)

	vm := testVM("vm9", "new", 3)
	path := systemPath("Ferrum_ComputerSystem", "vm9")
	running := vm.Clone().Set("EnabledState", cim.Uint16(2))
	ctx := context.Background()
	svc.Publish(ctx, "root/virt", indication.InstCreation("root/virt", vm, path))
	svc.Publish(ctx, "root/virt", indication.InstModification("root/virt", vm, running, path))
	svc.Publish(ctx, "root/virt", indication.InstDeletion("root/virt", running, path))
	rec.wait(t, 3)

	want := []string{"CIM_InstCreation", "CIM_InstModification", "CIM_InstDeletion"}
	for i, ev := range rec.events {
		ind := ev.Indication
		src, _ := ind.Get("SourceInstance")
		seq, _ := ind.Get("SequenceNumber")
		if ind.ClassName != want[i] || src.AsInstance() == nil || src.AsInstance().Str("Name") != "vm9" ||
			!cim.Equal(seq, cim.Sint64(int64(i))) {
			t.Errorf("event %d: %s %v", i, ind.ClassName, ind.Properties)
		}
		if ev.Headers["ListenerID"] != "listener-7" || ev.To != srv.URL+"/events" {
			t.Errorf("event %d: To %q, headers %v", i, ev.To, ev.Headers)
		}
	}
	waitStats(t, svc, func(st indication.Stats) bool { return st.Delivered == 3 && st.Failed == 0 })
	prev, _ := rec.events[1].Indication.Get("PreviousInstance")
	if p := prev.AsInstance(); p == nil || p.Str("ElementName") != "new" {
		t.Errorf("PreviousInstance = %v", prev)
	}
}

// TestPushWithAckWithoutAckIsRetried delivers to a listener that answers
// 200 without wsman:Ack: every attempt fails, and the indication is
// counted as failed after the retries.
func TestPushWithAckWithoutAckIsRetried(t *testing.T) {
	e := newTestEnv(t)
	var mu sync.Mutex
	attempts := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if strings.Contains(string(body), "<wsman:AckRequested/>") {
			attempts++
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	dest, sub := e.subscribeTo(t, deliveryPushAck, srv.URL, "", "")
	svc := indication.New(instantRetries(t))
	defer svc.Close()
	activate(t, e, svc, dest, sub)
	svc.Publish(context.Background(), "root/virt", indication.InstCreation("root/virt", testVM("vm9", "x", 2), systemPath("Ferrum_ComputerSystem", "vm9")))
	waitStats(t, svc, func(st indication.Stats) bool { return st.Failed == 1 && st.Delivered == 0 })
	mu.Lock()
	defer mu.Unlock()
	if attempts != 3 {
		t.Errorf("%d attempts, want 3 (1 + 2 retries)", attempts)
	}
}

// TestPushIsDeliveredWithoutAck checks that plain Push needs no ack.
func TestPushIsDeliveredWithoutAck(t *testing.T) {
	e := newTestEnv(t)
	got := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- string(body)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	dest, sub := e.subscribeTo(t, deliveryPush, srv.URL, "", "")
	svc := indication.New(instantRetries(t))
	defer svc.Close()
	activate(t, e, svc, dest, sub)
	svc.Publish(context.Background(), "root/virt", indication.InstCreation("root/virt", testVM("vm9", "x", 2), systemPath("Ferrum_ComputerSystem", "vm9")))
	select {
	case body := <-got:
		for _, want := range []string{actionEvent, "<r:ListenerID", "listener-7", `<p:CIM_InstCreation xmlns:p="` + ResourceURI("CIM_InstCreation") + `"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the event lacks %s:\n%s", want, body)
			}
		}
		if strings.Contains(body, "AckRequested") {
			t.Errorf("a Push event asks for an ack:\n%s", body)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no event")
	}
	waitStats(t, svc, func(st indication.Stats) bool { return st.Delivered == 1 })
}

// waitStats waits until the counters of subscription "sub" satisfy ok.
func waitStats(t *testing.T, svc *indication.Service, ok func(indication.Stats) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, _ := svc.Stats("sub")
		if ok(st) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("subscription stats %+v", st)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestSubscriptionExpiry lets a subscription expire: its instances are
// deleted and EndTo receives wse:SubscriptionEnd.
func TestSubscriptionExpiry(t *testing.T) {
	e := newTestEnv(t)
	rec, srv := newEventRecorder(t)
	e.subscribeTo(t, deliveryPush, srv.URL+"/events", srv.URL+"/end", "PT0.2S")
	rec.wait(t, 1)
	if len(rec.ends) != 1 || rec.ends[0] != endStatusCancel {
		t.Errorf("SubscriptionEnd statuses %v", rec.ends)
	}
	for _, c := range []string{classFilter, classDestWSMan, classSubscription} {
		if n := len(e.interop(t, c)); n != 0 {
			t.Errorf("%d instances of %s after the subscription expired", n, c)
		}
	}
}

// TestSubscriptionExpiryResumesAfterRestart closes the handler and starts
// another over the same store: it arms the stored subscription's expiry.
func TestSubscriptionExpiryResumesAfterRestart(t *testing.T) {
	e := newTestEnv(t)
	id := e.subscribe(t)
	_ = e.h.Close()
	if e.h.events.armed(id) {
		t.Fatal("a closed handler keeps timers")
	}
	h2 := NewHandler(e.d, Options{Authenticator: testAuthenticator(t), Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return testNow }})
	defer h2.Close()
	deadline := time.Now().Add(5 * time.Second)
	for !h2.events.armed(id) {
		if time.Now().After(deadline) {
			t.Fatal("the new handler did not arm the stored subscription's expiry")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestCheckAck accepts wsman:Ack under both bases, relating to the event,
// and nothing else.
func TestCheckAck(t *testing.T) {
	ack := func(action, relatesTo string) []byte {
		return eventEnvelope(eventHeaders{to: anonymousAddress, action: action, messageID: newUUID(), relatesTo: relatesTo}, nil).Bytes()
	}
	const id = "uuid:44444444-4444-4444-8444-444444444444"
	for _, c := range []struct {
		name string
		body []byte
		ok   bool
	}{
		{"ack", ack(actionAck, id), true},
		{"openwsman base", ack(wsmanMisspelled+"Ack", id), true},
		{"other message", ack(actionAck, "uuid:other"), false},
		{"not an ack", ack(actionEvent, id), false},
		{"empty", nil, false},
		{"not XML", []byte("<a>"), false},
	} {
		if err := checkAck(c.body, id); (err == nil) != c.ok {
			t.Errorf("%s: checkAck = %v", c.name, err)
		}
	}
}

// TestFailedDeliveriesEndTheSubscriptionWithSubscriptionEnd: a listener
// that never takes its events, under OnFatalErrorPolicy Remove, loses its
// subscription and its EndTo receives wse:SubscriptionEnd with status
// DeliveryFailure.
func TestFailedDeliveriesEndTheSubscriptionWithSubscriptionEnd(t *testing.T) {
	e := newTestEnv(t)
	rec, srv := newEventRecorder(t)
	dead := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer dead.Close()
	dest, sub := e.subscribeTo(t, deliveryPush, dead.URL, srv.URL+"/end", "")
	svc := indication.New(instantRetries(t))
	defer svc.Close()
	s, err := NewDeliverer(e.d, DelivererOptions{}).Sender(dest, sub)
	if err != nil {
		t.Fatal(err)
	}
	q, err := query.Parse(query.WQL, e.one(t, classFilter).Str("Query"))
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Add(indication.Subscription{ID: "sub", Query: q, Sender: s, OnFatalErrorPolicy: indication.PolicyRemove}); err != nil {
		t.Fatal(err)
	}
	svc.Publish(context.Background(), "root/virt", indication.InstCreation("root/virt", testVM("vm9", "x", 2), systemPath("Ferrum_ComputerSystem", "vm9")))
	rec.wait(t, 1)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.ends) != 1 || rec.ends[0] != endStatusFailure {
		t.Errorf("SubscriptionEnd statuses %v, want [%s]", rec.ends, endStatusFailure)
	}
	if svc.Active("sub") {
		t.Error("the subscription is still active")
	}
}
