package cimxml

import (
	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// invokeMethod serves a METHODCALL: it decodes the PARAMVALUEs, runs the
// method and writes RETURNVALUE and the output PARAMVALUEs.
func (h *Handler) invokeMethod(rq *request) error {
	ns, target := rq.call.ns, rq.call.target
	var method *cim.Method
	if class := h.classOf(ns, target.ClassName); class != nil {
		method = class.Method(rq.call.method)
	}
	dec := h.decoder(ns)
	in := make(cim.Params, 0, len(rq.call.params))
	for _, pe := range rq.call.params {
		name, ok := pe.attr("NAME")
		if !ok || !isName(name) {
			return invalidf("%s: PARAMVALUE without a valid NAME", rq.call.method)
		}
		v, err := dec.paramValue(pe)
		if err != nil {
			return invalidf("parameter %s: %w", name, err)
		}
		if method != nil {
			if decl := method.Parameter(name); decl != nil && paramEmbedded(decl) != "" {
				if v, err = dec.embedStrings(v); err != nil {
					return invalidf("parameter %s: %w", name, err)
				}
			}
		}
		in = append(in, cim.Param{Name: name, Value: v})
	}
	ret, out, err := h.d.InvokeMethod(rq.ctx, ns, target, rq.call.method, in)
	if err != nil {
		return err
	}
	e := &rq.out.enc
	h.returnValue(e, method, ret)
	for _, o := range out {
		if o.Value.IsNull() {
			// A null output parameter is the same as an absent one, and
			// sblim wbemcli 1.6.3 crashes on an empty PARAMVALUE.
			continue
		}
		var decl *cim.Parameter
		if method != nil {
			decl = method.Parameter(o.Name)
		}
		writeParamValue(e, o.Name, o.Value, decl)
	}
	return nil
}

// paramEmbedded returns "instance" or "object" for a parameter declared
// as an embedded object, "" otherwise.
func paramEmbedded(p *cim.Parameter) string {
	switch {
	case p.Qualifiers.Has("EmbeddedInstance"):
		return "instance"
	case p.Qualifiers.IsTrue("EmbeddedObject"):
		return "object"
	}
	return ""
}

// paramValue decodes the value of a PARAMVALUE, typed by its PARAMTYPE
// when given (strings otherwise, which the dispatcher converts to the
// declared types). Embedded objects arrive as escaped INSTANCE XML or MOF
// in a string marked EmbeddedObject, as INSTANCE, or as
// VALUE.NAMEDINSTANCE.
func (d *decoder) paramValue(e *element) (cim.Value, error) {
	t := cim.TypeInvalid
	if pt, ok := e.attr("PARAMTYPE"); ok {
		var known bool
		if t, known = cim.ParseType(pt); !known {
			return cim.Value{}, invalidf("unknown PARAMTYPE %q", pt)
		}
	}
	if len(e.kids) == 0 {
		return cim.Value{}, nil
	}
	if len(e.kids) > 1 {
		return cim.Value{}, invalidf("PARAMVALUE holds more than one value")
	}
	k := e.kids[0]
	switch k.name {
	case "VALUE", "VALUE.ARRAY":
		if t == cim.TypeReference {
			return cim.Value{}, invalidf("a reference must be a VALUE.REFERENCE")
		}
		if embeddedKind(e) != "" || t == cim.TypeInstance {
			v, err := decodeTypedValue(k, cim.TypeString)
			if err != nil {
				return v, err
			}
			return d.embedStrings(v)
		}
		return decodeTypedValue(k, t)
	case "VALUE.REFERENCE", "VALUE.REFARRAY":
		return decodeTypedValue(k, cim.TypeReference)
	case "INSTANCENAME", "CLASSNAME":
		p, err := decodePath(k)
		return cim.Ref(p), err
	case "INSTANCE":
		inst, err := d.instance(k)
		return cim.Embedded(inst), err
	case "VALUE.NAMEDINSTANCE":
		if len(k.kids) != 2 {
			return cim.Value{}, invalidf("VALUE.NAMEDINSTANCE wants INSTANCENAME and INSTANCE")
		}
		inst, err := d.instance(k.kids[1])
		return cim.Embedded(inst), err
	case "CLASS":
		return cim.Value{}, cim.Errorf(cim.ErrNotSupported, "classes as method parameters are not supported")
	}
	return cim.Value{}, invalidf("PARAMVALUE cannot hold %s", k.name)
}

// returnValue writes RETURNVALUE with the method's declared type.
func (h *Handler) returnValue(e *encoder, m *cim.Method, ret cim.Value) {
	t := ret.Type()
	if m != nil && m.ReturnType != cim.TypeInvalid {
		t = m.ReturnType
	}
	e.open("RETURNVALUE")
	switch {
	case t == cim.TypeInstance:
		e.attr("PARAMTYPE", "string")
		e.attr("EmbeddedObject", "instance")
	case t != cim.TypeInvalid:
		e.attr("PARAMTYPE", t.String())
	}
	if ret.IsNull() {
		e.empty()
		return
	}
	e.end()
	e.anyValue(ret)
	e.raw("</RETURNVALUE>")
}

// writeParamValue writes an output PARAMVALUE, typed by its declaration
// when there is one.
func writeParamValue(e *encoder, name string, v cim.Value, decl *cim.Parameter) {
	pt := typeOf(v, nil)
	if decl != nil {
		pt.typ, pt.array = decl.Type, decl.IsArray
		if k := paramEmbedded(decl); k != "" {
			pt.typ, pt.embedded = cim.TypeString, k
		}
	}
	if pt.typ == cim.TypeInstance {
		pt.typ = cim.TypeString
	}
	e.open("PARAMVALUE")
	e.attr("NAME", name)
	e.attr("PARAMTYPE", pt.typ.String())
	if pt.embedded != "" {
		e.attr("EmbeddedObject", pt.embedded)
	}
	e.end()
	e.anyValue(v)
	e.raw("</PARAMVALUE>")
}
