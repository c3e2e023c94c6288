package cimom

import (
	"context"
	"strings"
	"sync"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// An InstanceProvider serves the instances of the classes it is registered
// for.
//
// EnumerateInstances calls yield once per instance of exactly class (not of
// its subclasses, which have their own registrations) in namespace ns, in any
// order, and stops early, returning nil, when yield returns false. Each
// instance carries at least every key property and should carry every
// property the provider knows; the dispatcher applies PropertyList and the
// other response options. Instances passed to yield must not be modified
// afterwards.
//
// GetInstance returns the instance named by path, whose key bindings the
// dispatcher has already checked against class and converted to the declared
// types. It returns a *cim.Error with CIM_ERR_NOT_FOUND when there is no such
// instance.
//
// Errors the client should see are *cim.Error values; any other error
// reaches the client as CIM_ERR_FAILED with its text.
type InstanceProvider interface {
	EnumerateInstances(ctx context.Context, ns string, class *cim.Class, yield func(*cim.Instance) bool) error
	GetInstance(ctx context.Context, ns string, path cim.ObjectPath, class *cim.Class) (*cim.Instance, error)
}

// An InstanceCreator creates instances. The dispatcher has checked that every
// property of inst exists in class and converted its values to the declared
// types; the provider assigns any keys it owns and returns the new path.
type InstanceCreator interface {
	CreateInstance(ctx context.Context, ns string, class *cim.Class, inst *cim.Instance) (cim.ObjectPath, error)
}

// An InstanceModifier modifies instances. inst holds the new values of the
// properties to change (already filtered by the request's PropertyList and
// type-checked); properties absent from inst are left as they are.
type InstanceModifier interface {
	ModifyInstance(ctx context.Context, ns string, class *cim.Class, path cim.ObjectPath, inst *cim.Instance) error
}

// An InstanceDeleter deletes instances; CIM_ERR_NOT_FOUND when there is none.
type InstanceDeleter interface {
	DeleteInstance(ctx context.Context, ns string, class *cim.Class, path cim.ObjectPath) error
}

// A ReferenceProvider answers association traversal for an association class
// without a full enumeration. References calls yield once per instance of
// exactly assoc whose reference property role (any reference property when
// role is "") refers to target, and stops when yield returns false.
type ReferenceProvider interface {
	References(ctx context.Context, ns string, assoc *cim.Class, target cim.ObjectPath, role string, yield func(*cim.Instance) bool) error
}

// A MethodProvider runs the extrinsic methods of the classes it is
// registered for (and of their subclasses that have no provider of their
// own). path is an instance path with checked keys, or a class path for a
// static method; in holds the input parameters, checked against method and
// converted to their declared types. It returns the method's return value
// and its output parameters.
type MethodProvider interface {
	InvokeMethod(ctx context.Context, ns string, path cim.ObjectPath, method *cim.Method, in cim.Params) (cim.Value, cim.Params, error)
}

// A Registry maps (namespace, class) pairs to providers, like a ServeMux. It
// is safe for concurrent use.
type Registry struct {
	mu        sync.RWMutex
	providers map[string]InstanceProvider
}

func regKey(ns, class string) string {
	return strings.ToLower(strings.Trim(ns, "/")) + ":" + strings.ToLower(class)
}

// Handle registers p for the instances of class in namespace ns. Optional
// capabilities (InstanceCreator, InstanceModifier, InstanceDeleter,
// ReferenceProvider, MethodProvider) are discovered by type assertion. A
// second registration for the same pair panics, as with http.Handle.
func (r *Registry) Handle(ns, class string, p InstanceProvider) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.providers == nil {
		r.providers = map[string]InstanceProvider{}
	}
	k := regKey(ns, class)
	if _, dup := r.providers[k]; dup {
		panic("cimom: multiple registrations for " + ns + ":" + class)
	}
	r.providers[k] = p
}

// Provider returns the provider registered for exactly (ns, class), or nil.
func (r *Registry) Provider(ns, class string) InstanceProvider {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.providers[regKey(ns, class)]
}
