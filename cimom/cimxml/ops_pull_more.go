package cimxml

import (
	"context"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// openTraversal serves the four association Open operations.
func (h *Handler) openTraversal(rq *request, p *iparams, refs bool, kind pullKind) error {
	obj, err := p.instanceName("InstanceName")
	if err != nil {
		return err
	}
	f, err := assocFilter(p)
	if err != nil {
		return err
	}
	opts := cimom.InstanceOptions{}
	if kind == pullWithPath {
		if opts, err = instanceOptions(p, false); err != nil {
			return err
		}
	}
	a, err := h.readOpenArgs(p, true)
	if err != nil {
		return err
	}
	ns := rq.call.ns
	if err := h.checkNamespace(ns); err != nil {
		return err
	}
	if _, err := h.d.Repo.Class(ns, obj.ClassName); err != nil {
		return cim.Errorf(cim.ErrInvalidParameter, "InstanceName: no class %s in namespace %s", obj.ClassName, ns)
	}
	var produce producer
	switch {
	case kind == pullPaths && a.filter == nil && refs:
		produce = pathItems(func(ctx context.Context, y func(cim.ObjectPath) bool) error {
			return h.d.ReferenceNames(ctx, ns, obj, f, y)
		})
	case kind == pullPaths && a.filter == nil:
		produce = pathItems(func(ctx context.Context, y func(cim.ObjectPath) bool) error {
			return h.d.AssociatorNames(ctx, ns, obj, f, y)
		})
	case refs:
		produce = h.filtered(ns, a.filter, instanceItems(func(ctx context.Context, y func(cim.ObjectPath, *cim.Instance) bool) error {
			return h.d.References(ctx, ns, obj, f, opts, y)
		}))
	default:
		produce = h.filtered(ns, a.filter, instanceItems(func(ctx context.Context, y func(cim.ObjectPath, *cim.Instance) bool) error {
			return h.d.Associators(ctx, ns, obj, f, opts, y)
		}))
	}
	return h.startPull(rq, a, kind, opts.IncludeClassOrigin, produce)
}

func opOpenAssociatorInstances(h *Handler, rq *request, p *iparams) error {
	return h.openTraversal(rq, p, false, pullWithPath)
}

func opOpenAssociatorInstancePaths(h *Handler, rq *request, p *iparams) error {
	return h.openTraversal(rq, p, false, pullPaths)
}

func opOpenReferenceInstances(h *Handler, rq *request, p *iparams) error {
	return h.openTraversal(rq, p, true, pullWithPath)
}

func opOpenReferenceInstancePaths(h *Handler, rq *request, p *iparams) error {
	return h.openTraversal(rq, p, true, pullPaths)
}

// opOpenQueryInstances runs a WQL or CQL query as a pull enumeration of
// instances without paths. ReturnQueryResultClass returns the FROM class
// limited to the selected properties as QueryResultClass.
func opOpenQueryInstances(h *Handler, rq *request, p *iparams) error {
	lang, hasLang, err := p.str("FilterQueryLanguage")
	if err != nil {
		return err
	}
	text, hasQuery, err := p.str("FilterQuery")
	if err != nil {
		return err
	}
	if !hasLang || !hasQuery {
		return invalidf("OpenQueryInstances requires FilterQueryLanguage and FilterQuery")
	}
	withClass, err := p.boolean("ReturnQueryResultClass", false)
	if err != nil {
		return err
	}
	a, err := h.readOpenArgs(p, false)
	if err != nil {
		return err
	}
	ns := rq.call.ns
	q, err := h.parseSelect(ns, lang, text)
	if err != nil {
		return err
	}
	var resultClass *cim.Class
	if withClass {
		opts := cimom.ClassOptions{PropertyList: q.Properties()}
		if resultClass, err = h.d.GetClass(rq.ctx, ns, q.FromClass(), opts); err != nil {
			return err
		}
		resultClass.Methods = nil
	}
	c, err := h.pulls.open(rq.ctx, rq.user, ns, pullInstances, a.timeout, false, func(ctx context.Context, yield func(item) bool) error {
		sub := *rq
		sub.ctx = ctx
		return h.runQuery(&sub, ns, q, func(path cim.ObjectPath, inst *cim.Instance) bool {
			return yield(item{path: path, inst: inst})
		})
	})
	if err != nil {
		return err
	}
	var extra func(e *encoder)
	if resultClass != nil {
		extra = func(e *encoder) {
			e.raw(`<PARAMVALUE NAME="QueryResultClass">`)
			e.class(resultClass)
			e.raw("</PARAMVALUE>")
		}
	}
	return h.answerPull(rq, c, a.maxCount, extra)
}

// contextParam reads the EnumerationContext parameter.
func contextParam(p *iparams) (string, error) {
	id, ok, err := p.str("EnumerationContext")
	switch {
	case err != nil:
		return "", err
	case !ok:
		return "", p.missing("EnumerationContext")
	}
	return strings.TrimSpace(id), nil
}

// pullOp returns the implementation of one of the three Pull operations;
// a context opened for another one is CIM_ERR_INVALID_ENUMERATION_CONTEXT.
func pullOp(kind pullKind) func(h *Handler, rq *request, p *iparams) error {
	return func(h *Handler, rq *request, p *iparams) error {
		id, err := contextParam(p)
		if err != nil {
			return err
		}
		max, err := h.pullMax(p)
		if err != nil {
			return err
		}
		c, err := h.pulls.acquire(rq.user, id, &kind, cim.ErrInvalidEnumerationContext)
		if err != nil {
			return err
		}
		if !strings.EqualFold(c.ns, rq.call.ns) {
			h.pulls.release(c, false)
			return cim.Errorf(cim.ErrInvalidNamespace, "enumeration context %q belongs to namespace %s", id, c.ns)
		}
		return h.answerPull(rq, c, max, nil)
	}
}

// opCloseEnumeration frees a context. A context with a Pull in progress
// cannot be closed: CIM_ERR_PULL_CANNOT_BE_ABANDONED.
func opCloseEnumeration(h *Handler, rq *request, p *iparams) error {
	id, err := contextParam(p)
	if err != nil {
		return err
	}
	c, err := h.pulls.acquire(rq.user, id, nil, cim.ErrPullCannotBeAbandoned)
	if err != nil {
		return err
	}
	h.pulls.release(c, true)
	return nil
}

// opEnumerationCount checks the context and answers CIM_ERR_NOT_SUPPORTED,
// as DSP0200 allows and OpenPegasus does: counting would mean running the
// enumeration ahead of the client.
func opEnumerationCount(h *Handler, rq *request, p *iparams) error {
	id, err := contextParam(p)
	if err != nil {
		return err
	}
	c, err := h.pulls.acquire(rq.user, id, nil, cim.ErrInvalidEnumerationContext)
	if err != nil {
		return err
	}
	h.pulls.release(c, false)
	return cim.Errorf(cim.ErrNotSupported, "EnumerationCount is not supported")
}
