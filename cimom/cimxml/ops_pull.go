package cimxml

import (
	"context"
	"strings"
	"time"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/query"
)

// openArgs are the parameters every Open operation takes.
type openArgs struct {
	timeout  time.Duration
	maxCount uint32
	filter   *query.Query // nil without FilterQuery
}

// readOpenArgs reads OperationTimeout, ContinueOnError, MaxObjectCount and,
// when filterable, FilterQueryLanguage and FilterQuery.
//
// OperationTimeout NULL means PullOptions.DefaultTimeout. DSP0200 lets 0
// mean "never time out"; Ferrum refuses it with
// CIM_ERR_INVALID_OPERATION_TIMEOUT, as OpenPegasus does by default, so
// that every context is eventually freed. A MaxObjectCount of NULL is 0.
func (h *Handler) readOpenArgs(p *iparams, filterable bool) (openArgs, error) {
	var a openArgs
	secs, set, err := p.uint32("OperationTimeout")
	if err != nil {
		return a, err
	}
	a.timeout = h.opts.Pull.DefaultTimeout
	if set {
		a.timeout = time.Duration(secs) * time.Second
		if secs == 0 || a.timeout > h.opts.Pull.MaxTimeout {
			return a, cim.Errorf(cim.ErrInvalidOperationTimeout, "OperationTimeout must be from 1 to %d seconds", int(h.opts.Pull.MaxTimeout/time.Second))
		}
	}
	if coe, err := p.boolean("ContinueOnError", false); err != nil || coe {
		if err != nil {
			return a, err
		}
		return a, cim.Errorf(cim.ErrContinuationOnErrorNotSupported, "ContinueOnError is not supported: an error ends the enumeration")
	}
	if a.maxCount, _, err = p.uint32("MaxObjectCount"); err != nil {
		return a, err
	}
	if filterable {
		a.filter, err = filterQuery(p)
	}
	return a, err
}

// filterQuery reads FilterQueryLanguage and FilterQuery: DMTF:FQL only.
func filterQuery(p *iparams) (*query.Query, error) {
	lang, hasLang, err := p.str("FilterQueryLanguage")
	if err != nil {
		return nil, err
	}
	text, hasQuery, err := p.str("FilterQuery")
	switch {
	case err != nil:
		return nil, err
	case hasQuery && !hasLang:
		return nil, invalidf("FilterQuery needs a FilterQueryLanguage")
	case !hasLang:
		return nil, nil
	case !strings.EqualFold(strings.TrimSpace(lang), query.FQL):
		return nil, cim.Errorf(cim.ErrQueryLanguageNotSupported, "FilterQueryLanguage %q is not supported; use %s", lang, query.FQL)
	case !hasQuery:
		return nil, nil
	}
	return query.Parse(query.FQL, text)
}

// pullMax reads the MaxObjectCount of a Pull, which is required.
func (h *Handler) pullMax(p *iparams) (uint32, error) {
	n, set, err := p.uint32("MaxObjectCount")
	if err != nil {
		return 0, err
	}
	if !set {
		return 0, p.missing("MaxObjectCount")
	}
	return n, nil
}

// filtered wraps a producer of instances so that only those matching f
// pass; nil f passes everything.
func (h *Handler) filtered(ns string, f *query.Query, produce producer) producer {
	if f == nil {
		return produce
	}
	isA := func(class, ancestor string) bool { return h.d.Repo.IsA(ns, class, ancestor) }
	return func(ctx context.Context, yield func(item) bool) error {
		var inner error
		err := produce(ctx, func(it item) bool {
			ok, err := f.Matches(it.inst, isA)
			if err != nil {
				inner = err
				return false
			}
			return !ok || yield(it)
		})
		if inner != nil {
			return inner
		}
		return err
	}
}

// startPull opens a context and answers with its first objects.
func (h *Handler) startPull(rq *request, a openArgs, kind pullKind, classOrigin bool, produce producer) error {
	c, err := h.pulls.open(rq.ctx, rq.user, rq.call.ns, kind, a.timeout, classOrigin, produce)
	if err != nil {
		return err
	}
	return h.answerPull(rq, c, a.maxCount, nil)
}

// answerPull writes up to max objects of c, then EndOfSequence and
// EnumerationContext; extra writes output parameters before them. The
// context is freed when the sequence ends or fails.
func (h *Handler) answerPull(rq *request, c *enumContext, max uint32, extra func(e *encoder)) error {
	if max > h.opts.Pull.MaxObjectCount {
		max = h.opts.Pull.MaxObjectCount
	}
	rq.out.enc.classOrigin = c.classOrigin
	rq.out.openElem("IRETURNVALUE")
	var gone error
	eos, err := c.take(rq.ctx, max, func(it item) bool {
		writeItem(&rq.out.enc, c.kind, it)
		gone = rq.out.step()
		return gone == nil
	})
	if gone != nil {
		err = gone
	}
	h.pulls.release(c, eos || err != nil)
	if err != nil {
		return err
	}
	rq.out.closeElem()
	if extra != nil {
		extra(&rq.out.enc)
	}
	e := &rq.out.enc
	e.raw(`<PARAMVALUE NAME="EndOfSequence" PARAMTYPE="boolean"><VALUE>`)
	if eos {
		e.raw("TRUE</VALUE></PARAMVALUE>")
		e.raw(`<PARAMVALUE NAME="EnumerationContext" PARAMTYPE="string"/>`)
		return nil
	}
	e.raw("FALSE</VALUE></PARAMVALUE>")
	e.raw(`<PARAMVALUE NAME="EnumerationContext" PARAMTYPE="string"><VALUE>`)
	e.text(c.id)
	e.raw("</VALUE></PARAMVALUE>")
	return nil
}

func writeItem(e *encoder, kind pullKind, it item) {
	switch kind {
	case pullWithPath:
		e.instanceWithPath(it.path, it.inst)
	case pullPaths:
		e.instancePath(it.path)
	case pullInstances:
		e.instance(it.path.Namespace, it.inst)
	}
}

// instanceItems adapts a dispatcher enumeration to a producer.
func instanceItems(run func(ctx context.Context, yield func(cim.ObjectPath, *cim.Instance) bool) error) producer {
	return func(ctx context.Context, yield func(item) bool) error {
		return run(ctx, func(p cim.ObjectPath, inst *cim.Instance) bool {
			return yield(item{path: p, inst: inst})
		})
	}
}

// pathItems adapts a dispatcher enumeration of paths to a producer.
func pathItems(run func(ctx context.Context, yield func(cim.ObjectPath) bool) error) producer {
	return func(ctx context.Context, yield func(item) bool) error {
		return run(ctx, func(p cim.ObjectPath) bool { return yield(item{path: p}) })
	}
}

func (h *Handler) openEnumerate(rq *request, p *iparams, kind pullKind) error {
	class, err := p.className("ClassName", true)
	if err != nil {
		return err
	}
	opts := cimom.InstanceOptions{DeepInheritance: true}
	if kind == pullWithPath {
		if opts, err = instanceOptions(p, true); err != nil {
			return err
		}
	}
	a, err := h.readOpenArgs(p, true)
	if err != nil {
		return err
	}
	ns := rq.call.ns
	c, err := h.d.Repo.Class(ns, class)
	switch {
	case cim.StatusOf(err) == cim.ErrNotFound:
		return cim.Errorf(cim.ErrInvalidClass, "no class %s in namespace %s", class, ns)
	case err != nil:
		return err
	}
	if a.filter != nil {
		if err := a.filter.Validate(c); err != nil {
			return err
		}
	}
	var produce producer
	if kind == pullPaths && a.filter == nil {
		produce = pathItems(func(ctx context.Context, y func(cim.ObjectPath) bool) error {
			return h.d.EnumerateInstanceNames(ctx, ns, class, y)
		})
	} else {
		produce = h.filtered(ns, a.filter, instanceItems(func(ctx context.Context, y func(cim.ObjectPath, *cim.Instance) bool) error {
			return h.d.EnumerateInstances(ctx, ns, class, opts, y)
		}))
	}
	return h.startPull(rq, a, kind, opts.IncludeClassOrigin, produce)
}

func opOpenEnumerateInstances(h *Handler, rq *request, p *iparams) error {
	return h.openEnumerate(rq, p, pullWithPath)
}

func opOpenEnumerateInstancePaths(h *Handler, rq *request, p *iparams) error {
	return h.openEnumerate(rq, p, pullPaths)
}
