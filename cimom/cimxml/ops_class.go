package cimxml

import (
	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// classOptions reads LocalOnly, IncludeQualifiers and IncludeClassOrigin
// with the defaults of GetClass and EnumerateClasses.
func classOptions(p *iparams) (cimom.ClassOptions, error) {
	var o cimom.ClassOptions
	var err error
	if o.LocalOnly, err = p.boolean("LocalOnly", true); err != nil {
		return o, err
	}
	if o.IncludeQualifiers, err = p.boolean("IncludeQualifiers", true); err != nil {
		return o, err
	}
	o.IncludeClassOrigin, err = p.boolean("IncludeClassOrigin", false)
	return o, err
}

func opGetClass(h *Handler, rq *request, p *iparams) error {
	name, err := p.className("ClassName", true)
	if err != nil {
		return err
	}
	opts, err := classOptions(p)
	if err != nil {
		return err
	}
	if opts.PropertyList, err = p.propertyList(); err != nil {
		return err
	}
	c, err := h.d.GetClass(rq.ctx, rq.call.ns, name, opts)
	if err != nil {
		return err
	}
	rq.out.enc.classOrigin = opts.IncludeClassOrigin
	rq.returnValue(func(e *encoder) { e.class(c) })
	return nil
}

func opEnumerateClasses(h *Handler, rq *request, p *iparams) error {
	name, err := p.className("ClassName", false)
	if err != nil {
		return err
	}
	deep, err := p.boolean("DeepInheritance", false)
	if err != nil {
		return err
	}
	opts, err := classOptions(p)
	if err != nil {
		return err
	}
	rq.out.enc.classOrigin = opts.IncludeClassOrigin
	return rq.stream(func(emit func(func(*encoder)) bool) error {
		return h.d.EnumerateClasses(rq.ctx, rq.call.ns, name, deep, opts, func(c *cim.Class) bool {
			return emit(func(e *encoder) { e.class(c) })
		})
	})
}

func opEnumerateClassNames(h *Handler, rq *request, p *iparams) error {
	name, err := p.className("ClassName", false)
	if err != nil {
		return err
	}
	deep, err := p.boolean("DeepInheritance", false)
	if err != nil {
		return err
	}
	if err := h.checkNamespace(rq.call.ns); err != nil {
		return err
	}
	return rq.stream(func(emit func(func(*encoder)) bool) error {
		return h.d.EnumerateClassNames(rq.ctx, rq.call.ns, name, deep, func(n string) bool {
			return emit(func(e *encoder) { e.className(n) })
		})
	})
}

func opCreateClass(h *Handler, rq *request, p *iparams) error {
	c, err := classParam(p, "NewClass")
	if err != nil {
		return err
	}
	return h.d.CreateClass(rq.ctx, rq.call.ns, c)
}

func opModifyClass(h *Handler, rq *request, p *iparams) error {
	c, err := classParam(p, "ModifiedClass")
	if err != nil {
		return err
	}
	return h.d.ModifyClass(rq.ctx, rq.call.ns, c)
}

func classParam(p *iparams, name string) (*cim.Class, error) {
	e, err := p.element(name, "CLASS")
	if err != nil {
		return nil, err
	}
	return decodeClass(e)
}

func opDeleteClass(h *Handler, rq *request, p *iparams) error {
	name, err := p.className("ClassName", true)
	if err != nil {
		return err
	}
	return h.d.DeleteClass(rq.ctx, rq.call.ns, name)
}

func qualifierName(p *iparams) (string, error) {
	name, ok, err := p.str("QualifierName")
	switch {
	case err != nil:
		return "", err
	case !ok:
		return "", p.missing("QualifierName")
	case !isName(name):
		return "", invalidf("QualifierName %q is not a name", name)
	}
	return name, nil
}

func opGetQualifier(h *Handler, rq *request, p *iparams) error {
	name, err := qualifierName(p)
	if err != nil {
		return err
	}
	d, err := h.d.GetQualifier(rq.ctx, rq.call.ns, name)
	if err != nil {
		return err
	}
	rq.returnValue(func(e *encoder) { e.qualifierDecl(d) })
	return nil
}

func opSetQualifier(h *Handler, rq *request, p *iparams) error {
	e, err := p.element("QualifierDeclaration", "QUALIFIER.DECLARATION")
	if err != nil {
		return err
	}
	d, err := decodeQualifierDecl(e)
	if err != nil {
		return err
	}
	return h.d.SetQualifier(rq.ctx, rq.call.ns, d)
}

func opDeleteQualifier(h *Handler, rq *request, p *iparams) error {
	name, err := qualifierName(p)
	if err != nil {
		return err
	}
	return h.d.DeleteQualifier(rq.ctx, rq.call.ns, name)
}

func opEnumerateQualifiers(h *Handler, rq *request, _ *iparams) error {
	decls, err := h.d.EnumerateQualifiers(rq.ctx, rq.call.ns)
	if err != nil {
		return err
	}
	return rq.stream(func(emit func(func(*encoder)) bool) error {
		for _, d := range decls {
			if !emit(func(e *encoder) { e.qualifierDecl(d) }) {
				break
			}
		}
		return nil
	})
}
