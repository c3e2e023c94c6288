package wsman

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
)

var identifierRE = regexp.MustCompile(`<wse:Identifier>([^<]+)</wse:Identifier>`)

// subscribe sends testdata/eventing_subscribe_push_wql.xml and returns the
// new subscription's identifier.
func (e *testEnv) subscribe(t *testing.T) string {
	t.Helper()
	req, _ := renderRequest(t, "eventing_subscribe_push_wql", nil)
	r := e.post(req, testUser)
	m := identifierRE.FindSubmatch(r.body)
	if r.status != 200 || m == nil {
		t.Fatalf("Subscribe: HTTP %d\n%s", r.status, r.body)
	}
	return string(m[1])
}

// interop returns the instances of class in the Interop namespace.
func (e *testEnv) interop(t testing.TB, class string) []*cim.Instance {
	t.Helper()
	var out []*cim.Instance
	err := e.d.EnumerateInstances(context.Background(), cimom.InteropNamespace, class, cimom.InstanceOptions{},
		func(_ cim.ObjectPath, inst *cim.Instance) bool { out = append(out, inst); return true })
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// one returns the only instance of class in the Interop namespace.
func (e *testEnv) one(t testing.TB, class string) *cim.Instance {
	t.Helper()
	all := e.interop(t, class)
	if len(all) != 1 {
		t.Fatalf("%d instances of %s, want 1", len(all), class)
	}
	return all[0]
}

// TestEventingSubscribe covers wse:Subscribe: the DSP1054 instances it
// creates and the faults for what Ferrum does not serve.
func TestEventingSubscribe(t *testing.T) {
	none := func(t *testing.T, e *testEnv, _ response) {
		for _, c := range []string{classFilter, classDestWSMan, classSubscription} {
			if n := len(e.interop(t, c)); n != 0 {
				t.Errorf("%d instances of %s after a refused Subscribe", n, c)
			}
		}
	}
	runGolden(t, []goldenCase{
		{name: "eventing_subscribe_push_wql", check: func(t *testing.T, e *testEnv, r response) {
			f := e.one(t, classFilter)
			if f.Str("QueryLanguage") != "WQL" || !strings.HasPrefix(f.Str("Query"), "SELECT * FROM CIM_InstIndication") {
				t.Errorf("filter %v", f.Properties)
			}
			d := e.one(t, classDestWSMan)
			mode, _ := d.Get("DeliveryMode")
			if d.Str("Destination") != "http://listener.test:8080/events" || !cim.Equal(mode, cim.Uint16(2)) ||
				d.Str("DestinationEndTo") != "http://listener.test:8080/end" {
				t.Errorf("destination %v", d.Properties)
			}
			s := e.one(t, classSubscription)
			info, err := parseEventInfo(s.Str("SubscriptionInfo"))
			if err != nil || !strings.Contains(info.notifyTo, "listener-7") || !info.expires.Equal(testNow.Add(600e9)) {
				t.Errorf("SubscriptionInfo %q: %+v %v", s.Str("SubscriptionInfo"), info, err)
			}
			if dur, _ := s.Get("SubscriptionDuration"); !cim.Equal(dur, cim.Uint64(600)) {
				t.Errorf("SubscriptionDuration = %v", dur)
			}
			if info != nil && !e.h.events.armed(info.id) {
				t.Error("the subscription's expiry is not armed")
			}
		}},
		{name: "eventing_subscribe_push_with_ack_class_uri", check: func(t *testing.T, e *testEnv, _ response) {
			if q := e.one(t, classFilter).Str("Query"); q != "SELECT * FROM CIM_InstCreation" {
				t.Errorf("Query = %q", q)
			}
			if mode, _ := e.one(t, classDestWSMan).Get("DeliveryMode"); !cim.Equal(mode, cim.Uint16(3)) {
				t.Errorf("DeliveryMode = %v", mode)
			}
		}},
		{name: "eventing_subscribe_cql_namespace", check: func(t *testing.T, e *testEnv, _ response) {
			f := e.one(t, classFilter)
			src, _ := f.Get("SourceNamespaces")
			if f.Str("QueryLanguage") != "DMTF:CQL" || !cim.Equal(src, cim.StringArray("root/virt")) {
				t.Errorf("filter %v", f.Properties)
			}
			if s := e.one(t, classSubscription); hasProp(s, "SubscriptionDuration") {
				t.Errorf("a subscription without Expires has a duration: %v", s.Properties)
			}
		}},
		{name: "eventing_subscribe_existing_filter", setup: existingFilter, check: func(t *testing.T, e *testEnv, r response) {
			s := e.one(t, classSubscription)
			fv, _ := s.Get("Filter")
			fp, _ := fv.AsRef()
			if name, _ := fp.Key("Name"); name.Str() != "vm-changes" || len(e.interop(t, classFilter)) != 1 {
				t.Errorf("the subscription's filter is %v", fp)
			}
			m := identifierRE.FindSubmatch(r.body)
			if m == nil {
				t.Fatal("no identifier")
			}
			sub, err := e.h.findEventSub(context.Background(), string(m[1]))
			if err != nil {
				t.Fatal(err)
			}
			if err := e.h.deleteEventSub(context.Background(), sub); err != nil {
				t.Fatal(err)
			}
			if len(e.interop(t, classFilter)) != 1 || len(e.interop(t, classSubscription)) != 0 {
				t.Error("ending a subscription to an existing filter did not keep just the filter")
			}
		}},
		{name: "eventing_subscribe_existing_filter_unknown", setup: existingFilter, check: func(t *testing.T, e *testEnv, _ response) {
			if n := len(e.interop(t, classSubscription)) + len(e.interop(t, classDestWSMan)); n != 0 {
				t.Errorf("%d instances created for an unknown filter", n)
			}
		}},
		{name: "eventing_subscribe_delivery_mode_pull", check: none},
		{name: "eventing_subscribe_send_bookmarks", check: none},
		{name: "eventing_subscribe_heartbeats", check: none},
		{name: "eventing_subscribe_wql_syntax_error", check: none},
		{name: "eventing_subscribe_filter_not_indication", check: none},
		{name: "eventing_subscribe_filter_unrelated_to_uri", check: none},
		{name: "eventing_subscribe_xpath_dialect", check: none},
		{name: "eventing_subscribe_all_classes_without_filter", check: none},
		{name: "eventing_subscribe_resource_not_indication", check: none},
		{name: "eventing_subscribe_notify_to_not_http", check: none},
		{name: "eventing_subscribe_expires_in_the_past", check: none},
		{name: "eventing_subscribe_without_delivery", check: none},
		{name: "eventing_subscribe_empty_body", check: none},
	})
}

// existingFilter creates the filter vm-changes in the Interop namespace.
func existingFilter(e *testEnv) map[string]string {
	_, err := e.d.CreateInstance(context.Background(), cimom.InteropNamespace, cim.NewInstance(classFilter).
		Set("SystemCreationClassName", cim.String("CIM_ComputerSystem")).Set("SystemName", cim.String("host1")).
		Set("CreationClassName", cim.String(classFilter)).Set("Name", cim.String("vm-changes")).
		Set("Query", cim.String("SELECT * FROM CIM_InstModification")).Set("QueryLanguage", cim.String("WQL")))
	if err != nil {
		e.t.Fatal(err)
	}
	return nil
}

func hasProp(inst *cim.Instance, name string) bool {
	v, ok := inst.Get(name)
	return ok && !v.IsNull()
}

// TestEventingManage covers Renew, GetStatus and Unsubscribe, sent to the
// SubscriptionManager with the subscription's wse:Identifier.
func TestEventingManage(t *testing.T) {
	subscribed := func(e *testEnv) map[string]string { return map[string]string{"id": e.subscribe(e.t.(*testing.T))} }
	runGolden(t, []goldenCase{
		{name: "eventing_renew", setup: subscribed, check: func(t *testing.T, e *testEnv, _ response) {
			s := e.one(t, classSubscription)
			info, err := parseEventInfo(s.Str("SubscriptionInfo"))
			if err != nil || !info.expires.Equal(testNow.Add(3600e9)) {
				t.Errorf("after Renew: %+v %v", info, err)
			}
		}},
		{name: "eventing_renew_unknown_identifier", setup: subscribed},
		{name: "eventing_get_status", setup: subscribed},
		{name: "eventing_get_status_unknown_identifier", setup: subscribed},
		{name: "eventing_get_status_without_identifier", setup: subscribed},
		{name: "eventing_unsubscribe", setup: subscribed, check: func(t *testing.T, e *testEnv, _ response) {
			for _, c := range []string{classFilter, classDestWSMan, classSubscription} {
				if n := len(e.interop(t, c)); n != 0 {
					t.Errorf("%d instances of %s after Unsubscribe", n, c)
				}
			}
		}},
		{name: "eventing_unsubscribe_unknown_identifier", setup: subscribed, check: func(t *testing.T, e *testEnv, _ response) {
			e.one(t, classSubscription)
		}},
	})
}
