package wsman

import (
	"context"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/query"
)

// querySource serves the WQL (both dialect URIs) and CQL filter dialects
// through cimom/query: the instances of the FROM class (and its
// subclasses) that match the WHERE clause, limited to the select list.
// A class ResourceURI, rather than the all-classes one, also keeps only
// instances of that class.
func (h *Handler) querySource(req *request, er *enumerateRequest) (*enumSource, *Fault) {
	lang := query.WQL
	if er.dialect == dialectCQL {
		lang = query.CQL
	}
	q, err := query.Parse(lang, strings.TrimSpace(er.filter.Text))
	if err != nil {
		return nil, faultFor(err, opFilter)
	}
	ns := namespaceOf(req.selectors, h.opts.DefaultNamespace)
	var within string
	if !isAllClassesURI(req.resourceURI) {
		t, f := h.resolveClass(req)
		if f != nil {
			return nil, f
		}
		ns, within = t.ns, t.class.Name
	}
	from := h.classOf(ns, q.FromClass())
	if from == nil {
		return nil, newFault(faultCannotProcessFilter, "", "The query's FROM class %s does not exist in namespace %s.", q.FromClass(), ns)
	}
	if within != "" && !h.d.Repo.IsA(ns, from.Name, within) && !h.d.Repo.IsA(ns, within, from.Name) {
		return nil, newFault(faultCannotProcessFilter, "", "The query selects from %s, which is unrelated to the ResourceURI's class %s.", from.Name, within)
	}
	if err := q.Validate(from); err != nil {
		return nil, faultFor(err, opFilter)
	}
	isA := func(class, ancestor string) bool { return h.d.Repo.IsA(ns, class, ancestor) }
	opts := cimom.InstanceOptions{DeepInheritance: true}
	run := func(ctx context.Context, yield func(item) bool) error {
		var inner error
		err := h.d.EnumerateInstances(ctx, ns, from.Name, opts, func(p cim.ObjectPath, inst *cim.Instance) bool {
			if within != "" && !isA(p.ClassName, within) {
				return true
			}
			ok, err := q.Matches(inst, isA)
			if err != nil {
				inner = cim.Errorf(cim.ErrInvalidQuery, "%v", err)
				return false
			}
			return !ok || yield(item{path: p, inst: q.Project(inst)})
		})
		if inner != nil {
			return inner
		}
		return err
	}
	return &enumSource{ns: ns, run: run, op: opFilter}, nil
}
