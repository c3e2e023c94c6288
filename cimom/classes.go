package cimom

import (
	"context"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// GetClass returns the class name in namespace ns, shaped by opts.
func (d *Dispatcher) GetClass(_ context.Context, ns, name string, opts ClassOptions) (*cim.Class, error) {
	c, err := d.Repo.Class(ns, name)
	if err != nil {
		return nil, err
	}
	return shapeClass(c, opts), nil
}

// EnumerateClasses calls yield with the subclasses of className (the root
// classes when className is ""), all descendants when deep, until yield
// returns false.
func (d *Dispatcher) EnumerateClasses(ctx context.Context, ns, className string, deep bool, opts ClassOptions, yield func(*cim.Class) bool) error {
	return d.EnumerateClassNames(ctx, ns, className, deep, func(name string) bool {
		c, err := d.Repo.Class(ns, name)
		if err != nil {
			return true
		}
		return yield(shapeClass(c, opts))
	})
}

// EnumerateClassNames calls yield with the names of the subclasses of
// className (the root classes when className is ""), all descendants when
// deep.
func (d *Dispatcher) EnumerateClassNames(_ context.Context, ns, className string, deep bool, yield func(string) bool) error {
	if className != "" {
		if _, err := d.class(ns, className); err != nil {
			return err
		}
	}
	names, err := d.Repo.SubclassNames(ns, className, deep)
	if err != nil {
		return err
	}
	for _, n := range names {
		if !yield(n) {
			return nil
		}
	}
	return nil
}

// CreateClass adds a class declared by a client and persists it.
func (d *Dispatcher) CreateClass(ctx context.Context, ns string, decl *cim.Class) error {
	if err := d.Repo.AddClass(ns, decl); err != nil {
		return err
	}
	if d.Schema != nil {
		if err := d.Schema.PutClass(ctx, ns, decl); err != nil {
			_ = d.Repo.DeleteClass(ns, decl.Name)
			return clientError(err, "persist class %s", decl.Name)
		}
	}
	return nil
}

// ModifyClass replaces a client-created class that has no subclasses and no
// instances.
func (d *Dispatcher) ModifyClass(ctx context.Context, ns string, decl *cim.Class) error {
	if err := d.checkMutable(ctx, ns, decl.Name); err != nil {
		return err
	}
	old, _ := d.Repo.LocalClass(ns, decl.Name)
	if err := d.Repo.ReplaceClass(ns, decl); err != nil {
		return err
	}
	if d.Schema != nil {
		if err := d.Schema.PutClass(ctx, ns, decl); err != nil {
			_ = d.Repo.ReplaceClass(ns, old)
			return clientError(err, "persist class %s", decl.Name)
		}
	}
	return nil
}

// DeleteClass deletes a client-created class that has no subclasses and no
// instances.
func (d *Dispatcher) DeleteClass(ctx context.Context, ns, name string) error {
	if err := d.checkMutable(ctx, ns, name); err != nil {
		return err
	}
	if err := d.Repo.DeleteClass(ns, name); err != nil {
		return err
	}
	if d.Schema != nil {
		return clientError(d.Schema.DeleteClass(ctx, ns, name), "delete class %s", name)
	}
	return nil
}

func (d *Dispatcher) checkMutable(ctx context.Context, ns, name string) error {
	c, err := d.Repo.Class(ns, name)
	if err != nil {
		return err
	}
	if d.builtin[regKey(ns, c.Name)] {
		return cim.Errorf(cim.ErrNotSupported, "class %s is part of Ferrum's schema and cannot be changed", c.Name)
	}
	if d.Providers.Provider(ns, c.Name) != nil {
		return cim.Errorf(cim.ErrNotSupported, "class %s is served by a provider and cannot be changed", c.Name)
	}
	n, err := d.Store.CountInstances(ctx, ns, c.Name)
	if err != nil {
		return clientError(err, "count instances of %s", c.Name)
	}
	if n > 0 {
		return cim.Errorf(cim.ErrClassHasInstances, "class %s has %d instances", c.Name, n)
	}
	return nil
}

// GetQualifier returns a qualifier declaration.
func (d *Dispatcher) GetQualifier(_ context.Context, ns, name string) (*cim.QualifierDecl, error) {
	return d.Repo.QualifierDecl(ns, name)
}

// EnumerateQualifiers returns every qualifier declaration of ns.
func (d *Dispatcher) EnumerateQualifiers(_ context.Context, ns string) ([]*cim.QualifierDecl, error) {
	return d.Repo.QualifierDecls(ns)
}

// SetQualifier adds or replaces a qualifier declaration and persists it.
func (d *Dispatcher) SetQualifier(ctx context.Context, ns string, decl *cim.QualifierDecl) error {
	if err := d.Repo.SetQualifierDecl(ns, decl); err != nil {
		return err
	}
	if d.Schema != nil {
		return clientError(d.Schema.PutQualifierDecl(ctx, ns, decl), "persist qualifier %s", decl.Name)
	}
	return nil
}

// DeleteQualifier deletes a qualifier declaration.
func (d *Dispatcher) DeleteQualifier(ctx context.Context, ns, name string) error {
	if err := d.Repo.DeleteQualifierDecl(ns, name); err != nil {
		return err
	}
	if d.Schema != nil {
		return clientError(d.Schema.DeleteQualifierDecl(ctx, ns, name), "delete qualifier %s", name)
	}
	return nil
}

// Namespaces returns the namespace names.
func (d *Dispatcher) Namespaces() []string { return d.Repo.Namespaces() }
