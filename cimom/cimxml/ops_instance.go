package cimxml

import (
	"github.com/ferrum-virt/ferrum/cimom/cim"
)

func opGetInstance(h *Handler, rq *request, p *iparams) error {
	path, err := p.instanceName("InstanceName")
	if err != nil {
		return err
	}
	opts, err := instanceOptions(p, false)
	if err != nil {
		return err
	}
	inst, err := h.d.GetInstance(rq.ctx, rq.call.ns, path, opts)
	if err != nil {
		return err
	}
	rq.out.enc.classOrigin = opts.IncludeClassOrigin
	rq.returnValue(func(e *encoder) { e.instance(rq.call.ns, inst) })
	return nil
}

func opEnumerateInstances(h *Handler, rq *request, p *iparams) error {
	class, err := p.className("ClassName", true)
	if err != nil {
		return err
	}
	opts, err := instanceOptions(p, true)
	if err != nil {
		return err
	}
	rq.out.enc.classOrigin = opts.IncludeClassOrigin
	return rq.stream(func(emit func(func(*encoder)) bool) error {
		return h.d.EnumerateInstances(rq.ctx, rq.call.ns, class, opts, func(path cim.ObjectPath, inst *cim.Instance) bool {
			return emit(func(e *encoder) { e.namedInstance(path, inst) })
		})
	})
}

func opEnumerateInstanceNames(h *Handler, rq *request, p *iparams) error {
	class, err := p.className("ClassName", true)
	if err != nil {
		return err
	}
	return rq.stream(func(emit func(func(*encoder)) bool) error {
		return h.d.EnumerateInstanceNames(rq.ctx, rq.call.ns, class, func(path cim.ObjectPath) bool {
			return emit(func(e *encoder) { e.instanceName(path) })
		})
	})
}

func opCreateInstance(h *Handler, rq *request, p *iparams) error {
	e, err := p.element("NewInstance", "INSTANCE")
	if err != nil {
		return err
	}
	inst, err := h.decoder(rq.call.ns).instance(e)
	if err != nil {
		return err
	}
	path, err := h.d.CreateInstance(rq.ctx, rq.call.ns, inst)
	if err != nil {
		return err
	}
	rq.returnValue(func(e *encoder) { e.instanceName(path) })
	return nil
}

func opModifyInstance(h *Handler, rq *request, p *iparams) error {
	e, err := p.element("ModifiedInstance", "VALUE.NAMEDINSTANCE")
	if err != nil {
		return err
	}
	if len(e.kids) != 2 || e.kids[0].name != "INSTANCENAME" {
		return invalidf("ModifiedInstance wants INSTANCENAME and INSTANCE")
	}
	path, err := decodeInstanceName(e.kids[0])
	if err != nil {
		return err
	}
	inst, err := h.decoder(rq.call.ns).instance(e.kids[1])
	if err != nil {
		return err
	}
	if _, err := p.boolean("IncludeQualifiers", true); err != nil {
		return err
	}
	list, err := p.propertyList()
	if err != nil {
		return err
	}
	return h.d.ModifyInstance(rq.ctx, rq.call.ns, path, inst, list)
}

func opDeleteInstance(h *Handler, rq *request, p *iparams) error {
	path, err := p.instanceName("InstanceName")
	if err != nil {
		return err
	}
	return h.d.DeleteInstance(rq.ctx, rq.call.ns, path)
}

func propertyName(p *iparams) (string, error) {
	name, ok, err := p.str("PropertyName")
	switch {
	case err != nil:
		return "", err
	case !ok:
		return "", p.missing("PropertyName")
	case !isName(name):
		return "", invalidf("PropertyName %q is not a name", name)
	}
	return name, nil
}

func opGetProperty(h *Handler, rq *request, p *iparams) error {
	path, err := p.instanceName("InstanceName")
	if err != nil {
		return err
	}
	name, err := propertyName(p)
	if err != nil {
		return err
	}
	v, err := h.d.GetProperty(rq.ctx, rq.call.ns, path, name)
	if err != nil {
		return err
	}
	rq.returnValue(func(e *encoder) { e.anyValue(v) })
	return nil
}

// opSetProperty sets one property. NewValue carries no type: the
// dispatcher converts its text to the property's type, and a property
// declared as an embedded object is parsed here.
func opSetProperty(h *Handler, rq *request, p *iparams) error {
	path, err := p.instanceName("InstanceName")
	if err != nil {
		return err
	}
	name, err := propertyName(p)
	if err != nil {
		return err
	}
	v := cim.Value{}
	if e := p.value("NewValue"); e != nil {
		if v, err = decodeTypedValue(e, cim.TypeString); err != nil {
			return invalidf("NewValue: %w", err)
		}
	}
	if c := h.classOf(rq.call.ns, path.ClassName); c != nil {
		if decl := c.Property(name); decl != nil && decl.IsEmbeddedObject() {
			if v, err = h.decoder(rq.call.ns).embedStrings(v); err != nil {
				return invalidf("NewValue: %w", err)
			}
		}
	}
	return h.d.SetProperty(rq.ctx, rq.call.ns, path, name, v)
}
