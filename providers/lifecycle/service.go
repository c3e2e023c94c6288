package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/indication"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/providers/virt"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// NodeChange is a change of a node's liveness, as the agents' registry
// reports it (agent/manager.NodeEvent).
type NodeChange struct {
	Host   string // host UUID
	Name   string // hostname
	Up     bool   // back from dead
	Down   bool   // now dead
	Reason string
}

// Config configures a Service. Dispatcher, Inventory and Publisher are
// required; zero fields take the defaults shown.
type Config struct {
	// Dispatcher serves the instances the indications carry.
	Dispatcher *cimom.Dispatcher
	// Inventory is the host registry to follow.
	Inventory virt.Inventory
	// Publisher receives the indications (an *indication.Service).
	Publisher indication.Publisher
	// HostID returns a host's ID (virt.Provider.HostID); default Info().ID.
	HostID func(ctx context.Context, h backends.Host) (string, error)
	// Views, when set, builds the instances of a host's listed VMs
	// without asking the backend again (virt.Provider.View), which makes
	// a host's baseline one listing instead of several calls per VM;
	// without it the baseline reads every VM through the Dispatcher.
	Views func(ctx context.Context, hostID string, h backends.Host) VMBuilder
	// Jobs, when set, has its jobs' changes raised.
	Jobs *jobs.Manager
	// Nodes, when set, reports node liveness changes until ctx ends.
	Nodes func(ctx context.Context) <-chan NodeChange
	// PollInterval is how often the inventory is re-read (5 s).
	PollInterval time.Duration
	// RetryInterval is the wait before subscribing again to a host whose
	// stream failed or closed (1 s).
	RetryInterval time.Duration
	// ProgressInterval bounds PercentComplete modifications per job (1 s).
	ProgressInterval time.Duration
	// MemoryThreshold is the share of a host's memory allocated to active
	// VMs that raises a Warning (0.9); MemoryClearMargin is how far below
	// it the allocation must fall to raise the all-clear (0.05).
	MemoryThreshold, MemoryClearMargin float64
	// WatchedClasses are re-enumerated after each finished job and
	// diffed (the pools and the virtual switches); nil means the default,
	// an empty non-nil slice none.
	WatchedClasses []string
	// SystemName is the manager's host name, the SystemName of the alerts
	// that are not about a host.
	SystemName string
	// Log receives warnings (slog.Default()).
	Log *slog.Logger
}

// A VMBuilder returns a listed VM's computer system, virtual system
// settings and RASDs, as the Dispatcher would serve them.
type VMBuilder interface {
	Instances(vm backends.VM) (cs, vssd *cim.Instance, rasds []*cim.Instance)
}

// DefaultWatchedClasses are the classes diffed after each finished job.
var DefaultWatchedClasses = []string{"CIM_ResourcePool", "Ferrum_VirtualEthernetSwitch"}

func (c *Config) setDefaults() {
	if c.HostID == nil {
		c.HostID = func(ctx context.Context, h backends.Host) (string, error) {
			info, err := h.Info(ctx)
			return info.ID, err
		}
	}
	if c.PollInterval <= 0 {
		c.PollInterval = 5 * time.Second
	}
	if c.RetryInterval <= 0 {
		c.RetryInterval = time.Second
	}
	if c.ProgressInterval <= 0 {
		c.ProgressInterval = time.Second
	}
	if c.MemoryThreshold <= 0 {
		c.MemoryThreshold = 0.9
	}
	if c.MemoryClearMargin <= 0 {
		c.MemoryClearMargin = 0.05
	}
	if c.WatchedClasses == nil {
		c.WatchedClasses = DefaultWatchedClasses
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
}

// Stats counts what a Service did.
type Stats struct {
	Published uint64 // indications published
	Gaps      uint64 // event stream gaps seen
	Resyncs   uint64 // resynchronisations after a gap or a new subscription
	Hosts     int    // hosts followed now
}

// A Service raises the indications of provider-served classes until
// Close. It is safe for concurrent use.
type Service struct {
	cfg    Config
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	poke   chan struct{}

	published, gaps, resyncs atomic.Uint64

	hmu   sync.Mutex
	hosts map[string]*hostWatch // by host ID

	vmu sync.Mutex
	vms map[string]*vmEntry // by VM UUID

	cmu      sync.Mutex
	capacity map[string]bool // host ID → above the memory threshold

	jobs     jobTracker
	elements elementTracker
}

// Start returns a running Service.
func Start(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.Dispatcher == nil || cfg.Inventory == nil || cfg.Publisher == nil {
		return nil, errors.New("lifecycle: a dispatcher, an inventory and a publisher are required")
	}
	cfg.setDefaults()
	s := &Service{cfg: cfg, poke: make(chan struct{}, 1), hosts: map[string]*hostWatch{},
		vms: map[string]*vmEntry{}, capacity: map[string]bool{}}
	s.ctx, s.cancel = context.WithCancel(context.WithoutCancel(ctx))
	s.jobs.init(s)
	if err := s.elements.init(s.ctx, s); err != nil {
		s.cancel()
		return nil, err
	}
	if cfg.Jobs != nil {
		stop := cfg.Jobs.Observe(s.jobs.observe)
		context.AfterFunc(s.ctx, stop)
		s.jobs.seed()
	}
	s.syncHosts(s.ctx)
	s.goRun(s.follow)
	if cfg.Nodes != nil {
		ch := cfg.Nodes(s.ctx)
		s.goRun(func(ctx context.Context) { s.watchNodes(ctx, ch) })
	}
	return s, nil
}

func (s *Service) goRun(f func(ctx context.Context)) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f(s.ctx)
	}()
}

// Close stops following hosts, jobs and nodes and waits for the service's
// goroutines.
func (s *Service) Close() error {
	s.cancel()
	s.jobs.stop()
	s.wg.Wait()
	return nil
}

// Stats returns the service's counters.
func (s *Service) Stats() Stats {
	s.hmu.Lock()
	n := len(s.hosts)
	s.hmu.Unlock()
	return Stats{Published: s.published.Load(), Gaps: s.gaps.Load(), Resyncs: s.resyncs.Load(), Hosts: n}
}

// publish hands ind, raised in ns, to the publisher.
func (s *Service) publish(ctx context.Context, ns string, ind *cim.Instance) {
	s.cfg.Publisher.Publish(ctx, ns, ind)
	s.published.Add(1)
}

// alert publishes a CIM_AlertIndication in root/virt with SystemName.
func (s *Service) alert(ctx context.Context, a indication.Alert, systemName string) {
	ind := a.Instance()
	if systemName == "" {
		systemName = s.cfg.SystemName
	}
	if systemName != "" {
		ind.Set("SystemName", cim.String(systemName))
	}
	s.publish(ctx, model.Namespace, ind)
}

// follow re-reads the inventory every PollInterval or when poked.
func (s *Service) follow(ctx context.Context) {
	t := time.NewTicker(s.cfg.PollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			s.stopHosts()
			return
		case <-t.C:
		case <-s.poke:
		}
		s.syncHosts(ctx)
	}
}

// Resync asks the service to re-read the inventory now.
func (s *Service) Resync() {
	select {
	case s.poke <- struct{}{}:
	default:
	}
}

// syncHosts starts a watcher for each new host of the inventory and stops
// those of hosts that left it (or were replaced by another backend).
func (s *Service) syncHosts(ctx context.Context) {
	seen := map[string]bool{}
	for _, h := range s.cfg.Inventory.Hosts(ctx) {
		id, err := s.cfg.HostID(ctx, h)
		if err != nil {
			s.cfg.Log.WarnContext(ctx, "host without an ID not followed", "op", "lifecycle", "err", err)
			continue
		}
		seen[id] = true
		s.hmu.Lock()
		w := s.hosts[id]
		if w != nil && w.h != h {
			w.stop()
			w = nil
		}
		if w == nil {
			s.hosts[id] = s.watchHost(ctx, id, h)
		}
		s.hmu.Unlock()
	}
	s.hmu.Lock()
	defer s.hmu.Unlock()
	for id, w := range s.hosts {
		if !seen[id] {
			w.stop()
			delete(s.hosts, id)
		}
	}
}

func (s *Service) stopHosts() {
	s.hmu.Lock()
	defer s.hmu.Unlock()
	for id, w := range s.hosts {
		w.stop()
		delete(s.hosts, id)
	}
}

// errorf wraps err with what was being done.
func errorf(err error, format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, err)...)
}
