package cimom

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/repo"
)

// An InstanceStore keeps the instances of classes that have no provider.
// Paths passed to it are complete, with keys of the declared types.
// CreateInstance returns CIM_ERR_ALREADY_EXISTS and the others
// CIM_ERR_NOT_FOUND as *cim.Error values. EnumerateInstances yields the
// instances of exactly class, stopping when yield returns false.
type InstanceStore interface {
	CreateInstance(ctx context.Context, ns string, path cim.ObjectPath, inst *cim.Instance) error
	GetInstance(ctx context.Context, ns string, path cim.ObjectPath) (*cim.Instance, error)
	ReplaceInstance(ctx context.Context, ns string, path cim.ObjectPath, inst *cim.Instance) error
	DeleteInstance(ctx context.Context, ns string, path cim.ObjectPath) error
	EnumerateInstances(ctx context.Context, ns, class string, yield func(cim.ObjectPath, *cim.Instance) bool) error
	CountInstances(ctx context.Context, ns, class string) (int, error)
}

// A SchemaStore persists the classes and qualifier declarations that clients
// create at run time, so that they survive a restart.
type SchemaStore interface {
	PutClass(ctx context.Context, ns string, c *cim.Class) error
	DeleteClass(ctx context.Context, ns, name string) error
	PutQualifierDecl(ctx context.Context, ns string, d *cim.QualifierDecl) error
	DeleteQualifierDecl(ctx context.Context, ns, name string) error
}

// Dispatcher implements the CIM operations over a class repository, a
// provider registry and an instance store. Its methods return *cim.Error
// values for every failure a client should see.
type Dispatcher struct {
	Repo      *repo.Repository
	Providers *Registry
	Store     InstanceStore
	Schema    SchemaStore // nil: runtime schema changes are not persisted
	Log       *slog.Logger

	// builtin holds the lower-cased "ns:class" of classes loaded from
	// Ferrum's own schema; they cannot be modified or deleted by clients.
	builtin map[string]bool
}

// New returns a dispatcher over r with an empty registry. store keeps the
// instances of classes without a provider.
func New(r *repo.Repository, store InstanceStore) *Dispatcher {
	return &Dispatcher{Repo: r, Providers: &Registry{}, Store: store, Log: slog.Default(), builtin: map[string]bool{}}
}

// MarkBuiltin records every class now in the repository as part of Ferrum's
// schema, protected from ModifyClass and DeleteClass.
func (d *Dispatcher) MarkBuiltin() {
	for _, ns := range d.Repo.Namespaces() {
		classes, _ := d.Repo.Classes(ns)
		for _, c := range classes {
			d.builtin[regKey(ns, c.Name)] = true
		}
	}
}

// class returns the flattened class for an instance operation, turning "not
// found" into CIM_ERR_INVALID_CLASS as DSP0200 wants there.
func (d *Dispatcher) class(ns, name string) (*cim.Class, error) {
	c, err := d.Repo.Class(ns, name)
	if cim.StatusOf(err) == cim.ErrNotFound {
		return nil, cim.Errorf(cim.ErrInvalidClass, "no class %s in namespace %s", name, ns)
	}
	return c, err
}

// provider returns the provider serving exactly class: the registered one,
// or the store.
func (d *Dispatcher) provider(ns string, class *cim.Class) InstanceProvider {
	if p := d.Providers.Provider(ns, class.Name); p != nil {
		return p
	}
	return storeProvider{d.Store}
}

// clientError makes sure err is a *cim.Error, wrapping others as
// CIM_ERR_FAILED with context.
func clientError(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	var ce *cim.Error
	if errors.As(err, &ce) {
		return err
	}
	return cim.Errorf(cim.ErrFailed, "%s: %w", fmt.Sprintf(format, args...), err)
}
