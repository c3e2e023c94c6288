package mof

import (
	"math"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

func lower(s string) string { return strings.ToLower(s) }

// convert types a MOF value as t (an array of t when array). Qualifier values
// (lenient) may give a scalar where the declaration wants an array.
func (c *Compiler) convert(ns string, v Value, t cim.Type, array bool, refClass string, lenient bool) (cim.Value, *ParseError) {
	if _, isNull := v.(*NullValue); isNull {
		if array {
			return cim.NullArray(t), nil
		}
		return cim.Null(t), nil
	}
	arr, isArray := v.(*ArrayValue)
	switch {
	case isArray && !array:
		return cim.Value{}, errorf(v.Pos(), "an array is given for a scalar %s", t)
	case !isArray && array && !lenient:
		return cim.Value{}, errorf(v.Pos(), "a scalar is given for an array of %s", t)
	case !isArray && !array:
		return c.scalar(ns, v, t)
	}
	var elems []Value
	if isArray {
		elems = arr.Elements
	} else {
		elems = []Value{v}
	}
	out := make([]any, len(elems))
	for i, e := range elems {
		if _, isNull := e.(*NullValue); isNull {
			continue
		}
		ev, perr := c.scalar(ns, e, t)
		if perr != nil {
			return cim.Value{}, perr
		}
		out[i] = ev.Raw()
	}
	res, err := cim.NewArray(t, out)
	if err != nil {
		return cim.Value{}, errorf(v.Pos(), "%v", err)
	}
	return res, nil
}

func (c *Compiler) scalar(ns string, v Value, t cim.Type) (cim.Value, *ParseError) {
	var res cim.Value
	var err error
	switch x := v.(type) {
	case *StringValue:
		switch t {
		case cim.TypeString, cim.TypeDateTime, cim.TypeReference, cim.TypeChar16:
			res, err = cim.ParseScalar(t, x.Value)
		default:
			return cim.Value{}, errorf(x.Position, "a string is given for a %s", t)
		}
	case *IntValue:
		res, err = intValue(x, t)
	case *RealValue:
		if !t.IsReal() {
			return cim.Value{}, errorf(x.Position, "a real is given for a %s", t)
		}
		res, err = cim.ParseScalar(t, x.Raw)
	case *CharValue:
		switch {
		case t == cim.TypeChar16 && x.Value <= math.MaxUint16:
			res = cim.Char(cim.Char16(x.Value))
		case t == cim.TypeString:
			res = cim.String(string(x.Value))
		default:
			return cim.Value{}, errorf(x.Position, "a char16 is given for a %s", t)
		}
	case *BoolValue:
		if t != cim.TypeBoolean {
			return cim.Value{}, errorf(x.Position, "a boolean is given for a %s", t)
		}
		res = cim.Bool(x.Value)
	case *AliasValue:
		a, ok := c.aliases[lower(x.Name)]
		switch {
		case !ok:
			return cim.Value{}, errorf(x.Position, "alias $%s is not defined", x.Name)
		case t == cim.TypeReference:
			res = cim.Ref(a.path)
		case t == cim.TypeString || t == cim.TypeInstance:
			res = cim.Embedded(a.inst)
		default:
			return cim.Value{}, errorf(x.Position, "alias $%s is given for a %s", x.Name, t)
		}
	case *InstanceDecl:
		if t != cim.TypeString && t != cim.TypeInstance {
			return cim.Value{}, errorf(x.Position, "an embedded instance is given for a %s", t)
		}
		inst, _, perr := c.instance(ns, x)
		if perr != nil {
			return cim.Value{}, perr
		}
		res = cim.Embedded(inst)
	case *ArrayValue:
		return cim.Value{}, errorf(x.Position, "an array is given for a scalar %s", t)
	default:
		return cim.Value{}, errorf(v.Pos(), "unexpected value for a %s", t)
	}
	if err != nil {
		return cim.Value{}, errorf(v.Pos(), "%v", err)
	}
	return res, nil
}

func intValue(x *IntValue, t cim.Type) (cim.Value, error) {
	switch {
	case t.IsInteger() && x.Negative:
		n, ok := x.Int64()
		if !ok {
			return cim.Value{}, errorf(x.Position, "%s is out of range for %s", x.Raw, t)
		}
		return cim.FromInt64(t, n)
	case t.IsInteger():
		return cim.FromUint64(t, x.Magnitude)
	case t.IsReal():
		f := float64(x.Magnitude)
		if x.Negative {
			f = -f
		}
		if t == cim.TypeReal32 {
			return cim.Real32(float32(f)), nil
		}
		return cim.Real64(f), nil
	}
	return cim.Value{}, errorf(x.Position, "an integer is given for a %s", t)
}

func (c *Compiler) instanceDecl(d *InstanceDecl) *ParseError {
	ns, perr := c.namespace(d.Context, d.Position)
	if perr != nil {
		return perr
	}
	inst, class, perr := c.instance(ns, d)
	if perr != nil {
		return perr
	}
	path, err := inst.Path(ns, class)
	if err != nil && (d.Alias != "" || c.Instance != nil) && !class.IsAbstract() && len(class.Keys()) > 0 {
		return errorf(d.Position, "%v", err)
	}
	if d.Alias != "" {
		if _, dup := c.aliases[lower(d.Alias)]; dup {
			return errorf(d.Position, "alias $%s is defined twice", d.Alias)
		}
		c.aliases[lower(d.Alias)] = aliasTarget{path: path, inst: inst}
	}
	if c.Instance != nil {
		if err := c.Instance(ns, inst); err != nil {
			return errorf(d.Position, "instance of %s: %v", d.ClassName, err)
		}
	}
	return nil
}

// instance builds a cim.Instance from an instance declaration (top-level or
// embedded), typing each value by the class's declaration.
func (c *Compiler) instance(ns string, d *InstanceDecl) (*cim.Instance, *cim.Class, *ParseError) {
	class, err := c.Target.Class(ns, d.ClassName)
	if err != nil {
		return nil, nil, errorf(d.ClassPos, "class %s is not defined in namespace %s", d.ClassName, ns)
	}
	inst := cim.NewInstance(class.Name)
	var perr *ParseError
	if inst.Qualifiers, perr = c.qualifiers(ns, d.Qualifiers); perr != nil {
		return nil, nil, perr
	}
	for _, pv := range d.Properties {
		prop := class.Property(pv.Name)
		if prop == nil {
			return nil, nil, errorf(pv.Position, "class %s has no property %s", class.Name, pv.Name)
		}
		if _, dup := inst.Get(prop.Name); dup {
			return nil, nil, errorf(pv.Position, "property %s is given twice", pv.Name)
		}
		v, perr := c.convert(ns, pv.Value, prop.Type, prop.IsArray, prop.RefClass, false)
		if perr != nil {
			return nil, nil, errorf(perr.Pos, "property %s: %s", pv.Name, perr.Msg)
		}
		inst.Set(prop.Name, v)
	}
	return inst, class, nil
}
