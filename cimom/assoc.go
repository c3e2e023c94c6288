package cimom

import (
	"context"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// AssocFilter selects association traversal results (DSP0200 §4.3.2.5–8).
// For References and ReferenceNames, ResultClass filters the association
// class and ResultRole and AssocClass are unused.
type AssocFilter struct {
	AssocClass  string // associations of this class or a subclass
	ResultClass string // results of this class or a subclass
	Role        string // the reference naming the source object
	ResultRole  string // the reference naming the result
}

// A link is one association instance that refers to the source object
// through reference property role.
type link struct {
	assoc *cim.Class
	inst  *cim.Instance
	role  string
}

// References calls yield with each association instance that refers to
// object, filtered by f.ResultClass (the association class) and f.Role.
func (d *Dispatcher) References(ctx context.Context, ns string, object cim.ObjectPath, f AssocFilter, opts InstanceOptions, yield func(cim.ObjectPath, *cim.Instance) bool) error {
	f.AssocClass, f.ResultClass = f.ResultClass, ""
	seen := map[string]bool{}
	return d.links(ctx, ns, object, f, func(l link) (bool, error) {
		path, err := l.inst.Path(ns, l.assoc)
		if err != nil || seen[path.Canonical()] {
			return true, nil
		}
		seen[path.Canonical()] = true
		return yield(path, shapeInstance(l.inst, l.assoc, nil, opts)), nil
	})
}

// ReferenceNames calls yield with the path of each association instance
// that refers to object.
func (d *Dispatcher) ReferenceNames(ctx context.Context, ns string, object cim.ObjectPath, f AssocFilter, yield func(cim.ObjectPath) bool) error {
	return d.References(ctx, ns, object, f, InstanceOptions{PropertyList: []string{}}, func(p cim.ObjectPath, _ *cim.Instance) bool {
		return yield(p)
	})
}

// AssociatorNames calls yield with the path of each object associated with
// object, each once.
func (d *Dispatcher) AssociatorNames(ctx context.Context, ns string, object cim.ObjectPath, f AssocFilter, yield func(cim.ObjectPath) bool) error {
	seen := map[string]bool{}
	return d.links(ctx, ns, object, f, func(l link) (bool, error) {
		for _, target := range d.resultRefs(ns, l, f) {
			if seen[target.Canonical()] {
				continue
			}
			seen[target.Canonical()] = true
			if !yield(target) {
				return false, nil
			}
		}
		return true, nil
	})
}

// Associators calls yield with each object associated with object, each
// once, fetched from its provider (which may serve another namespace).
func (d *Dispatcher) Associators(ctx context.Context, ns string, object cim.ObjectPath, f AssocFilter, opts InstanceOptions, yield func(cim.ObjectPath, *cim.Instance) bool) error {
	var inner error
	err := d.AssociatorNames(ctx, ns, object, f, func(target cim.ObjectPath) bool {
		tns := target.Namespace
		inst, err := d.GetInstance(ctx, tns, target, opts)
		switch cim.StatusOf(err) {
		case cim.StatusOK:
			return yield(target, inst)
		case cim.ErrNotFound:
			return true // the association outlived its target
		}
		inner = err
		return false
	})
	if err != nil {
		return err
	}
	return inner
}

// resultRefs returns the far ends of a link that pass the filter.
func (d *Dispatcher) resultRefs(ns string, l link, f AssocFilter) []cim.ObjectPath {
	var out []cim.ObjectPath
	for _, rp := range l.assoc.References() {
		if strings.EqualFold(rp.Name, l.role) || f.ResultRole != "" && !strings.EqualFold(rp.Name, f.ResultRole) {
			continue
		}
		v, ok := l.inst.Get(rp.Name)
		target, isRef := v.AsRef()
		if !ok || !isRef {
			continue
		}
		if target.Namespace == "" {
			target.Namespace = ns
		}
		if f.ResultClass != "" && !d.Repo.IsA(target.Namespace, target.ClassName, f.ResultClass) {
			continue
		}
		out = append(out, target)
	}
	return out
}

// links calls fn for every (association instance, role) that refers to
// object, over every association class in ns that passes f.AssocClass and
// whose references can point at object's class.
func (d *Dispatcher) links(ctx context.Context, ns string, object cim.ObjectPath, f AssocFilter, fn func(link) (bool, error)) error {
	source, err := d.associationSource(ns, object)
	if err != nil {
		return err
	}
	if err := d.checkFilterClasses(ns, f); err != nil {
		return err
	}
	assocs, err := d.Repo.Associations(ns)
	if err != nil {
		return err
	}
	for _, a := range assocs {
		if f.AssocClass != "" && !d.Repo.IsA(ns, a.Name, f.AssocClass) {
			continue
		}
		roles := d.candidateRoles(ns, a, source, f.Role)
		if len(roles) == 0 {
			continue
		}
		more, err := d.linksOf(ctx, ns, a, source, roles, fn)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// associationSource checks the source object and normalizes its keys.
func (d *Dispatcher) associationSource(ns string, object cim.ObjectPath) (cim.ObjectPath, error) {
	sns := object.Namespace
	if sns == "" {
		sns = ns
	}
	class, err := d.Repo.Class(sns, object.ClassName)
	if err != nil {
		return cim.ObjectPath{}, cim.Errorf(cim.ErrInvalidParameter, "ObjectName: no class %s in namespace %s", object.ClassName, sns)
	}
	if !object.IsInstance() {
		return cim.ObjectPath{}, cim.Errorf(cim.ErrNotSupported, "class-level association traversal is not supported; give an instance path")
	}
	np, err := normalizePath(sns, class, object)
	if err != nil {
		return cim.ObjectPath{}, err
	}
	np.Host = ""
	return np, nil
}

func (d *Dispatcher) checkFilterClasses(ns string, f AssocFilter) error {
	for _, c := range []string{f.AssocClass, f.ResultClass} {
		if c == "" {
			continue
		}
		if _, err := d.Repo.Class(ns, c); err != nil {
			return cim.Errorf(cim.ErrInvalidParameter, "no class %s in namespace %s", c, ns)
		}
	}
	return nil
}

// candidateRoles returns the reference properties of assoc that could refer
// to source and match role.
func (d *Dispatcher) candidateRoles(ns string, assoc *cim.Class, source cim.ObjectPath, role string) []string {
	var roles []string
	for _, rp := range assoc.References() {
		if role != "" && !strings.EqualFold(rp.Name, role) {
			continue
		}
		if d.Repo.IsA(source.Namespace, source.ClassName, rp.RefClass) || d.Repo.IsA(ns, rp.RefClass, source.ClassName) {
			roles = append(roles, rp.Name)
		}
	}
	return roles
}

// linksOf finds the instances of exactly assoc that refer to source through
// one of roles: through the provider's ReferenceProvider when it has one,
// by enumeration otherwise.
func (d *Dispatcher) linksOf(ctx context.Context, ns string, assoc *cim.Class, source cim.ObjectPath, roles []string, fn func(link) (bool, error)) (bool, error) {
	more := true
	var inner error
	visit := func(inst *cim.Instance) bool {
		for _, role := range roles {
			v, _ := inst.Get(role)
			ref, ok := v.AsRef()
			if !ok {
				continue
			}
			if ref.Namespace == "" {
				ref.Namespace = ns
			}
			if !ref.Local().Equal(source) {
				continue
			}
			if more, inner = fn(link{assoc: assoc, inst: inst, role: role}); inner != nil || !more {
				return false
			}
		}
		return true
	}
	var err error
	err = d.eachOf(ctx, ns, assoc, source, roles, visit)
	if inner != nil {
		return false, inner
	}
	return more, clientError(err, "traverse %s", assoc.Name)
}

func (d *Dispatcher) eachOf(ctx context.Context, ns string, assoc *cim.Class, source cim.ObjectPath, roles []string, visit func(*cim.Instance) bool) error {
	p := d.provider(ns, assoc)
	rp, ok := p.(ReferenceProvider)
	if !ok {
		return p.EnumerateInstances(ctx, ns, assoc, visit)
	}
	role := ""
	if len(roles) == 1 {
		role = roles[0]
	}
	return rp.References(ctx, ns, assoc, source, role, visit)
}
