package wsman

import (
	"context"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// An enumSource is what an Enumerate enumerates: a function that yields
// items, run by the context's producer, and how to render them.
type enumSource struct {
	ns       string
	run      func(ctx context.Context, yield func(item) bool) error
	count    func(ctx context.Context) (int, error) // nil: no estimate
	op       operation
	renameTo string
}

// source picks the enumeration for the request: the ResourceURI's class,
// optionally filtered by selectors or a query, or an association
// traversal.
func (h *Handler) source(req *request, er *enumerateRequest) (*enumSource, *Fault) {
	if er.filter == nil {
		if isAllClassesURI(req.resourceURI) {
			return nil, newFault(faultUnsupportedFeature, "FilteringRequired",
				"Enumerating the all-classes ResourceURI needs a filter.")
		}
		t, f := h.resolveClass(req)
		if f != nil {
			return nil, f
		}
		var match func(*cim.Instance) bool
		if sels := keySelectors(req.selectors); len(sels) > 0 {
			// As openwsman does, selectors on Enumerate filter the instances.
			if match, f = selectorMatcher(t, sels); f != nil {
				return nil, f
			}
		}
		return h.classSource(t, er, match), nil
	}
	switch er.dialect {
	case dialectSelector:
		return h.selectorSource(req, er)
	case dialectWQL, dialectWQLMicrosft, dialectCQL:
		return h.querySource(req, er)
	case dialectAssociation:
		return h.associationSource(req, er)
	}
	dialect := er.dialect
	if dialect == "" {
		dialect = dialectXPath + " (the default)"
	}
	return nil, &Fault{kind: faultFilterDialectRequestedUnavailable, supportedDialects: true,
		reason: "Filter dialect " + dialect + " is not supported."}
}

// classSource enumerates the instances (or, in EPR mode, the names) of t's
// class, honouring the polymorphism mode; match, when set, filters them.
func (h *Handler) classSource(t *target, er *enumerateRequest, match func(*cim.Instance) bool) *enumSource {
	ns, class := t.ns, t.class.Name
	exact := er.poly == polymorphismNone
	keep := func(p cim.ObjectPath) bool { return !exact || strings.EqualFold(p.ClassName, class) }
	src := &enumSource{ns: ns, op: opOther}
	if er.poly == excludeSubClassProperties {
		src.renameTo = class
	}
	src.count = func(ctx context.Context) (int, error) {
		n := 0
		err := h.d.EnumerateInstanceNames(ctx, ns, class, func(p cim.ObjectPath) bool {
			if keep(p) {
				n++
			}
			return true
		})
		return n, err
	}
	if match != nil {
		src.count = nil
	}
	if er.mode == modeEPR && match == nil {
		src.run = func(ctx context.Context, yield func(item) bool) error {
			return h.d.EnumerateInstanceNames(ctx, ns, class, func(p cim.ObjectPath) bool {
				return !keep(p) || yield(item{path: p})
			})
		}
		return src
	}
	opts := cimom.InstanceOptions{DeepInheritance: er.poly == includeSubClassProperties}
	src.run = func(ctx context.Context, yield func(item) bool) error {
		return h.d.EnumerateInstances(ctx, ns, class, opts, func(p cim.ObjectPath, inst *cim.Instance) bool {
			if !keep(p) || match != nil && !match(inst) {
				return true
			}
			return yield(item{path: p, inst: inst})
		})
	}
	return src
}

// selectorSource serves the selector filter dialect: instances whose
// properties equal the selectors' values.
func (h *Handler) selectorSource(req *request, er *enumerateRequest) (*enumSource, *Fault) {
	if isAllClassesURI(req.resourceURI) {
		return nil, newFault(faultCannotProcessFilter, "", "A selector filter needs a class ResourceURI, not the all-classes one.")
	}
	t, f := h.resolveClass(req)
	if f != nil {
		return nil, f
	}
	set := er.filter.child(nsWSMAN, "SelectorSet")
	if set == nil {
		return nil, newFault(faultCannotProcessFilter, "", "A selector filter holds a wsman:SelectorSet.")
	}
	sels, f := parseSelectorSet(set)
	if f != nil {
		return nil, newFault(faultCannotProcessFilter, "", "%s", f.Reason())
	}
	match, f := selectorMatcher(t, keySelectors(sels))
	if f != nil {
		return nil, f
	}
	src := h.classSource(t, er, match)
	src.op = opFilter
	return src, nil
}

// selectorMatcher returns a predicate that holds for instances whose
// properties equal every selector.
func selectorMatcher(t *target, sels []selector) (func(*cim.Instance) bool, *Fault) {
	type want struct {
		name string
		v    cim.Value
	}
	var wants []want
	for _, s := range sels {
		p := t.class.Property(s.name)
		if p == nil {
			return nil, newFault(faultCannotProcessFilter, "", "Class %s has no property %s to select on.", t.class.Name, s.name)
		}
		v, err := selectorValue(t.ns, p, s)
		if err != nil {
			return nil, newFault(faultCannotProcessFilter, "", "Selector %s: %v.", s.name, err)
		}
		wants = append(wants, want{p.Name, v})
	}
	return func(inst *cim.Instance) bool {
		for _, w := range wants {
			got, ok := inst.Get(w.name)
			if !ok || !sameValue(got, w.v, t.ns) {
				return false
			}
		}
		return true
	}, nil
}

// sameValue compares an instance's value with a selector's: references as
// paths (a missing namespace is ns), anything else by value or, for
// values of another width, by text.
func sameValue(got, want cim.Value, ns string) bool {
	if got.IsNull() || got.IsArray() {
		return false
	}
	if a, ok := got.AsRef(); ok {
		b, ok := want.AsRef()
		return ok && withNamespace(a, ns).Equal(withNamespace(b, ns))
	}
	return cim.Equal(got, want) || keyText(got) == keyText(want)
}

func withNamespace(p cim.ObjectPath, ns string) cim.ObjectPath {
	if p.Namespace == "" {
		p.Namespace = ns
	}
	for i, k := range p.Keys {
		if ref, ok := k.Value.AsRef(); ok {
			p.Keys = append([]cim.KeyBinding(nil), p.Keys...)
			p.Keys[i].Value = cim.Ref(withNamespace(ref, p.Namespace))
		}
	}
	return p
}
