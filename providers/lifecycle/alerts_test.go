package lifecycle

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/indication"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

func TestHostAlertMapping(t *testing.T) {
	cases := []struct {
		in              backends.Alert
		sev, typ, cause uint16
		other           string
	}{
		{backends.Alert{Severity: backends.SeverityWarning, Component: "nic:eno1", Message: "link down"},
			indication.SeverityDegraded, indication.AlertCommunications, causeLossOfSignal, ""},
		{backends.Alert{Severity: backends.SeverityCritical, Component: "pool:default", Message: "98% full"},
			indication.SeverityCritical, indication.AlertQualityOfService, causeStorageCapacity, ""},
		{backends.Alert{Severity: backends.SeverityCritical, Component: "host", Message: "power lost"},
			indication.SeverityCritical, indication.AlertDeviceAlert, causeElementUnavailable, ""},
		{backends.Alert{Severity: backends.SeverityWarning, Component: "agent", Message: "link lost"},
			indication.SeverityDegraded, indication.AlertCommunications, indication.ProbableCauseUnknown, ""},
		{backends.Alert{Severity: backends.SeverityInfo, Component: "fan:2", Message: "replaced"},
			indication.SeverityInformation, indication.AlertOther, indication.ProbableCauseUnknown, "Host condition"},
	}
	for _, c := range cases {
		a := HostAlert("h1", c.in)
		if a.PerceivedSeverity != c.sev || a.AlertType != c.typ || a.ProbableCause != c.cause || a.OtherAlertType != c.other {
			t.Errorf("%+v → %+v", c.in, a)
		}
		if a.Element.String() != model.HostPath("h1").String() {
			t.Errorf("%+v names %s", c.in, a.Element)
		}
	}
}

func TestBackendHostAlertIsPublished(t *testing.T) {
	f := newFixture(t, 1, nil)
	h := f.host(0)
	f.must(h.RaiseAlert(backends.Alert{Severity: backends.SeverityWarning, Component: "nic:eno1", Message: "link down"}))
	got := f.rec.waitFor(t, "the host alert", func(got []*cim.Instance) bool { return len(alerts(got)) == 1 })
	a := alerts(got)[0]
	if uintOf(a, "PerceivedSeverity") != uint64(indication.SeverityDegraded) || a.Str("SystemName") != h.ID() ||
		a.Str("AlertingManagedElement") != model.HostPath(h.ID()).String() {
		t.Fatalf("host alert: %s SystemName %q element %q", describe(a), a.Str("SystemName"), a.Str("AlertingManagedElement"))
	}
}

func TestNodeLivenessAlerts(t *testing.T) {
	nodes := make(chan NodeChange, 4)
	f := newFixture(t, 1, func(c *Config) {
		c.Nodes = func(context.Context) <-chan NodeChange { return nodes }
	})
	nodes <- NodeChange{Host: "n1", Name: "node1", Down: true, Reason: "heartbeats missed"}
	nodes <- NodeChange{Host: "n1", Name: "node1", Reason: "suspect"} // neither up nor down
	nodes <- NodeChange{Host: "n1", Name: "node1", Up: true, Reason: "connected"}
	got := f.rec.waitFor(t, "two liveness alerts", func(got []*cim.Instance) bool { return len(alerts(got)) >= 2 })
	var sevs []uint64
	for _, a := range alerts(got) {
		sevs = append(sevs, uintOf(a, "PerceivedSeverity"))
		if a.Str("AlertingManagedElement") != model.HostPath("n1").String() {
			t.Errorf("liveness alert names %q", a.Str("AlertingManagedElement"))
		}
	}
	if want := []uint64{uint64(indication.SeverityCritical), uint64(indication.SeverityInformation)}; !slices.Equal(sevs, want) {
		t.Fatalf("liveness alert severities %v, want %v", sevs, want)
	}
}

func TestMemoryThresholdWithHysteresis(t *testing.T) {
	var unit uint64
	f := newFixture(t, 1, func(c *Config) {})
	info, err := f.host(0).Info(f.ctx)
	f.must(err)
	unit = min(info.MemoryMiB/10, info.Limits.MaxMemoryMiB) &^ 1023
	total := float64(info.MemoryMiB)
	// A new service on the same hosts with thresholds in VM units: the
	// warning at the fourth VM, the all-clear at two.
	f.svc.Close()
	f.rec = newRecorder()
	f.svc, err = Start(f.ctx, Config{Dispatcher: f.d, Inventory: f.inv, Publisher: f.rec, HostID: f.p.HostID,
		MemoryThreshold: 3.5 * float64(unit) / total, MemoryClearMargin: 1.2 * float64(unit) / total,
		PollInterval: 20 * time.Millisecond, RetryInterval: 10 * time.Millisecond, WatchedClasses: []string{}, Log: quiet})
	f.must(err)
	t.Cleanup(func() { _ = f.svc.Close() })
	f.waitHosts(1)
	vms := f.host(0).VMs()
	var ids []string
	for i := range 4 {
		ids = append(ids, f.define(0, backends.VMSpec{Name: "big" + string(rune('a'+i)), VCPUs: 1, MemoryMiB: unit, MaxMemoryMiB: unit}).UUID)
	}
	step := func(start bool, id string, alertsNow int) {
		t.Helper()
		if start {
			f.must(vms.Start(f.ctx, id))
		} else {
			f.must(vms.Stop(f.ctx, id))
		}
		// Each state change is seen before the next one (so that the
		// allocation is read between them).
		want := enabled(backends.StateOff)
		if start {
			want = enabled(backends.StateRunning)
		}
		f.rec.waitFor(t, "the state change", func(got []*cim.Instance) bool {
			inds := vmIndications(got, id)
			return len(inds) > 0 && uintOf(source(inds[len(inds)-1]), "EnabledState") == want
		})
		if n := len(alerts(f.rec.all())); n != alertsNow {
			t.Fatalf("after %v of %s: %d alerts, want %d:\n%s", start, id, n, alertsNow, describeAll(alerts(f.rec.all())))
		}
	}
	step(true, ids[0], 0)
	step(true, ids[1], 0)
	step(true, ids[2], 0)
	step(true, ids[3], 1)  // 4 units ≥ 3.5: warning
	step(false, ids[3], 1) // 3 units: under the threshold, within the margin
	step(true, ids[3], 1)  // still raised: no second warning
	step(false, ids[3], 1)
	step(false, ids[2], 2) // 2 units < 2.3: all clear
	as := alerts(f.rec.all())
	if uintOf(as[0], "PerceivedSeverity") != uint64(indication.SeverityDegraded) || uintOf(as[1], "PerceivedSeverity") != uint64(indication.SeverityInformation) ||
		uintOf(as[0], "ProbableCause") != uint64(causeThresholdCrossed) || uintOf(as[0], "AlertType") != uint64(indication.AlertQualityOfService) {
		t.Fatalf("threshold alerts:\n%s", describeAll(as))
	}
}
