package query

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// kind is the kind of a token.
type kind uint8

const (
	tEOF kind = iota
	tIdent
	tString
	tNumber
	tOp     // = <> != < <= > >=
	tLParen // (
	tRParen // )
	tComma
	tDot
	tStar
	tLBracket
	tRBracket
	tOther // a character the grammar has no use for (+, -, /, ;, …)
)

// A token is one lexical unit of a query. For strings text is the value
// with escapes resolved; for everything else it is the source text.
type token struct {
	kind kind
	text string
	pos  int // byte offset in the query
}

func (t token) String() string {
	switch t.kind {
	case tEOF:
		return "end of query"
	case tString:
		return fmt.Sprintf("string %s", quote(t.text))
	}
	return fmt.Sprintf("%q", t.text)
}

// is reports whether t is the keyword kw (case-insensitive).
func (t token) is(kw string) bool { return t.kind == tIdent && strings.EqualFold(t.text, kw) }

// lex splits text into tokens. Strings are quoted with ' or "; a doubled
// quote or a backslash before a quote or a backslash stands for that
// character, and other backslashes are literal.
func lex(text string) ([]token, error) {
	if !utf8.ValidString(text) {
		return nil, syntaxErrorf(0, "the query is not valid UTF-8")
	}
	var toks []token
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case unicode.IsSpace(r):
			i += size
		case isIdentStart(r):
			j := i + size
			for j < len(text) {
				r2, s2 := utf8.DecodeRuneInString(text[j:])
				if !isIdentPart(r2) {
					break
				}
				j += s2
			}
			toks = append(toks, token{tIdent, text[i:j], i})
			i = j
		case r >= '0' && r <= '9':
			j := scanNumber(text, i)
			toks = append(toks, token{tNumber, text[i:j], i})
			i = j
		case r == '\'' || r == '"':
			s, j, err := scanString(text, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{tString, s, i})
			i = j
		default:
			t, n := punct(text[i:])
			t.pos = i
			toks = append(toks, t)
			i += n
		}
	}
	return append(toks, token{tEOF, "", len(text)}), nil
}

func isIdentStart(r rune) bool { return r == '_' || unicode.IsLetter(r) }

func isIdentPart(r rune) bool { return isIdentStart(r) || r >= '0' && r <= '9' }

// scanNumber returns the end of the number starting at i: decimal digits
// with an optional fraction and exponent, or 0x and hex digits.
func scanNumber(s string, i int) int {
	j := i
	if strings.HasPrefix(s[i:], "0x") || strings.HasPrefix(s[i:], "0X") {
		j += 2
		for j < len(s) && isHex(s[j]) {
			j++
		}
		return j
	}
	digits := func() {
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
	}
	digits()
	if j+1 < len(s) && s[j] == '.' && s[j+1] >= '0' && s[j+1] <= '9' {
		j++
		digits()
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		k := j + 1
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		if k < len(s) && s[k] >= '0' && s[k] <= '9' {
			j = k
			digits()
		}
	}
	return j
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func scanString(s string, i int) (string, int, error) {
	q := s[i]
	var b strings.Builder
	for j := i + 1; j < len(s); j++ {
		c := s[j]
		switch {
		case c == '\\' && j+1 < len(s) && (s[j+1] == q || s[j+1] == '\\'):
			j++
			b.WriteByte(s[j])
		case c == q && j+1 < len(s) && s[j+1] == q:
			j++
			b.WriteByte(q)
		case c == q:
			return b.String(), j + 1, nil
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, syntaxErrorf(i, "unterminated string")
}

func punct(s string) (token, int) {
	two := ""
	if len(s) >= 2 {
		two = s[:2]
	}
	switch two {
	case "<>", "!=", "<=", ">=":
		return token{kind: tOp, text: two}, 2
	}
	switch s[0] {
	case '=', '<', '>':
		return token{kind: tOp, text: s[:1]}, 1
	case '(':
		return token{kind: tLParen, text: "("}, 1
	case ')':
		return token{kind: tRParen, text: ")"}, 1
	case ',':
		return token{kind: tComma, text: ","}, 1
	case '.':
		return token{kind: tDot, text: "."}, 1
	case '*':
		return token{kind: tStar, text: "*"}, 1
	case '[':
		return token{kind: tLBracket, text: "["}, 1
	case ']':
		return token{kind: tRBracket, text: "]"}, 1
	}
	_, n := utf8.DecodeRuneInString(s)
	return token{kind: tOther, text: s[:n]}, n
}

// quote formats s as a query string literal in single quotes, which lex
// reads back as s.
func quote(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
