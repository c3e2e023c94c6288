package lifecycle

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/backends/sim"
	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/providers/interop"
	"github.com/ferrum-virt/ferrum/providers/virt"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// simInventory serves a simulated data center's hosts; hosts can be
// removed and added back, as agents' nodes come and go.
type simInventory struct {
	mu    sync.Mutex
	hosts []*sim.Host
}

func (i *simInventory) Hosts(context.Context) []backends.Host {
	i.mu.Lock()
	defer i.mu.Unlock()
	out := make([]backends.Host, len(i.hosts))
	for n, h := range i.hosts {
		out[n] = h
	}
	return out
}

func (i *simInventory) Host(_ context.Context, id string) (backends.Host, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	for _, h := range i.hosts {
		if h.ID() == id {
			return h, nil
		}
	}
	return nil, fmt.Errorf("host %s: %w", id, backends.ErrNotFound)
}

// recorder is a Publisher that keeps what it is given. While blocked, it
// holds every caller (to make a host's event stream overflow).
type recorder struct {
	mu    sync.Mutex
	cond  *sync.Cond
	got   []*cim.Instance
	block chan struct{} // non-nil: Publish waits until it is closed
}

func newRecorder() *recorder {
	r := &recorder{}
	r.cond = sync.NewCond(&r.mu)
	return r
}

func (r *recorder) Publish(_ context.Context, _ string, ind *cim.Instance) int {
	r.mu.Lock()
	b := r.block
	r.mu.Unlock()
	if b != nil {
		<-b
	}
	r.mu.Lock()
	r.got = append(r.got, ind)
	r.cond.Broadcast()
	r.mu.Unlock()
	return 1
}

// all returns every indication received so far.
func (r *recorder) all() []*cim.Instance {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*cim.Instance(nil), r.got...)
}

// waitFor waits until pred holds for what was received, or fails.
func (r *recorder) waitFor(t testing.TB, what string, pred func([]*cim.Instance) bool) []*cim.Instance {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := r.all()
		if pred(got) {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; got:\n%s", what, describeAll(got))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// fixture is a dispatcher serving interop, jobs and virt over a simulated
// data center, with a lifecycle Service publishing to rec.
type fixture struct {
	t    testing.TB
	ctx  context.Context
	dc   *sim.DataCenter
	inv  *simInventory
	d    *cimom.Dispatcher
	jobs *jobs.Manager
	p    *virt.Provider
	rec  *recorder
	svc  *Service
}

func newFixture(t testing.TB, hosts int, tune func(*Config)) *fixture {
	t.Helper()
	dc, err := sim.NewDataCenter(sim.Config{Hosts: hosts, Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r, err := cimom.NewSchemaRepository()
	if err != nil {
		t.Fatal(err)
	}
	store := cimom.NewMemoryStore()
	d := cimom.New(r, store)
	d.Log = quiet
	ip, err := interop.Register(d, interop.Config{Host: "mgr.example", Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	jm, err := jobs.NewManager(ctx, jobs.Config{Store: store, Now: dc.Clock().Now, SweepInterval: -1, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = jm.Close(context.Background()) })
	if err := jobs.Register(d, jm); err != nil {
		t.Fatal(err)
	}
	inv := &simInventory{hosts: append([]*sim.Host(nil), dc.Hosts()...)}
	p, err := virt.Register(ctx, d, ip, inv, jm, virt.Options{Log: quiet, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, ctx: ctx, dc: dc, inv: inv, d: d, jobs: jm, p: p, rec: newRecorder()}
	views := func(ctx context.Context, id string, h backends.Host) VMBuilder { return p.View(ctx, id, h) }
	cfg := Config{Dispatcher: d, Inventory: inv, Publisher: f.rec, HostID: p.HostID, Jobs: jm, Views: views,
		PollInterval: 20 * time.Millisecond, RetryInterval: 10 * time.Millisecond, SystemName: "mgr.example", Log: quiet}
	if tune != nil {
		tune(&cfg)
	}
	f.svc, err = Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.svc.Close() })
	f.waitHosts(hosts)
	return f
}

// waitHosts waits until the service follows n hosts and has read their
// baselines.
func (f *fixture) waitHosts(n int) {
	f.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for st := f.svc.Stats(); st.Hosts != n || st.Resyncs < uint64(n); st = f.svc.Stats() {
		if time.Now().After(deadline) {
			f.t.Fatalf("service follows %+v, want %d hosts", st, n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (f *fixture) host(i int) *sim.Host { return f.dc.Host(i) }

func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

// smallSpec is a VM with one NIC.
func smallSpec(name string, mem uint64) backends.VMSpec {
	return backends.VMSpec{Name: name, VCPUs: 1, MemoryMiB: mem, MaxMemoryMiB: mem,
		NICs: []backends.NICSpec{{Switch: "external"}}}
}

func (f *fixture) define(i int, spec backends.VMSpec) backends.VM {
	f.t.Helper()
	vm, err := f.host(i).VMs().Define(f.ctx, spec)
	f.must(err)
	return vm
}

// source is the SourceInstance of an indication; prev its PreviousInstance.
func source(ind *cim.Instance) *cim.Instance {
	v, _ := ind.Get("SourceInstance")
	return v.AsInstance()
}

func prev(ind *cim.Instance) *cim.Instance {
	v, _ := ind.Get("PreviousInstance")
	return v.AsInstance()
}

func uintOf(in *cim.Instance, name string) uint64 {
	if in == nil {
		return 0
	}
	v, _ := in.Get(name)
	n, _ := v.AsUint64()
	return n
}

// about returns the indications whose SourceInstance is of class (any
// class when empty) and has property key equal to value.
func about(got []*cim.Instance, class, key, value string) []*cim.Instance {
	var out []*cim.Instance
	for _, ind := range got {
		src := source(ind)
		if src == nil || class != "" && !strings.EqualFold(src.ClassName, class) || src.Str(key) != value {
			continue
		}
		out = append(out, ind)
	}
	return out
}

// vmIndications are the computer-system indications of VM id.
func vmIndications(got []*cim.Instance, id string) []*cim.Instance {
	return about(got, model.ClassVM, "Name", id)
}

// alerts returns the alert indications received.
func alerts(got []*cim.Instance) []*cim.Instance {
	var out []*cim.Instance
	for _, ind := range got {
		if ind.ClassName == "CIM_AlertIndication" {
			out = append(out, ind)
		}
	}
	return out
}

// describe spells an indication for failure messages.
func describe(ind *cim.Instance) string {
	if ind.ClassName == "CIM_AlertIndication" {
		return fmt.Sprintf("%s sev=%d type=%d cause=%d %q", ind.ClassName, uintOf(ind, "PerceivedSeverity"),
			uintOf(ind, "AlertType"), uintOf(ind, "ProbableCause"), ind.Str("Message"))
	}
	src := source(ind)
	s := fmt.Sprintf("%s %s", ind.ClassName, ind.Str("SourceInstanceModelPath"))
	if src != nil && strings.EqualFold(src.ClassName, model.ClassVM) {
		s += fmt.Sprintf(" enabled=%d", uintOf(src, "EnabledState"))
		if p := prev(ind); p != nil {
			s += fmt.Sprintf(" prev=%d", uintOf(p, "EnabledState"))
		}
	}
	return s
}

func describeAll(got []*cim.Instance) string {
	var b strings.Builder
	for _, ind := range got {
		b.WriteString("  " + describe(ind) + "\n")
	}
	return b.String()
}

// kinds returns "creation", "modification", "deletion" for each.
func kinds(got []*cim.Instance) []string {
	out := make([]string, len(got))
	for i, ind := range got {
		out[i] = strings.ToLower(strings.TrimPrefix(ind.ClassName, "CIM_Inst"))
	}
	return out
}
