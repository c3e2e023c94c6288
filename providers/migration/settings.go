package migration

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// defaultBandwidthUnit is the unit of a Bandwidth given without one: MiB
// per second, QEMU's unit.
const defaultBandwidthUnit = "byte / second * 2^20"

// defaultPriority is where Priority 0 ("the default") ranks: after every
// explicit priority.
const defaultPriority = 1 << 16

// settings is what a MigrationSettingData asks for.
type settings struct {
	kind     uint16 // typeLive, typeResume or typeRestart
	priority int    // lower goes first
	// bandwidth caps the copy rate in bytes per second (0: the link);
	// percent, when set, is a share of the link instead.
	bandwidth uint64
	percent   uint16
}

func invalid(format string, args ...any) error {
	return model.Fail(model.InvalidParameter, format, args...)
}

func incompatible(format string, args ...any) error {
	return model.Fail(model.Incompatible, format, args...)
}

// parseSettings reads the MigrationSettingData parameter; a missing or
// null one is a live migration with the defaults.
func (p *Provider) parseSettings(v cim.Value, given bool) (settings, error) {
	s := settings{kind: typeLive, priority: defaultPriority}
	if !given || v.IsNull() {
		return s, nil
	}
	in := v.AsInstance()
	if in == nil {
		return s, invalid("MigrationSettingData must be an embedded instance of CIM_VirtualSystemMigrationSettingData")
	}
	if !p.d.Repo.IsA(model.Namespace, in.ClassName, "CIM_VirtualSystemMigrationSettingData") {
		return s, invalid("MigrationSettingData is a %s, not a CIM_VirtualSystemMigrationSettingData", in.ClassName)
	}
	switch t := uintProp(in, "MigrationType"); t {
	case typeUnknown, typeLive:
		s.kind = typeLive
	case typeResume, typeRestart:
		s.kind = uint16(t)
	case typeOther:
		return s, invalid("MigrationType 1 (Other) is not supported; use 2 Live, 3 Resume or 4 Restart")
	default:
		return s, invalid("MigrationType %d is not one of 2 Live, 3 Resume, 4 Restart", t)
	}
	if pr := uintProp(in, "Priority"); pr != 0 {
		s.priority = int(pr)
	}
	if t := uintProp(in, "TransportType"); t != 0 {
		return s, incompatible("TransportType %d: the transport is the backend's own; leave it 0 (Unknown)", t)
	}
	return s, s.parseBandwidth(uintProp(in, "Bandwidth"), in.Str("BandwidthUnit"))
}

// parseBandwidth sets the bandwidth from a value and its unit.
func (s *settings) parseBandwidth(n uint64, unit string) error {
	if n == 0 {
		return nil
	}
	if strings.EqualFold(strings.TrimSpace(unit), "percent") {
		if n > 100 {
			return invalid("Bandwidth %d percent is over 100", n)
		}
		s.percent = uint16(n)
		return nil
	}
	if strings.TrimSpace(unit) == "" {
		unit = defaultBandwidthUnit
	}
	perSecond, err := bytesPerSecond(unit)
	if err != nil {
		return invalid("BandwidthUnit %q: %w", unit, err)
	}
	s.bandwidth = n * perSecond
	return nil
}

// bytesPerSecond returns how many bytes per second one unit is, for a
// DSP0004 programmatic unit of a rate: "bit" or "byte", "/ second", and
// optional multipliers "* 10^N" or "* 2^N" (fractions of a byte per
// second are refused).
func bytesPerSecond(unit string) (uint64, error) {
	r := strings.NewReplacer("/", " / ", "*", " * ")
	f := strings.Fields(strings.ToLower(r.Replace(unit)))
	if len(f) == 0 || (f[0] != "bit" && f[0] != "byte") {
		return 0, fmt.Errorf("want bit or byte per second")
	}
	bits, perSecond := uint64(8), false
	if f[0] == "bit" {
		bits = 1
	}
	mult := uint64(1)
	for i := 1; i < len(f); i += 2 {
		if i+1 >= len(f) {
			return 0, fmt.Errorf("%q ends early", unit)
		}
		switch {
		case f[i] == "/" && f[i+1] == "second" && !perSecond:
			perSecond = true
		case f[i] == "*":
			m, err := multiplier(f[i+1])
			if err != nil || mult*m/m != mult {
				return 0, fmt.Errorf("multiplier %q: want 10^N or 2^N", f[i+1])
			}
			mult *= m
		default:
			return 0, fmt.Errorf("unexpected %q", f[i]+" "+f[i+1])
		}
	}
	if !perSecond {
		return 0, fmt.Errorf("not a rate: want ... / second")
	}
	if mult*bits < 8 || mult*bits%8 != 0 {
		return 0, fmt.Errorf("too fine: less than a byte per second")
	}
	return mult * bits / 8, nil
}

// multiplier parses "10^N" (N ≤ 12) or "2^N" (N ≤ 40).
func multiplier(s string) (uint64, error) {
	base, exp, ok := strings.Cut(s, "^")
	n, err := strconv.Atoi(exp)
	switch {
	case !ok || err != nil || n < 0:
		return 0, fmt.Errorf("bad multiplier %q", s)
	case base == "10" && n <= 12:
		m := uint64(1)
		for range n {
			m *= 10
		}
		return m, nil
	case base == "2" && n <= 40:
		return 1 << n, nil
	}
	return 0, fmt.Errorf("bad multiplier %q", s)
}

// uintProp reads an unsigned property, also when a client sent it as text.
func uintProp(in *cim.Instance, name string) uint64 {
	v, _ := in.Get(name)
	if v.Type() == cim.TypeString && !v.IsArray() {
		n, _ := strconv.ParseUint(strings.TrimSpace(v.Str()), 0, 64)
		return n
	}
	n, _ := v.AsUint64()
	return n
}
