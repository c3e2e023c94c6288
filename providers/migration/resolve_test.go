package migration

import (
	"context"
	"strings"
	"testing"

	"github.com/ferrum-virt/ferrum/backends"
)

// hostBackend lets test wrappers embed a backend host.
type hostBackend = backends.Host

func TestDestinationHostForms(t *testing.T) {
	f := newFixture(t, Options{})
	dst := hostname(f.dst)
	f.p.opts.Resolver = fakeResolver{
		"192.0.2.12":  {dst + "."},
		"2001:db8::c": {strings.ToUpper(dst)},
		"192.0.2.99":  {"unknown.example."},
	}
	short, _, _ := strings.Cut(dst, ".")
	for _, name := range []string{f.dst.ID(), strings.ToUpper(f.dst.ID()), dst, dst + ".", strings.ToUpper(dst), short,
		" " + dst + " ", "192.0.2.12", "2001:db8::c", "[2001:DB8:0::C]"} {
		h, err := f.p.resolveHost(f.Ctx, name)
		if err != nil || h.id != f.dst.ID() {
			t.Errorf("%q resolved to %q, %v", name, h.id, err)
		}
	}
	for _, name := range []string{"", "192.0.2.99", "192.0.2.1", "nowhere.example", "node", "a b", "x/y", "-bad.example",
		strings.Repeat("a", 64) + ".example", "::g"} {
		if h, err := f.p.resolveHost(f.Ctx, name); err == nil {
			t.Errorf("%q resolved to %s", name, h.id)
		}
	}
}

func TestDestinationAmbiguousAndAddressedHosts(t *testing.T) {
	f := newFixture(t, Options{})
	hosts := []hostEntry{
		{id: "a", h: addressedHost{f.src, []string{"10.0.0.1"}}},
		{id: "b", h: addressedHost{f.dst, []string{"10.0.0.1", "10.0.0.2"}}},
	}
	if got := f.p.matching(f.Ctx, hosts, []string{"10.0.0.2"}, false); len(got) != 1 || got[0].id != "b" {
		t.Errorf("10.0.0.2 matches %v", got)
	}
	if got := f.p.matching(f.Ctx, hosts, []string{"10.0.0.1"}, false); len(got) != 2 {
		t.Errorf("10.0.0.1 matches %d hosts, want both", len(got))
	}
	uri := hostEntry{id: "c", h: uriHost{f.alien, "qemu+ssh://root@kvm7.example:2222/system"}}
	if got := f.p.matching(f.Ctx, []hostEntry{uri}, []string{"KVM7.example"}, false); len(got) != 1 {
		t.Errorf("the host of a libvirt URI does not match")
	}
}

type addressedHost struct {
	hostBackend
	addrs []string
}

func (a addressedHost) Addresses() []string { return a.addrs }

type uriHost struct {
	hostBackend
	uri string
}

func (u uriHost) URI() string { return u.uri }

func TestDestFormat(t *testing.T) {
	for in, want := range map[string]int{"node1.example": formatDomainName, "10.1.2.3": formatIPv4,
		"fe80::1": formatIPv6, "::ffff:10.1.2.3": formatIPv6, "[::1]": formatIPv6, "4b0f6c1e-8f0a-4b8e-9c1a-2d3e4f5a6b7c": formatDomainName} {
		if got, _, ok := destFormat(in); !ok || got != want {
			t.Errorf("destFormat(%q) = %d %v, want %d", in, got, ok, want)
		}
	}
	if _, _, ok := destFormat("under_score.example"); ok {
		t.Error("an underscore is not in a domain name")
	}
}

func TestBandwidthUnits(t *testing.T) {
	for unit, want := range map[string]uint64{
		"byte / second": 1, "byte/second*2^20": 1 << 20, "Byte / Second * 10^6": 1e6,
		"bit / second * 10^6": 125000, "bit / second * 2^3": 1, "byte * 2^10 / second": 1024,
	} {
		if got, err := bytesPerSecond(unit); err != nil || got != want {
			t.Errorf("%q = %d, %v; want %d", unit, got, err, want)
		}
	}
	for _, unit := range []string{"bit / second", "byte", "furlong / fortnight", "byte / second * 3^2", "byte / second * 10^13",
		"byte / second / second", "byte / second *"} {
		if got, err := bytesPerSecond(unit); err == nil {
			t.Errorf("%q = %d, want an error", unit, got)
		}
	}
	var s settings
	if err := s.parseBandwidth(101, "percent"); err == nil {
		t.Error("101 percent accepted")
	}
	if err := s.parseBandwidth(64, ""); err != nil || s.bandwidth != 64<<20 {
		t.Errorf("64 in the default unit: %d, %v", s.bandwidth, err)
	}
}

func TestSlotsGoToTheHighestPriorityFirst(t *testing.T) {
	s := newSlots(1)
	ctx := context.Background()
	first, err := s.acquire(ctx, "h", defaultPriority, nil)
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.acquire(ctx, "other-host", defaultPriority, nil)
	if err != nil {
		t.Fatal("another host's slot is taken", err)
	}
	other()
	order := make(chan string, 3)
	queued := make(chan int, 3)
	start := func(name string, prio int) {
		go func() {
			release, err := s.acquire(ctx, "h", prio, func(ahead int) { queued <- ahead })
			if err != nil {
				order <- "error " + name
				return
			}
			order <- name
			release()
		}()
		<-queued
	}
	start("default", defaultPriority)
	start("low", 200)
	start("urgent", 1)
	cctx, cancel := context.WithCancel(ctx)
	gaveUp := make(chan error, 1)
	go func() { _, err := s.acquire(cctx, "h", 0, func(int) { queued <- 0 }); gaveUp <- err }()
	<-queued
	cancel()
	if err := <-gaveUp; err == nil {
		t.Error("a cancelled wait got a slot")
	}
	first()
	var got []string
	for range 3 {
		got = append(got, <-order)
	}
	if strings.Join(got, ",") != "urgent,low,default" {
		t.Errorf("slots went to %v", got)
	}
	waitFor(t, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.active) == 0 && len(s.waiting["h"]) == 0
	})
}

// namedHost is a host whose name can change, counting Info calls.
type namedHost struct {
	hostBackend
	name  string
	calls *int
}

func (n *namedHost) Info(ctx context.Context) (backends.HostInfo, error) {
	*n.calls++
	info, err := n.hostBackend.Info(ctx)
	info.Hostname = n.name
	return info, err
}

func TestHostNamesAreCachedUntilAMiss(t *testing.T) {
	f := newFixture(t, Options{})
	calls := 0
	h := &namedHost{hostBackend: f.src, name: "old.example", calls: &calls}
	hosts := []hostEntry{{id: "x", h: h}}
	for range 3 {
		if got := f.p.matching(f.Ctx, hosts, []string{"old.example"}, false); len(got) != 1 {
			t.Fatalf("old name matches %d hosts", len(got))
		}
	}
	if calls != 1 {
		t.Errorf("%d Info calls for three lookups", calls)
	}
	h.name = "new.example"
	if got := f.p.matching(f.Ctx, hosts, []string{"new.example"}, false); len(got) != 0 {
		t.Errorf("the cached name changed by itself")
	}
	if got := f.p.matching(f.Ctx, hosts, []string{"new.example"}, true); len(got) != 1 {
		t.Errorf("a fresh lookup does not see the new name")
	}
}
