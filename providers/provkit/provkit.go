// Package provkit holds small building blocks for providers: a provider
// that serves instances computed on demand, and helpers for keys and
// references.
package provkit

import (
	"context"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// Func serves the instances its function returns each time it is asked.
// It suits small, cheap sets (profiles, services, capabilities); large sets
// want a provider with a real index.
type Func func(ctx context.Context, ns string) ([]*cim.Instance, error)

// EnumerateInstances implements cimom.InstanceProvider.
func (f Func) EnumerateInstances(ctx context.Context, ns string, class *cim.Class, yield func(*cim.Instance) bool) error {
	insts, err := f(ctx, ns)
	if err != nil {
		return err
	}
	for _, in := range insts {
		if !yield(in) {
			return nil
		}
	}
	return nil
}

// GetInstance implements cimom.InstanceProvider by matching keys.
func (f Func) GetInstance(ctx context.Context, ns string, path cim.ObjectPath, class *cim.Class) (*cim.Instance, error) {
	insts, err := f(ctx, ns)
	if err != nil {
		return nil, err
	}
	for _, in := range insts {
		if p, err := in.Path(ns, class); err == nil && p.Equal(path) {
			return in, nil
		}
	}
	return nil, cim.Errorf(cim.ErrNotFound, "no instance %s", path)
}

// Path returns the instance path of inst in ns, taking the keys class
// declares; it panics on a missing key, which is a provider bug.
func Path(ns string, class *cim.Class, inst *cim.Instance) cim.ObjectPath {
	p, err := inst.Path(ns, class)
	if err != nil {
		panic("provkit: " + err.Error())
	}
	return p
}

// Keys builds key bindings from name/value pairs.
func Keys(pairs ...any) []cim.KeyBinding {
	out := make([]cim.KeyBinding, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, cim.KeyBinding{Name: pairs[i].(string), Value: pairs[i+1].(cim.Value)})
	}
	return out
}
