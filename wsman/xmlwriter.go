package wsman

import (
	"bytes"
	"unicode/utf8"
)

// xw writes XML into a buffer. It is deliberately small: responses are
// assembled from known shapes, so the only care it needs is escaping.
type xw struct{ b *bytes.Buffer }

// open writes <name attr="v" ...> where attrs alternate names and values.
func (w xw) open(name string, attrs ...string) {
	w.b.WriteByte('<')
	w.b.WriteString(name)
	w.attrs(attrs)
	w.b.WriteByte('>')
}

// empty writes <name attr="v" .../>.
func (w xw) empty(name string, attrs ...string) {
	w.b.WriteByte('<')
	w.b.WriteString(name)
	w.attrs(attrs)
	w.b.WriteString("/>")
}

func (w xw) attrs(attrs []string) {
	for i := 0; i+1 < len(attrs); i += 2 {
		w.b.WriteByte(' ')
		w.b.WriteString(attrs[i])
		w.b.WriteString(`="`)
		escape(w.b, attrs[i+1], true)
		w.b.WriteByte('"')
	}
}

// close writes </name>.
func (w xw) close(name string) {
	w.b.WriteString("</")
	w.b.WriteString(name)
	w.b.WriteByte('>')
}

// elem writes <name>text</name>.
func (w xw) elem(name, text string, attrs ...string) {
	w.open(name, attrs...)
	escape(w.b, text, false)
	w.close(name)
}

// text writes escaped character data.
func (w xw) text(s string) { escape(w.b, s, false) }

// escape writes s with the XML special characters escaped; in attributes
// quotes and white-space controls too. Characters XML 1.0 cannot carry
// (most C0 controls, invalid UTF-8) become U+FFFD, so every response is
// well-formed whatever a provider returned.
func escape(b *bytes.Buffer, s string, attr bool) {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		var rep string
		width := 1
		switch {
		case c == '<':
			rep = "&lt;"
		case c == '>':
			rep = "&gt;"
		case c == '&':
			rep = "&amp;"
		case c == '"' && attr:
			rep = "&quot;"
		case c == '\r':
			rep = "&#xD;"
		case (c == '\n' || c == '\t') && attr:
			if c == '\n' {
				rep = "&#xA;"
			} else {
				rep = "&#x9;"
			}
		case c < 0x20 && c != '\n' && c != '\t':
			rep = "\uFFFD"
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(s[i:])
			width = n
			if r == utf8.RuneError && n == 1 || r == 0xFFFE || r == 0xFFFF {
				rep = "\uFFFD"
			}
		}
		if rep == "" {
			i += width
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(rep)
		i += width
		last = i
	}
	b.WriteString(s[last:])
}
