package cimxml

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// escapeClass marks the bytes appendEscaped cannot copy as they are:
// escText for character data, escAttr for attribute values too.
var escapeClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		switch {
		case c == '&' || c == '<' || c == '>' || c == '\r' || c >= 0x80 || c < 0x20 && c != '\t' && c != '\n':
			t[c] = escText | escAttr
		case c == '"' || c == '\t' || c == '\n':
			t[c] = escAttr
		}
	}
	return t
}()

const (
	escText uint8 = 1 << iota
	escAttr
)

// appendEscaped appends s to b as XML character data, or as the contents
// of a double-quoted attribute when attr is true. Characters XML 1.0 cannot
// carry at all (most C0 controls, invalid UTF-8, lone surrogates) become
// U+FFFD, so that every response is well-formed; carriage returns (and, in
// attributes, tabs and newlines) are written as character references so
// that parsers do not normalize them away. Runs of plain ASCII are copied
// whole.
func appendEscaped(b []byte, s string, attr bool) []byte {
	mask := escText
	if attr {
		mask = escAttr
	}
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if escapeClass[c]&mask == 0 {
			i++
			continue
		}
		var esc string
		size := 1
		switch {
		case c == '&':
			esc = "&amp;"
		case c == '<':
			esc = "&lt;"
		case c == '>':
			esc = "&gt;"
		case c == '"':
			esc = "&quot;"
		case c == '\r':
			esc = "&#13;"
		case c == '\n':
			esc = "&#10;"
		case c == '\t':
			esc = "&#9;"
		case c < 0x20:
			esc = "\uFFFD"
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			size = n
			if (r != utf8.RuneError || n > 1) && isXMLChar(r) {
				i += n
				continue
			}
			esc = "\uFFFD"
		}
		b = append(b, s[last:i]...)
		b = append(b, esc...)
		i += size
		last = i
	}
	return append(b, s[last:]...)
}

// isXMLChar reports whether r may appear in an XML 1.0 document.
func isXMLChar(r rune) bool {
	switch {
	case r == 0x9 || r == 0xA || r == 0xD:
		return true
	case r >= 0x20 && r <= 0xD7FF:
		return true
	case r >= 0xE000 && r <= 0xFFFD:
		return true
	case r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}

// appendReal appends f in a form every CIM-XML client parses: decimal with
// a fraction or an exponent (DSP0201's realValue wants a "."), NaN, INF or
// -INF, using the shortest digits that round-trip at the given bit size.
func appendReal(b []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "NaN"...)
	case math.IsInf(f, 1):
		return append(b, "INF"...)
	case math.IsInf(f, -1):
		return append(b, "-INF"...)
	}
	start := len(b)
	b = strconv.AppendFloat(b, f, 'g', -1, bits)
	num := b[start:]
	if strings.ContainsAny(string(num), ".") {
		return b
	}
	if e := strings.IndexAny(string(num), "eE"); e >= 0 {
		// 1e+06 → 1.0E+06
		exp := string(num[e+1:])
		b = append(b[:start+e], ".0E"...)
		return append(b, exp...)
	}
	return append(b, ".0"...)
}

// parseReal parses a real as clients send it, including NaN, INF and -INF.
func parseReal(s string, bits int) (float64, error) {
	switch strings.TrimSpace(s) {
	case "NaN", "nan":
		return math.NaN(), nil
	case "INF", "inf", "+INF", "Infinity":
		return math.Inf(1), nil
	case "-INF", "-inf", "-Infinity":
		return math.Inf(-1), nil
	}
	return strconv.ParseFloat(strings.TrimSpace(s), bits)
}
