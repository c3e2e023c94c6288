package query

import (
	"strconv"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// An expr is a boolean condition of a WHERE clause or filter. String
// returns its canonical text, fully parenthesized, which parses back to an
// equal expression.
type expr interface {
	String() string
	eval(e *env) truth
}

// An operand is one side of a comparison: a property, a literal, or the
// instance itself (the FROM class or its alias).
type operand interface {
	String() string
	// values returns what the operand stands for in inst: a single value,
	// an array, or a null Value when the property is absent or null.
	value(e *env) cim.Value
}

// quantifier says how a comparison treats an array property.
type quantifier uint8

const (
	quantNone  quantifier = iota // ANY semantics, written without a keyword
	quantAny                     // ANY Prop op value
	quantEvery                   // EVERY Prop op value
)

// A propRef names a property of the instance, or of an embedded instance
// along a path (Prop.Sub), optionally one array element (Prop[2]).
type propRef struct {
	path  []string
	index int // -1 when the whole value is meant
}

func (p *propRef) String() string {
	s := strings.Join(p.path, ".")
	if p.index >= 0 {
		s += "[" + strconv.Itoa(p.index) + "]"
	}
	return s
}

// selfRef is the FROM class name or alias used as an operand: the instance.
type selfRef struct{ name string }

func (s *selfRef) String() string { return s.name }

// A literal is a constant: a string, an integer (sint64 when negative,
// uint64 otherwise), a real64, a boolean, or NULL (the zero Value).
type literal struct{ v cim.Value }

func (l *literal) String() string {
	switch {
	case l.v.IsNull():
		return "NULL"
	case l.v.Type() == cim.TypeString:
		return quote(l.v.Str())
	case l.v.Type() == cim.TypeReal64:
		f, _ := l.v.AsFloat64()
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return l.v.Text()
}

type orExpr struct{ l, r expr }

func (x *orExpr) String() string { return "(" + x.l.String() + " OR " + x.r.String() + ")" }

type andExpr struct{ l, r expr }

func (x *andExpr) String() string { return "(" + x.l.String() + " AND " + x.r.String() + ")" }

type notExpr struct{ x expr }

func (x *notExpr) String() string { return "(NOT " + x.x.String() + ")" }

// cmpExpr compares two operands with = <> < <= > >= (!= is read as <>).
type cmpExpr struct {
	quant quantifier
	op    string
	l, r  operand
}

func (x *cmpExpr) String() string {
	return "(" + quantText(x.quant) + x.l.String() + " " + x.op + " " + x.r.String() + ")"
}

func quantText(q quantifier) string {
	switch q {
	case quantAny:
		return "ANY "
	case quantEvery:
		return "EVERY "
	}
	return ""
}

// likeExpr matches a string operand against a pattern.
type likeExpr struct {
	quant   quantifier
	x       operand
	not     bool
	pattern string
	escape  string // "" when the pattern has no ESCAPE clause
	compiled
}

func (x *likeExpr) String() string {
	s := "(" + quantText(x.quant) + x.x.String()
	if x.not {
		s += " NOT"
	}
	s += " LIKE " + quote(x.pattern)
	if x.escape != "" {
		s += " ESCAPE " + quote(x.escape)
	}
	return s + ")"
}

// nullExpr tests for null: IS NULL or IS NOT NULL.
type nullExpr struct {
	x   operand
	not bool
}

func (x *nullExpr) String() string {
	if x.not {
		return "(" + x.x.String() + " IS NOT NULL)"
	}
	return "(" + x.x.String() + " IS NULL)"
}

// isaExpr tests the class of the instance, of an embedded instance or of
// the target of a reference.
type isaExpr struct {
	x     operand
	class string
}

func (x *isaExpr) String() string { return "(" + x.x.String() + " ISA " + x.class + ")" }

// boolExpr is an operand used as a condition: TRUE, FALSE or a boolean
// property.
type boolExpr struct{ x operand }

func (x *boolExpr) String() string { return x.x.String() }
