package cimxml

import (
	"github.com/ferrum-virt/ferrum/cimom/cim"
)

func opAssociators(h *Handler, rq *request, p *iparams) error {
	obj, err := p.objectName("ObjectName")
	if err != nil {
		return err
	}
	f, err := assocFilter(p)
	if err != nil {
		return err
	}
	opts, err := instanceOptions(p, false)
	if err != nil {
		return err
	}
	rq.out.enc.classOrigin = opts.IncludeClassOrigin
	return rq.stream(func(emit func(func(*encoder)) bool) error {
		return h.d.Associators(rq.ctx, rq.call.ns, obj, f, opts, func(path cim.ObjectPath, inst *cim.Instance) bool {
			return emit(func(e *encoder) { e.objectWithPath(path, inst) })
		})
	})
}

func opAssociatorNames(h *Handler, rq *request, p *iparams) error {
	obj, err := p.objectName("ObjectName")
	if err != nil {
		return err
	}
	f, err := assocFilter(p)
	if err != nil {
		return err
	}
	return rq.stream(func(emit func(func(*encoder)) bool) error {
		return h.d.AssociatorNames(rq.ctx, rq.call.ns, obj, f, func(path cim.ObjectPath) bool {
			return emit(func(e *encoder) { e.objectPath(path) })
		})
	})
}

func opReferences(h *Handler, rq *request, p *iparams) error {
	obj, err := p.objectName("ObjectName")
	if err != nil {
		return err
	}
	f, err := assocFilter(p)
	if err != nil {
		return err
	}
	opts, err := instanceOptions(p, false)
	if err != nil {
		return err
	}
	rq.out.enc.classOrigin = opts.IncludeClassOrigin
	return rq.stream(func(emit func(func(*encoder)) bool) error {
		return h.d.References(rq.ctx, rq.call.ns, obj, f, opts, func(path cim.ObjectPath, inst *cim.Instance) bool {
			return emit(func(e *encoder) { e.objectWithPath(path, inst) })
		})
	})
}

func opReferenceNames(h *Handler, rq *request, p *iparams) error {
	obj, err := p.objectName("ObjectName")
	if err != nil {
		return err
	}
	f, err := assocFilter(p)
	if err != nil {
		return err
	}
	return rq.stream(func(emit func(func(*encoder)) bool) error {
		return h.d.ReferenceNames(rq.ctx, rq.call.ns, obj, f, func(path cim.ObjectPath) bool {
			return emit(func(e *encoder) { e.objectPath(path) })
		})
	})
}
