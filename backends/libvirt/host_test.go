package libvirt_test

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"testing"
	"time"

	golibvirt "github.com/digitalocean/go-libvirt"
	"github.com/google/uuid"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/backends/libvirt"
	"github.com/ferrum-virt/ferrum/backends/libvirt/testenv"
)

func TestDial(t *testing.T) {
	env := testenv.Start(t)
	sock := url.QueryEscape(env.Dir + "/main/sock/libvirt-sock")
	tests := []struct {
		name string
		uri  string
		opts libvirt.Options
		hv   string // hypervisor name, or "" when Dial must fail
		err  error
	}{
		{"test driver through the daemon's unix socket", env.TestURI, libvirt.Options{}, "TEST", nil},
		{"test driver through the daemon's TCP listener", "test+tcp://" + env.TCP + "/default", libvirt.Options{}, "TEST", nil},
		{"qemu:///system through a given socket", "qemu:///system", libvirt.Options{Socket: env.Dir + "/main/sock/libvirt-sock"}, "QEMU", nil},
		{"qemu+unix with ?socket=", "qemu+unix:///system?socket=" + sock, libvirt.Options{}, "QEMU", nil},
		{"qemu+tcp on loopback", "qemu+tcp://" + env.TCP + "/system", libvirt.Options{}, "QEMU", nil},
		{"another driver → ErrUnsupported", "lxc:///system", libvirt.Options{}, "", backends.ErrUnsupported},
		{"the ssh transport → ErrUnsupported", "qemu+ssh://h/system", libvirt.Options{}, "", backends.ErrUnsupported},
		{"a socket nobody listens on → ErrUnavailable", "qemu:///system", libvirt.Options{Socket: t.TempDir() + "/none"}, "",
			backends.ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			h, err := libvirt.Dial(ctx, tt.uri, tt.opts)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("Dial(%s) = %v, want %v", tt.uri, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Dial(%s): %v", tt.uri, err)
			}
			defer h.Close()
			info, err := h.Info(ctx)
			if err != nil || info.Hypervisor.Name != tt.hv {
				t.Fatalf("Info = %+v, %v; want hypervisor %s", info.Hypervisor, err, tt.hv)
			}
		})
	}
}

// TestCapabilitiesDeclared checks each driver declares what it can do and
// nothing more.
func TestCapabilitiesDeclared(t *testing.T) {
	env := testenv.Start(t)
	ctx := context.Background()
	testInfo, err := dial(t, env.TestURI, libvirt.Options{}).Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	qemuInfo, err := dial(t, env.QEMUURI, libvirt.Options{DomainType: "qemu"}).Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name string
		ok   bool
	}{
		{"the test driver declares no migration", !testInfo.Caps.LiveMigration && !testInfo.Caps.OfflineMigration},
		{"the test driver declares no device hot-plug", !testInfo.Caps.HotplugDisk && !testInfo.Caps.HotplugNIC},
		{"the test driver declares no volume streams nor resize", !testInfo.Caps.ImportExport && !testInfo.Caps.VolumeResize},
		{"QEMU declares live and offline migration", qemuInfo.Caps.LiveMigration && qemuInfo.Caps.OfflineMigration},
		{"QEMU declares every hot-plug", qemuInfo.Caps.HotplugVCPU && qemuInfo.Caps.HotplugMemory &&
			qemuInfo.Caps.HotplugDisk && qemuInfo.Caps.HotplugNIC},
		{"QEMU offers VNC", slices.Contains(qemuInfo.Caps.Graphics, backends.GraphicsVNC)},
		{"QEMU offers dir pools", slices.Contains(qemuInfo.Caps.PoolTypes, backends.PoolDir)},
		{"QEMU host has the daemon's host UUID", qemuInfo.ID == "f0000000-0000-4000-8000-00000000000f"},
		{"QEMU host lists its NICs", len(qemuInfo.NICs) > 0},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if !c.ok {
				t.Fatalf("test driver %+v\nQEMU %+v", testInfo, qemuInfo)
			}
		})
	}
}

// raw opens a plain go-libvirt connection, to look at what the backend did
// from libvirt's side.
func raw(t *testing.T, uri string) *golibvirt.Libvirt {
	t.Helper()
	u, err := url.Parse(uri)
	if err != nil {
		t.Fatal(err)
	}
	l, err := golibvirt.ConnectToURI(u)
	if err != nil {
		t.Fatalf("connect %s: %v", uri, err)
	}
	t.Cleanup(func() { _ = l.Disconnect() })
	return l
}

func lookup(t *testing.T, l *golibvirt.Libvirt, id string) golibvirt.Domain {
	t.Helper()
	d, err := l.DomainLookupByUUID(golibvirt.UUID(uuid.MustParse(id)))
	if err != nil {
		t.Fatalf("lookup %s: %v", id, err)
	}
	return d
}

func uuidOf(d golibvirt.Domain) string { return uuid.UUID(d.UUID).String() }
