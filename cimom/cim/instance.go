package cim

import (
	"fmt"
	"strings"
)

// A PropertyValue is one property of an instance.
type PropertyValue struct {
	Name        string
	Value       Value
	ClassOrigin string
	Propagated  bool
	Qualifiers  Qualifiers
}

// An Instance is an instance of a class: its class name and property values.
// Properties absent from an instance are unknown to it (for example left out
// by a PropertyList); a present property may be null.
type Instance struct {
	ClassName  string
	Qualifiers Qualifiers
	Properties []PropertyValue
}

// NewInstance returns an empty instance of class.
func NewInstance(class string) *Instance { return &Instance{ClassName: class} }

// Get returns the value of the property named name (case-insensitive).
func (in *Instance) Get(name string) (Value, bool) {
	if i := in.find(name); i >= 0 {
		return in.Properties[i].Value, true
	}
	return Value{}, false
}

// Str returns the string value of the property named name, or "".
func (in *Instance) Str(name string) string {
	v, _ := in.Get(name)
	return v.Str()
}

func (in *Instance) find(name string) int {
	for i := range in.Properties {
		if strings.EqualFold(in.Properties[i].Name, name) {
			return i
		}
	}
	return -1
}

// Set sets the property named name to v, adding it if absent. It returns in
// so that calls can be chained.
func (in *Instance) Set(name string, v Value) *Instance {
	if i := in.find(name); i >= 0 {
		in.Properties[i].Value = v
		return in
	}
	in.Properties = append(in.Properties, PropertyValue{Name: name, Value: v})
	return in
}

// Delete removes the property named name, if present.
func (in *Instance) Delete(name string) {
	if i := in.find(name); i >= 0 {
		in.Properties = append(in.Properties[:i], in.Properties[i+1:]...)
	}
}

// Clone returns a copy of in that shares no slices with it. Embedded
// instances are shared; values are immutable.
func (in *Instance) Clone() *Instance {
	out := &Instance{ClassName: in.ClassName, Qualifiers: cloneQualifiers(in.Qualifiers)}
	out.Properties = append([]PropertyValue(nil), in.Properties...)
	return out
}

// Equal reports whether two instances have the same class (case-insensitive)
// and the same properties with equal values, in any order.
func (in *Instance) Equal(o *Instance) bool {
	if in == nil || o == nil {
		return in == o
	}
	if !strings.EqualFold(in.ClassName, o.ClassName) || len(in.Properties) != len(o.Properties) {
		return false
	}
	for _, p := range in.Properties {
		v, ok := o.Get(p.Name)
		if !ok || !Equal(p.Value, v) {
			return false
		}
	}
	return true
}

// Path returns the instance path of in within namespace ns, taking the key
// properties that class declares. It fails when a key is missing or null.
func (in *Instance) Path(ns string, class *Class) (ObjectPath, error) {
	keys := class.Keys()
	p := ObjectPath{Namespace: ns, ClassName: in.ClassName, Keys: make([]KeyBinding, 0, len(keys))}
	for _, kp := range keys {
		v, ok := in.Get(kp.Name)
		if !ok || v.IsNull() {
			return ObjectPath{}, fmt.Errorf("instance of %s: key property %s is missing or null", in.ClassName, kp.Name)
		}
		p.Keys = append(p.Keys, KeyBinding{Name: kp.Name, Value: v})
	}
	return p, nil
}
