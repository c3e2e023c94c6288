package cimxml

import (
	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/query"
)

// parseSelect parses a WQL or CQL query for ExecQuery or
// OpenQueryInstances and checks it against its FROM class.
func (h *Handler) parseSelect(ns, lang, text string) (*query.Query, error) {
	q, err := query.Parse(lang, text)
	if err != nil {
		return nil, err
	}
	if q.FromClass() == "" {
		return nil, cim.Errorf(cim.ErrQueryLanguageNotSupported, "%s filters are not queries; use WQL or DMTF:CQL", q.Language())
	}
	if err := h.checkNamespace(ns); err != nil {
		return nil, err
	}
	class, err := h.d.Repo.Class(ns, q.FromClass())
	if err != nil {
		return nil, cim.Errorf(cim.ErrInvalidQuery, "no class %s in namespace %s", q.FromClass(), ns)
	}
	return q, q.Validate(class)
}

// runQuery enumerates the FROM class with its subclasses and yields the
// projection of each matching instance with its path.
func (h *Handler) runQuery(rq *request, ns string, q *query.Query, yield func(cim.ObjectPath, *cim.Instance) bool) error {
	isA := func(class, ancestor string) bool { return h.d.Repo.IsA(ns, class, ancestor) }
	var inner error
	opts := cimom.InstanceOptions{DeepInheritance: true}
	err := h.d.EnumerateInstances(rq.ctx, ns, q.FromClass(), opts, func(path cim.ObjectPath, inst *cim.Instance) bool {
		ok, err := q.Matches(inst, isA)
		if err != nil {
			inner = err
			return false
		}
		return !ok || yield(path, q.Project(inst))
	})
	if inner != nil {
		return inner
	}
	return err
}

func opExecQuery(h *Handler, rq *request, p *iparams) error {
	lang, ok, err := p.str("QueryLanguage")
	if err != nil {
		return err
	}
	if !ok {
		return p.missing("QueryLanguage")
	}
	text, ok, err := p.str("Query")
	if err != nil {
		return err
	}
	if !ok {
		return p.missing("Query")
	}
	q, err := h.parseSelect(rq.call.ns, lang, text)
	if err != nil {
		return err
	}
	return rq.stream(func(emit func(func(*encoder)) bool) error {
		return h.runQuery(rq, rq.call.ns, q, func(path cim.ObjectPath, inst *cim.Instance) bool {
			return emit(func(e *encoder) { e.objectWithPath(path, inst) })
		})
	})
}
