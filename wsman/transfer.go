package wsman

import (
	"context"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// A target is the CIM class, and for instance operations the instance, that
// a request addresses through its ResourceURI and SelectorSet.
type target struct {
	ns    string
	class *cim.Class
	path  cim.ObjectPath
}

// resolveClass finds the namespace and class the request addresses.
func (h *Handler) resolveClass(req *request) (*target, *Fault) {
	switch {
	case req.resourceURI == "":
		return nil, newFault(faultDestinationUnreachable, "InvalidResourceURI", "The request has no wsman:ResourceURI.")
	case isAllClassesURI(req.resourceURI):
		return nil, newFault(faultDestinationUnreachable, "InvalidResourceURI",
			"The all-classes ResourceURI %s may only be enumerated, with a filter.", req.resourceURI)
	}
	name, ok := classFromResourceURI(req.resourceURI)
	if !ok {
		return nil, newFault(faultDestinationUnreachable, "InvalidResourceURI",
			"The ResourceURI %s names no CIM class; use %sCLASS.", req.resourceURI, DMTFResourcePrefix)
	}
	ns := namespaceOf(req.selectors, h.opts.DefaultNamespace)
	if !h.d.Repo.HasNamespace(ns) {
		return nil, newFault(faultDestinationUnreachable, "", "There is no CIM namespace %s.", ns)
	}
	class := h.classOf(ns, name)
	if class == nil {
		return nil, newFault(faultDestinationUnreachable, "InvalidResourceURI", "There is no class %s in namespace %s.", name, ns)
	}
	return &target{ns: ns, class: class, path: cim.ObjectPath{Namespace: ns, ClassName: class.Name}}, nil
}

// resolveInstance finds the instance path the request addresses.
func (h *Handler) resolveInstance(req *request) (*target, *Fault) {
	t, f := h.resolveClass(req)
	if f != nil {
		return nil, f
	}
	if t.path, f = instancePath(t.ns, t.class, req.selectors); f != nil {
		return nil, f
	}
	return t, nil
}

// call runs fn and returns its result, or the context's error as soon as
// ctx ends: OperationTimeout is honoured even when a provider is slow to
// notice its context.
func call[T any](ctx context.Context, fn func(context.Context) (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := fn(ctx)
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

func (h *Handler) encoderFor(req *request, ns string) *encoder {
	return newEncoder(h.classOf, &h.order, ns, req.boolOption("ExcludeNilProperties"))
}

// get serves WS-Transfer Get with GetInstance.
func (h *Handler) get(ctx context.Context, rs *responder, req *request) error {
	if req.fragment {
		return newFault(faultUnsupportedFeature, "FragmentLevelAccess", "Fragment-level transfer is not supported.")
	}
	t, f := h.resolveInstance(req)
	if f != nil {
		return f
	}
	inst, err := call(ctx, func(ctx context.Context) (*cim.Instance, error) {
		return h.d.GetInstance(ctx, t.ns, t.path, cimom.InstanceOptions{})
	})
	if err != nil {
		return faultFor(err, opOther)
	}
	enc := h.encoderFor(req, t.ns)
	rs.send(envelope(req.soap, reply{action: req.action + "Response", relatesTo: req.messageID}, func(w xw) {
		enc.instance(w, inst, t.ns, false, 0)
	}))
	return nil
}

// put serves WS-Transfer Put with ModifyInstance (PropertyList NULL, as
// Pegasus does) and answers with the instance as it now is.
func (h *Handler) put(ctx context.Context, rs *responder, req *request) error {
	if req.fragment {
		return newFault(faultUnsupportedFeature, "FragmentLevelAccess", "Fragment-level transfer is not supported.")
	}
	t, f := h.resolveInstance(req)
	if f != nil {
		return f
	}
	inst, f := h.representation(req, t)
	if f != nil {
		return f
	}
	_, err := call(ctx, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, h.d.ModifyInstance(ctx, t.ns, t.path, inst, nil)
	})
	if err != nil {
		return faultFor(err, opRepresent)
	}
	now, err := call(ctx, func(ctx context.Context) (*cim.Instance, error) {
		return h.d.GetInstance(ctx, t.ns, t.path, cimom.InstanceOptions{})
	})
	if err != nil {
		return faultFor(err, opOther)
	}
	enc := h.encoderFor(req, t.ns)
	rs.send(envelope(req.soap, h.transferReply(req, t.path, t.ns), func(w xw) {
		enc.instance(w, now, t.ns, false, 0)
	}))
	return nil
}

// transferReply is the reply of Put, with wsman:RequestedEPR when the
// client asked for it.
func (h *Handler) transferReply(req *request, path cim.ObjectPath, ns string) reply {
	rp := reply{action: req.action + "Response", relatesTo: req.messageID}
	if req.requestEPR {
		rp.headers = func(w xw) {
			w.open("wsman:RequestedEPR")
			writeEPR(w, path, ns)
			w.close("wsman:RequestedEPR")
		}
	}
	return rp
}

// representation decodes the instance in the body of Put or Create.
func (h *Handler) representation(req *request, t *target) (*cim.Instance, *Fault) {
	n := req.payload
	if n == nil {
		return nil, newFault(faultInvalidRepresentation, "MissingValues", "The body holds no instance of %s.", t.class.Name)
	}
	if !strings.EqualFold(n.Local, t.class.Name) {
		return nil, newFault(faultInvalidRepresentation, "InvalidValues",
			"The body holds a %s but the ResourceURI names %s.", n.Local, t.class.Name)
	}
	dec := &decoder{classOf: h.classOf, ns: t.ns}
	inst, err := dec.instance(n, t.class)
	if err != nil {
		return nil, newFault(faultInvalidRepresentation, "InvalidValues", "%v.", err)
	}
	return inst, nil
}

// create serves WS-Transfer Create with CreateInstance and answers with
// wxf:ResourceCreated, the new instance's EPR.
func (h *Handler) create(ctx context.Context, rs *responder, req *request) error {
	t, f := h.resolveClass(req)
	if f != nil {
		return f
	}
	inst, f := h.representation(req, t)
	if f != nil {
		return f
	}
	path, err := call(ctx, func(ctx context.Context) (cim.ObjectPath, error) {
		return h.d.CreateInstance(ctx, t.ns, inst)
	})
	if err != nil {
		return faultFor(err, opRepresent)
	}
	rs.send(envelope(req.soap, reply{action: req.action + "Response", relatesTo: req.messageID}, func(w xw) {
		w.open("wxf:ResourceCreated")
		writeEPRContent(w, path, t.ns)
		w.close("wxf:ResourceCreated")
	}))
	return nil
}

// delete serves WS-Transfer Delete with DeleteInstance.
func (h *Handler) delete(ctx context.Context, rs *responder, req *request) error {
	t, f := h.resolveInstance(req)
	if f != nil {
		return f
	}
	_, err := call(ctx, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, h.d.DeleteInstance(ctx, t.ns, t.path)
	})
	if err != nil {
		return faultFor(err, opOther)
	}
	rs.send(envelope(req.soap, reply{action: req.action + "Response", relatesTo: req.messageID}, nil))
	return nil
}
