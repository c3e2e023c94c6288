package wsman

import (
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

func TestDatetimeToXML(t *testing.T) {
	for _, c := range []struct{ name, cim, elem, text string }{
		{"timestamp in UTC → cim:Datetime with Z", "20250101120000.000000+000", dtDatetime, "2025-01-01T12:00:00Z"},
		{"timestamp with an offset → ±hh:mm", "20250101120000.000000-330", dtDatetime, "2025-01-01T12:00:00-05:30"},
		{"microseconds are kept", "20250101120000.123456+060", dtDatetime, "2025-01-01T12:00:00.123456+01:00"},
		{"interval → cim:Interval", "00000001020304.500000:000", dtInterval, "P1DT2H3M4.5S"},
		{"zero interval", "00000000000000.000000:000", dtInterval, "PT0S"},
		{"time wildcarded → cim:Date", "20250101******.******+000", dtDate, "2025-01-01Z"},
		{"seconds wildcarded → raw CIM_DateTime", "2025010112****.******+000", dtRaw, "2025010112****.******+000"},
		{"wildcarded interval → raw", "0000000102****.******:000", dtRaw, "0000000102****.******:000"},
		{"year 0000 has no xs:dateTime → raw", "00000101000000.000000+000", dtRaw, "00000101000000.000000+000"},
	} {
		t.Run(c.name, func(t *testing.T) {
			elem, text := datetimeXML(cim.MustDatetime(c.cim))
			if elem != c.elem || text != c.text {
				t.Errorf("datetimeXML(%s) = %s %q, want %s %q", c.cim, elem, text, c.elem, c.text)
			}
			back, err := parseDatetimeXML(elem, text)
			if err != nil || back.String() != c.cim {
				t.Errorf("parseDatetimeXML(%s, %q) = %s, %v; want %s", elem, text, back, err, c.cim)
			}
		})
	}
}

func TestDatetimeFromXML(t *testing.T) {
	for _, c := range []struct{ name, elem, text, want string }{
		{"plain DSP0004 text", "", "20250101120000.000000+000", "20250101120000.000000+000"},
		{"plain xs:dateTime text", "", "2025-01-01T12:00:00Z", "20250101120000.000000+000"},
		{"plain xs:duration text", "", "PT90S", "00000000000130.000000:000"},
		{"plain xs:date text", "", "2025-01-01", "20250101******.******+000"},
		{"xs:dateTime without a zone is UTC", dtDatetime, "2025-01-01T12:00:00", "20250101120000.000000+000"},
		{"surrounding white space", dtInterval, "  P2D \n", "00000002000000.000000:000"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := parseDatetimeXML(c.elem, c.text)
			if err != nil || got.String() != c.want {
				t.Errorf("parseDatetimeXML(%q, %q) = %s, %v; want %s", c.elem, c.text, got, err, c.want)
			}
		})
	}
	for _, c := range []struct{ name, elem, text string }{
		{"interval with months is refused", dtInterval, "P1M"},
		{"negative interval is refused", dtInterval, "-PT5S"},
		{"cim:Time has no CIM datetime", dtTime, "12:00:00Z"},
		{"garbage", "", "tomorrow"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got, err := parseDatetimeXML(c.elem, c.text); err == nil {
				t.Errorf("parseDatetimeXML(%q, %q) = %s, want an error", c.elem, c.text, got)
			}
		})
	}
}

func TestXSDuration(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"PT60S", time.Minute, true},
		{"PT0.5S", 500 * time.Millisecond, true},
		{"PT1H30M", 90 * time.Minute, true},
		{"P1DT1S", 24*time.Hour + time.Second, true},
		{"-PT1S", -time.Second, true},
		{"P1Y", 365 * 24 * time.Hour, true},
		{"P", 0, false},
		{"PT", 0, false},
		{"P1H", 0, false},
		{"PT1D", 0, false},
		{"60", 0, false},
		{"PTxS", 0, false},
	} {
		got, err := parseXSDuration(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("parseXSDuration(%q) = %v, %v; want %v (ok %v)", c.in, got, err, c.want, c.ok)
		}
	}
	if got := formatXSDuration(1500 * time.Millisecond); got != "PT1.5S" {
		t.Errorf("formatXSDuration(1.5s) = %q", got)
	}
}
