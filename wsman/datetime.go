package wsman

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// An xsDuration holds the fields of an xs:duration (PnYnMnDTnHnMnS).
type xsDuration struct {
	neg                 bool
	years, months, days int64
	hours, minutes      int64
	seconds             float64
}

var errDuration = errors.New("not an xs:duration")

// parseXSDurationFields parses s as an xs:duration.
func parseXSDurationFields(s string) (xsDuration, error) {
	var d xsDuration
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "-") {
		d.neg, s = true, s[1:]
	}
	if !strings.HasPrefix(s, "P") || len(s) < 2 {
		return d, errDuration
	}
	s = s[1:]
	inTime, any := false, false
	for s != "" {
		if s[0] == 'T' {
			if inTime || len(s) == 1 {
				return d, errDuration
			}
			inTime, s = true, s[1:]
			continue
		}
		i := 0
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
			i++
		}
		if i == 0 || i == len(s) {
			return d, errDuration
		}
		num, unit := s[:i], s[i]
		s = s[i+1:]
		if unit == 'S' && inTime {
			f, err := strconv.ParseFloat(num, 64)
			if err != nil {
				return d, errDuration
			}
			d.seconds, any = f, true
			continue
		}
		n, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			return d, errDuration
		}
		switch {
		case unit == 'Y' && !inTime:
			d.years = n
		case unit == 'M' && !inTime:
			d.months = n
		case unit == 'D' && !inTime:
			d.days = n
		case unit == 'H' && inTime:
			d.hours = n
		case unit == 'M' && inTime:
			d.minutes = n
		default:
			return d, errDuration
		}
		any = true
	}
	if !any {
		return d, errDuration
	}
	return d, nil
}

// parseXSDuration parses an xs:duration into a time.Duration, counting a
// year as 365 days and a month as 30, as timeouts and expiry need; it
// saturates at the largest time.Duration.
func parseXSDuration(s string) (time.Duration, error) {
	d, err := parseXSDurationFields(s)
	if err != nil {
		return 0, fmt.Errorf("%q: %w", s, err)
	}
	secs := float64(d.years*365+d.months*30+d.days)*86400 + float64(d.hours)*3600 + float64(d.minutes)*60 + d.seconds
	if secs*1e9 >= math.MaxInt64 {
		secs = math.MaxInt64 / 1e9
	}
	out := time.Duration(secs * 1e9)
	if d.neg {
		out = -out
	}
	return out, nil
}

// formatXSDuration writes d as an xs:duration such as PT90.5S.
func formatXSDuration(d time.Duration) string {
	if d < 0 {
		return "-" + formatXSDuration(-d)
	}
	return "PT" + strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "S"
}

// The DSP0230 element names a datetime property holds.
const (
	dtDatetime = "Datetime"
	dtInterval = "Interval"
	dtDate     = "Date"
	dtTime     = "Time"
	dtRaw      = "CIM_DateTime"
)

// datetimeXML returns the DSP0230 form of a CIM datetime: the name of the
// cim: element to write and its text (digest §2.7). Intervals become
// xs:duration, timestamps xs:dateTime, timestamps with only the time
// wildcarded xs:date; everything else stays a raw CIM_DateTime.
func datetimeXML(d cim.Datetime) (elem, text string) {
	s := d.String()
	if len(s) != 25 {
		return dtRaw, s
	}
	if d.IsInterval() {
		if d.HasWildcards() {
			return dtRaw, s
		}
		return dtInterval, intervalXML(d)
	}
	if s[0:4] == "0000" || strings.ContainsRune(s[:8], '*') {
		return dtRaw, s
	}
	if !d.HasWildcards() {
		t, err := d.Time()
		if err != nil {
			return dtRaw, s
		}
		layout := "2006-01-02T15:04:05"
		if t.Nanosecond() != 0 {
			layout += ".000000"
		}
		return dtDatetime, t.Format(layout) + zoneXML(s)
	}
	if s[8:21] == "******.******" {
		return dtDate, s[0:4] + "-" + s[4:6] + "-" + s[6:8] + zoneXML(s)
	}
	return dtRaw, s
}

// zoneXML formats the UTC offset of a CIM timestamp as Z or ±hh:mm.
func zoneXML(s string) string {
	mins, _ := strconv.Atoi(s[22:25])
	if mins == 0 {
		return "Z"
	}
	return fmt.Sprintf("%c%02d:%02d", s[21], mins/60, mins%60)
}

// intervalXML formats a CIM interval as an xs:duration: P1DT2H3M4.5S.
func intervalXML(d cim.Datetime) string {
	s := d.String()
	days, _ := strconv.ParseInt(s[0:8], 10, 64)
	h, m, sec, us := s[8:10], s[10:12], s[12:14], s[15:21]
	var b strings.Builder
	b.WriteByte('P')
	if days > 0 {
		b.WriteString(strconv.FormatInt(days, 10) + "D")
	}
	b.WriteByte('T')
	if n, _ := strconv.Atoi(h); n > 0 {
		b.WriteString(strconv.Itoa(n) + "H")
	}
	if n, _ := strconv.Atoi(m); n > 0 {
		b.WriteString(strconv.Itoa(n) + "M")
	}
	secs, _ := strconv.Atoi(sec)
	frac := strings.TrimRight(us, "0")
	b.WriteString(strconv.Itoa(secs))
	if frac != "" {
		b.WriteString("." + frac)
	}
	b.WriteByte('S')
	return b.String()
}

// parseDatetimeXML converts the DSP0230 forms back to a CIM datetime. elem
// is the child element's local name, or "" when the property held plain
// text, in which case the DSP0004 form, xs:dateTime, xs:duration and
// xs:date are tried in turn.
func parseDatetimeXML(elem, text string) (cim.Datetime, error) {
	text = strings.TrimSpace(text)
	switch elem {
	case dtRaw:
		return cim.ParseDatetime(text)
	case dtDatetime:
		return timestampFromXML(text)
	case dtInterval:
		return intervalFromXML(text)
	case dtDate:
		return dateFromXML(text)
	case dtTime:
		return cim.Datetime{}, fmt.Errorf("cim:Time %q cannot be held by a CIM datetime", text)
	case "":
		for _, f := range []func(string) (cim.Datetime, error){cim.ParseDatetime, timestampFromXML, intervalFromXML, dateFromXML} {
			if d, err := f(text); err == nil {
				return d, nil
			}
		}
		return cim.Datetime{}, fmt.Errorf("%q is neither a CIM datetime nor an xs:dateTime, xs:duration or xs:date", text)
	}
	return cim.Datetime{}, fmt.Errorf("unknown datetime element %s", elem)
}

func timestampFromXML(s string) (cim.Datetime, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return cim.NewTimestamp(t), nil
		}
	}
	return cim.Datetime{}, fmt.Errorf("%q is not an xs:dateTime", s)
}

func intervalFromXML(s string) (cim.Datetime, error) {
	d, err := parseXSDurationFields(s)
	if err != nil {
		return cim.Datetime{}, fmt.Errorf("%q: %w", s, err)
	}
	if d.neg || d.years != 0 || d.months != 0 {
		return cim.Datetime{}, fmt.Errorf("interval %q: a CIM interval cannot be negative or count years or months", s)
	}
	us := int64(math.Round(d.seconds * 1e6))
	total := time.Duration(d.days)*24*time.Hour + time.Duration(d.hours)*time.Hour +
		time.Duration(d.minutes)*time.Minute + time.Duration(us)*time.Microsecond
	return cim.NewInterval(total), nil
}

func dateFromXML(s string) (cim.Datetime, error) {
	for _, layout := range []string{"2006-01-02Z07:00", "2006-01-02"} {
		t, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		ts := cim.NewTimestamp(t).String()
		return cim.ParseDatetime(ts[:8] + "******.******" + ts[21:])
	}
	return cim.Datetime{}, fmt.Errorf("%q is not an xs:date", s)
}
