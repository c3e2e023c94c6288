package cimxml

import (
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// invalidf returns CIM_ERR_INVALID_PARAMETER: what a client gets for a
// parameter whose XML or value does not make sense. A *cim.Error argument
// contributes its description only, so that wrapping does not repeat
// status names.
func invalidf(format string, args ...any) error {
	for i, a := range args {
		if ce, ok := a.(*cim.Error); ok {
			args[i] = described{ce}
		}
	}
	return cim.Errorf(cim.ErrInvalidParameter, format, args...)
}

// described shows a wrapped *cim.Error by its description alone.
type described struct{ ce *cim.Error }

func (d described) Error() string { return d.ce.Description }

func (d described) Unwrap() error { return d.ce }

// decodeNamespace reads LOCALNAMESPACEPATH into "root/virt".
func decodeNamespace(e *element) (string, error) {
	if e == nil || e.name != "LOCALNAMESPACEPATH" {
		return "", invalidf("want LOCALNAMESPACEPATH")
	}
	parts := make([]string, 0, len(e.kids))
	for _, k := range e.kids {
		name, ok := k.attr("NAME")
		if k.name != "NAMESPACE" || !ok || name == "" {
			return "", invalidf("LOCALNAMESPACEPATH holds only NAMESPACE elements with a NAME")
		}
		parts = append(parts, strings.Trim(name, "/"))
	}
	if len(parts) == 0 {
		return "", invalidf("LOCALNAMESPACEPATH has no NAMESPACE")
	}
	return strings.Join(parts, "/"), nil
}

// decodeNamespacePath reads NAMESPACEPATH (HOST and LOCALNAMESPACEPATH).
func decodeNamespacePath(e *element) (host, ns string, err error) {
	if len(e.kids) != 2 || e.kids[0].name != "HOST" {
		return "", "", invalidf("NAMESPACEPATH wants HOST and LOCALNAMESPACEPATH")
	}
	ns, err = decodeNamespace(e.kids[1])
	return strings.TrimSpace(e.kids[0].text), ns, err
}

// decodeClassName reads the NAME of CLASSNAME.
func decodeClassName(e *element) (string, error) {
	name, ok := e.attr("NAME")
	if e.name != "CLASSNAME" || !ok || !isName(name) {
		return "", invalidf("want CLASSNAME with a valid NAME")
	}
	return name, nil
}

// isName reports whether s looks like a CIM name; the repository decides
// whether it names anything.
func isName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80 || i > 0 && c >= '0' && c <= '9' {
			continue
		}
		return false
	}
	return true
}

// decodeInstanceName reads INSTANCENAME: keys as KEYBINDINGs, or the
// single unnamed KEYVALUE or VALUE.REFERENCE of a one-key class.
func decodeInstanceName(e *element) (cim.ObjectPath, error) {
	class, ok := e.attr("CLASSNAME")
	if e.name != "INSTANCENAME" || !ok || !isName(class) {
		return cim.ObjectPath{}, invalidf("want INSTANCENAME with a valid CLASSNAME")
	}
	p := cim.ObjectPath{ClassName: class}
	for _, k := range e.kids {
		switch k.name {
		case "KEYBINDING":
			kb, err := decodeKeyBinding(k)
			if err != nil {
				return p, err
			}
			p.Keys = append(p.Keys, kb)
		case "KEYVALUE", "VALUE.REFERENCE":
			return p, invalidf("INSTANCENAME of %s: keys without a KEYBINDING name are not supported", class)
		default:
			return p, invalidf("INSTANCENAME cannot hold %s", k.name)
		}
	}
	return p, nil
}

func decodeKeyBinding(e *element) (cim.KeyBinding, error) {
	name, ok := e.attr("NAME")
	if !ok || !isName(name) || len(e.kids) != 1 {
		return cim.KeyBinding{}, invalidf("KEYBINDING wants a NAME and one KEYVALUE or VALUE.REFERENCE")
	}
	var v cim.Value
	var err error
	switch k := e.kids[0]; k.name {
	case "KEYVALUE":
		v, err = decodeKeyValue(k)
	case "VALUE.REFERENCE":
		var p cim.ObjectPath
		if p, err = decodeValueReference(k); err == nil {
			v = cim.Ref(p)
		}
	default:
		err = invalidf("KEYBINDING cannot hold %s", k.name)
	}
	if err != nil {
		return cim.KeyBinding{}, invalidf("key %s: %w", name, err)
	}
	return cim.KeyBinding{Name: name, Value: v}, nil
}

// decodeKeyValue reads KEYVALUE: typed by its TYPE attribute when given,
// else by VALUETYPE (strings stay strings, numbers become uint64, sint64
// or real64). The dispatcher converts keys to the types the class declares.
func decodeKeyValue(e *element) (cim.Value, error) {
	if tn, ok := e.attr("TYPE"); ok {
		t, known := cim.ParseType(tn)
		if !known || t == cim.TypeInstance || t == cim.TypeReference {
			return cim.Value{}, invalidf("KEYVALUE has an invalid TYPE %q", tn)
		}
		return scalar(t, e.text)
	}
	switch vt := e.attrOr("VALUETYPE", "string"); vt {
	case "string":
		return cim.String(e.text), nil
	case "boolean":
		return scalar(cim.TypeBoolean, e.text)
	case "numeric":
		s := strings.TrimSpace(e.text)
		if strings.HasPrefix(s, "-") {
			if v, err := scalar(cim.TypeSint64, s); err == nil {
				return v, nil
			}
		} else if v, err := scalar(cim.TypeUint64, s); err == nil {
			return v, nil
		}
		return scalar(cim.TypeReal64, s)
	default:
		return cim.Value{}, invalidf("KEYVALUE has an invalid VALUETYPE %q", vt)
	}
}

// scalar parses the text of a VALUE as type t.
func scalar(t cim.Type, text string) (cim.Value, error) {
	if t.IsReal() {
		bits := 64
		if t == cim.TypeReal32 {
			bits = 32
		}
		f, err := parseReal(text, bits)
		if err != nil {
			return cim.Value{}, invalidf("invalid %s %q", t, text)
		}
		if bits == 32 {
			return cim.Real32(float32(f)), nil
		}
		return cim.Real64(f), nil
	}
	v, err := cim.ParseScalar(t, text)
	if err != nil {
		return cim.Value{}, invalidf("%v", err)
	}
	return v, nil
}

// decodeValueReference reads VALUE.REFERENCE in any of its six forms.
func decodeValueReference(e *element) (cim.ObjectPath, error) {
	if e.name != "VALUE.REFERENCE" || len(e.kids) != 1 {
		return cim.ObjectPath{}, invalidf("VALUE.REFERENCE wants one path element")
	}
	return decodePath(e.kids[0])
}

// decodePath reads CLASSPATH, LOCALCLASSPATH, CLASSNAME, INSTANCEPATH,
// LOCALINSTANCEPATH or INSTANCENAME.
func decodePath(e *element) (cim.ObjectPath, error) {
	var p cim.ObjectPath
	var err error
	switch e.name {
	case "INSTANCENAME":
		return decodeInstanceName(e)
	case "CLASSNAME":
		p.ClassName, err = decodeClassName(e)
		return p, err
	case "INSTANCEPATH", "CLASSPATH":
		if len(e.kids) != 2 || e.kids[0].name != "NAMESPACEPATH" {
			return p, invalidf("%s wants NAMESPACEPATH and a name", e.name)
		}
		host, ns, err := decodeNamespacePath(e.kids[0])
		if err != nil {
			return p, err
		}
		if p, err = decodeLocalName(e.name, e.kids[1]); err != nil {
			return p, err
		}
		p.Host, p.Namespace = host, ns
		return p, nil
	case "LOCALINSTANCEPATH", "LOCALCLASSPATH":
		if len(e.kids) != 2 {
			return p, invalidf("%s wants LOCALNAMESPACEPATH and a name", e.name)
		}
		ns, err := decodeNamespace(e.kids[0])
		if err != nil {
			return p, err
		}
		if p, err = decodeLocalName(e.name, e.kids[1]); err != nil {
			return p, err
		}
		p.Namespace = ns
		return p, nil
	}
	return p, invalidf("%s is not a path element", e.name)
}

// decodeLocalName reads the INSTANCENAME of an instance path or the
// CLASSNAME of a class path.
func decodeLocalName(parent string, e *element) (cim.ObjectPath, error) {
	if strings.Contains(parent, "INSTANCE") {
		if e.name != "INSTANCENAME" {
			return cim.ObjectPath{}, invalidf("%s wants INSTANCENAME", parent)
		}
		return decodeInstanceName(e)
	}
	name, err := decodeClassName(e)
	return cim.ObjectPath{ClassName: name}, err
}

// decodeTypedValue reads VALUE (as t), VALUE.ARRAY (as t[]),
// VALUE.REFERENCE or VALUE.REFARRAY. A TypeInvalid t reads text as
// strings.
func decodeTypedValue(e *element, t cim.Type) (cim.Value, error) {
	if t == cim.TypeInvalid || t == cim.TypeInstance {
		t = cim.TypeString
	}
	switch e.name {
	case "VALUE":
		if t == cim.TypeReference {
			return cim.Value{}, invalidf("a reference must be a VALUE.REFERENCE")
		}
		return scalar(t, e.text)
	case "VALUE.ARRAY", "VALUE.REFARRAY":
		if e.name == "VALUE.REFARRAY" {
			t = cim.TypeReference
		}
		elems := make([]any, len(e.kids))
		for i, k := range e.kids {
			if k.name == "VALUE.NULL" {
				continue
			}
			v, err := decodeTypedValue(k, t)
			if err != nil {
				return cim.Value{}, invalidf("element %d: %w", i, err)
			}
			elems[i] = v.Raw()
		}
		return cim.NewArray(t, elems)
	case "VALUE.REFERENCE":
		p, err := decodeValueReference(e)
		if err != nil {
			return cim.Value{}, err
		}
		return cim.Ref(p), nil
	}
	return cim.Value{}, invalidf("%s is not a value element", e.name)
}

// decodeBool reads TRUE or FALSE, in any case.
func decodeBool(s string) (bool, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "TRUE":
		return true, nil
	case "FALSE":
		return false, nil
	}
	return false, invalidf("%q is not TRUE or FALSE", s)
}
