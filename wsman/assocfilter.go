package wsman

import (
	"context"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// associationSource serves the association filter (DSP0227 §8):
// wsmb:AssociatedInstances are the Associators of wsmb:Object, and
// wsmb:AssociationInstances its References. A class ResourceURI, rather
// than the all-classes one, keeps only results of that class.
func (h *Handler) associationSource(req *request, er *enumerateRequest) (*enumSource, *Fault) {
	ns := namespaceOf(req.selectors, h.opts.DefaultNamespace)
	var resultOf string
	if !isAllClassesURI(req.resourceURI) {
		t, f := h.resolveClass(req)
		if f != nil {
			return nil, f
		}
		ns, resultOf = t.ns, t.class.Name
	}
	assoc := er.filter.child(nsWSMB, "AssociatedInstances")
	associated := assoc != nil
	if !associated {
		assoc = er.filter.child(nsWSMB, "AssociationInstances")
	}
	if assoc == nil {
		return nil, newFault(faultCannotProcessFilter, "", "An association filter holds wsmb:AssociatedInstances or wsmb:AssociationInstances.")
	}
	obj := assoc.child(nsWSMB, "Object")
	if obj == nil {
		return nil, newFault(faultCannotProcessFilter, "", "The association filter has no wsmb:Object.")
	}
	object, err := eprToPath(obj, ns)
	if err != nil {
		return nil, newFault(faultCannotProcessFilter, "", "wsmb:Object: %v.", err)
	}
	af := cimom.AssocFilter{
		AssocClass:  assoc.child(nsWSMB, "AssociationClassName").text(),
		ResultClass: assoc.child(nsWSMB, "ResultClassName").text(),
		Role:        assoc.child(nsWSMB, "Role").text(),
		ResultRole:  assoc.child(nsWSMB, "ResultRole").text(),
	}
	if f := h.checkAssocClasses(object, af); f != nil {
		return nil, f
	}
	var props []string
	for _, p := range assoc.childrenNamed(nsWSMB, "IncludeResultProperty") {
		props = append(props, p.text())
	}
	src := &enumSource{ns: object.Namespace, op: opFilter}
	keep := func(p cim.ObjectPath) bool {
		return resultOf == "" || h.d.Repo.IsA(p.Namespace, p.ClassName, resultOf)
	}
	src.run = h.traversal(associated, er.mode == modeEPR, object, af, props, keep)
	return src, nil
}

// traversal returns the producer function of an association filter.
func (h *Handler) traversal(associated, names bool, object cim.ObjectPath, af cimom.AssocFilter, props []string, keep func(cim.ObjectPath) bool) func(context.Context, func(item) bool) error {
	ns := object.Namespace
	opts := cimom.InstanceOptions{PropertyList: props}
	onPath := func(yield func(item) bool) func(cim.ObjectPath) bool {
		return func(p cim.ObjectPath) bool { return !keep(p) || yield(item{path: p}) }
	}
	onInst := func(yield func(item) bool) func(cim.ObjectPath, *cim.Instance) bool {
		return func(p cim.ObjectPath, inst *cim.Instance) bool { return !keep(p) || yield(item{path: p, inst: inst}) }
	}
	switch {
	case associated && names:
		return func(ctx context.Context, yield func(item) bool) error {
			return h.d.AssociatorNames(ctx, ns, object, af, onPath(yield))
		}
	case associated:
		return func(ctx context.Context, yield func(item) bool) error {
			return h.d.Associators(ctx, ns, object, af, opts, onInst(yield))
		}
	case names:
		return func(ctx context.Context, yield func(item) bool) error {
			return h.d.ReferenceNames(ctx, ns, object, af, onPath(yield))
		}
	}
	return func(ctx context.Context, yield func(item) bool) error {
		return h.d.References(ctx, ns, object, af, opts, onInst(yield))
	}
}

// checkAssocClasses checks up front what the dispatcher would only report
// on the first Pull: the object's class and the filter's classes exist.
func (h *Handler) checkAssocClasses(object cim.ObjectPath, af cimom.AssocFilter) *Fault {
	if !h.d.Repo.HasNamespace(object.Namespace) {
		return newFault(faultCannotProcessFilter, "", "wsmb:Object: there is no CIM namespace %s.", object.Namespace)
	}
	for _, c := range []string{object.ClassName, af.AssocClass, af.ResultClass} {
		if c != "" && h.classOf(object.Namespace, c) == nil {
			return newFault(faultCannotProcessFilter, "", "There is no class %s in namespace %s.", c, object.Namespace)
		}
	}
	if !object.IsInstance() && len(h.classOf(object.Namespace, object.ClassName).Keys()) > 0 {
		return newFault(faultCannotProcessFilter, "", "wsmb:Object must name an instance of %s with its selectors.", object.ClassName)
	}
	if af.Role != "" && strings.ContainsAny(af.Role, " /") {
		return newFault(faultCannotProcessFilter, "", "Role %q is not a property name.", af.Role)
	}
	return nil
}
