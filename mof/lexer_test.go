package mof

import (
	"strings"
	"testing"
)

// tk is a token reduced to what the lexer tables compare.
type tk struct {
	Kind  Kind
	Text  string
	Value string
}

// lexAll returns the tokens of src up to EOF, failing on any error.
func lexAll(t *testing.T, src string) []tk {
	t.Helper()
	l := NewLexer("t.mof", []byte(src))
	var out []tk
	for {
		tok, err := l.Next()
		if err != nil {
			t.Fatalf("lexing %q: %v", src, err)
		}
		if tok.Kind == EOF {
			return out
		}
		out = append(out, tk{tok.Kind, tok.Text, tok.Value})
	}
}

func TestLexerTokens(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []tk
	}{
		{"identifiers keep their case and may hold underscores, digits and non-ASCII letters",
			"CIM_Foo _x1 Ünïcode", []tk{{Ident, "CIM_Foo", ""}, {Ident, "_x1", ""}, {Ident, "Ünïcode", ""}}},
		{"TRUE, FALSE and NULL are keywords in any case",
			"TRUE false Null", []tk{{Bool, "TRUE", ""}, {Bool, "false", ""}, {Null, "Null", ""}}},
		{"decimal integers carry their sign",
			"0 123 -5 +7", []tk{{Integer, "0", ""}, {Integer, "123", ""}, {Integer, "-5", ""}, {Integer, "+7", ""}}},
		{"hex, octal and binary integers",
			"0x1F 0X1f 017 101b -1B", []tk{{Integer, "0x1F", ""}, {Integer, "0X1f", ""}, {Integer, "017", ""}, {Integer, "101b", ""}, {Integer, "-1B", ""}}},
		{"reals need a fraction and may have an exponent",
			"1.5 -0.25 .5 +.5e10 1.0E-3", []tk{{Real, "1.5", ""}, {Real, "-0.25", ""}, {Real, ".5", ""}, {Real, "+.5e10", ""}, {Real, "1.0E-3", ""}}},
		{"a string without escapes is its text",
			`"plain text"`, []tk{{String, `"plain text"`, "plain text"}}},
		{"every named string escape",
			`"\b\t\n\f\r\"\'\\"`, []tk{{String, `"\b\t\n\f\r\"\'\\"`, "\b\t\n\f\r\"'\\"}}},
		{"hex escapes take one to four digits, in either case of x",
			`"\x41|\X263a|\x41BCDE"`, []tk{{String, `"\x41|\X263a|\x41BCDE"`, "A|☺|\u41BCDE"}}},
		{"a surrogate pair written as two hex escapes is one character",
			`"\xD83D\xDE00"`, []tk{{String, `"\xD83D\xDE00"`, "😀"}}},
		{"adjacent strings stay separate tokens",
			`"a" "b"`, []tk{{String, `"a"`, "a"}, {String, `"b"`, "b"}}},
		{"char16 literals, plain and escaped",
			`'a' '\n' '\x41' '\'' '"'`, []tk{{Char, "'a'", "a"}, {Char, `'\n'`, "\n"}, {Char, `'\x41'`, "A"}, {Char, `'\''`, "'"}, {Char, `'"'`, `"`}}},
		{"an alias is $ and a name; a lone $ is punctuation",
			"$Foo1 $ ", []tk{{Alias, "$Foo1", "Foo1"}, {Dollar, "$", ""}}},
		{"punctuation",
			"#(){}[];,:=.", []tk{{Hash, "#", ""}, {LParen, "(", ""}, {RParen, ")", ""}, {LBrace, "{", ""}, {RBrace, "}", ""},
				{LBracket, "[", ""}, {RBracket, "]", ""}, {Semicolon, ";", ""}, {Comma, ",", ""}, {Colon, ":", ""}, {Equals, "=", ""}, {Dot, ".", ""}}},
		{"comments and white space separate tokens",
			"a// line\n\tb/* block\n * more */c\r\n", []tk{{Ident, "a", ""}, {Ident, "b", ""}, {Ident, "c", ""}}},
		{"a byte order mark is skipped",
			"\uFEFFclass", []tk{{Ident, "class", ""}}},
		{"a sign not followed by a digit is not a number; 1. is an integer then a dot",
			"x=-1 1.", []tk{{Ident, "x", ""}, {Equals, "=", ""}, {Integer, "-1", ""}, {Integer, "1", ""}, {Dot, ".", ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := lexAll(t, tt.src)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d tokens %v, want %d %v", len(got), got, len(tt.want), tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("token %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestLexerPositions(t *testing.T) {
	src := "class A\n  /* two\nlines */ { x;\n\"s\" 'c' $a\uFEFF"
	want := []struct {
		text      string
		line, col int
	}{{"class", 1, 1}, {"A", 1, 7}, {"{", 3, 10}, {"x", 3, 12}, {";", 3, 13}, {`"s"`, 4, 1}, {"'c'", 4, 5}, {"$a\uFEFF", 4, 9}}
	l := NewLexer("dir/t.mof", []byte(src))
	for _, w := range want {
		tok, err := l.Next()
		if err != nil {
			t.Fatal(err)
		}
		got := tok.Pos
		if tok.Text != w.text || got.Line != w.line || got.Column != w.col || got.File != "dir/t.mof" {
			t.Errorf("token %q at %v, want %q at %d:%d", tok.Text, got, w.text, w.line, w.col)
		}
	}
	if tok, _ := l.Next(); tok.Kind != EOF || tok.Pos.String() != "dir/t.mof:4:14" {
		t.Errorf("end: %v at %v, want EOF at dir/t.mof:4:14", tok.Kind, tok.Pos)
	}
}

func TestLexerErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"a string must end on its line", "x \"abc\ny\"", `t.mof:1:3: string not terminated`},
		{"a string must end before the file does", `"abc\`, `t.mof:1:1: string not terminated`},
		{"a block comment must be closed", "a\n  /* open", `t.mof:2:3: comment not terminated`},
		{"a char16 literal holds exactly one character", "'ab'", `t.mof:1:1: char16 literal 'ab' holds more than one character`},
		{"a char16 literal may not be empty", "''", `t.mof:1:1: empty char16 literal`},
		{"a char16 literal must be closed", "'a", `t.mof:1:1: char16 literal not terminated`},
		{"a char16 literal is 16 bits wide", "'😀'", `t.mof:1:1: char16 literal '😀' is outside the 16-bit range`},
		{"a hex literal needs digits", "0x;", `t.mof:1:1: malformed number 0x: hexadecimal literal has no digits`},
		{"an octal literal has digits 0 to 7", "089", `t.mof:1:1: malformed number 089: octal literal has digits other than 0 to 7`},
		{"a binary literal has digits 0 and 1", "  102b", `t.mof:1:3: malformed number 102b: binary literal has digits other than 0 and 1`},
		{"an exponent needs digits", "1.5e+", `t.mof:1:1: malformed number 1.5e+: exponent has no digits`},
		{"a number may not run into a name", "12abc", `t.mof:1:1: malformed number 12abc: number is followed by "abc"`},
		{"a hex escape needs digits", `"a\xZ"`, `t.mof:1:3: escape \x has no hex digits`},
		{"a lone surrogate is not a character", `"\xD800"`, `t.mof:1:2: escape \xD800 is an unpaired UTF-16 surrogate`},
		{"strings must be valid UTF-8", "\"\xff\"", `t.mof:1:1: string holds invalid UTF-8`},
		{"an unknown character is reported", "a @", `t.mof:1:3: unexpected character '@'`},
		{"a sign must start a number", "- 1", `t.mof:1:1: unexpected character '-'`},
		{"invalid UTF-8 outside strings is reported", "\xfe", `t.mof:1:1: invalid UTF-8 byte 0xfe`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := NewLexer("t.mof", []byte(tt.src))
			for range 10 {
				tok, err := l.Next()
				if err != nil {
					if err.Error() != tt.want {
						t.Errorf("error %q, want %q", err, tt.want)
					}
					return
				}
				if tok.Kind == EOF {
					break
				}
			}
			t.Errorf("no error, want %q", tt.want)
		})
	}
}

func TestLexerGoesOnAfterAnError(t *testing.T) {
	l := NewLexer("t.mof", []byte("@ \"open\nname"))
	var kinds []Kind
	var errs []string
	for {
		tok, err := l.Next()
		if err != nil {
			errs = append(errs, err.Error())
		}
		kinds = append(kinds, tok.Kind)
		if tok.Kind == EOF {
			break
		}
	}
	wantKinds := []Kind{Illegal, String, Ident, EOF}
	if len(kinds) != len(wantKinds) || kinds[0] != Illegal || kinds[2] != Ident {
		t.Errorf("kinds %v, want %v", kinds, wantKinds)
	}
	if len(errs) != 2 || !strings.Contains(errs[1], "string not terminated") {
		t.Errorf("errors %q, want an unexpected character then an unterminated string", errs)
	}
}

func TestLexerWarnsOfUnknownEscapes(t *testing.T) {
	l := NewLexer("t.mof", []byte(`x "C:\dir\$x"`))
	l.Next()
	tok, err := l.Next()
	if err != nil {
		t.Fatal(err)
	}
	if tok.Value != `C:\dir\$x` {
		t.Errorf("value %q, want the unknown escapes kept as written", tok.Value)
	}
	w := l.Warnings()
	if len(w) != 2 || w[0].String() != `t.mof:1:6: unknown escape sequence \d kept as written` || w[1].Pos.Column != 10 {
		t.Errorf("warnings %v, want \\d at 1:6 and \\$ at 1:10", w)
	}
}
