package cim

import (
	"fmt"
	"strconv"
	"time"
)

// Datetime is a CIM datetime (DSP0004 §5.2.4): either a timestamp
// "yyyymmddhhmmss.mmmmmmsutc" (s is + or -, utc the offset in minutes) or an
// interval "ddddddddhhmmss.mmmmmm:000". Low-order digits may be replaced by
// asterisks to mark them insignificant. A Datetime keeps its exact 25
// characters, so parsing and formatting round-trip byte for byte.
type Datetime struct{ s string }

const datetimeLen = 25

// ParseDatetime validates s and returns it as a Datetime.
func ParseDatetime(s string) (Datetime, error) {
	if len(s) != datetimeLen {
		return Datetime{}, fmt.Errorf("invalid datetime %q: want 25 characters, got %d", s, len(s))
	}
	if s[14] != '.' {
		return Datetime{}, fmt.Errorf("invalid datetime %q: want '.' at position 15", s)
	}
	interval := s[21] == ':'
	if !interval && s[21] != '+' && s[21] != '-' {
		return Datetime{}, fmt.Errorf("invalid datetime %q: want '+', '-' or ':' at position 22", s)
	}
	if err := checkDigits(s); err != nil {
		return Datetime{}, fmt.Errorf("invalid datetime %q: %w", s, err)
	}
	for i := 22; i < 25; i++ {
		if s[i] < '0' || s[i] > '9' {
			return Datetime{}, fmt.Errorf("invalid datetime %q: the UTC offset must be three digits", s)
		}
	}
	if interval && s[22:] != "000" {
		return Datetime{}, fmt.Errorf("invalid datetime %q: an interval ends in \":000\"", s)
	}
	if err := checkRanges(s, interval); err != nil {
		return Datetime{}, fmt.Errorf("invalid datetime %q: %w", s, err)
	}
	return Datetime{s: s}, nil
}

// MustDatetime is ParseDatetime for literals known to be valid; it panics
// otherwise.
func MustDatetime(s string) Datetime {
	d, err := ParseDatetime(s)
	if err != nil {
		panic(err)
	}
	return d
}

// checkDigits requires digits in positions 0–13 and 15–20, allowing a run of
// asterisks that, once started, continues to the end of the microseconds.
func checkDigits(s string) error {
	star := false
	for i := 0; i < 21; i++ {
		if i == 14 {
			continue
		}
		switch c := s[i]; {
		case c == '*':
			star = true
		case c >= '0' && c <= '9':
			if star {
				return fmt.Errorf("digit after '*' at position %d: wildcards must extend to the microseconds", i+1)
			}
		default:
			return fmt.Errorf("unexpected %q at position %d", c, i+1)
		}
	}
	return nil
}

type field struct {
	from, to int
	min, max int
	name     string
}

var timestampFields = []field{
	{4, 6, 1, 12, "month"}, {6, 8, 1, 31, "day"}, {8, 10, 0, 23, "hour"},
	{10, 12, 0, 59, "minute"}, {12, 14, 0, 60, "second"},
}

var intervalFields = []field{
	{8, 10, 0, 23, "hours"}, {10, 12, 0, 59, "minutes"}, {12, 14, 0, 59, "seconds"},
}

func checkRanges(s string, interval bool) error {
	fields := timestampFields
	if interval {
		fields = intervalFields
	}
	for _, f := range fields {
		n, err := strconv.Atoi(s[f.from:f.to])
		if err != nil {
			continue // wildcarded
		}
		if n < f.min || n > f.max {
			return fmt.Errorf("%s %02d out of range %d–%d", f.name, n, f.min, f.max)
		}
	}
	return nil
}

// NewTimestamp returns the timestamp of t, with microsecond precision and
// t's UTC offset in minutes.
func NewTimestamp(t time.Time) Datetime {
	_, off := t.Zone()
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	return Datetime{s: fmt.Sprintf("%04d%02d%02d%02d%02d%02d.%06d%c%03d",
		t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(),
		t.Nanosecond()/1000, sign, off/60)}
}

// NewInterval returns the interval of d (negative durations count as zero),
// with microsecond precision.
func NewInterval(d time.Duration) Datetime {
	if d < 0 {
		d = 0
	}
	us := d.Microseconds()
	days := us / (86400 * 1e6)
	us -= days * 86400 * 1e6
	h := us / 3600e6
	us -= h * 3600e6
	m := us / 60e6
	us -= m * 60e6
	sec := us / 1e6
	us -= sec * 1e6
	return Datetime{s: fmt.Sprintf("%08d%02d%02d%02d.%06d:000", days, h, m, sec, us)}
}

// String returns the 25-character DSP0004 form; "" for the zero Datetime.
func (d Datetime) String() string { return d.s }

// IsZero reports whether d is the zero Datetime (not a parsed value).
func (d Datetime) IsZero() bool { return d.s == "" }

// IsInterval reports whether d is an interval rather than a timestamp.
func (d Datetime) IsInterval() bool { return len(d.s) == datetimeLen && d.s[21] == ':' }

// HasWildcards reports whether any digit of d is an asterisk.
func (d Datetime) HasWildcards() bool {
	for i := 0; i < len(d.s); i++ {
		if d.s[i] == '*' {
			return true
		}
	}
	return false
}

// digits reads s[from:to] as a number, treating asterisks as zeros.
func (d Datetime) digits(from, to int) int {
	n := 0
	for i := from; i < to; i++ {
		n *= 10
		if c := d.s[i]; c != '*' {
			n += int(c - '0')
		}
	}
	return n
}

// Time returns a timestamp as a time.Time in its own UTC offset; wildcarded
// digits count as zero (a wildcarded year, month or day as the earliest).
func (d Datetime) Time() (time.Time, error) {
	if d.s == "" || d.IsInterval() {
		return time.Time{}, fmt.Errorf("datetime %q is not a timestamp", d.s)
	}
	off := d.digits(22, 25) * 60
	if d.s[21] == '-' {
		off = -off
	}
	month, day := max(d.digits(4, 6), 1), max(d.digits(6, 8), 1)
	loc := time.FixedZone("", off)
	return time.Date(d.digits(0, 4), time.Month(month), day, d.digits(8, 10),
		d.digits(10, 12), d.digits(12, 14), d.digits(15, 21)*1000, loc), nil
}

// Duration returns an interval as a time.Duration; wildcarded digits count as
// zero. Intervals beyond about 292 years saturate.
func (d Datetime) Duration() (time.Duration, error) {
	if !d.IsInterval() {
		return 0, fmt.Errorf("datetime %q is not an interval", d.s)
	}
	days := time.Duration(d.digits(0, 8))
	if days > 106751 {
		return time.Duration(1<<63 - 1), nil
	}
	return days*24*time.Hour + time.Duration(d.digits(8, 10))*time.Hour +
		time.Duration(d.digits(10, 12))*time.Minute + time.Duration(d.digits(12, 14))*time.Second +
		time.Duration(d.digits(15, 21))*time.Microsecond, nil
}

// Compare orders two datetimes of the same kind: timestamps by instant,
// intervals by length. It returns an error for mixed kinds.
func (d Datetime) Compare(e Datetime) (int, error) {
	if d.IsInterval() != e.IsInterval() {
		return 0, fmt.Errorf("cannot compare timestamp and interval")
	}
	if d.IsInterval() {
		a, _ := d.Duration()
		b, _ := e.Duration()
		return cmpOrdered(a, b), nil
	}
	a, err := d.Time()
	if err != nil {
		return 0, err
	}
	b, err := e.Time()
	if err != nil {
		return 0, err
	}
	return a.Compare(b), nil
}

func cmpOrdered[T int | int64 | time.Duration | float64 | string](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
