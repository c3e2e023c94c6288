package cimxml

import (
	"strconv"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// iparams are the IPARAMVALUEs of an intrinsic call, by lower-cased name.
// A parameter given with no value is null, which means its default.
type iparams struct {
	op     string
	byName map[string]*element
}

// newIParams indexes params and checks them against the names the
// operation defines: an unknown or repeated parameter is
// CIM_ERR_INVALID_PARAMETER.
func newIParams(op string, params []*element, known []string) (*iparams, error) {
	p := &iparams{op: op, byName: make(map[string]*element, len(params))}
	for _, e := range params {
		name, ok := e.attr("NAME")
		if !ok {
			return nil, invalidf("%s: IPARAMVALUE without a NAME", op)
		}
		key := strings.ToLower(name)
		if !containsFold(known, name) {
			return nil, invalidf("%s has no parameter %s", op, name)
		}
		if _, dup := p.byName[key]; dup {
			return nil, invalidf("%s: parameter %s is given twice", op, name)
		}
		if len(e.kids) > 1 {
			return nil, invalidf("%s: parameter %s holds more than one value", op, name)
		}
		p.byName[key] = e
	}
	return p, nil
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// value returns the value element of a parameter, or nil when the
// parameter is absent or null.
func (p *iparams) value(name string) *element {
	e := p.byName[strings.ToLower(name)]
	if e == nil || len(e.kids) == 0 {
		return nil
	}
	return e.kids[0]
}

// has reports whether the parameter was given, even as null.
func (p *iparams) has(name string) bool { return p.byName[strings.ToLower(name)] != nil }

func (p *iparams) missing(name string) error {
	return invalidf("%s requires parameter %s", p.op, name)
}

func (p *iparams) wrong(name, want string, e *element) error {
	return invalidf("%s: parameter %s wants %s, not %s", p.op, name, want, e.name)
}

// boolean returns a boolean parameter, or def when it is absent or null.
func (p *iparams) boolean(name string, def bool) (bool, error) {
	v := p.value(name)
	if v == nil {
		return def, nil
	}
	if v.name != "VALUE" {
		return false, p.wrong(name, "a boolean VALUE", v)
	}
	b, err := decodeBool(v.text)
	if err != nil {
		return false, invalidf("%s: parameter %s: %w", p.op, name, err)
	}
	return b, nil
}

// str returns a string parameter and whether it is non-null.
func (p *iparams) str(name string) (string, bool, error) {
	v := p.value(name)
	if v == nil {
		return "", false, nil
	}
	if v.name != "VALUE" {
		return "", false, p.wrong(name, "a VALUE", v)
	}
	return v.text, true, nil
}

// uint32 returns an unsigned 32-bit parameter and whether it is non-null.
func (p *iparams) uint32(name string) (uint32, bool, error) {
	s, ok, err := p.str(name)
	if err != nil || !ok {
		return 0, false, err
	}
	n, perr := strconv.ParseUint(strings.TrimSpace(s), 10, 32)
	if perr != nil {
		return 0, false, invalidf("%s: parameter %s: %q is not a uint32", p.op, name, s)
	}
	return uint32(n), true, nil
}

// className returns a CLASSNAME parameter; "" when absent or null, which
// is CIM_ERR_INVALID_PARAMETER when required.
func (p *iparams) className(name string, required bool) (string, error) {
	v := p.value(name)
	if v == nil {
		if required {
			return "", p.missing(name)
		}
		return "", nil
	}
	if v.name != "CLASSNAME" {
		return "", p.wrong(name, "a CLASSNAME", v)
	}
	return decodeClassName(v)
}

// instanceName returns a required INSTANCENAME parameter.
func (p *iparams) instanceName(name string) (cim.ObjectPath, error) {
	v := p.value(name)
	if v == nil {
		return cim.ObjectPath{}, p.missing(name)
	}
	if v.name != "INSTANCENAME" {
		return cim.ObjectPath{}, p.wrong(name, "an INSTANCENAME", v)
	}
	return decodeInstanceName(v)
}

// objectName returns a required CLASSNAME or INSTANCENAME parameter as a
// path.
func (p *iparams) objectName(name string) (cim.ObjectPath, error) {
	v := p.value(name)
	if v == nil {
		return cim.ObjectPath{}, p.missing(name)
	}
	switch v.name {
	case "INSTANCENAME":
		return decodeInstanceName(v)
	case "CLASSNAME":
		cn, err := decodeClassName(v)
		return cim.ObjectPath{ClassName: cn}, err
	}
	return cim.ObjectPath{}, p.wrong(name, "a CLASSNAME or INSTANCENAME", v)
}

// propertyList returns the PropertyList parameter: nil when absent or null
// (all properties), a possibly empty list otherwise.
func (p *iparams) propertyList() ([]string, error) {
	v := p.value("PropertyList")
	if v == nil {
		return nil, nil
	}
	if v.name != "VALUE.ARRAY" {
		return nil, p.wrong("PropertyList", "a VALUE.ARRAY", v)
	}
	list := make([]string, 0, len(v.kids))
	for _, k := range v.kids {
		if k.name != "VALUE" || !isName(strings.TrimSpace(k.text)) {
			return nil, invalidf("%s: PropertyList holds only property names", p.op)
		}
		list = append(list, strings.TrimSpace(k.text))
	}
	return list, nil
}

// element returns a required parameter's value element, which must be
// named want.
func (p *iparams) element(name, want string) (*element, error) {
	v := p.value(name)
	if v == nil {
		return nil, p.missing(name)
	}
	if v.name != want {
		return nil, p.wrong(name, want, v)
	}
	return v, nil
}
