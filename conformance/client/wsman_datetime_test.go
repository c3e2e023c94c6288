package client

import (
	"testing"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

func TestDecodeDatetimeMatchesCIMXML(t *testing.T) {
	tests := []struct{ elem, text, want string }{
		{"Datetime", "2026-12-06T20:51:05.304290Z", "20261206205105.304290+000"},
		{"Datetime", "2026-12-06T20:51:05+02:00", "20261206205105.000000+120"},
		{"Interval", "P1DT2H3M4.5S", "00000001020304.500000:000"},
		{"Interval", "PT0S", "00000000000000.000000:000"},
		{"CIM_DateTime", "20261206205105.304290+000", "20261206205105.304290+000"},
	}
	for _, tt := range tests {
		v := decodeDatetime(tt.elem, tt.text)
		if v.Type() != cim.TypeDateTime || v.Text() != tt.want {
			t.Errorf("%s %q = %s %q, want datetime %q", tt.elem, tt.text, v.Type(), v.Text(), tt.want)
		}
	}
	for _, bad := range [][2]string{{"Datetime", "yesterday"}, {"Interval", "P"}, {"Interval", "P1Y"}} {
		if v := decodeDatetime(bad[0], bad[1]); v.Type() != cim.TypeString || v.Text() != bad[1] {
			t.Errorf("%s %q = %s %q, want the string kept", bad[0], bad[1], v.Type(), v.Text())
		}
	}
}
