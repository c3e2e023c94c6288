package manager

import (
	"cmp"
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/ferrum-virt/ferrum/agent/link"
	"github.com/ferrum-virt/ferrum/agent/pki"
	"github.com/ferrum-virt/ferrum/agent/proto"
	"github.com/ferrum-virt/ferrum/backends"
	agentbackend "github.com/ferrum-virt/ferrum/backends/agent"
)

// A Registry is the manager's view of its nodes. It is safe for concurrent
// use.
type Registry struct {
	cfg  Config
	ca   *pki.CA
	tls  *tls.Config
	log  *slog.Logger
	stop context.CancelFunc
	wg   sync.WaitGroup

	mu       sync.Mutex
	nodes    map[string]*node
	tokens   map[[32]byte]*joinToken
	watchers map[*watcher]struct{}
}

// node is one enrolled node. Fields other than host are guarded by
// Registry.mu.
type node struct {
	rec      NodeRecord
	host     *agentbackend.Host
	sess     *link.Session // nil while the node has no link
	hello    proto.Hello
	state    State
	since    time.Time
	lastBeat time.Time
	interval time.Duration
}

// Open loads the CA (creating it on first use) and the enrolled nodes, and
// starts the liveness sweep. Close releases it.
func Open(ctx context.Context, cfg Config) (*Registry, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	ca, err := pki.LoadOrCreateCA(filepath.Join(cfg.DataDir, "agent-ca"))
	if err != nil {
		return nil, fmt.Errorf("node registry: %w", err)
	}
	server, err := ca.ServerCertificate(cfg.Names)
	if err != nil {
		return nil, fmt.Errorf("node registry: %w", err)
	}
	recs, err := cfg.Store.LoadNodes(ctx)
	if err != nil {
		return nil, fmt.Errorf("node registry: %w", err)
	}
	r := &Registry{cfg: cfg, ca: ca, log: cfg.Logger, nodes: map[string]*node{},
		tokens: map[[32]byte]*joinToken{}, watchers: map[*watcher]struct{}{}}
	r.tls = pki.ManagerTLS(ca, server, proto.ALPNAgent, proto.ALPNJoin, r.admit)
	now := cfg.Clock.Now()
	for _, rec := range recs {
		r.nodes[rec.ID] = r.newNode(rec, now)
	}
	sweepCtx, stop := context.WithCancel(context.Background())
	r.stop = stop
	if cfg.SweepInterval > 0 {
		r.wg.Go(func() { r.sweepLoop(sweepCtx) })
	}
	return r, nil
}

func (r *Registry) newNode(rec NodeRecord, now time.Time) *node {
	return &node{rec: rec, host: agentbackend.NewHost(rec.ID, r.log), state: StateDead, since: now}
}

// Close stops the sweep and closes every node's link. Serve calls end on
// their own contexts.
func (r *Registry) Close() error {
	r.stop()
	r.mu.Lock()
	var sessions []*link.Session
	for _, n := range r.nodes {
		if n.sess != nil {
			sessions = append(sessions, n.sess)
		}
	}
	for w := range r.watchers {
		w.close()
	}
	clear(r.watchers)
	r.mu.Unlock()
	for _, s := range sessions {
		_ = s.Close()
	}
	r.wg.Wait()
	return nil
}

// CA returns the registry's certificate authority.
func (r *Registry) CA() *pki.CA { return r.ca }

// NodeStatus is a node as the registry sees it.
type NodeStatus struct {
	NodeRecord
	State         State
	Since         time.Time // when it entered State, on the registry's clock
	Connected     bool
	LastHeartbeat time.Time
	Heartbeat     time.Duration // the interval the agent reported
	Info          backends.HostInfo
	AgentVersion  string
}

func (n *node) status() NodeStatus {
	return NodeStatus{NodeRecord: n.rec, State: n.state, Since: n.since, Connected: n.sess != nil,
		LastHeartbeat: n.lastBeat, Heartbeat: n.interval, Info: n.hello.Host, AgentVersion: n.hello.AgentVersion}
}

// Nodes lists every enrolled node, revoked ones included, by name.
func (r *Registry) Nodes(ctx context.Context) []NodeStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]NodeStatus, 0, len(r.nodes))
	for _, n := range r.nodes {
		out = append(out, n.status())
	}
	slices.SortFunc(out, func(a, b NodeStatus) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
	return out
}

// Node returns one node's status, or ErrNotFound.
func (r *Registry) Node(ctx context.Context, id string) (NodeStatus, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n, ok := r.nodes[id]
	if !ok {
		return NodeStatus{}, fmt.Errorf("node %s: %w", id, backends.ErrNotFound)
	}
	return n.status(), nil
}

// Hosts returns the hosts of the nodes that have a link and are not dead,
// by name. Each is a *agentbackend.MigratingHost when its agent can
// migrate.
func (r *Registry) Hosts(ctx context.Context) []backends.Host {
	r.mu.Lock()
	var live []*node
	for _, n := range r.nodes {
		if n.sess != nil && n.state != StateDead && !n.rec.Revoked() {
			live = append(live, n)
		}
	}
	r.mu.Unlock()
	slices.SortFunc(live, func(a, b *node) int {
		return cmp.Or(cmp.Compare(a.rec.Name, b.rec.Name), cmp.Compare(a.rec.ID, b.rec.ID))
	})
	hosts := make([]backends.Host, len(live))
	for i, n := range live {
		hosts[i] = n.host.Backend()
	}
	return hosts
}

// Host returns the host of an enrolled, unrevoked node, linked or not (its
// calls fail with ErrUnavailable while it has no link), or ErrNotFound.
func (r *Registry) Host(ctx context.Context, id string) (backends.Host, error) {
	r.mu.Lock()
	n, ok := r.nodes[id]
	revoked := ok && n.rec.Revoked()
	r.mu.Unlock()
	if !ok || revoked {
		return nil, fmt.Errorf("node %s: %w", id, backends.ErrNotFound)
	}
	return n.host.Backend(), nil
}

// Revoke revokes a node for good: its link is closed, its certificate is
// refused from now on, and the revocation persists. Enrolling it again
// needs Forget first.
func (r *Registry) Revoke(ctx context.Context, id string) error {
	r.mu.Lock()
	n, ok := r.nodes[id]
	if !ok {
		r.mu.Unlock()
		return fmt.Errorf("revoke node %s: %w", id, backends.ErrNotFound)
	}
	rec := n.rec
	r.mu.Unlock()
	if rec.Revoked() {
		return nil
	}
	rec.RevokedAt = r.cfg.Clock.Now()
	if err := r.cfg.Store.SaveNode(ctx, rec); err != nil {
		return fmt.Errorf("revoke node %s: %w", id, err)
	}
	r.mu.Lock()
	n.rec = rec
	sess := n.sess
	r.mu.Unlock()
	r.log.Warn("node revoked", "host", id, "name", rec.Name)
	if sess != nil {
		_ = sess.Close()
	}
	r.detach(n, sess, "revoked")
	return nil
}

// Forget removes a node's record, revoked or not, so it can enrol again
// with a new join token. Its current certificate stays refused.
func (r *Registry) Forget(ctx context.Context, id string) error {
	r.mu.Lock()
	n, ok := r.nodes[id]
	r.mu.Unlock()
	if !ok {
		return fmt.Errorf("forget node %s: %w", id, backends.ErrNotFound)
	}
	if err := r.Revoke(ctx, id); err != nil {
		return err
	}
	if err := r.cfg.Store.DeleteNode(ctx, id); err != nil {
		return fmt.Errorf("forget node %s: %w", id, err)
	}
	r.mu.Lock()
	if r.nodes[id] == n {
		delete(r.nodes, id)
	}
	r.mu.Unlock()
	return nil
}

// admit decides, during the TLS handshake, whether a client certificate
// may open the management link.
func (r *Registry) admit(id, serial string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	n, ok := r.nodes[id]
	switch {
	case !ok:
		return fmt.Errorf("node %s is not enrolled", id)
	case n.rec.Revoked():
		return fmt.Errorf("node %s is revoked", id)
	case n.rec.CertSerial != serial:
		return fmt.Errorf("node %s presented certificate %s, its current one is %s", id, serial, n.rec.CertSerial)
	}
	return nil
}
