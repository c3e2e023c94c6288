package query

import (
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// truth is a value of SQL's three-valued logic.
type truth int8

const (
	unknown truth = iota
	isFalse
	isTrue
)

func truthOf(b bool) truth {
	if b {
		return isTrue
	}
	return isFalse
}

// env is what an expression is evaluated against.
type env struct {
	inst *cim.Instance
	isA  func(class, ancestor string) bool
}

func (e *env) classIsA(class, ancestor string) bool {
	if strings.EqualFold(class, ancestor) {
		return true
	}
	return e.isA != nil && e.isA(class, ancestor)
}

func (x *orExpr) eval(e *env) truth {
	l := x.l.eval(e)
	if l == isTrue {
		return isTrue
	}
	r := x.r.eval(e)
	switch {
	case r == isTrue:
		return isTrue
	case l == isFalse && r == isFalse:
		return isFalse
	}
	return unknown
}

func (x *andExpr) eval(e *env) truth {
	l := x.l.eval(e)
	if l == isFalse {
		return isFalse
	}
	r := x.r.eval(e)
	switch {
	case r == isFalse:
		return isFalse
	case l == isTrue && r == isTrue:
		return isTrue
	}
	return unknown
}

func (x *notExpr) eval(e *env) truth {
	switch x.x.eval(e) {
	case isTrue:
		return isFalse
	case isFalse:
		return isTrue
	}
	return unknown
}

func (x *boolExpr) eval(e *env) truth {
	v := x.x.value(e)
	if v.IsArray() {
		return unknown
	}
	if b, ok := v.AsBool(); ok {
		return truthOf(b)
	}
	return unknown
}

func (x *nullExpr) eval(e *env) truth {
	return truthOf(x.x.value(e).IsNull() != x.not)
}

func (x *isaExpr) eval(e *env) truth {
	return quantified(quantNone, x.x.value(e), func(v cim.Value) truth {
		if inst := v.AsInstance(); inst != nil {
			return truthOf(e.classIsA(inst.ClassName, x.class))
		}
		if ref, ok := v.AsRef(); ok {
			return truthOf(e.classIsA(ref.ClassName, x.class))
		}
		return unknown
	})
}

func (x *likeExpr) eval(e *env) truth {
	return quantified(x.quant, x.x.value(e), func(v cim.Value) truth {
		if v.Type() != cim.TypeString && v.Type() != cim.TypeChar16 {
			return unknown
		}
		return truthOf(x.match(v.Text()) != x.not)
	})
}

func (x *cmpExpr) eval(e *env) truth {
	l, r := x.l.value(e), x.r.value(e)
	if r.IsArray() && !l.IsArray() {
		return quantified(x.quant, r, func(v cim.Value) truth { return compareOp(l, x.op, v) })
	}
	if r.IsArray() {
		return unknown // array against array
	}
	return quantified(x.quant, l, func(v cim.Value) truth { return compareOp(v, x.op, r) })
}

// quantified applies test to a scalar, or to each element of an array:
// true when any element passes (every element for EVERY). A null operand is
// unknown; so is a null element, as SQL has it.
func quantified(q quantifier, v cim.Value, test func(cim.Value) truth) truth {
	if v.IsNull() {
		return unknown
	}
	if !v.IsArray() {
		return test(v)
	}
	sawUnknown := false
	for i := range v.Len() {
		el := v.Index(i)
		t := unknown
		if !el.IsNull() {
			t = test(el)
		}
		switch {
		case q == quantEvery && t == isFalse:
			return isFalse
		case q != quantEvery && t == isTrue:
			return isTrue
		case t == unknown:
			sawUnknown = true
		}
	}
	switch {
	case sawUnknown:
		return unknown
	case q == quantEvery:
		return isTrue
	}
	return isFalse
}

func compareOp(a cim.Value, op string, b cim.Value) truth {
	c, ok := compare(a, b, op == "=" || op == "<>")
	if !ok {
		return unknown
	}
	switch op {
	case "=":
		return truthOf(c == 0)
	case "<>":
		return truthOf(c != 0)
	case "<":
		return truthOf(c < 0)
	case "<=":
		return truthOf(c <= 0)
	case ">":
		return truthOf(c > 0)
	case ">=":
		return truthOf(c >= 0)
	}
	return unknown
}

func (p *propRef) value(e *env) cim.Value {
	inst := e.inst
	var v cim.Value
	for i, name := range p.path {
		if inst == nil {
			return cim.Value{}
		}
		if i == 0 && len(p.path) == 1 && strings.EqualFold(name, "__CLASS") {
			return cim.String(inst.ClassName)
		}
		var ok bool
		if v, ok = inst.Get(name); !ok {
			return cim.Value{}
		}
		if i < len(p.path)-1 {
			inst = v.AsInstance()
		}
	}
	if p.index >= 0 {
		if !v.IsArray() || p.index >= v.Len() {
			return cim.Value{}
		}
		return v.Index(p.index)
	}
	return v
}

func (s *selfRef) value(e *env) cim.Value { return cim.Embedded(e.inst) }

func (l *literal) value(*env) cim.Value { return l.v }
