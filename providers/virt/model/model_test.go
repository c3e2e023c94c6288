package model

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
)

func TestByteMultiplier(t *testing.T) {
	tests := []struct {
		units string
		want  uint64
		ok    bool
	}{
		{"byte*2^20", 1 << 20, true},
		{"byte * 2^20", 1 << 20, true},
		{"bytes*2^30", 1 << 30, true},
		{"byte*10^6", 1e6, true},
		{"byte*1024", 1024, true},
		{"byte*2^10*1024", 1 << 20, true},
		{"MegaBytes", 1 << 20, true},
		{"KiloBytes", 1 << 10, true},
		{"GigaBytes", 1 << 30, true},
		{"Bytes", 1, true},
		{"MB", 1 << 20, true},
		{"byte*2^70", 0, false},
		{"percent", 0, false},
		{"byte*", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.units, func(t *testing.T) {
			got, ok := ByteMultiplier(tt.units)
			if got != tt.want || ok != tt.ok {
				t.Fatalf("ByteMultiplier(%q) = %d, %v; want %d, %v", tt.units, got, ok, tt.want, tt.ok)
			}
		})
	}
	if mib, ok := ToMiB(1536, "KiloBytes"); !ok || mib != 2 {
		t.Errorf("1536 KiB = %d MiB, want 2 (rounded up)", mib)
	}
}

func TestIDsRoundTrip(t *testing.T) {
	const vm, host = "6f1c0e2a-1b7e-4a57-9d0e-2c1f0b9c8a71", "0b1d9c3e-5d55-4c57-a2c1-7a8e3e8a2b10"
	if got, ok := ParseVSSDInstanceID(VSSDInstanceID(vm)); !ok || got != vm {
		t.Errorf("VSSD %q %v", got, ok)
	}
	if v, d, ok := ParseElementID(ElementID(vm, "52:54:00:12:34:56")); !ok || v != vm || d != "52:54:00:12:34:56" {
		t.Errorf("element %q %q %v", v, d, ok)
	}
	if n, ok := ParseProcessorDevice(ProcessorDevice(3)); !ok || n != 3 {
		t.Errorf("processor %d %v", n, ok)
	}
	for _, tc := range []struct {
		k    Kind
		name string
	}{{KindProcessor, ""}, {KindDisk, "san"}, {KindNetwork, "external"}} {
		id := PoolID(host, tc.k, tc.name)
		h, k, name, ok := ParsePoolID(id)
		if !ok || h != host || k != tc.k || name != tc.name {
			t.Errorf("pool %s → %q %v %q %v", id, h, k, name, ok)
		}
		p, role, ok := ParseCapSettingID(CapSettingID(id, RoleMaximum))
		if !ok || p != id || role != RoleMaximum {
			t.Errorf("cap setting of %s → %q %q %v", id, p, role, ok)
		}
	}
	for _, bad := range []string{"Ferrum:" + host + "/NoSuchPool", "x/y", VSSDInstanceID(vm)} {
		if _, _, _, ok := ParsePoolID(bad); ok {
			t.Errorf("ParsePoolID(%q) accepted", bad)
		}
	}
	if _, _, ok := ParseElementID(VSSDInstanceID(vm)); ok {
		t.Error("a VSSD InstanceID parsed as an element")
	}
	if h, ok := VSMSHostOf(VSMSPath(host)); !ok || h != host {
		t.Errorf("VSMS host %q", h)
	}
	if v, d, ok := DeviceOf(DevicePath(ClassLogicalDisk, vm, "vda")); !ok || v != vm || d != "vda" {
		t.Errorf("device %q %q", v, d)
	}
}

func TestErrorTable(t *testing.T) {
	define := &cim.Method{Name: "DefineSystem", Qualifiers: cim.Qualifiers{{Name: "ValueMap",
		Value: cim.StringArray("0", "1", "2", "3", "4", "..", "4096", "4097..32767", "32768..65535")}}}
	tests := []struct {
		name      string
		err       error
		outcome   Outcome
		vsms      uint32 // for a method with the full VSMS map
		define    uint32 // for DefineSystem, which lacks 5 and 6
		rsc       uint32
		cimStatus cim.Status
	}{
		{"invalid argument → 4 / 5", fmt.Errorf("x: %w", backends.ErrInvalidArgument), InvalidParameter, 4, 4, 5, cim.ErrInvalidParameter},
		{"state error → invalid state 5 / 4097", &backends.StateError{State: backends.StateRunning}, InvalidState, 5, 2, 4097, cim.ErrFailed},
		{"conflict → busy 5 / 4099", backends.ErrConflict, Busy, 5, 2, 4099, cim.ErrFailed},
		{"unsupported → 1", backends.ErrUnsupported, NotSupported, 1, 1, 1, cim.ErrNotSupported},
		{"deadline → 3 Timeout", fmt.Errorf("shutdown: %w", context.DeadlineExceeded), Timeout, 3, 3, 3, cim.ErrFailed},
		{"incompatible → 6", backends.ErrIncompatible, Incompatible, 6, 2, 4, cim.ErrFailed},
		{"not found → 4 / 5, CIM_ERR_NOT_FOUND", backends.ErrNotFound, NotFound, 4, 4, 5, cim.ErrNotFound},
		{"anything else → failed", errors.New("boom"), Failed, 2, 2, 4, cim.ErrFailed},
		{"a Fail keeps its outcome", Fail(InvalidState, "stop it first"), InvalidState, 5, 2, 4097, cim.ErrFailed},
	}
	full := &cim.Method{Name: "ModifySystemSettings"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if o := Classify(tt.err); o != tt.outcome {
				t.Fatalf("outcome %d, want %d", o, tt.outcome)
			}
			if c := VSMSCodes.Code(full, tt.outcome); c != tt.vsms {
				t.Errorf("VSMS code %d, want %d", c, tt.vsms)
			}
			if c := VSMSCodes.Code(define, tt.outcome); c != tt.define {
				t.Errorf("DefineSystem code %d, want %d", c, tt.define)
			}
			if c := StateChangeCodes.Code(nil, tt.outcome); c != tt.rsc {
				t.Errorf("RequestStateChange code %d, want %d", c, tt.rsc)
			}
			if s := cim.StatusOf(CIMError(tt.err, "op")); s != tt.cimStatus {
				t.Errorf("CIM status %v, want %v", s, tt.cimStatus)
			}
			w := VSMSCodes.Wrap(define, tt.err)
			if w.ReturnCode() != tt.define || !errors.Is(w, tt.err) {
				t.Errorf("wrapped: code %d, is %v", w.ReturnCode(), errors.Is(w, tt.err))
			}
		})
	}
}
