package cimom

import (
	"context"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// InvokeMethod runs the extrinsic method name on the instance or class named
// by path, with the input parameters in.
func (d *Dispatcher) InvokeMethod(ctx context.Context, ns string, path cim.ObjectPath, name string, in cim.Params) (cim.Value, cim.Params, error) {
	class, err := d.class(ns, path.ClassName)
	if err != nil {
		return cim.Value{}, nil, err
	}
	method := class.Method(name)
	if method == nil {
		return cim.Value{}, nil, cim.Errorf(cim.ErrMethodNotFound, "class %s has no method %s", class.Name, name)
	}
	target := cim.ObjectPath{Namespace: ns, ClassName: class.Name}
	if path.IsInstance() {
		if target, err = normalizePath(ns, class, path); err != nil {
			return cim.Value{}, nil, err
		}
	} else if !method.Qualifiers.IsTrue("Static") && len(class.Keys()) > 0 {
		return cim.Value{}, nil, cim.Errorf(cim.ErrInvalidParameter, "method %s.%s is not static: invoke it on an instance path", class.Name, method.Name)
	}
	args, err := checkArguments(method, in)
	if err != nil {
		return cim.Value{}, nil, err
	}
	mp := d.methodProvider(ns, class)
	if mp == nil {
		return cim.Value{}, nil, cim.Errorf(cim.ErrMethodNotAvailable, "no provider implements %s.%s", class.Name, method.Name)
	}
	ret, out, err := mp.InvokeMethod(ctx, ns, target, method, args)
	if err != nil {
		return cim.Value{}, nil, clientError(err, "%s.%s", class.Name, method.Name)
	}
	return ret, out, nil
}

// methodProvider returns the MethodProvider of class or of its nearest
// ancestor that has one.
func (d *Dispatcher) methodProvider(ns string, class *cim.Class) MethodProvider {
	for c := class; c != nil; {
		if mp, ok := d.Providers.Provider(ns, c.Name).(MethodProvider); ok {
			return mp
		}
		if c.SuperClass == "" {
			return nil
		}
		next, err := d.Repo.Class(ns, c.SuperClass)
		if err != nil {
			return nil
		}
		c = next
	}
	return nil
}

// checkArguments checks in against the method's parameters and converts
// each value to its declared type.
func checkArguments(m *cim.Method, in cim.Params) (cim.Params, error) {
	out := make(cim.Params, 0, len(in))
	for _, a := range in {
		p := m.Parameter(a.Name)
		if p == nil || !p.IsIn() {
			return nil, cim.Errorf(cim.ErrInvalidParameter, "method %s has no input parameter %s", m.Name, a.Name)
		}
		if _, dup := out.Get(p.Name); dup {
			return nil, cim.Errorf(cim.ErrInvalidParameter, "parameter %s is given twice", p.Name)
		}
		embedded := p.Qualifiers.Has("EmbeddedInstance") || p.Qualifiers.IsTrue("EmbeddedObject")
		v, err := coerce(a.Value, p.Type, p.IsArray, embedded)
		if err != nil {
			return nil, cim.Errorf(cim.ErrInvalidParameter, "parameter %s: %v", p.Name, err)
		}
		out = append(out, cim.Param{Name: p.Name, Value: v})
	}
	return out, nil
}
