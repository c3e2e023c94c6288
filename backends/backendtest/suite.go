// Package backendtest is the conformance suite every Ferrum backend passes,
// in the manner of containerd's snapshotter test suite: one set of tests,
// written against the backends contract only, run by each backend's own
// tests (the simulator, libvirt's test driver and QEMU, the remote agent).
//
// Tests skip only what a host declares it cannot do in its Capabilities,
// never what it fails to do. Waits use context deadlines rather than fixed
// sleeps, and guest-dependent outcomes (a graceful shutdown a guest without
// ACPI ignores) accept every answer the contract allows.
package backendtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/backends"
)

// Option adjusts the suite.
type Option func(*config)

type config struct {
	newPair func(t *testing.T) (src, dst backends.Host)
	timeout time.Duration
}

// WithPair enables the migration tests: newPair returns two hosts a VM can
// migrate between (same CPU vendor, shared networks).
func WithPair(newPair func(t *testing.T) (src, dst backends.Host)) Option {
	return func(c *config) { c.newPair = newPair }
}

// WithTimeout bounds each test's context (default one minute).
func WithTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// Run runs the conformance suite. newHost is called once per test and must
// return a host the test may freely define VMs, pools and switches on; the
// suite removes what it created.
func Run(t *testing.T, newHost func(t *testing.T) backends.Host, opts ...Option) {
	cfg := config{timeout: time.Minute}
	for _, o := range opts {
		o(&cfg)
	}
	groups := []struct {
		name string
		run  func(t *testing.T, mk func(*testing.T) *fixture)
	}{
		{"Inventory", testInventory},
		{"Define", testDefine},
		{"Lifecycle", testLifecycle},
		{"Reconfigure", testReconfigure},
		{"Storage", testStorage},
		{"Switches", testSwitches},
		{"Stats", testStats},
		{"Events", testEvents},
		{"Snapshots", testSnapshots},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			g.run(t, func(t *testing.T) *fixture { return newFixture(t, newHost(t), cfg) })
		})
	}
	t.Run("Migration", func(t *testing.T) {
		if cfg.newPair == nil {
			t.Skip("no host pair given (backendtest.WithPair); migration is not tested")
		}
		testMigration(t, func(t *testing.T) (*fixture, *fixture) {
			src, dst := cfg.newPair(t)
			return newFixture(t, src, cfg), newFixture(t, dst, cfg)
		})
	})
}

// fixture is one test's host with helpers that clean up after themselves.
type fixture struct {
	t    *testing.T
	ctx  context.Context
	h    backends.Host
	info backends.HostInfo
}

func newFixture(t *testing.T, h backends.Host, cfg config) *fixture {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
	t.Cleanup(cancel)
	info, err := h.Info(ctx)
	if err != nil {
		t.Fatalf("Info: %v", err)
	}
	return &fixture{t: t, ctx: ctx, h: h, info: info}
}

var seq atomic.Int64

// name returns a name no other test object uses.
func name(kind string) string {
	return fmt.Sprintf("ferrumtest-%s-%d-%d", kind, os.Getpid(), seq.Add(1))
}

// memory is the smallest memory the host accepts.
func (f *fixture) memory() uint64 { return max(f.info.Limits.MinMemoryMiB, 256) }

// spec returns a minimal valid spec, changed by the mutators.
func (f *fixture) spec(mut ...func(*backends.VMSpec)) backends.VMSpec {
	s := backends.VMSpec{Name: name("vm"), VCPUs: 1, MemoryMiB: f.memory()}
	for _, m := range mut {
		m(&s)
	}
	return s
}

// define defines a VM and removes it when the test ends.
func (f *fixture) define(s backends.VMSpec) backends.VM {
	f.t.Helper()
	vm, err := f.h.VMs().Define(f.ctx, s)
	if err != nil {
		f.t.Fatalf("Define %q: %v", s.Name, err)
	}
	f.cleanupVM(vm.UUID)
	return vm
}

// cleanupVM stops and undefines id at the end of the test, wherever it is.
func (f *fixture) cleanupVM(id string) {
	f.t.Cleanup(func() {
		ctx := context.Background()
		vms := f.h.VMs()
		if vm, err := vms.Get(ctx, id); err == nil && vm.State.Active() {
			_ = vms.Stop(ctx, id)
		}
		_ = vms.Undefine(ctx, id)
	})
}

// running defines and starts a VM.
func (f *fixture) running(mut ...func(*backends.VMSpec)) backends.VM {
	f.t.Helper()
	vm := f.define(f.spec(mut...))
	if err := f.h.VMs().Start(f.ctx, vm.UUID); err != nil {
		f.t.Fatalf("Start %s: %v", vm.Name, err)
	}
	return vm
}

func (f *fixture) get(id string) backends.VM {
	f.t.Helper()
	vm, err := f.h.VMs().Get(f.ctx, id)
	if err != nil {
		f.t.Fatalf("Get %s: %v", id, err)
	}
	return vm
}

func (f *fixture) wantState(id string, want backends.State) {
	f.t.Helper()
	if got := f.get(id).State; got != want {
		f.t.Fatalf("vm %s state = %s, want %s", id, got, want)
	}
}

// switchName returns a switch VMs can use, creating an internal one if the
// host has none.
func (f *fixture) switchName() string {
	f.t.Helper()
	sws, err := f.h.Switches().ListSwitches(f.ctx)
	if err != nil {
		f.t.Fatalf("ListSwitches: %v", err)
	}
	if len(sws) > 0 {
		return sws[0].Name
	}
	return f.createSwitch(backends.SwitchSpec{Name: name("sw"), Kind: backends.SwitchInternal}).Name
}

func (f *fixture) createSwitch(spec backends.SwitchSpec) backends.Switch {
	f.t.Helper()
	sw, err := f.h.Switches().CreateSwitch(f.ctx, spec)
	if err != nil {
		f.t.Fatalf("CreateSwitch %+v: %v", spec, err)
	}
	f.t.Cleanup(func() { _ = f.h.Switches().DeleteSwitch(context.Background(), spec.Name) })
	return sw
}

// pool creates a dir pool in a temporary directory, or falls back to the
// host's first pool when it cannot create one.
func (f *fixture) pool() string {
	f.t.Helper()
	spec := backends.PoolSpec{Name: name("pool"), Type: backends.PoolDir, Path: f.t.TempDir(), Capacity: 64 << 30}
	if slices.Contains(f.info.Caps.PoolTypes, backends.PoolDir) {
		if _, err := f.h.Storage().CreatePool(f.ctx, spec); err == nil {
			f.t.Cleanup(func() { _ = f.h.Storage().DeletePool(context.Background(), spec.Name) })
			return spec.Name
		} else if !errors.Is(err, backends.ErrUnsupported) && !errors.Is(err, backends.ErrInsufficientResources) {
			f.t.Fatalf("CreatePool %+v: %v", spec, err)
		}
	}
	pools, err := f.h.Storage().ListPools(f.ctx)
	if err != nil || len(pools) == 0 {
		f.t.Fatalf("no pool to test volumes in: %v", err)
	}
	return pools[0].Name
}

// volume creates a volume and deletes it when the test ends.
func (f *fixture) volume(pool string, capacity uint64) backends.Volume {
	f.t.Helper()
	v, err := f.h.Storage().CreateVolume(f.ctx, pool, backends.VolumeSpec{Name: name("vol") + ".qcow2", Capacity: capacity})
	if err != nil {
		f.t.Fatalf("CreateVolume in %s: %v", pool, err)
	}
	f.t.Cleanup(func() { _ = f.h.Storage().DeleteVolume(context.Background(), v.Ref) })
	return v
}

// wantErr fails unless err matches target.
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: error = %v, want %v", what, err, target)
	}
}

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}
