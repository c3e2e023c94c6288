package cimom

import (
	"context"
	"errors"
	"fmt"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/repo"
	"github.com/ferrum-virt/ferrum/cimom/store"
)

// SQLStore adapts the SQLite store to the dispatcher's InstanceStore and
// SchemaStore, turning its sentinel errors into CIM status codes.
type SQLStore struct{ S *store.Store }

func storeError(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound):
		return cim.Errorf(cim.ErrNotFound, "%s does not exist", what)
	case errors.Is(err, store.ErrExists):
		return cim.Errorf(cim.ErrAlreadyExists, "%s already exists", what)
	case errors.Is(err, store.ErrInvalid):
		return cim.Errorf(cim.ErrInvalidParameter, "%s: %w", what, err)
	}
	return fmt.Errorf("store: %s: %w", what, err)
}

// CreateInstance implements InstanceStore.
func (a SQLStore) CreateInstance(ctx context.Context, ns string, path cim.ObjectPath, inst *cim.Instance) error {
	return storeError(a.S.CreateInstance(ctx, ns, path, inst), "instance "+path.String())
}

// GetInstance implements InstanceStore.
func (a SQLStore) GetInstance(ctx context.Context, ns string, path cim.ObjectPath) (*cim.Instance, error) {
	inst, err := a.S.GetInstance(ctx, ns, path)
	return inst, storeError(err, "instance "+path.String())
}

// ReplaceInstance implements InstanceStore.
func (a SQLStore) ReplaceInstance(ctx context.Context, ns string, path cim.ObjectPath, inst *cim.Instance) error {
	return storeError(a.S.ReplaceInstance(ctx, ns, path, inst), "instance "+path.String())
}

// DeleteInstance implements InstanceStore.
func (a SQLStore) DeleteInstance(ctx context.Context, ns string, path cim.ObjectPath) error {
	return storeError(a.S.DeleteInstance(ctx, ns, path), "instance "+path.String())
}

// EnumerateInstances implements InstanceStore.
func (a SQLStore) EnumerateInstances(ctx context.Context, ns, class string, yield func(cim.ObjectPath, *cim.Instance) bool) error {
	return storeError(a.S.EnumerateInstances(ctx, ns, class, yield), "instances of "+class)
}

// CountInstances implements InstanceStore.
func (a SQLStore) CountInstances(ctx context.Context, ns, class string) (int, error) {
	n, err := a.S.CountInstances(ctx, ns, class)
	return n, storeError(err, "instances of "+class)
}

// PutClass implements SchemaStore.
func (a SQLStore) PutClass(ctx context.Context, ns string, c *cim.Class) error {
	return storeError(a.S.PutClass(ctx, ns, c), "class "+c.Name)
}

// DeleteClass implements SchemaStore.
func (a SQLStore) DeleteClass(ctx context.Context, ns, name string) error {
	return storeError(a.S.DeleteClass(ctx, ns, name), "class "+name)
}

// PutQualifierDecl implements SchemaStore.
func (a SQLStore) PutQualifierDecl(ctx context.Context, ns string, d *cim.QualifierDecl) error {
	return storeError(a.S.PutQualifierDecl(ctx, ns, d), "qualifier "+d.Name)
}

// DeleteQualifierDecl implements SchemaStore.
func (a SQLStore) DeleteQualifierDecl(ctx context.Context, ns, name string) error {
	return storeError(a.S.DeleteQualifierDecl(ctx, ns, name), "qualifier "+name)
}

// LoadRuntimeSchema adds to r the qualifier declarations and classes that
// clients created in earlier runs. A class that no longer fits the schema
// (its superclass gone) is reported in the returned error list but does not
// stop the others.
func (a SQLStore) LoadRuntimeSchema(ctx context.Context, r *repo.Repository) error {
	var errs []error
	for _, ns := range r.Namespaces() {
		quals, err := a.S.QualifierDecls(ctx, ns)
		if err != nil {
			return fmt.Errorf("load qualifiers of %s: %w", ns, err)
		}
		for _, q := range quals {
			if err := r.SetQualifierDecl(ns, q); err != nil {
				errs = append(errs, fmt.Errorf("qualifier %s in %s: %w", q.Name, ns, err))
			}
		}
		classes, err := a.S.Classes(ctx, ns)
		if err != nil {
			return fmt.Errorf("load classes of %s: %w", ns, err)
		}
		for _, c := range classes {
			if err := r.AddClass(ns, c); err != nil {
				errs = append(errs, fmt.Errorf("class %s in %s: %w", c.Name, ns, err))
			}
		}
	}
	return errors.Join(errs...)
}
