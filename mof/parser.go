package mof

import (
	"strings"
)

// maxErrors is how many errors one file may report before parsing stops.
const maxErrors = 10

// maxNesting bounds how deeply embedded instances may nest in values.
const maxNesting = 64

// Parse parses one MOF source file. name is used in positions. Declarations
// carry the pragma state set earlier in the same file; to carry it across
// include pragmas, use ParseAll. Parse reports every error it can recover
// from, up to a limit, as an ErrorList; the returned File holds whatever
// declarations parsed cleanly.
func Parse(name string, src []byte) (*File, error) {
	f, errs := parseSource(name, string(src))
	return f, errs.Err()
}

// parseSource parses src, which the tree may keep references into, and
// returns the errors as a list.
func parseSource(name, src string) (*File, ErrorList) {
	p := &parser{lx: newLexer(name, src)}
	f := &File{Name: name}
	p.advance()
	for p.tok.Kind != EOF {
		d, err := p.parseDecl()
		if err != nil {
			if p.fail(err) {
				break
			}
			p.sync()
			continue
		}
		setContext(d, p.ctx)
		f.Decls = append(f.Decls, d)
	}
	f.Warnings = p.lx.Warnings()
	return f, p.errs
}

// A parser reads declarations from a lexer, one token of look-ahead in tok.
type parser struct {
	lx      *Lexer
	tok     Token
	lexErr  error // lexical error met while reading tok, reported on use
	errs    ErrorList
	ctx     Context
	depth   int // braces consumed and not yet closed
	nesting int // embedded instances being parsed
}

// advance reads the next token. A lexical error is kept until the parser
// next asks for a token, so that the error is reported where it matters.
func (p *parser) advance() {
	switch p.tok.Kind {
	case LBrace:
		p.depth++
	case RBrace:
		p.depth--
	}
	p.tok, p.lexErr = p.lx.Next()
}

// next consumes the current token and returns it, or reports the lexical
// error met while reading it.
func (p *parser) next() (Token, error) {
	tok := p.tok
	if err := p.check(); err != nil {
		return tok, err
	}
	p.advance()
	return tok, nil
}

// check returns, and clears, the lexical error pending on the current token.
func (p *parser) check() error {
	err := p.lexErr
	p.lexErr = nil
	return err
}

// errExpected reports that the current token is not what the grammar wants.
// A pending lexical error explains the problem better and is returned instead.
func (p *parser) errExpected(what string) error {
	if err := p.check(); err != nil {
		return err
	}
	return expected(what, p.tok)
}

// expect consumes a token of kind k; what names it in the error otherwise.
func (p *parser) expect(k Kind, what string) (Token, error) {
	if p.tok.Kind != k {
		return p.tok, p.errExpected(what)
	}
	return p.next()
}

// is reports whether the current token is the keyword kw (any case).
func (p *parser) is(kw string) bool {
	return p.lexErr == nil && p.tok.Kind == Ident && strings.EqualFold(p.tok.Text, kw)
}

// keyword consumes the keyword kw.
func (p *parser) keyword(kw string) (Token, error) {
	if !p.is(kw) {
		return p.tok, p.errExpected("'" + kw + "'")
	}
	return p.next()
}

// fail records err and reports whether parsing must stop.
func (p *parser) fail(err error) bool {
	pe, ok := err.(*ParseError)
	if !ok {
		pe = &ParseError{Pos: p.tok.Pos, Msg: err.Error(), Err: err}
	}
	p.errs = append(p.errs, pe)
	return len(p.errs) >= maxErrors
}

// sync skips to the end of the declaration in error: past the next ';'
// outside braces. Lexical errors met on the way are recorded too.
func (p *parser) sync() {
	p.nesting = 0
	for {
		if err := p.check(); err != nil && p.fail(err) {
			return
		}
		if p.tok.Kind == EOF {
			return
		}
		atEnd := p.tok.Kind == Semicolon && p.depth <= 0
		p.advance()
		if atEnd {
			p.depth = 0
			return
		}
	}
}

// parseDecl parses one pragma or declaration.
func (p *parser) parseDecl() (Decl, error) {
	start := p.tok.Pos
	var quals []*Qualifier
	switch {
	case p.tok.Kind == Hash:
		return p.parsePragma()
	case p.is("qualifier"):
		return p.parseQualifierDecl()
	case p.tok.Kind == LBracket:
		var err error
		if quals, err = p.parseQualifierList(); err != nil {
			return nil, err
		}
	}
	switch {
	case p.is("class"):
		return p.parseClass(start, quals)
	case p.is("instance"):
		d, err := p.parseInstance(start, quals)
		if err != nil {
			return nil, err
		}
		_, err = p.expect(Semicolon, "';' after instance")
		return d, err
	case quals != nil:
		return nil, p.errExpected("'class' or 'instance'")
	}
	return nil, p.errExpected("'#pragma', 'qualifier', 'class', 'instance' or '['")
}

// parsePragma parses #pragma name("value") and applies it to the context.
func (p *parser) parsePragma() (*Pragma, error) {
	hash, err := p.next()
	if err != nil {
		return nil, err
	}
	if _, err := p.keyword("pragma"); err != nil {
		return nil, err
	}
	name, err := p.expect(Ident, "pragma name")
	if err != nil {
		return nil, err
	}
	if _, err := p.expect(LParen, "'(' after pragma name"); err != nil {
		return nil, err
	}
	val, err := p.parseString("pragma parameter string")
	if err != nil {
		return nil, err
	}
	if _, err := p.expect(RParen, "')' after pragma parameter"); err != nil {
		return nil, err
	}
	d := &Pragma{Position: hash.Pos, Name: strings.ToLower(name.Text), Value: val.Value}
	p.ctx.apply(d)
	return d, nil
}

// parseString parses one or more adjacent string literals as one string.
func (p *parser) parseString(what string) (*StringValue, error) {
	first, err := p.expect(String, what)
	if err != nil {
		return nil, err
	}
	if p.tok.Kind != String {
		return &StringValue{Position: first.Pos, Value: first.Value}, nil
	}
	var buf [16]string
	parts, size := append(buf[:0], first.Value), len(first.Value)
	for p.tok.Kind == String {
		tok, err := p.next()
		if err != nil {
			return nil, err
		}
		parts = append(parts, tok.Value)
		size += len(tok.Value)
	}
	var b strings.Builder
	b.Grow(size)
	for _, s := range parts {
		b.WriteString(s)
	}
	return &StringValue{Position: first.Pos, Value: b.String()}, nil
}
