package mof

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// scanNumber scans an integer or real literal beginning at start, whose digits
// (or leading '.') begin at digits, after an optional sign.
func (l *Lexer) scanNumber(start, digits int) (Token, error) {
	off := digits
	kind := Integer
	var bad string
	switch {
	case l.src[off] == '0' && (l.byteAt(off+1) == 'x' || l.byteAt(off+1) == 'X'):
		off = l.runEnd(off+2, isHexDigit)
		if off == digits+2 {
			bad = "hexadecimal literal has no digits"
		}
	default:
		off = l.runEnd(off, isDigit)
		switch c := l.byteAt(off); {
		case c == '.' && l.digitAt(off+1):
			kind = Real
			off, bad = l.scanFraction(off + 1)
		case c == 'b' || c == 'B':
			if !allIn(l.src[digits:off], "01") {
				bad = "binary literal has digits other than 0 and 1"
			}
			off++
		case off-digits > 1 && l.src[digits] == '0' && !allIn(l.src[digits:off], "01234567"):
			bad = "octal literal has digits other than 0 to 7"
		}
	}
	if bad == "" && off < len(l.src) && l.identEnd(off) > off {
		bad = "number is followed by " + quoteShort(l.src[off:l.identEnd(off)])
	}
	if bad != "" {
		l.off = l.identEnd(off)
		pos := l.pos(start)
		return Token{Kind: kind, Pos: pos, Text: l.src[start:l.off]}, errorf(pos, "malformed number %s: %s", l.src[start:l.off], bad)
	}
	l.off = off
	return Token{Kind: kind, Pos: l.pos(start), Text: l.src[start:off]}, nil
}

// scanFraction scans the digits after a decimal point and an optional exponent.
func (l *Lexer) scanFraction(off int) (int, string) {
	off = l.runEnd(off, isDigit)
	if c := l.byteAt(off); c != 'e' && c != 'E' {
		return off, ""
	}
	exp := off + 1
	if c := l.byteAt(exp); c == '+' || c == '-' {
		exp++
	}
	end := l.runEnd(exp, isDigit)
	if end == exp {
		return end, "exponent has no digits"
	}
	return end, ""
}

func (l *Lexer) runEnd(off int, in func(byte) bool) int {
	for off < len(l.src) && in(l.src[off]) {
		off++
	}
	return off
}

func isHexDigit(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func allIn(s, set string) bool {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(set, s[i]) < 0 {
			return false
		}
	}
	return true
}

// scanString scans one "..." literal. Strings end on the line they start.
func (l *Lexer) scanString() (Token, error) {
	start := l.off
	pos := l.pos(start)
	end, escaped := l.stringEnd(start + 1)
	if end < 0 {
		stop := strings.IndexByte(l.src[start:], '\n')
		if stop < 0 {
			stop = len(l.src) - start
		}
		l.off = start + stop
		return Token{Kind: String, Pos: pos, Text: l.src[start:l.off]}, errorf(pos, "string not terminated")
	}
	l.off = end + 1
	tok := Token{Kind: String, Pos: pos, Text: l.src[start:l.off], Value: l.src[start+1 : end]}
	if !utf8.ValidString(tok.Value) {
		return tok, errorf(pos, "string holds invalid UTF-8")
	}
	if !escaped {
		return tok, nil
	}
	v, err := l.unescape(start+1, end)
	tok.Value = v
	return tok, err
}

// stringEnd returns the offset of the quote closing the string whose body
// starts at from, or -1 if the line or the source ends first, and whether
// the body holds escapes.
func (l *Lexer) stringEnd(from int) (int, bool) {
	escaped := false
	for off := from; ; {
		i := strings.IndexByte(l.src[off:], '"')
		if i < 0 {
			return -1, escaped
		}
		seg := l.src[off : off+i]
		if strings.IndexByte(seg, '\n') >= 0 {
			return -1, escaped
		}
		if strings.IndexByte(seg, '\\') < 0 {
			return off + i, escaped
		}
		escaped = true
		// The quote is escaped if an odd number of backslashes precede it.
		q, n := off+i, 0
		for q-n-1 >= from && l.src[q-n-1] == '\\' {
			n++
		}
		if n%2 == 0 {
			return q, true
		}
		off = q + 1
	}
}

// scanChar scans one 'c' literal: a single character or escape sequence.
func (l *Lexer) scanChar() (Token, error) {
	start := l.off
	pos := l.pos(start)
	end := start + 1
	if l.byteAt(end) == '\\' && end+1 < len(l.src) && l.src[end+1] != '\n' {
		end += 2
	}
	for end < len(l.src) && l.src[end] != '\'' && l.src[end] != '\n' {
		end++
	}
	if l.byteAt(end) != '\'' {
		l.off = end
		return Token{Kind: Char, Pos: pos, Text: l.src[start:end]}, errorf(pos, "char16 literal not terminated")
	}
	l.off = end + 1
	tok := Token{Kind: Char, Pos: pos, Text: l.src[start:l.off]}
	v, err := l.unescape(start+1, end)
	if err != nil {
		return tok, err
	}
	r, size := utf8.DecodeRuneInString(v)
	switch {
	case r == utf8.RuneError && size == 1:
		return tok, errorf(pos, "char16 literal holds invalid UTF-8")
	case size == 0:
		return tok, errorf(pos, "empty char16 literal")
	case size != len(v):
		return tok, errorf(pos, "char16 literal %s holds more than one character", tok.Text)
	case r > 0xFFFF:
		return tok, errorf(pos, "char16 literal %s is outside the 16-bit range", tok.Text)
	}
	tok.Value = v
	return tok, nil
}

// escapeChar maps the letter after a backslash to the character it stands for.
var escapeChar = [256]byte{
	'b': '\b', 't': '\t', 'n': '\n', 'f': '\f', 'r': '\r',
	'"': '"', '\'': '\'', '\\': '\\',
}

// unescape decodes the literal body src[from:to], which lies on the current
// line. An unknown escape such as \$ is kept as written, with a warning.
func (l *Lexer) unescape(from, to int) (string, error) {
	var b strings.Builder
	b.Grow(to - from)
	for off := from; off < to; {
		c := l.src[off]
		if c != '\\' {
			b.WriteByte(c)
			off++
			continue
		}
		if off+1 >= to {
			return b.String(), errorf(l.pos(off), "escape sequence at end of literal")
		}
		e := l.src[off+1]
		switch {
		case escapeChar[e] != 0:
			b.WriteByte(escapeChar[e])
			off += 2
		case e == 'x' || e == 'X':
			r, next, err := l.hexEscape(off, to)
			if err != nil {
				return b.String(), err
			}
			b.WriteRune(r)
			off = next
		default:
			l.warnings = append(l.warnings, Warning{Pos: l.pos(off),
				Msg: "unknown escape sequence \\" + string(rune(e)) + " kept as written"})
			b.WriteByte('\\')
			off++
		}
	}
	return b.String(), nil
}

// hexEscape decodes the \xH... escape at off (one to four hex digits, a UCS-2
// code unit). A UTF-16 surrogate pair written as two escapes forms one
// character; a lone surrogate is an error.
func (l *Lexer) hexEscape(off, to int) (rune, int, error) {
	u, next := hexUnit(l.src[:to], off+2)
	if next == off+2 {
		return 0, next, errorf(l.pos(off), "escape \\%c has no hex digits", l.src[off+1])
	}
	if !utf16.IsSurrogate(rune(u)) {
		return rune(u), next, nil
	}
	if u < 0xDC00 && next+1 < to && l.src[next] == '\\' && (l.src[next+1] == 'x' || l.src[next+1] == 'X') {
		lo, after := hexUnit(l.src[:to], next+2)
		if r := utf16.DecodeRune(rune(u), rune(lo)); r != utf8.RuneError {
			return r, after, nil
		}
	}
	return 0, next, errorf(l.pos(off), "escape %s is an unpaired UTF-16 surrogate", l.src[off:next])
}

// hexUnit reads up to four hex digits of s starting at off.
func hexUnit(s string, off int) (uint16, int) {
	var u uint16
	end := off
	for end < len(s) && end-off < 4 && isHexDigit(s[end]) {
		u = u<<4 | uint16(hexVal(s[end]))
		end++
	}
	return u, end
}

func hexVal(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
