package repo

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// Repository holds the namespaces. It is safe for concurrent use; classes it
// returns are shared and must not be modified.
type Repository struct {
	mu         sync.RWMutex
	namespaces map[string]*namespace
}

type namespace struct {
	name     string
	classes  map[string]*cim.Class // lower-cased name → flattened class
	local    map[string]*cim.Class // lower-cased name → declaration as given
	order    []string              // lower-cased names in insertion order
	children map[string][]string   // lower-cased superclass ("" for roots) → lower-cased subclasses
	quals    map[string]*cim.QualifierDecl
	qorder   []string
}

// New returns an empty repository.
func New() *Repository { return &Repository{namespaces: map[string]*namespace{}} }

func key(name string) string { return strings.ToLower(strings.Trim(name, "/")) }

// CreateNamespace adds an empty namespace; CIM_ERR_ALREADY_EXISTS if present.
func (r *Repository) CreateNamespace(name string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := key(name)
	if k == "" {
		return cim.Errorf(cim.ErrInvalidParameter, "empty namespace name")
	}
	if _, ok := r.namespaces[k]; ok {
		return cim.Errorf(cim.ErrAlreadyExists, "namespace %s exists", name)
	}
	r.namespaces[k] = &namespace{
		name: strings.Trim(name, "/"), classes: map[string]*cim.Class{}, local: map[string]*cim.Class{},
		children: map[string][]string{}, quals: map[string]*cim.QualifierDecl{},
	}
	return nil
}

// DeleteNamespace removes a namespace and everything in it.
func (r *Repository) DeleteNamespace(name string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.namespaces[key(name)]; !ok {
		return cim.Errorf(cim.ErrInvalidNamespace, "no namespace %s", name)
	}
	delete(r.namespaces, key(name))
	return nil
}

// Namespaces returns the namespace names, sorted.
func (r *Repository) Namespaces() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.namespaces))
	for _, n := range r.namespaces {
		out = append(out, n.name)
	}
	slices.Sort(out)
	return out
}

// HasNamespace reports whether the namespace exists.
func (r *Repository) HasNamespace(name string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	_, ok := r.namespaces[key(name)]
	return ok
}

// ns returns the namespace or CIM_ERR_INVALID_NAMESPACE; r.mu must be held.
func (r *Repository) ns(name string) (*namespace, error) {
	n, ok := r.namespaces[key(name)]
	if !ok {
		return nil, cim.Errorf(cim.ErrInvalidNamespace, "no namespace %q", name)
	}
	return n, nil
}

// Class returns the flattened class, CIM_ERR_INVALID_NAMESPACE or
// CIM_ERR_NOT_FOUND.
func (r *Repository) Class(ns, name string) (*cim.Class, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	n, err := r.ns(ns)
	if err != nil {
		return nil, err
	}
	c, ok := n.classes[strings.ToLower(name)]
	if !ok {
		return nil, cim.Errorf(cim.ErrNotFound, "no class %s in namespace %s", name, n.name)
	}
	return c, nil
}

// LocalClass returns the class declaration as it was added (not flattened).
func (r *Repository) LocalClass(ns, name string) (*cim.Class, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	n, err := r.ns(ns)
	if err != nil {
		return nil, err
	}
	c, ok := n.local[strings.ToLower(name)]
	if !ok {
		return nil, cim.Errorf(cim.ErrNotFound, "no class %s in namespace %s", name, n.name)
	}
	return c, nil
}

// AddClass flattens decl against its superclass and adds it. Errors:
// CIM_ERR_ALREADY_EXISTS, CIM_ERR_INVALID_SUPERCLASS, and
// CIM_ERR_INVALID_PARAMETER for declarations that break DSP0004's rules.
func (r *Repository) AddClass(ns string, decl *cim.Class) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	n, err := r.ns(ns)
	if err != nil {
		return err
	}
	k := strings.ToLower(decl.Name)
	if _, ok := n.classes[k]; ok {
		return cim.Errorf(cim.ErrAlreadyExists, "class %s exists in namespace %s", decl.Name, n.name)
	}
	flat, err := n.derive(decl)
	if err != nil {
		return err
	}
	n.classes[k], n.local[k] = flat, decl
	n.order = append(n.order, k)
	sk := strings.ToLower(decl.SuperClass)
	n.children[sk] = append(n.children[sk], k)
	return nil
}

func (n *namespace) derive(decl *cim.Class) (*cim.Class, error) {
	if err := n.checkQualifiers(decl); err != nil {
		return nil, err
	}
	var super *cim.Class
	if decl.SuperClass != "" {
		var ok bool
		if super, ok = n.classes[strings.ToLower(decl.SuperClass)]; !ok {
			return nil, cim.Errorf(cim.ErrInvalidSuperclass, "class %s: superclass %s does not exist", decl.Name, decl.SuperClass)
		}
	}
	flat, err := cim.Derive(decl, super)
	if err != nil {
		return nil, cim.Errorf(cim.ErrInvalidParameter, "%w", err)
	}
	if err := n.checkRefClasses(flat); err != nil {
		return nil, err
	}
	return flat, nil
}

// checkRefClasses requires every reference's target class to exist, except
// a class's reference to itself.
func (n *namespace) checkRefClasses(c *cim.Class) error {
	check := func(what, target string) error {
		if target == "" || strings.EqualFold(target, c.Name) {
			return nil
		}
		if _, ok := n.classes[strings.ToLower(target)]; !ok {
			return cim.Errorf(cim.ErrInvalidParameter, "class %s: %s refers to class %s, which does not exist", c.Name, what, target)
		}
		return nil
	}
	for _, p := range c.Properties {
		if err := check("reference "+p.Name, p.RefClass); err != nil {
			return err
		}
	}
	for _, m := range c.Methods {
		for _, p := range m.Parameters {
			if err := check("parameter "+m.Name+"."+p.Name, p.RefClass); err != nil {
				return err
			}
		}
	}
	return nil
}

// DeleteClass removes a class that has no subclasses
// (CIM_ERR_CLASS_HAS_CHILDREN otherwise). Callers check for instances.
func (r *Repository) DeleteClass(ns, name string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	n, err := r.ns(ns)
	if err != nil {
		return err
	}
	k := strings.ToLower(name)
	c, ok := n.classes[k]
	if !ok {
		return cim.Errorf(cim.ErrNotFound, "no class %s in namespace %s", name, n.name)
	}
	if len(n.children[k]) > 0 {
		return cim.Errorf(cim.ErrClassHasChildren, "class %s has subclasses", c.Name)
	}
	delete(n.classes, k)
	delete(n.local, k)
	n.order = slices.DeleteFunc(n.order, func(s string) bool { return s == k })
	sk := strings.ToLower(c.SuperClass)
	n.children[sk] = slices.DeleteFunc(n.children[sk], func(s string) bool { return s == k })
	return nil
}

// ReplaceClass replaces the declaration of a class that has no subclasses
// (CIM_ERR_CLASS_HAS_CHILDREN otherwise) with decl; the superclass may not
// change.
func (r *Repository) ReplaceClass(ns string, decl *cim.Class) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	n, err := r.ns(ns)
	if err != nil {
		return err
	}
	k := strings.ToLower(decl.Name)
	old, ok := n.classes[k]
	if !ok {
		return cim.Errorf(cim.ErrNotFound, "no class %s in namespace %s", decl.Name, n.name)
	}
	if len(n.children[k]) > 0 {
		return cim.Errorf(cim.ErrClassHasChildren, "class %s has subclasses", old.Name)
	}
	if !strings.EqualFold(old.SuperClass, decl.SuperClass) {
		return cim.Errorf(cim.ErrInvalidSuperclass, "class %s: the superclass cannot change from %q to %q", old.Name, old.SuperClass, decl.SuperClass)
	}
	flat, err := n.derive(decl)
	if err != nil {
		return err
	}
	n.classes[k], n.local[k] = flat, decl
	return nil
}

// SubclassNames returns the names of the classes derived from class: direct
// subclasses only, or all descendants (depth first, parents before children)
// when deep. An empty class means the root of the namespace.
func (r *Repository) SubclassNames(ns, class string, deep bool) ([]string, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	n, err := r.ns(ns)
	if err != nil {
		return nil, err
	}
	k := strings.ToLower(class)
	if k != "" {
		if _, ok := n.classes[k]; !ok {
			return nil, cim.Errorf(cim.ErrInvalidClass, "no class %s in namespace %s", class, n.name)
		}
	}
	var out []string
	var walk func(string)
	walk = func(parent string) {
		for _, c := range n.children[parent] {
			out = append(out, n.classes[c].Name)
			if deep {
				walk(c)
			}
		}
	}
	walk(k)
	return out, nil
}

// IsA reports whether class is ancestor or derives from it.
func (r *Repository) IsA(ns, class, ancestor string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	n, ok := r.namespaces[key(ns)]
	if !ok {
		return false
	}
	for c := strings.ToLower(class); c != ""; {
		if strings.EqualFold(c, ancestor) {
			return true
		}
		cl, ok := n.classes[c]
		if !ok {
			return false
		}
		c = strings.ToLower(cl.SuperClass)
	}
	return false
}

// Classes returns every flattened class of a namespace in insertion order
// (superclasses before subclasses).
func (r *Repository) Classes(ns string) ([]*cim.Class, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	n, err := r.ns(ns)
	if err != nil {
		return nil, err
	}
	out := make([]*cim.Class, len(n.order))
	for i, k := range n.order {
		out[i] = n.classes[k]
	}
	return out, nil
}

// Associations returns the association classes of a namespace.
func (r *Repository) Associations(ns string) ([]*cim.Class, error) {
	all, err := r.Classes(ns)
	if err != nil {
		return nil, err
	}
	var out []*cim.Class
	for _, c := range all {
		if c.IsAssociation() {
			out = append(out, c)
		}
	}
	return out, nil
}

// String describes the repository's size, for logs.
func (r *Repository) String() string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var parts []string
	for _, n := range r.namespaces {
		parts = append(parts, fmt.Sprintf("%s: %d classes", n.name, len(n.classes)))
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}
