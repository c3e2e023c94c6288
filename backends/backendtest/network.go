package backendtest

import (
	"testing"

	"github.com/ferrum-virt/ferrum/backends"
)

func testSwitches(t *testing.T, mk func(*testing.T) *fixture) {
	t.Run("CreateSwitch makes an internal switch; a second with its name → ErrConflict", func(t *testing.T) {
		f := mk(t)
		spec := backends.SwitchSpec{Name: name("sw"), Kind: backends.SwitchInternal}
		sw := f.createSwitch(spec)
		if sw.Name != spec.Name || sw.Kind != backends.SwitchInternal || sw.Ports != 0 {
			t.Fatalf("created %+v", sw)
		}
		_, err := f.h.Switches().CreateSwitch(f.ctx, spec)
		wantErr(t, "CreateSwitch", err, backends.ErrConflict)
	})
	t.Run("an external switch on a NIC the host lacks → ErrNotFound", func(t *testing.T) {
		f := mk(t)
		_, err := f.h.Switches().CreateSwitch(f.ctx, backends.SwitchSpec{Name: name("ext"),
			Kind: backends.SwitchExternal, Uplink: "no-such-nic9"})
		wantErr(t, "CreateSwitch", err, backends.ErrNotFound)
	})
	t.Run("an external switch on an uplink already bridged → ErrConflict", func(t *testing.T) {
		f := mk(t)
		sws, err := f.h.Switches().ListSwitches(f.ctx)
		must(t, "ListSwitches", err)
		for _, sw := range sws {
			if sw.Kind == backends.SwitchExternal && sw.Uplink != "" {
				_, err := f.h.Switches().CreateSwitch(f.ctx, backends.SwitchSpec{Name: name("ext"),
					Kind: backends.SwitchExternal, Uplink: sw.Uplink})
				wantErr(t, "CreateSwitch", err, backends.ErrConflict)
				return
			}
		}
		t.Skip("host has no external switch to share an uplink with")
	})
	t.Run("a VM NIC is a port carrying its VLAN, and SetPortVLAN retags it", func(t *testing.T) {
		f := mk(t)
		sw := f.createSwitch(backends.SwitchSpec{Name: name("sw"), Kind: backends.SwitchInternal}).Name
		vm := f.define(f.spec(func(s *backends.VMSpec) { s.NICs = []backends.NICSpec{{Switch: sw, VLAN: 100}} }))
		mac := vm.NICs[0].MAC
		ports, err := f.h.Switches().ListPorts(f.ctx, sw)
		must(t, "ListPorts", err)
		if len(ports) != 1 || ports[0].MAC != mac || ports[0].VLAN != 100 || ports[0].VM != vm.UUID {
			t.Fatalf("ports = %+v", ports)
		}
		must(t, "SetPortVLAN", f.h.Switches().SetPortVLAN(f.ctx, sw, mac, 200))
		if got := f.get(vm.UUID).NICs[0].VLAN; got != 200 {
			t.Fatalf("VLAN after retag = %d", got)
		}
		wantErr(t, "SetPortVLAN 4095", f.h.Switches().SetPortVLAN(f.ctx, sw, mac, 4095), backends.ErrInvalidArgument)
		wantErr(t, "SetPortVLAN of an unknown MAC",
			f.h.Switches().SetPortVLAN(f.ctx, sw, "52:54:00:ff:ff:fe", 1), backends.ErrNotFound)
		wantErr(t, "DeleteSwitch with a port", f.h.Switches().DeleteSwitch(f.ctx, sw), backends.ErrConflict)
	})
	t.Run("a MAC is unique: a second VM with it → ErrConflict, until the first frees it", func(t *testing.T) {
		f := mk(t)
		sw := f.switchName()
		const mac = "52:54:00:12:34:56"
		first := f.define(f.spec(func(s *backends.VMSpec) { s.NICs = []backends.NICSpec{{Switch: sw, MAC: mac}} }))
		_, err := f.h.VMs().Define(f.ctx, f.spec(func(s *backends.VMSpec) { s.NICs = []backends.NICSpec{{Switch: sw, MAC: mac}} }))
		wantErr(t, "Define with the same MAC", err, backends.ErrConflict)
		other := f.define(f.spec())
		_, err = f.h.VMs().AttachNIC(f.ctx, other.UUID, backends.NICSpec{Switch: sw, MAC: mac})
		wantErr(t, "AttachNIC with the same MAC", err, backends.ErrConflict)
		must(t, "DetachNIC", f.h.VMs().DetachNIC(f.ctx, first.UUID, mac))
		_, err = f.h.VMs().AttachNIC(f.ctx, other.UUID, backends.NICSpec{Switch: sw, MAC: mac})
		must(t, "AttachNIC after the MAC was freed", err)
	})
	t.Run("DeleteSwitch of an unknown switch → ErrNotFound", func(t *testing.T) {
		f := mk(t)
		wantErr(t, "DeleteSwitch", f.h.Switches().DeleteSwitch(f.ctx, name("none")), backends.ErrNotFound)
	})
}
