package mof

import (
	"fmt"
	"strconv"
)

// A Position is a place in a MOF source file. Line and Column are 1-based;
// Column counts bytes from the start of the line.
type Position struct {
	File   string
	Line   int
	Column int
}

// String formats the position as file:line:col, leaving out what is unknown.
func (p Position) String() string {
	s := p.File
	if p.Line > 0 {
		if s != "" {
			s += ":"
		}
		s += strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Column)
	}
	if s == "" {
		s = "-"
	}
	return s
}

// IsValid reports whether the position refers to a line.
func (p Position) IsValid() bool { return p.Line > 0 }

// A Kind classifies a token.
type Kind uint8

// Token kinds. Keywords such as class, instance, qualifier or REF are lexed as
// identifiers and recognised by the parser where the grammar expects them,
// because DSP0004 keywords are case-insensitive and may also be used as names.
const (
	EOF       Kind = iota
	Ident          // identifier or keyword, case preserved
	Integer        // integer literal in any radix, sign included
	Real           // real literal, sign included
	String         // one "..." literal; Value holds the unescaped text
	Char           // one 'c' literal; Value holds the unescaped character
	Bool           // TRUE or FALSE in any case
	Null           // NULL in any case
	Alias          // $Name; Value holds Name
	Hash           // #
	LParen         // (
	RParen         // )
	LBrace         // {
	RBrace         // }
	LBracket       // [
	RBracket       // ]
	Semicolon      // ;
	Comma          // ,
	Dollar         // $ not followed by a name
	Colon          // :
	Equals         // =
	Dot            // .
	Illegal        // text the lexer rejected; Next also returns an error
)

var kindNames = [...]string{
	EOF:       "end of file",
	Ident:     "identifier",
	Integer:   "integer",
	Real:      "real number",
	String:    "string",
	Char:      "char16 literal",
	Bool:      "boolean",
	Null:      "NULL",
	Alias:     "alias",
	Hash:      "'#'",
	LParen:    "'('",
	RParen:    "')'",
	LBrace:    "'{'",
	RBrace:    "'}'",
	LBracket:  "'['",
	RBracket:  "']'",
	Semicolon: "';'",
	Comma:     "','",
	Dollar:    "'$'",
	Colon:     "':'",
	Equals:    "'='",
	Dot:       "'.'",
	Illegal:   "illegal text",
}

// String names the kind as error messages do: "identifier", "';'".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// A Token is one lexical element of MOF source.
type Token struct {
	Kind Kind
	Pos  Position
	// Text is the token exactly as written in the source.
	Text string
	// Value is the decoded content of String, Char and Alias tokens.
	Value string
}

// describe names the token for a "found Y" message.
func (t Token) describe() string {
	switch t.Kind {
	case Ident:
		return "identifier " + strconv.Quote(t.Text)
	case Integer, Real, Bool, Null, Alias:
		return t.Kind.String() + " " + t.Text
	case String:
		return "string " + quoteShort(t.Value)
	case Char:
		return "char16 literal " + t.Text
	}
	return t.Kind.String()
}

// quoteShort quotes s, shortening it so error messages stay on one line.
func quoteShort(s string) string {
	const max = 32
	r := []rune(s)
	if len(r) > max {
		return strconv.Quote(string(r[:max])) + "..."
	}
	return strconv.Quote(s)
}
