package libvirt

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"

	golibvirt "github.com/digitalocean/go-libvirt"

	"github.com/ferrum-virt/ferrum/backends"
)

// Options configure a Host.
type Options struct {
	// Socket is the daemon's unix socket for a URI without a host, such as
	// "qemu:///system"; empty means the URI's ?socket= parameter or
	// libvirt's default, /var/run/libvirt/libvirt-sock.
	Socket string
	// PeerURI is how other libvirt daemons reach this one, for peer-to-peer
	// migration to it (e.g. "qemu+tcp://10.0.0.2/system"). Empty means the
	// dialed URI when it names a TCP host. A Host with neither cannot be a
	// live-migration destination.
	PeerURI string
	// DomainType forces the guest type of new domains: "qemu" for QEMU's
	// emulator (TCG) on a host whose /dev/kvm exists but is not usable.
	// Empty means the best the daemon offers: kvm, then qemu.
	DomainType string
	// GuestKernel, when set, boots every VM this Host defines directly from
	// a kernel and initrd instead of its boot devices. It exists for test
	// environments whose guests have no disks: the test guest is a tiny
	// Linux that answers ACPI power-off and releases hot-unplugged devices,
	// which a guest without an OS never does. Production hosts leave it nil.
	GuestKernel *KernelBoot
	// MinMemoryMiB is the smallest memory the host gives a VM; 0 means
	// backends.MinMemoryMiB.
	MinMemoryMiB uint64
	// ReservedMiB is host memory kept for the hypervisor and never counted
	// as free for VMs.
	ReservedMiB uint64
	// DetachTimeout bounds how long a hot unplug waits for the guest to
	// release the device; 0 means 10 seconds.
	DetachTimeout time.Duration
	// Logger receives the backend's logs; nil means slog.Default().
	Logger *slog.Logger
}

// KernelBoot is a kernel, initrd and command line QEMU boots directly.
type KernelBoot struct {
	Kernel, Initrd, Cmdline string // paths on the daemon's host
}

// A Host is one libvirt daemon connection (one hypervisor driver) seen as a
// backends.Host. It implements backends.Migrator and backends.Snapshots. It
// is safe for concurrent use; Close ends it.
type Host struct {
	l       *golibvirt.Libvirt
	uri     string
	peerURI string
	opts    Options
	log     *slog.Logger
	driver  driverKind
	machine machine
	static  backends.HostInfo // hardware and capabilities read at Dial

	// mu serialises the changes whose checks span VMs: name, UUID and MAC
	// uniqueness, volume and port references.
	mu   sync.Mutex
	hub  backends.Hub
	seen sync.Map // VM UUID → vmSeen, its last lifecycle event

	stopEvents context.CancelFunc
	eventsDone chan struct{}
}

var (
	_ backends.Host     = (*Host)(nil)
	_ backends.Migrator = (*Host)(nil)
)

// Dial connects to a libvirt daemon and returns its hypervisor as a Host.
// Accepted URIs:
//
//	test:///default, test+unix:///default?socket=/path   the test driver through libvirtd
//	qemu:///system, qemu+unix:///system?socket=/path     QEMU/KVM through a local socket
//	qemu+tcp://host[:port]/system, test+tcp://...         through libvirtd's TCP listener
//
// The connection stays open until Close. Dial fails with ErrInvalidArgument
// for a malformed URI, ErrUnsupported for another driver or transport, and
// ErrUnavailable when the daemon cannot be reached.
func Dial(ctx context.Context, uri string, opts Options) (*Host, error) {
	u, err := url.Parse(uri)
	if err != nil {
		return nil, fmt.Errorf("libvirt uri %q: %w", uri, backends.ErrInvalidArgument)
	}
	d, err := newDialer(ctx, u, opts.Socket)
	if err != nil {
		return nil, fmt.Errorf("libvirt uri %q: %w", uri, err)
	}
	l := golibvirt.NewWithDialer(d)
	if err := l.ConnectToURI(golibvirt.RemoteURI(u)); err != nil {
		return nil, fmt.Errorf("connect %s: %w: %w", uri, backends.ErrUnavailable, classify(err))
	}
	h := &Host{l: l, uri: uri, peerURI: opts.PeerURI, opts: opts, log: opts.Logger}
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.opts.DetachTimeout <= 0 {
		h.opts.DetachTimeout = 10 * time.Second
	}
	if h.peerURI == "" && strings.HasSuffix(u.Scheme, "+tcp") {
		h.peerURI = (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
	}
	if err := h.discover(ctx); err != nil {
		_ = l.Disconnect()
		return nil, fmt.Errorf("discover %s: %w", uri, err)
	}
	if err := h.startEvents(); err != nil {
		_ = l.Disconnect()
		return nil, fmt.Errorf("subscribe to events of %s: %w", uri, err)
	}
	h.log.Debug("libvirt host connected", slog.String("host", h.static.Hostname), slog.String("uri", uri),
		slog.String("driver", string(h.driver)))
	return h, nil
}

// dialer connects go-libvirt's RPC client within the context given to Dial.
type dialer struct {
	ctx           context.Context
	network, addr string
}

func (d dialer) Dial() (net.Conn, error) {
	var nd net.Dialer
	return nd.DialContext(d.ctx, d.network, d.addr)
}

func newDialer(ctx context.Context, u *url.URL, socket string) (dialer, error) {
	driver, transport, _ := strings.Cut(u.Scheme, "+")
	if driver != "qemu" && driver != "test" {
		return dialer{}, fmt.Errorf("driver %q: %w", driver, backends.ErrUnsupported)
	}
	switch transport {
	case "", "unix":
		if u.Host != "" {
			return dialer{}, fmt.Errorf("remote host without a transport (use +tcp): %w", backends.ErrUnsupported)
		}
		if socket == "" {
			socket = u.Query().Get("socket")
		}
		if socket == "" {
			socket = "/var/run/libvirt/libvirt-sock"
		}
		return dialer{ctx, "unix", socket}, nil
	case "tcp":
		port := u.Port()
		if port == "" {
			port = "16509"
		}
		return dialer{ctx, "tcp", net.JoinHostPort(u.Hostname(), port)}, nil
	}
	return dialer{}, fmt.Errorf("transport %q: %w", transport, backends.ErrUnsupported)
}

// Close ends the event stream and the connection.
func (h *Host) Close() error {
	// Disconnect first: the daemon drops the connection's event callbacks
	// itself, and go-libvirt then ends the event streams. Cancelling them
	// first would send callback deregistrations that race with the close
	// on the daemon's side, where libvirtd 9.0 can crash freeing the client.
	err := h.l.Disconnect()
	h.stopEvents()
	<-h.eventsDone
	return err
}

// ID returns the host's UUID.
func (h *Host) ID() string { return h.static.ID }

// String names the host for logs.
func (h *Host) String() string { return h.static.Hostname + "(" + h.uri + ")" }

// URI returns the URI the host was dialed with.
func (h *Host) URI() string { return h.uri }

// VMs returns the host's virtual server manager.
func (h *Host) VMs() backends.VMManager { return (*vmAPI)(h) }

// Storage returns the host's storage manager.
func (h *Host) Storage() backends.StorageManager { return (*storageAPI)(h) }

// Switches returns the host's switch manager.
func (h *Host) Switches() backends.SwitchManager { return (*switchAPI)(h) }

// vmAPI, storageAPI and switchAPI are views of a Host implementing the
// manager interfaces without allocating.
type (
	vmAPI      Host
	storageAPI Host
	switchAPI  Host
)

// alive fails with ctx's error once it is done, and with ErrUnavailable once
// the connection is lost; every operation starts with it, since go-libvirt
// calls cannot be interrupted.
func (h *Host) alive(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !h.l.IsConnected() {
		return fmt.Errorf("%s: connection lost: %w", h, backends.ErrUnavailable)
	}
	return nil
}

// logOp logs a change with the project's stable keys.
func (h *Host) logOp(op, vm string, args ...any) {
	h.log.Debug("libvirt "+op, append([]any{slog.String("op", op), slog.String("host", h.static.Hostname),
		slog.String("vm", vm)}, args...)...)
}
