package mof

import (
	"strings"
	"unicode/utf8"
)

// A Lexer splits one MOF source file into tokens. It works on a single copy of
// the source and hands out substrings of it, so tokens without escapes cost no
// allocation.
type Lexer struct {
	file      string
	src       string
	off       int // next byte to read
	line      int // line of src[off]
	lineStart int // offset of the first byte of line
	warnings  []Warning
}

// NewLexer returns a lexer for src; file names the source in positions. A
// leading UTF-8 byte order mark is skipped.
func NewLexer(file string, src []byte) *Lexer {
	return newLexer(file, string(src))
}

func newLexer(file, s string) *Lexer {
	l := &Lexer{file: file, src: s, line: 1}
	if strings.HasPrefix(s, "\uFEFF") {
		l.off, l.lineStart = 3, 3
	}
	return l
}

// Warnings returns what the lexer accepted but found suspicious so far.
func (l *Lexer) Warnings() []Warning { return l.warnings }

// pos returns the position of the byte at offset off, which must lie on the
// current line.
func (l *Lexer) pos(off int) Position {
	return Position{File: l.file, Line: l.line, Column: off - l.lineStart + 1}
}

// Next returns the next token. At the end of the source it returns an EOF
// token, again and again. On a lexical error it returns a *ParseError and
// moves past the offending text, so that lexing can go on.
func (l *Lexer) Next() (Token, error) {
	if err := l.skipSpace(); err != nil {
		return Token{Kind: Illegal, Pos: err.Pos}, err
	}
	start := l.off
	if start >= len(l.src) {
		return Token{Kind: EOF, Pos: l.pos(start)}, nil
	}
	c := l.src[start]
	switch {
	case isIdentStart(c):
		return l.scanIdent(), nil
	case isDigit(c), c == '.' && l.digitAt(start+1):
		return l.scanNumber(start, start)
	case c == '+' || c == '-':
		if l.digitAt(start+1) || l.byteAt(start+1) == '.' && l.digitAt(start+2) {
			return l.scanNumber(start, start+1)
		}
	case c == '"':
		return l.scanString()
	case c == '\'':
		return l.scanChar()
	case c == '$':
		return l.scanAlias(), nil
	case c >= utf8.RuneSelf:
		r, size := utf8.DecodeRuneInString(l.src[start:])
		if isIdentRune(r, size) {
			return l.scanIdent(), nil
		}
	}
	if k := punctKind[c]; k != EOF {
		l.off++
		return Token{Kind: k, Pos: l.pos(start), Text: l.src[start:l.off]}, nil
	}
	return l.illegalChar(start)
}

// punctKind maps a punctuation byte to its kind; EOF marks other bytes.
var punctKind = [256]Kind{
	'#': Hash, '(': LParen, ')': RParen, '{': LBrace, '}': RBrace,
	'[': LBracket, ']': RBracket, ';': Semicolon, ',': Comma,
	':': Colon, '=': Equals, '.': Dot, '$': Dollar,
}

// illegalChar reports the character at start and skips it.
func (l *Lexer) illegalChar(start int) (Token, error) {
	r, size := utf8.DecodeRuneInString(l.src[start:])
	l.off += size
	pos := l.pos(start)
	if r == utf8.RuneError && size == 1 {
		return Token{Kind: Illegal, Pos: pos, Text: l.src[start:l.off]}, errorf(pos, "invalid UTF-8 byte 0x%02x", l.src[start])
	}
	return Token{Kind: Illegal, Pos: pos, Text: l.src[start:l.off]}, errorf(pos, "unexpected character %q", r)
}

// skipSpace skips white space and comments.
func (l *Lexer) skipSpace() *ParseError {
	for l.off < len(l.src) {
		switch c := l.src[l.off]; c {
		case '\n':
			l.off++
			l.line++
			l.lineStart = l.off
		case ' ', '\t', '\r', '\f', '\v':
			l.off++
		case '/':
			switch l.byteAt(l.off + 1) {
			case '/':
				l.skipLineComment()
			case '*':
				if err := l.skipBlockComment(); err != nil {
					return err
				}
			default:
				return nil
			}
		default:
			return nil
		}
	}
	return nil
}

func (l *Lexer) skipLineComment() {
	if i := strings.IndexByte(l.src[l.off:], '\n'); i >= 0 {
		l.off += i
	} else {
		l.off = len(l.src)
	}
}

func (l *Lexer) skipBlockComment() *ParseError {
	pos := l.pos(l.off)
	end := strings.Index(l.src[l.off+2:], "*/")
	if end < 0 {
		l.advanceTo(len(l.src))
		return errorf(pos, "comment not terminated")
	}
	l.advanceTo(l.off + 2 + end + 2)
	return nil
}

// advanceTo moves to offset end, counting the lines passed.
func (l *Lexer) advanceTo(end int) {
	for {
		i := strings.IndexByte(l.src[l.off:end], '\n')
		if i < 0 {
			break
		}
		l.off += i + 1
		l.line++
		l.lineStart = l.off
	}
	l.off = end
}

func (l *Lexer) byteAt(off int) byte {
	if off < len(l.src) {
		return l.src[off]
	}
	return 0
}

func (l *Lexer) digitAt(off int) bool { return isDigit(l.byteAt(off)) }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isIdentStart(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
}

// isIdentRune reports whether a non-ASCII rune may appear in an identifier:
// DSP0004 admits U+0080 to U+FFEF.
func isIdentRune(r rune, size int) bool {
	return r >= utf8.RuneSelf && r <= 0xFFEF && !(r == utf8.RuneError && size == 1)
}

// identEnd returns the offset just past the identifier characters at off.
func (l *Lexer) identEnd(off int) int {
	for off < len(l.src) {
		c := l.src[off]
		if isIdentStart(c) || isDigit(c) {
			off++
			continue
		}
		if c < utf8.RuneSelf {
			break
		}
		r, size := utf8.DecodeRuneInString(l.src[off:])
		if !isIdentRune(r, size) {
			break
		}
		off += size
	}
	return off
}

func (l *Lexer) scanIdent() Token {
	start := l.off
	l.off = l.identEnd(start)
	text := l.src[start:l.off]
	kind := Ident
	switch {
	case strings.EqualFold(text, "true"), strings.EqualFold(text, "false"):
		kind = Bool
	case strings.EqualFold(text, "null"):
		kind = Null
	}
	return Token{Kind: kind, Pos: l.pos(start), Text: text}
}

// scanAlias scans $Name; a $ without a name is the Dollar punctuation.
func (l *Lexer) scanAlias() Token {
	start := l.off
	end := l.identEnd(start + 1)
	if end == start+1 || isDigit(l.src[start+1]) {
		l.off++
		return Token{Kind: Dollar, Pos: l.pos(start), Text: "$"}
	}
	l.off = end
	return Token{Kind: Alias, Pos: l.pos(start), Text: l.src[start:end], Value: l.src[start+1 : end]}
}
