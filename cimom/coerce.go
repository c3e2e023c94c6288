package cimom

import (
	"fmt"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// coerce converts v to the declared type t (array when array): values of
// the right type pass; strings are parsed (clients send untyped key values
// and CIM-XML carries text); integers of another width are converted when
// they fit; an embedded instance is accepted for a string declared with
// EmbeddedInstance or EmbeddedObject (embedded says so).
func coerce(v cim.Value, t cim.Type, array, embedded bool) (cim.Value, error) {
	if v.Type() == cim.TypeInvalid && v.IsNull() {
		if array {
			return cim.NullArray(t), nil
		}
		return cim.Null(t), nil
	}
	if v.IsArray() != array {
		if array {
			return cim.Value{}, fmt.Errorf("an array of %s is required", t)
		}
		return cim.Value{}, fmt.Errorf("a single %s is required, not an array", t)
	}
	if v.Type() == t || embedded && t == cim.TypeString && v.Type() == cim.TypeInstance {
		return v, nil
	}
	if v.IsNull() {
		if array {
			return cim.NullArray(t), nil
		}
		return cim.Null(t), nil
	}
	if !array {
		return coerceScalar(v, t)
	}
	elems := make([]any, v.Len())
	for i := range elems {
		e := v.Index(i)
		if e.IsNull() {
			continue
		}
		ce, err := coerceScalar(e, t)
		if err != nil {
			return cim.Value{}, fmt.Errorf("element %d: %w", i, err)
		}
		elems[i] = ce.Raw()
	}
	return cim.NewArray(t, elems)
}

func coerceScalar(v cim.Value, t cim.Type) (cim.Value, error) {
	switch {
	case v.Type() == cim.TypeString && t != cim.TypeInstance:
		return cim.ParseScalar(t, v.Str())
	case v.Type().IsInteger() && t.IsInteger():
		if n, ok := v.AsInt64(); ok {
			return cim.FromInt64(t, n)
		}
		n, _ := v.AsUint64()
		return cim.FromUint64(t, n)
	case v.Type().IsNumeric() && t.IsReal():
		f, _ := v.AsFloat64()
		if t == cim.TypeReal32 {
			return cim.Real32(float32(f)), nil
		}
		return cim.Real64(f), nil
	case v.Type() == cim.TypeChar16 && t == cim.TypeString:
		return cim.String(v.Text()), nil
	}
	return cim.Value{}, fmt.Errorf("a %s value cannot be a %s", v.Type(), t)
}

// normalizePath checks an instance path against class: every key present
// once, no other bindings, values converted to the key types. The result has
// the class's spelling of names and the namespace ns.
func normalizePath(ns string, class *cim.Class, p cim.ObjectPath) (cim.ObjectPath, error) {
	keys := class.Keys()
	out := cim.ObjectPath{Host: p.Host, Namespace: ns, ClassName: class.Name, Keys: make([]cim.KeyBinding, 0, len(keys))}
	for _, kb := range p.Keys {
		prop := class.Property(kb.Name)
		if prop == nil || !prop.IsKey() {
			return cim.ObjectPath{}, cim.Errorf(cim.ErrInvalidParameter, "%s is not a key of class %s", kb.Name, class.Name)
		}
	}
	for _, kp := range keys {
		var found []cim.Value
		for _, kb := range p.Keys {
			if strings.EqualFold(kb.Name, kp.Name) {
				found = append(found, kb.Value)
			}
		}
		switch len(found) {
		case 0:
			return cim.ObjectPath{}, cim.Errorf(cim.ErrInvalidParameter, "key %s of class %s is missing from the path", kp.Name, class.Name)
		case 1:
		default:
			return cim.ObjectPath{}, cim.Errorf(cim.ErrInvalidParameter, "key %s is given %d times", kp.Name, len(found))
		}
		v, err := coerce(found[0], kp.Type, false, false)
		if err != nil || v.IsNull() {
			return cim.ObjectPath{}, cim.Errorf(cim.ErrInvalidParameter, "key %s of class %s: %v", kp.Name, class.Name, orNull(err))
		}
		if ref, ok := v.AsRef(); ok && ref.Namespace == "" {
			ref.Namespace = ns
			v = cim.Ref(ref)
		}
		out.Keys = append(out.Keys, cim.KeyBinding{Name: kp.Name, Value: v})
	}
	return out, nil
}

func orNull(err error) error {
	if err == nil {
		return fmt.Errorf("a key cannot be null")
	}
	return err
}

// checkInstance validates the properties of inst against class and returns
// a copy with the class's spelling and values of the declared types.
// CIM_ERR_NO_SUCH_PROPERTY for unknown properties, CIM_ERR_TYPE_MISMATCH for
// values that cannot take the declared type.
func checkInstance(class *cim.Class, inst *cim.Instance) (*cim.Instance, error) {
	out := &cim.Instance{ClassName: class.Name, Properties: make([]cim.PropertyValue, 0, len(inst.Properties))}
	for _, pv := range inst.Properties {
		decl := class.Property(pv.Name)
		if decl == nil {
			return nil, cim.Errorf(cim.ErrNoSuchProperty, "class %s has no property %s", class.Name, pv.Name)
		}
		v, err := coerce(pv.Value, decl.Type, decl.IsArray, decl.IsEmbeddedObject())
		if err != nil {
			return nil, cim.Errorf(cim.ErrTypeMismatch, "property %s: %v", decl.Name, err)
		}
		if _, dup := out.Get(decl.Name); dup {
			return nil, cim.Errorf(cim.ErrInvalidParameter, "property %s is given twice", decl.Name)
		}
		out.Properties = append(out.Properties, cim.PropertyValue{Name: decl.Name, Value: v})
	}
	return out, nil
}
