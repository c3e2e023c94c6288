package model

import (
	"math"
	"math/bits"
	"strconv"
	"strings"
)

// Programmatic units (DSP0004 Annex C) Ferrum writes.
const (
	UnitByte = "byte"
	UnitKiB  = "byte*2^10"
	UnitMiB  = "byte*2^20"
	UnitGiB  = "byte*2^30"
)

// ByteMultiplier returns how many bytes one unit of s is. It accepts
// programmatic units with or without spaces ("byte*2^20", "byte * 2^20",
// "byte*10^6", "byte*1024"), the names libvirt-cim uses ("Bytes",
// "KiloBytes", "MegaBytes", "GigaBytes") and the abbreviations KB, MB, GB,
// KiB, MiB, GiB (all binary).
func ByteMultiplier(s string) (uint64, bool) {
	t := strings.ToLower(strings.ReplaceAll(s, " ", ""))
	switch t {
	case "b", "byte", "bytes":
		return 1, true
	case "kilobytes", "kb", "kib":
		return 1 << 10, true
	case "megabytes", "mb", "mib":
		return 1 << 20, true
	case "gigabytes", "gb", "gib":
		return 1 << 30, true
	case "terabytes", "tb", "tib":
		return 1 << 40, true
	}
	rest, ok := strings.CutPrefix(t, "bytes")
	if !ok {
		if rest, ok = strings.CutPrefix(t, "byte"); !ok {
			return 0, false
		}
	}
	mult := uint64(1)
	for rest != "" {
		if rest[0] != '*' {
			return 0, false
		}
		rest = rest[1:]
		end := strings.IndexByte(rest, '*')
		if end < 0 {
			end = len(rest)
		}
		f, ok := factor(rest[:end])
		if !ok {
			return 0, false
		}
		hi, lo := bits.Mul64(mult, f)
		if hi != 0 {
			return 0, false
		}
		mult, rest = lo, rest[end:]
	}
	return mult, true
}

// factor parses "N" or "B^E".
func factor(s string) (uint64, bool) {
	base, exp, isPow := strings.Cut(s, "^")
	b, err := strconv.ParseUint(base, 10, 64)
	if err != nil || b == 0 {
		return 0, false
	}
	if !isPow {
		return b, true
	}
	e, err := strconv.ParseUint(exp, 10, 8)
	if err != nil {
		return 0, false
	}
	out := uint64(1)
	for range e {
		if out > math.MaxUint64/b {
			return 0, false
		}
		out *= b
	}
	return out, true
}

// ToMiB converts q units of AllocationUnits units to MiB, rounding up; an
// empty units string means MiB.
func ToMiB(q uint64, units string) (uint64, bool) {
	if units == "" {
		return q, true
	}
	m, ok := ByteMultiplier(units)
	if !ok {
		return 0, false
	}
	hi, bytes := bits.Mul64(q, m)
	if hi != 0 {
		return 0, false
	}
	return (bytes + (1<<20 - 1)) >> 20, true
}

// ToBytes converts q units of units to bytes; an empty units string means
// bytes.
func ToBytes(q uint64, units string) (uint64, bool) {
	if units == "" {
		return q, true
	}
	m, ok := ByteMultiplier(units)
	if !ok {
		return 0, false
	}
	hi, bytes := bits.Mul64(q, m)
	return bytes, hi == 0
}
