package client

import (
	"regexp"
	"strconv"
	"time"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// durationRE matches the xs:duration forms DSP0230 uses for CIM intervals
// (days, hours, minutes, seconds; no years or months).
var durationRE = regexp.MustCompile(`^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$`)

// decodeDatetime turns the text of a DSP0230 cim:Datetime (xs:dateTime) or
// cim:Interval (xs:duration) into a CIM datetime, so that it compares
// equal to what CIM-XML sends; text it cannot read stays a string.
func decodeDatetime(elem, text string) cim.Value {
	switch elem {
	case "Datetime":
		if t, err := time.Parse(time.RFC3339Nano, text); err == nil {
			return cim.DateTimeValue(cim.NewTimestamp(t))
		}
	case "Interval":
		if m := durationRE.FindStringSubmatch(text); m != nil && text != "P" && text != "PT" {
			var d time.Duration
			for i, unit := range []time.Duration{24 * time.Hour, time.Hour, time.Minute} {
				n, _ := strconv.ParseInt(m[i+1], 10, 64)
				d += time.Duration(n) * unit
			}
			s, _ := strconv.ParseFloat(m[4], 64)
			d += time.Duration(s * float64(time.Second))
			return cim.DateTimeValue(cim.NewInterval(d))
		}
	case "CIM_DateTime":
		if dt, err := cim.ParseDatetime(text); err == nil {
			return cim.DateTimeValue(dt)
		}
	}
	return cim.String(text)
}
