package cimom

import (
	"context"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// GetInstance returns the instance named by path in namespace ns.
func (d *Dispatcher) GetInstance(ctx context.Context, ns string, path cim.ObjectPath, opts InstanceOptions) (*cim.Instance, error) {
	class, np, err := d.resolvePath(ns, path)
	if err != nil {
		return nil, err
	}
	inst, err := d.provider(ns, class).GetInstance(ctx, ns, np, class)
	if err != nil {
		return nil, clientError(err, "get %s", np)
	}
	return shapeInstance(inst, class, nil, opts), nil
}

// resolvePath finds the class of an instance path and normalizes its keys.
func (d *Dispatcher) resolvePath(ns string, path cim.ObjectPath) (*cim.Class, cim.ObjectPath, error) {
	class, err := d.class(ns, path.ClassName)
	if err != nil {
		return nil, cim.ObjectPath{}, err
	}
	np, err := normalizePath(ns, class, path)
	return class, np, err
}

// EnumerateInstances calls yield with the path and instance of every
// instance of className and its subclasses in namespace ns, class by class
// (parents first), until yield returns false.
func (d *Dispatcher) EnumerateInstances(ctx context.Context, ns, className string, opts InstanceOptions, yield func(cim.ObjectPath, *cim.Instance) bool) error {
	requested, err := d.class(ns, className)
	if err != nil {
		return err
	}
	return d.eachClass(ns, requested, func(c *cim.Class) (bool, error) {
		more := true
		err := d.provider(ns, c).EnumerateInstances(ctx, ns, c, func(inst *cim.Instance) bool {
			path, perr := inst.Path(ns, c)
			if perr != nil {
				d.Log.Warn("provider returned an instance without its keys", "ns", ns, "class", c.Name, "err", perr)
				return true
			}
			path.ClassName = c.Name
			more = yield(path, shapeInstance(inst, c, requested, opts))
			return more
		})
		return more, clientError(err, "enumerate %s", c.Name)
	})
}

// EnumerateInstanceNames calls yield with the path of every instance of
// className and its subclasses until yield returns false.
func (d *Dispatcher) EnumerateInstanceNames(ctx context.Context, ns, className string, yield func(cim.ObjectPath) bool) error {
	return d.EnumerateInstances(ctx, ns, className, InstanceOptions{PropertyList: []string{}}, func(p cim.ObjectPath, _ *cim.Instance) bool {
		return yield(p)
	})
}

// eachClass calls fn for class and each of its subclasses, depth first,
// until fn returns false or an error.
func (d *Dispatcher) eachClass(ns string, class *cim.Class, fn func(*cim.Class) (bool, error)) error {
	more, err := fn(class)
	if err != nil || !more {
		return err
	}
	subs, err := d.Repo.SubclassNames(ns, class.Name, true)
	if err != nil {
		return err
	}
	for _, name := range subs {
		sc, err := d.Repo.Class(ns, name)
		if err != nil {
			continue // deleted meanwhile
		}
		if more, err = fn(sc); err != nil || !more {
			return err
		}
	}
	return nil
}

// CreateInstance creates inst in namespace ns and returns its path.
func (d *Dispatcher) CreateInstance(ctx context.Context, ns string, inst *cim.Instance) (cim.ObjectPath, error) {
	class, err := d.class(ns, inst.ClassName)
	if err != nil {
		return cim.ObjectPath{}, err
	}
	if class.IsAbstract() {
		return cim.ObjectPath{}, cim.Errorf(cim.ErrInvalidClass, "class %s is abstract and cannot have instances", class.Name)
	}
	checked, err := checkInstance(class, inst)
	if err != nil {
		return cim.ObjectPath{}, err
	}
	p := d.provider(ns, class)
	creator, ok := p.(InstanceCreator)
	if !ok {
		return cim.ObjectPath{}, cim.Errorf(cim.ErrNotSupported, "instances of %s cannot be created", class.Name)
	}
	if _, isStore := p.(storeProvider); isStore {
		if err := completeForStore(class, checked); err != nil {
			return cim.ObjectPath{}, err
		}
	}
	path, err := creator.CreateInstance(ctx, ns, class, checked)
	if err != nil {
		return cim.ObjectPath{}, clientError(err, "create instance of %s", class.Name)
	}
	return path, nil
}

// completeForStore fills in class defaults and requires keys and Required
// properties, since no provider will.
func completeForStore(class *cim.Class, inst *cim.Instance) error {
	for _, p := range class.Properties {
		v, ok := inst.Get(p.Name)
		if !ok && p.Default.Type() != cim.TypeInvalid && !p.Default.IsNull() {
			inst.Set(p.Name, p.Default)
			v, ok = p.Default, true
		}
		if (p.IsKey() || p.Qualifiers.IsTrue("Required")) && (!ok || v.IsNull()) {
			return cim.Errorf(cim.ErrInvalidParameter, "property %s of %s is required", p.Name, class.Name)
		}
	}
	return nil
}

// ModifyInstance changes the instance named by path to the values in inst;
// propertyList, when not nil, limits the properties changed.
func (d *Dispatcher) ModifyInstance(ctx context.Context, ns string, path cim.ObjectPath, inst *cim.Instance, propertyList []string) error {
	class, np, err := d.resolvePath(ns, path)
	if err != nil {
		return err
	}
	if inst.ClassName != "" && !strings.EqualFold(inst.ClassName, class.Name) {
		return cim.Errorf(cim.ErrInvalidParameter, "the instance is of class %s but the path names %s", inst.ClassName, class.Name)
	}
	checked, err := checkInstance(class, inst)
	if err != nil {
		return err
	}
	changes := &cim.Instance{ClassName: class.Name}
	for _, pv := range checked.Properties {
		if propertyList != nil && !inList(propertyList, pv.Name) {
			continue
		}
		if class.Property(pv.Name).IsKey() {
			old, _ := np.Key(pv.Name)
			if !cim.Equal(old, pv.Value) {
				return cim.Errorf(cim.ErrInvalidParameter, "key property %s cannot be modified", pv.Name)
			}
			continue
		}
		changes.Properties = append(changes.Properties, pv)
	}
	if propertyList != nil {
		for _, name := range propertyList {
			if class.Property(name) == nil {
				return cim.Errorf(cim.ErrNoSuchProperty, "class %s has no property %s", class.Name, name)
			}
			if _, given := checked.Get(name); !given {
				changes.Set(class.Property(name).Name, nullOf(class.Property(name)))
			}
		}
	}
	mod, ok := d.provider(ns, class).(InstanceModifier)
	if !ok {
		return cim.Errorf(cim.ErrNotSupported, "instances of %s cannot be modified", class.Name)
	}
	return clientError(mod.ModifyInstance(ctx, ns, class, np, changes), "modify %s", np)
}

func nullOf(p *cim.Property) cim.Value {
	if p.IsArray {
		return cim.NullArray(p.Type)
	}
	return cim.Null(p.Type)
}

// DeleteInstance deletes the instance named by path.
func (d *Dispatcher) DeleteInstance(ctx context.Context, ns string, path cim.ObjectPath) error {
	class, np, err := d.resolvePath(ns, path)
	if err != nil {
		return err
	}
	del, ok := d.provider(ns, class).(InstanceDeleter)
	if !ok {
		return cim.Errorf(cim.ErrNotSupported, "instances of %s cannot be deleted", class.Name)
	}
	return clientError(del.DeleteInstance(ctx, ns, class, np), "delete %s", np)
}

// GetProperty returns one property of the instance named by path.
func (d *Dispatcher) GetProperty(ctx context.Context, ns string, path cim.ObjectPath, name string) (cim.Value, error) {
	class, err := d.class(ns, path.ClassName)
	if err != nil {
		return cim.Value{}, err
	}
	decl := class.Property(name)
	if decl == nil {
		return cim.Value{}, cim.Errorf(cim.ErrNoSuchProperty, "class %s has no property %s", class.Name, name)
	}
	inst, err := d.GetInstance(ctx, ns, path, InstanceOptions{PropertyList: []string{name}})
	if err != nil {
		return cim.Value{}, err
	}
	if v, ok := inst.Get(name); ok {
		return v, nil
	}
	return nullOf(decl), nil
}

// SetProperty sets one property of the instance named by path.
func (d *Dispatcher) SetProperty(ctx context.Context, ns string, path cim.ObjectPath, name string, v cim.Value) error {
	inst := cim.NewInstance(path.ClassName).Set(name, v)
	return d.ModifyInstance(ctx, ns, path, inst, []string{name})
}
