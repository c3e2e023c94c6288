package migration

import (
	"testing"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

func isMigratable(t *testing.T, out cim.Params) bool {
	t.Helper()
	v, ok := out.Get("IsMigratable")
	b, isBool := v.AsBool()
	if !ok || !isBool {
		t.Fatalf("no IsMigratable in %v", out)
	}
	return b
}

func TestCheckAnswersWhetherTheDestinationFits(t *testing.T) {
	f := newFixture(t, Options{})
	vm := f.runningVM(f.src, "web", 2048)
	short := f.DC.Host(0)
	for _, h := range f.DC.Hosts() {
		if h != f.src && h != f.dst && h != f.alien {
			short = h
		}
	}
	f.hog(short, 1024) // 1 GiB left for a 2 GiB VM
	tests := []struct {
		name   string
		method string
		in     cim.Params
		want   bool
	}{
		{"same vendor by host name", "CheckVirtualSystemIsMigratableToHost", toHost(vm.UUID, hostname(f.dst), nil), true},
		{"same vendor by reference", "CheckVirtualSystemIsMigratableToSystem", toSystem(vm.UUID, f.dst.ID(), nil), true},
		{"other CPU vendor", "CheckVirtualSystemIsMigratableToSystem", toSystem(vm.UUID, f.alien.ID(), nil), false},
		{"not enough memory", "CheckVirtualSystemIsMigratableToHost", toHost(vm.UUID, short.ID(), nil), false},
		{"not enough memory by reference", "CheckVirtualSystemIsMigratableToSystem", toSystem(vm.UUID, short.ID(), nil), false},
	}
	for _, tc := range tests {
		code, out := f.invoke(f.src, tc.method, tc.in)
		if code != 0 {
			t.Errorf("%s: %s returned %d", tc.name, tc.method, code)
			continue
		}
		if got := isMigratable(t, out); got != tc.want {
			t.Errorf("%s: IsMigratable %v, want %v", tc.name, got, tc.want)
		}
	}
	f.requireOn(f.src, vm.UUID, "running")
}

func TestCheckRefusesMalformedCallsWithoutAnAnswer(t *testing.T) {
	f := newFixture(t, Options{})
	vm := f.runningVM(f.src, "web", 1024)
	tests := []struct {
		name string
		in   cim.Params
		code uint32
	}{
		{"unknown vm", toHost("00000000-0000-0000-0000-000000000000", f.dst.ID(), nil), 4},
		{"unknown destination", toHost(vm.UUID, "nowhere.example", nil), 4},
		{"malformed destination", toHost(vm.UUID, "not a host/name", nil), 4},
		{"its own host", toHost(vm.UUID, f.src.ID(), nil), 4},
		{"bad MigrationType", toHost(vm.UUID, f.dst.ID(), msd("MigrationType", cim.Uint16(9))), 4},
	}
	for _, tc := range tests {
		code, out := f.invoke(f.src, "CheckVirtualSystemIsMigratableToHost", tc.in)
		if code != tc.code {
			t.Errorf("%s: returned %d, want %d", tc.name, code, tc.code)
		}
		if _, ok := out.Get("IsMigratable"); ok {
			t.Errorf("%s: IsMigratable reported with code %d", tc.name, code)
		}
	}
}
