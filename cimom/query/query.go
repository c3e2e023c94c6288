package query

import (
	"fmt"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// The query languages, as DSP0200 names them in QueryLanguage and
// FilterQueryLanguage.
const (
	WQL = "WQL"
	CQL = "DMTF:CQL"
	FQL = "DMTF:FQL"
)

// maxQueryLen bounds the text Parse accepts.
const maxQueryLen = 64 << 10

// A Query is a parsed WQL or CQL SELECT statement, or an FQL filter (which
// has no FROM class and no select list). It is immutable and safe for
// concurrent use.
type Query struct {
	lang  string
	from  string   // "" for a filter
	alias string   // "" when none
	props []string // nil for *
	where expr     // nil when every instance matches
}

// Parse parses text in the query language lang: "WQL", "DMTF:CQL" (also
// "CQL") or "DMTF:FQL", case-insensitive. Errors are *cim.Error values:
// CIM_ERR_QUERY_LANGUAGE_NOT_SUPPORTED for another language,
// CIM_ERR_INVALID_QUERY for a syntax error, and
// CIM_ERR_QUERY_FEATURE_NOT_SUPPORTED for recognized features Ferrum does
// not implement (joins, ORDER BY, aggregates, functions, arithmetic…).
func Parse(lang, text string) (*Query, error) {
	canon, err := language(lang)
	if err != nil {
		return nil, err
	}
	if len(text) > maxQueryLen {
		return nil, cim.Errorf(cim.ErrInvalidQuery, "the query is longer than %d bytes", maxQueryLen)
	}
	toks, err := lex(text)
	if err != nil {
		return nil, err
	}
	q := &Query{lang: canon}
	p := &parser{toks: toks}
	if canon == FQL {
		if q.where, err = p.expr(); err != nil {
			return nil, err
		}
		if err = p.end(); err != nil {
			return nil, err
		}
		return q, nil
	}
	if err := p.parseSelect(q); err != nil {
		return nil, err
	}
	if q.where, err = q.resolve(q.where); err != nil {
		return nil, err
	}
	return q, nil
}

// language returns the canonical name of a query language.
func language(lang string) (string, error) {
	switch strings.ToUpper(strings.TrimSpace(lang)) {
	case "WQL":
		return WQL, nil
	case "DMTF:CQL", "CQL":
		return CQL, nil
	case "DMTF:FQL":
		return FQL, nil
	}
	return "", cim.Errorf(cim.ErrQueryLanguageNotSupported, "query language %q is not supported; use WQL, DMTF:CQL or DMTF:FQL", lang)
}

// Language returns the canonical name of the query's language.
func (q *Query) Language() string { return q.lang }

// FromClass returns the class named in FROM; "" for an FQL filter.
func (q *Query) FromClass() string { return q.from }

// Properties returns the names of the selected properties, or nil when the
// query selects all of them (*, or an FQL filter).
func (q *Query) Properties() []string { return q.props }

// String returns the query in canonical form: keywords in upper case, the
// condition fully parenthesized. Parse(q.Language(), q.String()) gives an
// equal query.
func (q *Query) String() string {
	var b strings.Builder
	if q.from != "" {
		b.WriteString("SELECT ")
		if q.props == nil {
			b.WriteString("*")
		} else {
			b.WriteString(strings.Join(q.props, ", "))
		}
		b.WriteString(" FROM ")
		b.WriteString(q.from)
		if q.alias != "" {
			b.WriteString(" " + q.alias)
		}
		if q.where != nil {
			b.WriteString(" WHERE ")
		}
	}
	if q.where != nil {
		b.WriteString(q.where.String())
	}
	return b.String()
}

// Matches reports whether inst satisfies the query's condition (true when
// there is none). isA(class, ancestor) reports whether class is ancestor or
// one of its subclasses, for ISA; nil compares class names only. Conditions
// follow SQL's three-valued logic: a comparison with a null or absent
// property, or between values that cannot be compared, is unknown, and only
// a true condition matches. A comparison with an array property is true
// when any element satisfies it (every element under EVERY).
func (q *Query) Matches(inst *cim.Instance, isA func(class, ancestor string) bool) (bool, error) {
	if inst == nil {
		return false, fmt.Errorf("query: Matches needs an instance")
	}
	if q.where == nil {
		return true, nil
	}
	return q.where.eval(&env{inst: inst, isA: isA}) == isTrue, nil
}

// Project returns inst limited to the selected properties, in the order of
// the select list; inst itself when the query selects all properties.
// Selected properties the instance lacks are left out.
func (q *Query) Project(inst *cim.Instance) *cim.Instance {
	if q.props == nil {
		return inst
	}
	out := &cim.Instance{ClassName: inst.ClassName, Qualifiers: inst.Qualifiers}
	for _, name := range q.props {
		for _, pv := range inst.Properties {
			if strings.EqualFold(pv.Name, name) {
				out.Properties = append(out.Properties, pv)
				break
			}
		}
	}
	return out
}

// Validate checks the property names the query uses against class, the
// FROM class (or, for a filter, the class enumerated): an unknown property
// is CIM_ERR_INVALID_QUERY.
func (q *Query) Validate(class *cim.Class) error {
	for _, name := range q.props {
		if class.Property(name) == nil {
			return cim.Errorf(cim.ErrInvalidQuery, "class %s has no property %s", class.Name, name)
		}
	}
	var err error
	walk(q.where, func(o operand) {
		if p, ok := o.(*propRef); ok && err == nil && class.Property(p.path[0]) == nil && !strings.EqualFold(p.path[0], "__CLASS") {
			err = cim.Errorf(cim.ErrInvalidQuery, "class %s has no property %s", class.Name, p.path[0])
		}
	})
	return err
}

// walk calls fn for every operand of x.
func walk(x expr, fn func(operand)) {
	switch x := x.(type) {
	case *orExpr:
		walk(x.l, fn)
		walk(x.r, fn)
	case *andExpr:
		walk(x.l, fn)
		walk(x.r, fn)
	case *notExpr:
		walk(x.x, fn)
	case *cmpExpr:
		fn(x.l)
		fn(x.r)
	case *likeExpr:
		fn(x.x)
	case *nullExpr:
		fn(x.x)
	case *isaExpr:
		fn(x.x)
	case *boolExpr:
		fn(x.x)
	}
}

// resolveSelect turns the select list into property names, checking that
// qualifiers name the FROM class or its alias.
func (q *Query) resolveSelect(items []selectItem) ([]string, error) {
	if items == nil {
		return nil, nil
	}
	props := make([]string, 0, len(items))
	for _, it := range items {
		if it.qualifier != "" && !q.isSelf(it.qualifier) {
			return nil, syntaxErrorf(it.pos, "%s is neither the FROM class nor its alias", it.qualifier)
		}
		if it.name == "*" {
			return nil, nil
		}
		props = append(props, it.name)
	}
	return props, nil
}

func (q *Query) isSelf(name string) bool {
	return strings.EqualFold(name, q.from) || q.alias != "" && strings.EqualFold(name, q.alias)
}

// resolve rewrites property paths that start with the FROM class or its
// alias: the bare name becomes the instance itself (for ISA and IS NULL),
// and a longer path loses its qualifier.
func (q *Query) resolve(x expr) (expr, error) {
	var err error
	fix := func(o operand) operand {
		p, ok := o.(*propRef)
		if !ok || !q.isSelf(p.path[0]) {
			return o
		}
		if len(p.path) > 1 {
			return &propRef{path: p.path[1:], index: p.index}
		}
		if p.index >= 0 {
			err = cim.Errorf(cim.ErrInvalidQuery, "%s names the instance, which is not an array", p.path[0])
		}
		return &selfRef{name: p.path[0]}
	}
	rewrite(x, fix)
	if err != nil {
		return nil, err
	}
	return x, checkSelfUse(x)
}

// rewrite replaces every operand o of x by fix(o).
func rewrite(x expr, fix func(operand) operand) {
	switch x := x.(type) {
	case *orExpr:
		rewrite(x.l, fix)
		rewrite(x.r, fix)
	case *andExpr:
		rewrite(x.l, fix)
		rewrite(x.r, fix)
	case *notExpr:
		rewrite(x.x, fix)
	case *cmpExpr:
		x.l, x.r = fix(x.l), fix(x.r)
	case *likeExpr:
		x.x = fix(x.x)
	case *nullExpr:
		x.x = fix(x.x)
	case *isaExpr:
		x.x = fix(x.x)
	case *boolExpr:
		x.x = fix(x.x)
	}
}

// checkSelfUse allows the instance itself only where it means something:
// ISA and IS [NOT] NULL.
func checkSelfUse(x expr) error {
	var err error
	var check func(expr)
	check = func(x expr) {
		switch x := x.(type) {
		case *orExpr:
			check(x.l)
			check(x.r)
		case *andExpr:
			check(x.l)
			check(x.r)
		case *notExpr:
			check(x.x)
		case *cmpExpr, *likeExpr, *boolExpr:
			walk(x, func(o operand) {
				if s, ok := o.(*selfRef); ok && err == nil {
					err = cim.Errorf(cim.ErrInvalidQuery, "%s names the instance; only ISA and IS NULL apply to it", s.name)
				}
			})
		}
	}
	check(x)
	return err
}

// syntaxErrorf returns CIM_ERR_INVALID_QUERY naming the byte offset.
func syntaxErrorf(pos int, format string, args ...any) error {
	return cim.Errorf(cim.ErrInvalidQuery, "at offset %d: %s", pos, fmt.Sprintf(format, args...))
}

// featureErrorf returns CIM_ERR_QUERY_FEATURE_NOT_SUPPORTED.
func featureErrorf(format string, args ...any) error {
	return cim.Errorf(cim.ErrQueryFeatureNotSupported, format, args...)
}
