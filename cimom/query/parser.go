package query

import (
	"math"
	"strconv"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// maxDepth bounds the nesting of parentheses and NOT, so that a hostile
// query cannot exhaust the stack.
const maxDepth = 100

// reserved are the words that cannot name a property.
var reserved = map[string]bool{
	"SELECT": true, "FROM": true, "WHERE": true, "AND": true, "OR": true, "NOT": true,
	"LIKE": true, "ESCAPE": true, "IS": true, "NULL": true, "ISA": true, "TRUE": true,
	"FALSE": true, "ANY": true, "EVERY": true, "IN": true, "BETWEEN": true, "ORDER": true,
	"GROUP": true, "BY": true, "HAVING": true, "AS": true, "DISTINCT": true, "JOIN": true,
	"SATISFIES": true, "EXISTS": true, "UNION": true,
}

// unsupportedClauses are words that begin a clause Ferrum recognizes but
// does not implement.
var unsupportedClauses = map[string]string{
	"ORDER": "ORDER BY", "GROUP": "GROUP BY", "HAVING": "HAVING", "UNION": "UNION",
	"JOIN": "joins", "INNER": "joins", "LEFT": "joins", "RIGHT": "joins", "FULL": "joins",
	"CROSS": "joins", "OUTER": "joins", "LIMIT": "LIMIT",
}

// aggregates are the functions of DSP0202 and WQL that Ferrum recognizes
// but does not implement.
var aggregates = map[string]bool{"COUNT": true, "SUM": true, "MIN": true, "MAX": true, "AVG": true}

type parser struct {
	toks  []token
	i     int
	depth int
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) peekAt(n int) token {
	if p.i+n < len(p.toks) {
		return p.toks[p.i+n]
	}
	return p.toks[len(p.toks)-1]
}

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

// accept consumes the keyword kw if it comes next.
func (p *parser) accept(kw string) bool {
	if p.peek().is(kw) {
		p.i++
		return true
	}
	return false
}

func (p *parser) expectKeyword(kw string) error {
	if !p.accept(kw) {
		return p.unexpected(kw)
	}
	return nil
}

func (p *parser) unexpected(want string) error {
	t := p.peek()
	return syntaxErrorf(t.pos, "want %s, found %s", want, t)
}

// name reads a CIM name that is not a reserved word.
func (p *parser) name(what string) (token, error) {
	t := p.peek()
	if t.kind != tIdent || reserved[strings.ToUpper(t.text)] {
		return t, p.unexpected(what)
	}
	p.i++
	return t, nil
}

// parseSelect parses SELECT list FROM class [alias] [WHERE expr].
func (p *parser) parseSelect(q *Query) error {
	if err := p.expectKeyword("SELECT"); err != nil {
		return err
	}
	if t := p.peek(); t.is("DISTINCT") || t.is("FIRST") || t.is("TOP") {
		return featureErrorf("SELECT %s is not supported", strings.ToUpper(t.text))
	}
	items, err := p.selectList()
	if err != nil {
		return err
	}
	if err := p.expectKeyword("FROM"); err != nil {
		return err
	}
	if err := p.from(q); err != nil {
		return err
	}
	if q.props, err = q.resolveSelect(items); err != nil {
		return err
	}
	if p.accept("WHERE") {
		if q.where, err = p.expr(); err != nil {
			return err
		}
	}
	return p.end()
}

// end requires the end of the query, naming unsupported clauses.
func (p *parser) end() error {
	t := p.peek()
	if t.kind == tEOF {
		return nil
	}
	if what, ok := unsupportedClauses[strings.ToUpper(t.text)]; ok && t.kind == tIdent {
		return featureErrorf("%s is not supported", what)
	}
	return p.unexpected("end of query")
}

// A selectItem is one entry of the select list as written: an optional
// qualifier (class or alias) and a property name or "*".
type selectItem struct {
	qualifier, name string
	pos             int
}

func (p *parser) selectList() ([]selectItem, error) {
	if p.peek().kind == tStar {
		p.next()
		return nil, nil
	}
	var items []selectItem
	for {
		it, err := p.selectItem()
		if err != nil {
			return nil, err
		}
		items = append(items, it)
		if p.peek().kind != tComma {
			return items, nil
		}
		p.next()
	}
}

func (p *parser) selectItem() (selectItem, error) {
	first, err := p.name("a property name or *")
	if err != nil {
		return selectItem{}, err
	}
	if p.peek().kind == tLParen {
		return selectItem{}, functionError(first.text)
	}
	if p.peek().kind != tDot {
		return selectItem{name: first.text, pos: first.pos}, nil
	}
	p.next()
	if p.peek().kind == tStar {
		p.next()
		return selectItem{qualifier: first.text, name: "*", pos: first.pos}, nil
	}
	second, err := p.name("a property name")
	if err != nil {
		return selectItem{}, err
	}
	if p.peek().kind == tDot {
		return selectItem{}, featureErrorf("embedded properties in the select list are not supported")
	}
	return selectItem{qualifier: first.text, name: second.text, pos: first.pos}, nil
}

func functionError(name string) error {
	if aggregates[strings.ToUpper(name)] {
		return featureErrorf("aggregate function %s is not supported", strings.ToUpper(name))
	}
	return featureErrorf("function %s is not supported", name)
}

// from reads the class and its optional alias, refusing joins.
func (p *parser) from(q *Query) error {
	if p.peek().kind == tLParen {
		return featureErrorf("subqueries are not supported")
	}
	class, err := p.name("a class name")
	if err != nil {
		return err
	}
	q.from = class.text
	p.accept("AS")
	if t := p.peek(); t.kind == tIdent && !reserved[strings.ToUpper(t.text)] && unsupportedClauses[strings.ToUpper(t.text)] == "" {
		q.alias = t.text
		p.next()
	}
	if p.peek().kind == tComma {
		return featureErrorf("joins (more than one class in FROM) are not supported")
	}
	return nil
}

// expr := and (OR and)*
func (p *parser) expr() (expr, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, syntaxErrorf(p.peek().pos, "expression nested more than %d deep", maxDepth)
	}
	l, err := p.and()
	for err == nil && p.accept("OR") {
		var r expr
		if r, err = p.and(); err == nil {
			l = &orExpr{l, r}
		}
	}
	return l, err
}

// and := not (AND not)*
func (p *parser) and() (expr, error) {
	l, err := p.not()
	for err == nil && p.accept("AND") {
		var r expr
		if r, err = p.not(); err == nil {
			l = &andExpr{l, r}
		}
	}
	return l, err
}

// not := NOT not | primary
func (p *parser) not() (expr, error) {
	if !p.accept("NOT") {
		return p.primary()
	}
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, syntaxErrorf(p.peek().pos, "expression nested more than %d deep", maxDepth)
	}
	x, err := p.not()
	if err != nil {
		return nil, err
	}
	return &notExpr{x}, nil
}

// primary := ( expr ) | [ANY|EVERY] operand predicate
func (p *parser) primary() (expr, error) {
	if p.peek().kind == tLParen {
		if p.peekAt(1).is("SELECT") {
			return nil, featureErrorf("subqueries are not supported")
		}
		p.next()
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		if p.peek().kind != tRParen {
			return nil, p.unexpected(`")"`)
		}
		p.next()
		return x, nil
	}
	if t := p.peek(); t.is("EXISTS") {
		return nil, featureErrorf("EXISTS is not supported")
	}
	quant := quantNone
	switch {
	case p.accept("ANY"):
		quant = quantAny
	case p.accept("EVERY"):
		quant = quantEvery
	}
	x, err := p.operand()
	if err != nil {
		return nil, err
	}
	return p.predicate(quant, x)
}

// predicate reads what follows the left operand.
func (p *parser) predicate(quant quantifier, x operand) (expr, error) {
	t := p.peek()
	switch {
	case t.kind == tOp:
		p.next()
		r, err := p.operand()
		if err != nil {
			return nil, err
		}
		op := t.text
		if op == "!=" {
			op = "<>"
		}
		return &cmpExpr{quant: quant, op: op, l: x, r: r}, nil
	case t.is("LIKE") || t.is("NOT") && p.peekAt(1).is("LIKE"):
		return p.like(quant, x)
	case t.is("IS"):
		return p.isNull(quant, x)
	case t.is("ISA"):
		return p.isa(quant, x)
	case t.is("IN") || t.is("BETWEEN") || t.is("SATISFIES") || t.is("NOT") && (p.peekAt(1).is("IN") || p.peekAt(1).is("BETWEEN")):
		return nil, featureErrorf("%s is not supported", strings.ToUpper(t.text))
	case t.kind == tStar || t.kind == tOther && strings.Contains("+-/|%", t.text):
		return nil, featureErrorf("arithmetic (%s) is not supported", t.text)
	}
	if quant != quantNone {
		return nil, p.unexpected("a comparison after ANY or EVERY")
	}
	return &boolExpr{x}, nil
}

func (p *parser) like(quant quantifier, x operand) (expr, error) {
	not := p.accept("NOT")
	p.next() // LIKE
	pat := p.next()
	if pat.kind != tString {
		return nil, syntaxErrorf(pat.pos, "LIKE wants a string pattern, found %s", pat)
	}
	l := &likeExpr{quant: quant, x: x, not: not, pattern: pat.text}
	if p.accept("ESCAPE") {
		esc := p.next()
		if esc.kind != tString || len([]rune(esc.text)) != 1 {
			return nil, syntaxErrorf(esc.pos, "ESCAPE wants a string of one character, found %s", esc)
		}
		l.escape = esc.text
	}
	c, err := compileLike(l.pattern, l.escape)
	if err != nil {
		return nil, syntaxErrorf(pat.pos, "%v", err)
	}
	l.compiled = c
	return l, nil
}

func (p *parser) isNull(quant quantifier, x operand) (expr, error) {
	if quant != quantNone {
		return nil, syntaxErrorf(p.peek().pos, "IS NULL cannot follow ANY or EVERY")
	}
	p.next() // IS
	not := p.accept("NOT")
	if err := p.expectKeyword("NULL"); err != nil {
		return nil, err
	}
	return &nullExpr{x: x, not: not}, nil
}

func (p *parser) isa(quant quantifier, x operand) (expr, error) {
	if quant != quantNone {
		return nil, syntaxErrorf(p.peek().pos, "ISA cannot follow ANY or EVERY")
	}
	p.next() // ISA
	t := p.next()
	if (t.kind != tIdent && t.kind != tString) || !isCIMName(t.text) {
		return nil, syntaxErrorf(t.pos, "ISA wants a class name, found %s", t)
	}
	return &isaExpr{x: x, class: t.text}, nil
}

// operand := literal | - number | name [. name]* [ [ index ] ]
func (p *parser) operand() (operand, error) {
	t := p.peek()
	switch {
	case t.kind == tString:
		p.next()
		return &literal{cim.String(t.text)}, nil
	case t.kind == tNumber:
		p.next()
		return number(t, false)
	case t.kind == tOther && (t.text == "-" || t.text == "+") && p.peekAt(1).kind == tNumber:
		p.next()
		return number(p.next(), t.text == "-")
	case t.is("TRUE") || t.is("FALSE"):
		p.next()
		return &literal{cim.Bool(t.is("TRUE"))}, nil
	case t.is("NULL"):
		p.next()
		return &literal{}, nil
	case t.kind == tLParen && p.peekAt(1).is("SELECT"):
		return nil, featureErrorf("subqueries are not supported")
	}
	return p.property()
}

func (p *parser) property() (operand, error) {
	first, err := p.name("a property, a literal or a condition")
	if err != nil {
		return nil, err
	}
	if p.peek().kind == tLParen {
		return nil, functionError(first.text)
	}
	ref := &propRef{path: []string{first.text}, index: -1}
	for p.peek().kind == tDot {
		p.next()
		t, err := p.name("a property name")
		if err != nil {
			return nil, err
		}
		ref.path = append(ref.path, t.text)
	}
	if p.peek().kind == tLBracket {
		p.next()
		t := p.next()
		n, err := strconv.Atoi(t.text)
		if t.kind != tNumber || err != nil || n < 0 {
			if t.kind == tStar {
				return nil, featureErrorf("the array index [*] is not supported; use ANY or EVERY")
			}
			return nil, syntaxErrorf(t.pos, "want an array index, found %s", t)
		}
		if p.next().kind != tRBracket {
			return nil, syntaxErrorf(t.pos, `want "]" after the array index`)
		}
		ref.index = n
	}
	return ref, nil
}

// number converts a number token to a literal: an integer when it has no
// fraction or exponent and fits 64 bits, a real otherwise.
func number(t token, negative bool) (operand, error) {
	s := t.text
	isHexNum := strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X")
	if u, err := strconv.ParseUint(s, 0, 64); err == nil {
		if !negative {
			return &literal{cim.Uint64(u)}, nil
		}
		if u <= math.MaxInt64+1 {
			return &literal{cim.Sint64(int64(-u))}, nil
		}
	}
	if isHexNum {
		return nil, syntaxErrorf(t.pos, "number %s is out of range", s)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return nil, syntaxErrorf(t.pos, "invalid number %s", s)
	}
	if negative {
		f = -f
	}
	return &literal{cim.Real64(f)}, nil
}

// isCIMName reports whether s is a CIM identifier.
func isCIMName(s string) bool {
	toks, err := lex(s)
	return err == nil && len(toks) == 2 && toks[0].kind == tIdent && toks[0].text == s
}
