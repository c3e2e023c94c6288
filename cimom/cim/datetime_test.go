package cim

import (
	"testing"
	"time"
)

func TestParseDatetime(t *testing.T) {
	valid := []string{
		"20250101120000.000000+060",
		"20250101120000.123456-300",
		"19991231235960.999999+000",
		"00000001020304.000005:000",
		"99999999235959.999999:000",
		"2025010112****.******+000",
		"20250101120000.123***+000",
		"**************.******+000",
		"00000000000500.000000:000",
	}
	for _, s := range valid {
		d, err := ParseDatetime(s)
		if err != nil {
			t.Errorf("ParseDatetime(%q): %v", s, err)
			continue
		}
		if d.String() != s {
			t.Errorf("round trip %q → %q", s, d.String())
		}
	}
	invalid := map[string]string{
		"too short":                "20250101120000.000000+06",
		"no dot":                   "20250101120000x000000+060",
		"bad sign":                 "20250101120000.000000*060",
		"interval suffix not :000": "00000001020304.000005:001",
		"month 13":                 "20251301120000.000000+000",
		"hour 24":                  "20250101240000.000000+000",
		"interval minutes 60":      "00000001026000.000000:000",
		"digit after wildcard":     "2025010112**00.000000+000",
		"letter":                   "2025010112000a.000000+000",
		"wildcarded utc offset":    "20250101120000.000000+0*0",
	}
	for name, s := range invalid {
		if _, err := ParseDatetime(s); err == nil {
			t.Errorf("%s: ParseDatetime(%q) succeeded", name, s)
		}
	}
}

func TestDatetimeConversions(t *testing.T) {
	loc := time.FixedZone("", -5*3600)
	tm := time.Date(2026, 11, 28, 4, 5, 6, 789012000, loc)
	d := NewTimestamp(tm)
	if got, want := d.String(), "20261128040506.789012-300"; got != want {
		t.Fatalf("NewTimestamp = %s, want %s", got, want)
	}
	back, err := d.Time()
	if err != nil || !back.Equal(tm) {
		t.Fatalf("Time() = %v, %v; want %v", back, err, tm)
	}
	iv := NewInterval(49*time.Hour + 3*time.Minute + 4*time.Second + 5*time.Microsecond)
	if got, want := iv.String(), "00000002010304.000005:000"; got != want {
		t.Fatalf("NewInterval = %s, want %s", got, want)
	}
	dur, err := iv.Duration()
	if err != nil || dur != 49*time.Hour+3*time.Minute+4*time.Second+5*time.Microsecond {
		t.Fatalf("Duration() = %v, %v", dur, err)
	}
	if _, err := d.Duration(); err == nil {
		t.Error("Duration of a timestamp succeeded")
	}
	if _, err := iv.Time(); err == nil {
		t.Error("Time of an interval succeeded")
	}
	if _, err := d.Compare(iv); err == nil {
		t.Error("Compare of timestamp and interval succeeded")
	}
	utc := MustDatetime("20261128090506.789012+000") // the same instant as d
	if c, _ := d.Compare(utc); c != 0 {
		t.Errorf("Compare of equal instants in different zones = %d", c)
	}
	if !MustDatetime("2025010112****.******+000").HasWildcards() || d.HasWildcards() {
		t.Error("HasWildcards wrong")
	}
}
