package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/cimxml"
	wbem "github.com/ferrum-virt/ferrum/conformance/client"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// vmQuery selects the lifecycle indications of computer systems.
const vmQuery = "SELECT * FROM CIM_InstIndication WHERE SourceInstance ISA CIM_ComputerSystem"

// listenLine is one JSON line of ferrumctl listen.
type listenLine struct {
	Class      string         `json:"class"`
	Properties map[string]any `json:"properties"`
}

func (l listenLine) source() map[string]any {
	src, _ := l.Properties["SourceInstance"].(map[string]any)
	props, _ := src["properties"].(map[string]any)
	return props
}

func (l listenLine) previous() map[string]any {
	src, _ := l.Properties["PreviousInstance"].(map[string]any)
	props, _ := src["properties"].(map[string]any)
	return props
}

// startListen runs the built ferrumctl listen against s and returns its
// JSON lines as they come.
func startListen(t *testing.T, s server) <-chan listenLine {
	t.Helper()
	ctl := buildCommand(t, "ferrumctl")
	cmd := exec.Command(ctl, "listen", "--url", "http://admin:"+scenarioPassword+"@"+s.httpAddr, "--query", vmQuery)
	stdout, _ := cmd.StdoutPipe()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			t.Log("listen:", sc.Text())
			if strings.HasPrefix(sc.Text(), "listening on") {
				close(ready)
			}
		}
	}()
	lines := make(chan listenLine, 1024)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			var l listenLine
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				t.Errorf("ferrumctl listen printed %q: %v", sc.Text(), err)
				continue
			}
			lines <- l
		}
	}()
	select {
	case <-ready:
	case <-time.After(failsafe):
		t.Fatal("ferrumctl listen did not subscribe")
	}
	return lines
}

// lifecycleOps drives define → start → stop → destroy of a VM named name
// on host over s's client and returns its UUID.
func lifecycleOps(s *session, host, name string) string {
	s.t.Helper()
	out, _ := s.run(model.VSMSPath(host), "DefineSystem", defineParams(vssdRequest(name), procRequest(1), memRequest(256)))
	vm := outRef(s.t, out, "ResultingSystem")
	id, _ := model.VMOf(vm)
	s.run(vm, "RequestStateChange", rscParams(2))
	s.run(vm, "RequestStateChange", rscParams(3))
	s.run(model.VSMSPath(host), "DestroySystem", affected(vm))
	return id
}

// TestIndicationsOfAVirtualSystemReachFerrumctlListen subscribes the real
// ferrumctl listen to computer-system indications and drives a VM's
// lifecycle over CIM-XML: the listener prints its creation, the two
// modifications with their EnabledState pairs, and its deletion, in order.
func TestIndicationsOfAVirtualSystemReachFerrumctlListen(t *testing.T) {
	s := startSimServer(t, 1)
	host := s.waitHosts(t, 1)[0]
	lines := startListen(t, s)
	id := lifecycleOps(newSession(t, s.cimxml()), host, "ind-e2e")

	type seen struct{ class, prev, cur string }
	want := []seen{{"CIM_InstCreation", "", "3"}, {"CIM_InstModification", "3", "2"},
		{"CIM_InstModification", "2", "3"}, {"CIM_InstDeletion", "", "3"}}
	var got []seen
	timeout := time.After(failsafe)
	for len(got) < len(want) {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("ferrumctl listen ended after %v", got)
			}
			if l.source()["Name"] != id {
				continue // the host, another system
			}
			g := seen{class: l.Class, cur: fmt.Sprint(l.source()["EnabledState"])}
			if p := l.previous(); p != nil {
				g.prev = fmt.Sprint(p["EnabledState"])
			}
			got = append(got, g)
		case <-timeout:
			t.Fatalf("after %v, the listener printed %v, want %v", failsafe, got, want)
		}
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("the listener printed %v, want %v", got, want)
		}
	}
}

// subscribeListener creates a filter for query, a CIM-XML destination at
// url and a subscription in root/interop.
func subscribeListener(t *testing.T, c *wbem.CIMXML, url, query string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), failsafe)
	defer cancel()
	const interop = "root/interop"
	fp, err := c.CreateInstance(ctx, interop, cim.NewInstance("CIM_IndicationFilter").Set("Query", cim.String(query)).
		Set("QueryLanguage", cim.String("WQL")).Set("SourceNamespaces", cim.StringArray("root/virt")))
	if err != nil {
		t.Fatal(err)
	}
	hp, err := c.CreateInstance(ctx, interop, cim.NewInstance("CIM_ListenerDestinationCIMXML").Set("Destination", cim.String(url)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateInstance(ctx, interop, cim.NewInstance("CIM_IndicationSubscription").
		Set("Filter", cim.Ref(fp)).Set("Handler", cim.Ref(hp))); err != nil {
		t.Fatal(err)
	}
}

// TestIndicationVolumeThroughFerrumd drives 250 VM lifecycles (1,000
// computer-system indications) over CIM-XML from 10 clients and requires a
// plain CIM-XML listener to receive all of them, SequenceNumbers 0…999 in
// order, and each VM's four in lifecycle order.
func TestIndicationVolumeThroughFerrumd(t *testing.T) {
	const vms, clients = 250, 10
	s := startSimServer(t, 1)
	host := s.waitHosts(t, 1)[0]
	var mu sync.Mutex
	var got []*cim.Instance
	done := make(chan struct{})
	lst := httptest.NewServer(cimxml.NewListener(func(_ context.Context, ind *cim.Instance) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, ind)
		if len(got) == 4*vms {
			close(done)
		}
		return nil
	}))
	defer lst.Close()
	subscribeListener(t, s.cimxml().(*wbem.CIMXML), lst.URL+"/", vmQuery)

	start := time.Now()
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sess := newSession(t, s.cimxml())
			for i := c; i < vms; i += clients {
				lifecycleOps(sess, host, fmt.Sprintf("vol-%03d", i))
			}
		}()
	}
	wg.Wait()
	select {
	case <-done:
	case <-time.After(failsafe):
		mu.Lock()
		n := len(got)
		mu.Unlock()
		t.Fatalf("the listener received %d of %d indications", n, 4*vms)
	}
	took := time.Since(start)
	t.Logf("%d indications from %d VM lifecycles in %v (%.0f indications/s, end to end over CIM-XML)",
		4*vms, vms, took.Round(time.Millisecond), float64(4*vms)/took.Seconds())
	time.Sleep(200 * time.Millisecond) // nothing more may come
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 4*vms {
		t.Fatalf("the listener received %d indications, want %d", len(got), 4*vms)
	}
	order := map[string][]string{}
	for i, ind := range got {
		v, _ := ind.Get("SequenceNumber")
		if n, _ := v.AsInt64(); n != int64(i) {
			t.Fatalf("indication %d has SequenceNumber %d: out of order or lost", i, n)
		}
		sv, _ := ind.Get("SourceInstance")
		src := sv.AsInstance()
		if src == nil {
			t.Fatalf("indication %d has no SourceInstance", i)
		}
		order[src.Str("Name")] = append(order[src.Str("Name")], ind.ClassName)
	}
	want := "CIM_InstCreation CIM_InstModification CIM_InstModification CIM_InstDeletion"
	if len(order) != vms {
		t.Fatalf("indications about %d systems, want %d", len(order), vms)
	}
	for vm, classes := range order {
		if strings.Join(classes, " ") != want {
			t.Fatalf("VM %s: %v, want %s", vm, classes, want)
		}
	}
}

// collector is a CIM-XML listener keeping what it receives.
type collector struct {
	mu  sync.Mutex
	got []*cim.Instance
}

func (c *collector) start(t *testing.T) string {
	srv := httptest.NewServer(cimxml.NewListener(func(_ context.Context, ind *cim.Instance) error {
		c.mu.Lock()
		c.got = append(c.got, ind)
		c.mu.Unlock()
		return nil
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/"
}

// waitFor waits until pred holds for what was received.
func (c *collector) waitFor(t *testing.T, what string, pred func([]*cim.Instance) bool) []*cim.Instance {
	t.Helper()
	deadline := time.Now().Add(failsafe)
	for {
		c.mu.Lock()
		got := append([]*cim.Instance(nil), c.got...)
		c.mu.Unlock()
		if pred(got) {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s after %v; received %d indications", what, failsafe, len(got))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// hostAlerts returns the severities of the alerts about host, in order.
func hostAlerts(got []*cim.Instance, host string) []uint64 {
	var out []uint64
	for _, ind := range got {
		if ind.ClassName == "CIM_AlertIndication" && ind.Str("AlertingManagedElement") == model.HostPath(host).String() {
			v, _ := ind.Get("PerceivedSeverity")
			n, _ := v.AsUint64()
			out = append(out, n)
		}
	}
	return out
}

// TestIndicationsWithAgents runs ferrumd with FERRUM_BACKEND=agents and
// one ferrum-agent: the node coming up raises an Information alert, a VM's
// lifecycle on it raises its creation and deletion (the agent's event
// stream), and the agent stopping raises a Critical host-down alert.
func TestIndicationsWithAgents(t *testing.T) {
	s := startAgentsServer(t)
	c := s.cimxml().(*wbem.CIMXML)
	var alerts, systems collector
	subscribeListener(t, c, alerts.start(t), "SELECT * FROM CIM_AlertIndication")
	subscribeListener(t, c, systems.start(t), vmQuery)

	cmd := exec.Command(agentBinary(t), "--backend", "sim", "--sim-index", "0", "--manager", s.agentAddr,
		"--join-token", s.joinToken(t), "--state-dir", filepath.Join(t.TempDir(), "agent"), "--heartbeat", "200ms")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			_ = cmd.Wait()
		}
	})
	host := s.waitHosts(t, 1)[0]
	alerts.waitFor(t, "host-up alert", func(got []*cim.Instance) bool { return len(hostAlerts(got, host)) >= 1 })

	// The lifecycle service follows the inventory: the host's stream may
	// be subscribed a poll after the host appears.
	time.Sleep(6 * time.Second)
	id := lifecycleOps(newSession(t, c), host, "agent-ind")
	got := systems.waitFor(t, "the VM's deletion", func(got []*cim.Instance) bool {
		for _, ind := range got {
			if sv, _ := ind.Get("SourceInstance"); sv.AsInstance() != nil && sv.AsInstance().Str("Name") == id && ind.ClassName == "CIM_InstDeletion" {
				return true
			}
		}
		return false
	})
	var classes []string
	for _, ind := range got {
		if sv, _ := ind.Get("SourceInstance"); sv.AsInstance() != nil && sv.AsInstance().Str("Name") == id {
			classes = append(classes, ind.ClassName)
		}
	}
	if want := "CIM_InstCreation CIM_InstModification CIM_InstModification CIM_InstDeletion"; strings.Join(classes, " ") != want {
		t.Fatalf("VM on the agent's host raised %v, want %s", classes, want)
	}

	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait()
	stopped = true
	got = alerts.waitFor(t, "host-down alert", func(got []*cim.Instance) bool { return slices.Contains(hostAlerts(got, host), 6) })
	// In between, the agent backend may report its lost link (a Warning
	// from the host's own stream).
	if sev := hostAlerts(got, host); sev[0] != 2 || sev[len(sev)-1] != 6 {
		for _, ind := range got {
			t.Logf("alert %s: %s", ind.Str("MessageID"), ind.Str("Message"))
		}
		t.Fatalf("host alerts with severities %v, want 2 (up) first and 6 (down) last", sev)
	}
}
