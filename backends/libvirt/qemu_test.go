package libvirt_test

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	golibvirt "github.com/digitalocean/go-libvirt"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/backends/libvirt"
	"github.com/ferrum-virt/ferrum/backends/libvirt/testenv"
)

// qemuMain dials QEMU on the main daemon (which has cgroups), with the test
// guest kernel.
func qemuMain(t *testing.T) (*libvirt.Host, testenv.Env) {
	env := testenv.Start(t)
	return dial(t, env.QEMUURI, qemuOptions(env, "")), env
}

// defineVM defines a VM and removes it when the test ends.
func defineVM(t testing.TB, h backends.Host, spec backends.VMSpec) backends.VM {
	t.Helper()
	ctx := context.Background()
	vm, err := h.VMs().Define(ctx, spec)
	if err != nil {
		t.Fatalf("Define %s: %v", spec.Name, err)
	}
	t.Cleanup(func() {
		_ = h.VMs().Stop(ctx, vm.UUID)
		_ = h.VMs().Undefine(ctx, vm.UUID)
	})
	return vm
}

func vmName(t *testing.T) string {
	return strings.NewReplacer("/", "-", " ", "-").Replace(t.Name())
}

// TestWeightIsCPUShares checks a VM's weight reaches the cgroup of its
// running guest, as libvirt reads it back.
func TestWeightIsCPUShares(t *testing.T) {
	h, env := qemuMain(t)
	ctx := context.Background()
	vm := defineVM(t, h, backends.VMSpec{Name: vmName(t), VCPUs: 1, MemoryMiB: 256, Weight: 512})
	if err := h.VMs().Start(ctx, vm.UUID); err != nil {
		t.Fatal(err)
	}
	l := raw(t, env.QEMUURI)
	params, err := l.DomainGetSchedulerParametersFlags(lookup(t, l, vm.UUID), 8, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range params {
		if p.Field == "cpu_shares" {
			if got := p.Value.I.(uint64); got != 512*4 {
				t.Fatalf("cpu_shares = %d, want %d", got, 512*4)
			}
			if got, _ := h.VMs().Get(ctx, vm.UUID); got.Weight != 512 {
				t.Fatalf("Get reports weight %d", got.Weight)
			}
			return
		}
	}
	t.Fatalf("no cpu_shares in %+v", params)
}

// TestColdChangeKeepsAdministratorAdditions defines a domain with parts
// Ferrum does not model, changes it cold through the backend, and checks
// libvirt still has them.
func TestColdChangeKeepsAdministratorAdditions(t *testing.T) {
	h, env := qemuMain(t)
	ctx := context.Background()
	l := raw(t, env.QEMUURI)
	name := vmName(t)
	d, err := l.DomainDefineXML(fmt.Sprintf(`<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
		<name>%s</name><memory unit='MiB'>256</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os>
		<metadata><app:owner xmlns:app='https://example.org/app/1'>team-a</app:owner></metadata>
		<devices><controller type='usb' model='qemu-xhci'/></devices>
		<qemu:commandline><qemu:arg value='-no-user-config'/></qemu:commandline></domain>`, name))
	if err != nil {
		t.Fatal(err)
	}
	id := uuidOf(d)
	t.Cleanup(func() { _ = h.VMs().Undefine(ctx, id) })
	if err := h.VMs().SetVCPUs(ctx, id, 2); err != nil {
		t.Fatal(err)
	}
	text, err := l.DomainGetXMLDesc(d, golibvirt.DomainXMLInactive)
	if err != nil {
		t.Fatal(err)
	}
	for _, frag := range []string{"<qemu:arg value='-no-user-config'/>", "team-a", "qemu-xhci", ">2</vcpu>"} {
		if !strings.Contains(text, frag) {
			t.Errorf("after a cold change libvirt's definition lacks %s:\n%s", frag, text)
		}
	}
}

// TestGuestShutdown checks an ACPI shutdown request reaches the test guest
// and the VM reports the guest powered off.
func TestGuestShutdown(t *testing.T) {
	h, _ := qemuMain(t)
	ctx := context.Background()
	vm := defineVM(t, h, backends.VMSpec{Name: vmName(t), VCPUs: 1, MemoryMiB: 256})
	if err := h.VMs().Start(ctx, vm.UUID); err != nil {
		t.Fatal(err)
	}
	// The guest answers once its kernel has booted; ask until it does.
	deadline := time.Now().Add(90 * time.Second)
	for {
		err := h.VMs().Shutdown(ctx, vm.UUID, 5*time.Second)
		if err == nil {
			break
		}
		if !errors.Is(err, context.DeadlineExceeded) || time.Now().After(deadline) {
			t.Fatalf("Shutdown: %v", err)
		}
	}
	got, err := h.VMs().Get(ctx, vm.UUID)
	if err != nil || got.State != backends.StateOff || got.Reason != backends.ReasonShutdown {
		t.Fatalf("after Shutdown: %s/%s, %v", got.State, got.Reason, err)
	}
}

// liveBridge returns the host bridge a running VM's NIC is plugged into.
func liveBridge(t *testing.T, l *golibvirt.Libvirt, id, mac string) string {
	t.Helper()
	text, err := l.DomainGetXMLDesc(lookup(t, l, id), 0)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Interfaces []struct {
			MAC struct {
				Address string `xml:"address,attr"`
			} `xml:"mac"`
			Source struct {
				Bridge string `xml:"bridge,attr"`
			} `xml:"source"`
		} `xml:"devices>interface"`
	}
	if err := xml.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatal(err)
	}
	for _, i := range doc.Interfaces {
		if i.MAC.Address == mac {
			return i.Source.Bridge
		}
	}
	t.Fatalf("vm %s has no NIC %s", id, mac)
	return ""
}

// TestVLANSegmentsIsolatePorts checks ports on the same VLAN of an internal
// switch share a bridge that ports on another VLAN are not on, and that a
// live retag moves a port.
func TestVLANSegmentsIsolatePorts(t *testing.T) {
	h, env := qemuMain(t)
	ctx := context.Background()
	sw := "vlan-" + fmt.Sprint(time.Now().UnixNano()%1e6)
	if _, err := h.Switches().CreateSwitch(ctx, backends.SwitchSpec{Name: sw, Kind: backends.SwitchInternal}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Switches().DeleteSwitch(ctx, sw) })
	var vms []backends.VM
	for i, vlan := range []int{10, 10, 20} {
		vm := defineVM(t, h, backends.VMSpec{Name: fmt.Sprintf("%s-%d", vmName(t), i), VCPUs: 1, MemoryMiB: 256,
			NICs: []backends.NICSpec{{Switch: sw, VLAN: vlan}}})
		if err := h.VMs().Start(ctx, vm.UUID); err != nil {
			t.Fatal(err)
		}
		vms = append(vms, vm)
	}
	l := raw(t, env.QEMUURI)
	bridge := func(i int) string { return liveBridge(t, l, vms[i].UUID, vms[i].NICs[0].MAC) }
	if bridge(0) != bridge(1) || bridge(0) == bridge(2) {
		t.Fatalf("bridges %s, %s (VLAN 10) and %s (VLAN 20)", bridge(0), bridge(1), bridge(2))
	}
	if err := h.Switches().SetPortVLAN(ctx, sw, vms[2].NICs[0].MAC, 10); err != nil {
		t.Fatal(err)
	}
	if bridge(2) != bridge(0) {
		t.Fatalf("after retagging to VLAN 10 the port is on %s, VLAN 10 is %s", bridge(2), bridge(0))
	}
	ports, err := h.Switches().ListPorts(ctx, sw)
	if err != nil || len(ports) != 3 {
		t.Fatalf("ListPorts = %+v, %v", ports, err)
	}
	sws, err := h.Switches().ListSwitches(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sws {
		if strings.HasPrefix(s.Name, sw+"#") {
			t.Fatalf("segment %s listed as a switch", s.Name)
		}
	}
}

// TestMigrationCancel starts a slow live migration and cancels it: the VM
// keeps running on the source and is not left on the destination.
func TestMigrationCancel(t *testing.T) {
	env := testenv.Start(t)
	a, b := migrationPair(t, env)
	ctx := context.Background()
	vm := defineVM(t, a, backends.VMSpec{Name: vmName(t), VCPUs: 1, MemoryMiB: 256})
	if err := a.VMs().Start(ctx, vm.UUID); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second) // let the guest kernel fill some memory
	mctx, cancel := context.WithCancel(ctx)
	defer cancel()
	_, err := a.Migrate(mctx, vm.UUID, b, backends.MigrateOptions{Bandwidth: 1 << 20,
		Progress: func(p backends.MigrationProgress) { cancel() }})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Migrate = %v, want context.Canceled", err)
	}
	if got, err := a.VMs().Get(ctx, vm.UUID); err != nil || got.State != backends.StateRunning {
		t.Fatalf("on the source after cancel: %+v, %v", got.State, err)
	}
	if _, err := b.VMs().Get(ctx, vm.UUID); !errors.Is(err, backends.ErrNotFound) {
		t.Fatalf("on the destination after cancel: %v", err)
	}
}

// TestMigrationCheckRefusals checks each reason a destination refuses a VM,
// and that Migrate then fails with the error the contract names.
func TestMigrationCheckRefusals(t *testing.T) {
	env := testenv.Start(t)
	a, b := migrationPair(t, env)
	ctx := context.Background()
	pool := t.Name() + "-pool"
	if _, err := a.Storage().CreatePool(ctx, backends.PoolSpec{Name: pool, Type: backends.PoolDir, Path: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Storage().DeletePool(ctx, pool) })
	v, err := a.Storage().CreateVolume(ctx, pool, backends.VolumeSpec{Name: "d.qcow2", Capacity: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Storage().DeleteVolume(ctx, v.Ref) })
	full := dial(t, env.BURI, libvirt.Options{DomainType: "qemu", PeerURI: env.BPeer, MinMemoryMiB: 64,
		ReservedMiB: 1 << 30}) // B as seen by a host that counts all its memory as taken

	tests := []struct {
		name    string
		spec    backends.VMSpec
		dest    backends.Host
		refused func(backends.MigrationCheck) bool
		want    error
	}{
		{"a switch missing on the destination → ErrIncompatible", backends.VMSpec{
			NICs: []backends.NICSpec{{Switch: "zz-uplink"}}}, b,
			func(c backends.MigrationCheck) bool { return !c.NetworksPresent }, backends.ErrIncompatible},
		{"a disk on local storage → ErrIncompatible", backends.VMSpec{
			Disks: []backends.DiskSpec{{Volume: &v.Ref}}}, b,
			func(c backends.MigrationCheck) bool { return !c.StorageShared }, backends.ErrIncompatible},
		{"more memory than the destination has free → ErrInsufficientResources", backends.VMSpec{}, full,
			func(c backends.MigrationCheck) bool { return !c.MemoryFits }, backends.ErrInsufficientResources},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := tt.spec
			spec.Name, spec.VCPUs, spec.MemoryMiB = fmt.Sprintf("%s-%d", vmName(t), i), 1, 128
			vm := defineVM(t, a, spec)
			if err := a.VMs().Start(ctx, vm.UUID); err != nil {
				t.Fatal(err)
			}
			c, err := a.CheckMigration(ctx, vm.UUID, tt.dest)
			if err != nil || c.OK || !tt.refused(c) || len(c.Reasons) == 0 {
				t.Fatalf("CheckMigration = %+v, %v", c, err)
			}
			if _, err := a.Migrate(ctx, vm.UUID, tt.dest, backends.MigrateOptions{}); !errors.Is(err, tt.want) {
				t.Fatalf("Migrate = %v, want %v", err, tt.want)
			}
			if got, _ := a.VMs().Get(ctx, vm.UUID); got.State != backends.StateRunning {
				t.Fatalf("the VM is %s on the source after a refused migration", got.State)
			}
		})
	}
}

// TestPoolsOnExternalStorage checks pools whose source this machine lacks
// (an LVM volume group, an iSCSI target, a block device) are defined and
// reported, inactive, and can be deleted.
func TestPoolsOnExternalStorage(t *testing.T) {
	h, _ := qemuMain(t)
	ctx := context.Background()
	info, err := h.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	specs := []backends.PoolSpec{
		{Name: "ext-lvm", Type: "logical", Source: "ferrum-no-such-vg"},
		{Name: "ext-iscsi", Type: "iscsi", Source: "127.0.0.1:3260/iqn.2026-01.org.ferrum:none"},
		{Name: "ext-fs", Type: "fs", Path: t.TempDir(), Source: "/dev/ferrum-no-such-disk"},
	}
	for _, spec := range specs {
		t.Run(spec.Type, func(t *testing.T) {
			if !slices.Contains(info.Caps.PoolTypes, spec.Type) {
				t.Skipf("the daemon has no %s storage backend (declared: %v)", spec.Type, info.Caps.PoolTypes)
			}
			p, err := h.Storage().CreatePool(ctx, spec)
			if err != nil {
				t.Fatalf("CreatePool %+v: %v", spec, err)
			}
			if p.Name != spec.Name || p.Type != spec.Type || p.Source != spec.Source || p.Volumes != 0 {
				t.Fatalf("created %+v from %+v", p, spec)
			}
			if err := h.Storage().DeletePool(ctx, spec.Name); err != nil {
				t.Fatal(err)
			}
			if _, err := h.Storage().GetPool(ctx, spec.Name); !errors.Is(err, backends.ErrNotFound) {
				t.Fatalf("GetPool after DeletePool: %v", err)
			}
		})
	}
}

// TestMigrationNotConverged migrates a guest that rewrites 64 MiB without
// pause over a 32 MiB/s link: past MaxRounds Migrate aborts the job with
// ErrNotConverged and the guest keeps running on the source.
func TestMigrationNotConverged(t *testing.T) {
	env := testenv.Start(t)
	_, b := migrationPair(t, env)
	opts := qemuOptions(env, env.APeer)
	opts.GuestKernel.Cmdline += " ferrum.dirty=64"
	a := dial(t, env.AURI, opts)
	ctx := context.Background()
	vm := defineVM(t, a, backends.VMSpec{Name: vmName(t), VCPUs: 1, MemoryMiB: 256})
	if err := a.VMs().Start(ctx, vm.UUID); err != nil {
		t.Fatal(err)
	}
	time.Sleep(8 * time.Second) // the guest boots and starts dirtying
	var rounds []int
	res, err := a.Migrate(ctx, vm.UUID, b, backends.MigrateOptions{Bandwidth: 32 << 20, MaxRounds: 3,
		Progress: func(p backends.MigrationProgress) { rounds = append(rounds, p.Round) }})
	if !errors.Is(err, backends.ErrNotConverged) {
		t.Fatalf("Migrate = %+v, %v; want ErrNotConverged", res, err)
	}
	if res.Rounds <= 3 || len(rounds) == 0 {
		t.Fatalf("gave up after %d rounds (progress %v), want more than 3", res.Rounds, rounds)
	}
	if got, err := a.VMs().Get(ctx, vm.UUID); err != nil || got.State != backends.StateRunning {
		t.Fatalf("on the source: %s, %v", got.State, err)
	}
	if _, err := b.VMs().Get(ctx, vm.UUID); !errors.Is(err, backends.ErrNotFound) {
		t.Fatalf("on the destination: %v", err)
	}
}
