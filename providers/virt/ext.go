package virt

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// An Extension adds instances (and methods) to a class this package
// serves, for the providers that build on it: a snapshot is a
// Ferrum_VirtualSystemSettingData with RASDs linked by
// Ferrum_VirtualSystemSettingDataComponent, the snapshot and migration
// services are linked to their host by Ferrum_HostedService and to their
// capabilities by Ferrum_ElementCapabilities, a virtual switch is defined
// through the management service's DefineSystem. A class has one provider
// in the dispatcher, so those providers extend this one instead.
//
// Every function is optional.
type Extension struct {
	// Enumerate yields the extension's instances of the class.
	Enumerate func(ctx context.Context, yield func(*cim.Instance) bool) error
	// Get returns the instance path names, or (nil, nil) when path is not
	// one of the extension's. It is asked when this package has none.
	Get func(ctx context.Context, path cim.ObjectPath) (*cim.Instance, error)
	// References yields the extension's association instances that refer
	// to target (a superset is fine). Without it, traversal filters
	// Enumerate.
	References func(ctx context.Context, target cim.ObjectPath, yield func(*cim.Instance) bool) error
	// Invoke runs an extrinsic method before this package does; handled
	// false passes the call on (to the next extension, then to this
	// package).
	Invoke func(ctx context.Context, path cim.ObjectPath, m *cim.Method, in cim.Params) (ret cim.Value, out cim.Params, handled bool, err error)
}

// extensible wraps the provider of one class with its extensions.
type extensible struct {
	base cimom.InstanceProvider
	mu   sync.RWMutex
	ext  []Extension
}

func (x *extensible) extensions() []Extension {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.ext
}

// Extend adds x to class, one of the classes this package serves.
func (p *Provider) Extend(class string, x Extension) error {
	for name, e := range p.served {
		if strings.EqualFold(name, class) {
			e.mu.Lock()
			e.ext = append(e.ext[:len(e.ext):len(e.ext)], x)
			e.mu.Unlock()
			return nil
		}
	}
	return fmt.Errorf("virt: class %s is not served by this package", class)
}

func (x *extensible) EnumerateInstances(ctx context.Context, ns string, class *cim.Class, yield func(*cim.Instance) bool) error {
	more := true
	wrapped := func(in *cim.Instance) bool {
		more = yield(in)
		return more
	}
	if err := x.base.EnumerateInstances(ctx, ns, class, wrapped); err != nil || !more {
		return err
	}
	for _, e := range x.extensions() {
		if e.Enumerate == nil {
			continue
		}
		if err := e.Enumerate(ctx, wrapped); err != nil || !more {
			return err
		}
	}
	return nil
}

func (x *extensible) GetInstance(ctx context.Context, ns string, path cim.ObjectPath, class *cim.Class) (*cim.Instance, error) {
	in, err := x.base.GetInstance(ctx, ns, path, class)
	if cim.StatusOf(err) != cim.ErrNotFound {
		return in, err
	}
	for _, e := range x.extensions() {
		if e.Get == nil {
			continue
		}
		if got, gerr := e.Get(ctx, path); gerr != nil || got != nil {
			return got, gerr
		}
	}
	return nil, err
}

// References implements cimom.ReferenceProvider for association classes.
func (x *extensible) References(ctx context.Context, ns string, assoc *cim.Class, target cim.ObjectPath, role string, yield func(*cim.Instance) bool) error {
	more := true
	wrapped := func(in *cim.Instance) bool {
		more = yield(in)
		return more
	}
	var err error
	if rp, ok := x.base.(cimom.ReferenceProvider); ok {
		err = rp.References(ctx, ns, assoc, target, role, wrapped)
	} else {
		err = x.base.EnumerateInstances(ctx, ns, assoc, wrapped)
	}
	if err != nil || !more {
		return err
	}
	for _, e := range x.extensions() {
		switch {
		case e.References != nil:
			err = e.References(ctx, target, wrapped)
		case e.Enumerate != nil:
			err = e.Enumerate(ctx, wrapped)
		}
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// InvokeMethod gives the extensions the first say, then the base.
func (x *extensible) InvokeMethod(ctx context.Context, ns string, path cim.ObjectPath, m *cim.Method, in cim.Params) (cim.Value, cim.Params, error) {
	for _, e := range x.extensions() {
		if e.Invoke == nil {
			continue
		}
		if ret, out, handled, err := e.Invoke(ctx, path, m, in); handled || err != nil {
			return ret, out, err
		}
	}
	if mp, ok := x.base.(cimom.MethodProvider); ok {
		return mp.InvokeMethod(ctx, ns, path, m, in)
	}
	return cim.Value{}, nil, cim.Errorf(cim.ErrMethodNotAvailable, "no provider implements %s.%s", path.ClassName, m.Name)
}

// ModifyInstance passes to the base.
func (x *extensible) ModifyInstance(ctx context.Context, ns string, class *cim.Class, path cim.ObjectPath, in *cim.Instance) error {
	if mod, ok := x.base.(cimom.InstanceModifier); ok {
		return mod.ModifyInstance(ctx, ns, class, path, in)
	}
	return cim.Errorf(cim.ErrNotSupported, "instances of %s cannot be modified", class.Name)
}
