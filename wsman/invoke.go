package wsman

import (
	"context"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// A methodResult is what InvokeMethod returned.
type methodResult struct {
	ret cim.Value
	out cim.Params
}

// invoke serves an extrinsic method (DSP0227): the action is the resource
// URI followed by /MethodName, the body Method_INPUT, the reply
// Method_OUTPUT with the output parameters and then ReturnValue.
func (h *Handler) invoke(ctx context.Context, rs *responder, req *request) error {
	t, f := h.resolveClass(req)
	if f != nil {
		return f
	}
	method, f := h.methodOf(req, t)
	if f != nil {
		return f
	}
	if len(keySelectors(req.selectors)) > 0 || !method.Qualifiers.IsTrue("Static") && len(t.class.Keys()) > 0 {
		if t.path, f = instancePath(t.ns, t.class, req.selectors); f != nil {
			return f
		}
	}
	in, f := h.inputParams(req, t, method)
	if f != nil {
		return f
	}
	res, err := call(ctx, func(ctx context.Context) (methodResult, error) {
		ret, out, err := h.d.InvokeMethod(ctx, t.ns, t.path, method.Name, in)
		return methodResult{ret, out}, err
	})
	if err != nil {
		return faultFor(err, opInvoke)
	}
	enc := h.encoderFor(req, t.ns)
	rs.send(envelope(req.soap, reply{action: req.action + "Response", relatesTo: req.messageID}, func(w xw) {
		writeOutput(w, enc, t, method, res)
	}))
	return nil
}

// methodOf finds the method the action names. The action's class part may
// name the resource class or one of its ancestors (the class that declares
// the method), with any vendor prefix.
func (h *Handler) methodOf(req *request, t *target) (*cim.Method, *Fault) {
	i := strings.LastIndexByte(req.action, '/')
	name := req.action[i+1:]
	classURI := req.action[:max(i, 0)]
	unsupported := &Fault{kind: faultActionNotSupported, detail: "ActionMismatch", action: req.action,
		reason: "The action " + req.action + " names no method of " + t.class.Name + "."}
	actionClass, ok := classFromResourceURI(classURI)
	if !ok || !isCIMName(name) || !h.d.Repo.IsA(t.ns, t.class.Name, actionClass) {
		return nil, unsupported
	}
	m := t.class.Method(name)
	if m == nil {
		return nil, unsupported
	}
	return m, nil
}

// inputParams decodes the Method_INPUT body; an empty body has no
// parameters.
func (h *Handler) inputParams(req *request, t *target, m *cim.Method) (cim.Params, *Fault) {
	n := req.payload
	if n == nil {
		return nil, nil
	}
	if !strings.EqualFold(n.Local, m.Name+"_INPUT") {
		return nil, newFault(faultSchemaValidationError, "", "The body of %s must be %s_INPUT, not %s.", m.Name, m.Name, n.qname())
	}
	dec := &decoder{classOf: h.classOf, ns: t.ns}
	in, err := dec.params(n, m)
	if err != nil {
		return nil, newFault(faultInvalidParameter, "", "%s: %v.", m.Name, err)
	}
	return in, nil
}

// writeOutput writes Method_OUTPUT: the output parameters in declaration
// order (any others the provider returned after them), then ReturnValue.
func writeOutput(w xw, enc *encoder, t *target, m *cim.Method, res methodResult) {
	tag := "p:" + m.Name + "_OUTPUT"
	w.open(tag, "xmlns:p", ResourceURI(t.class.Name))
	written := map[string]bool{}
	for _, p := range m.Parameters {
		if !p.IsOut() {
			continue
		}
		if v, ok := res.out.Get(p.Name); ok {
			enc.property(w, "p", cim.PropertyValue{Name: p.Name, Value: v}, t.ns, 0)
			written[strings.ToLower(p.Name)] = true
		}
	}
	for _, o := range res.out {
		if !written[strings.ToLower(o.Name)] {
			enc.property(w, "p", cim.PropertyValue{Name: o.Name, Value: o.Value}, t.ns, 0)
		}
	}
	ret := res.ret
	if ret.Type() == cim.TypeInvalid {
		ret = cim.Null(m.ReturnType)
	}
	saved := enc.excludeNil
	enc.excludeNil = false
	enc.property(w, "p", cim.PropertyValue{Name: "ReturnValue", Value: ret}, t.ns, 0)
	enc.excludeNil = saved
	w.close(tag)
}
