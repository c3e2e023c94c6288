package repo

import (
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// SetQualifierDecl adds a qualifier declaration or replaces the one of the
// same name.
func (r *Repository) SetQualifierDecl(ns string, d *cim.QualifierDecl) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	n, err := r.ns(ns)
	if err != nil {
		return err
	}
	if d.Name == "" || d.Type == cim.TypeInvalid {
		return cim.Errorf(cim.ErrInvalidParameter, "a qualifier declaration needs a name and a type")
	}
	k := strings.ToLower(d.Name)
	if _, ok := n.quals[k]; !ok {
		n.qorder = append(n.qorder, k)
	}
	n.quals[k] = d
	return nil
}

// QualifierDecl returns the declaration named name, or CIM_ERR_NOT_FOUND.
func (r *Repository) QualifierDecl(ns, name string) (*cim.QualifierDecl, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	n, err := r.ns(ns)
	if err != nil {
		return nil, err
	}
	d, ok := n.quals[strings.ToLower(name)]
	if !ok {
		return nil, cim.Errorf(cim.ErrNotFound, "no qualifier %s in namespace %s", name, n.name)
	}
	return d, nil
}

// QualifierDecls returns every qualifier declaration in insertion order.
func (r *Repository) QualifierDecls(ns string) ([]*cim.QualifierDecl, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	n, err := r.ns(ns)
	if err != nil {
		return nil, err
	}
	out := make([]*cim.QualifierDecl, len(n.qorder))
	for i, k := range n.qorder {
		out[i] = n.quals[k]
	}
	return out, nil
}

// DeleteQualifierDecl removes a declaration, or returns CIM_ERR_NOT_FOUND.
func (r *Repository) DeleteQualifierDecl(ns, name string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	n, err := r.ns(ns)
	if err != nil {
		return err
	}
	k := strings.ToLower(name)
	if _, ok := n.quals[k]; !ok {
		return cim.Errorf(cim.ErrNotFound, "no qualifier %s in namespace %s", name, n.name)
	}
	delete(n.quals, k)
	for i, q := range n.qorder {
		if q == k {
			n.qorder = append(n.qorder[:i], n.qorder[i+1:]...)
			break
		}
	}
	return nil
}

// checkQualifiers requires every qualifier in decl to be declared, allowed
// in the scope where it appears, and of the declared type.
func (n *namespace) checkQualifiers(c *cim.Class) error {
	classScope := cim.ScopeClass
	if c.Qualifiers.IsTrue("Association") {
		classScope |= cim.ScopeAssociation
	}
	if c.Qualifiers.IsTrue("Indication") {
		classScope |= cim.ScopeIndication
	}
	if err := n.checkList(c.Qualifiers, classScope, "class "+c.Name); err != nil {
		return err
	}
	for _, p := range c.Properties {
		scope := cim.ScopeProperty
		if p.Type == cim.TypeReference {
			scope = cim.ScopeReference
		}
		if err := n.checkList(p.Qualifiers, scope, c.Name+"."+p.Name); err != nil {
			return err
		}
	}
	for _, m := range c.Methods {
		if err := n.checkList(m.Qualifiers, cim.ScopeMethod, c.Name+"."+m.Name+"()"); err != nil {
			return err
		}
		for _, p := range m.Parameters {
			if err := n.checkList(p.Qualifiers, cim.ScopeParameter, c.Name+"."+m.Name+"("+p.Name+")"); err != nil {
				return err
			}
		}
	}
	return nil
}

func (n *namespace) checkList(qs cim.Qualifiers, scope cim.Scope, where string) error {
	for _, q := range qs {
		d, ok := n.quals[strings.ToLower(q.Name)]
		if !ok {
			return cim.Errorf(cim.ErrInvalidParameter, "%s: qualifier %s is not declared", where, q.Name)
		}
		if d.Scope&scope == 0 {
			return cim.Errorf(cim.ErrInvalidParameter, "%s: qualifier %s is not allowed here (scope %s)", where, q.Name, strings.Join(d.Scope.Names(), ", "))
		}
		if q.Value.Type() != d.Type && !(q.Value.IsNull() && q.Value.Type() == cim.TypeInvalid) {
			return cim.Errorf(cim.ErrTypeMismatch, "%s: qualifier %s is %s, not %s", where, q.Name, d.Type, q.Value.Type())
		}
		if !q.Value.IsNull() && q.Value.IsArray() != d.IsArray {
			return cim.Errorf(cim.ErrTypeMismatch, "%s: qualifier %s array-ness differs from its declaration", where, q.Name)
		}
	}
	return nil
}
