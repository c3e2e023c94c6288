package conformance

import (
	"context"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/conformance/client"
)

// fake is an in-memory client.Client: a tiny CIMOM whose classes are
// matched by exact name, good enough to show each check passing on a
// conforming server and failing on a broken one.
type fake struct {
	objs     []client.Object
	classes  map[string]bool
	rscReply func(state uint64) uint64 // RequestStateChange's return value
	noGCI    bool                      // GetCentralInstances not supported
	badKeyOK bool                      // GetInstance ignores missing keys (broken)
	breaks   map[string]bool           // requirements the fake violates, by name (see brokenIn)
	oneWay   string                    // an association class traversable only from its first reference (broken)
	seq      int                       // numbers the instances the methods create
}

// broken reports whether the fake violates the requirement named what.
func (f *fake) broken(what string) bool { return f.breaks[what] }

// brokenIn returns a change that makes the fake violate what.
func brokenIn(what string) func(*fake) {
	return func(f *fake) {
		if f.breaks == nil {
			f.breaks = map[string]bool{}
		}
		f.breaks[what] = true
	}
}

func (f *fake) Protocol() string { return "fake" }

func (f *fake) add(ns string, inst *cim.Instance, keys ...string) cim.ObjectPath {
	p := cim.ObjectPath{Namespace: ns, ClassName: inst.ClassName}
	for _, k := range keys {
		v, _ := inst.Get(k)
		p.Keys = append(p.Keys, cim.KeyBinding{Name: k, Value: v})
	}
	f.objs = append(f.objs, client.Object{Path: p, Instance: inst})
	if f.classes == nil {
		f.classes = map[string]bool{}
	}
	f.classes[strings.ToLower(inst.ClassName)] = true
	return p
}

// assoc adds an association instance with two references.
func (f *fake) assoc(ns, class, r1 string, p1 cim.ObjectPath, r2 string, p2 cim.ObjectPath) {
	inst := cim.NewInstance(class).Set(r1, cim.Ref(p1)).Set(r2, cim.Ref(p2))
	f.add(ns, inst, r1, r2)
}

func (f *fake) EnumerateInstances(_ context.Context, ns, class string) ([]client.Object, error) {
	if !f.classes[strings.ToLower(class)] && !f.broken("unknown class") {
		return nil, &client.Error{Status: cim.ErrInvalidClass}
	}
	var out []client.Object
	for _, o := range f.objs {
		if strings.EqualFold(o.Path.ClassName, class) && o.Path.Namespace == ns {
			out = append(out, o)
		}
	}
	return out, nil
}

func (f *fake) EnumerateInstanceNames(ctx context.Context, ns, class string) ([]cim.ObjectPath, error) {
	objs, err := f.EnumerateInstances(ctx, ns, class)
	return pathsOf(objs), err
}

func pathsOf(objs []client.Object) []cim.ObjectPath {
	var out []cim.ObjectPath
	for _, o := range objs {
		out = append(out, o.Path)
	}
	return out
}

func (f *fake) GetInstance(_ context.Context, p cim.ObjectPath) (*cim.Instance, error) {
	if len(p.Keys) == 0 && !f.badKeyOK {
		return nil, &client.Error{Status: cim.ErrInvalidParameter}
	}
	for _, o := range f.objs {
		if samePath(o.Path, p) || (f.badKeyOK && len(p.Keys) == 0 && strings.EqualFold(o.Path.ClassName, p.ClassName)) {
			return o.Instance, nil
		}
	}
	if f.broken("absent instance") {
		return nil, &client.Error{Status: cim.ErrFailed}
	}
	return nil, &client.Error{Status: cim.ErrNotFound}
}

// links returns (association, other end, other role) for each association
// instance referring to p.
func (f *fake) links(p cim.ObjectPath, assocClass, role string) (out [][3]any) {
	for _, o := range f.objs {
		if assocClass != "" && !strings.EqualFold(o.Path.ClassName, assocClass) {
			continue
		}
		var refs []cim.PropertyValue
		for _, pv := range o.Instance.Properties {
			if _, ok := pv.Value.AsRef(); ok {
				refs = append(refs, pv)
			}
		}
		if len(refs) != 2 {
			continue
		}
		for i, r := range refs {
			rp, _ := r.Value.AsRef()
			if i == 1 && strings.EqualFold(o.Path.ClassName, f.oneWay) {
				continue
			}
			if samePath(rp, p) && (role == "" || strings.EqualFold(role, r.Name)) {
				other := refs[1-i]
				op, _ := other.Value.AsRef()
				out = append(out, [3]any{o, op, other.Name})
			}
		}
	}
	return out
}

func (f *fake) Associators(ctx context.Context, p cim.ObjectPath, flt client.AssocFilter) ([]client.Object, error) {
	var out []client.Object
	for _, l := range f.links(p, flt.AssocClass, flt.Role) {
		op, role := l[1].(cim.ObjectPath), l[2].(string)
		if (flt.ResultRole != "" && !strings.EqualFold(flt.ResultRole, role)) || (flt.ResultClass != "" && !strings.EqualFold(flt.ResultClass, op.ClassName)) {
			continue
		}
		inst, err := f.GetInstance(ctx, op)
		if err != nil {
			continue
		}
		out = append(out, client.Object{Path: op, Instance: inst})
	}
	return out, nil
}

// AssociatorNames names the other ends without reading them, as a server
// does: a dangling reference shows.
func (f *fake) AssociatorNames(ctx context.Context, p cim.ObjectPath, flt client.AssocFilter) ([]cim.ObjectPath, error) {
	var out []cim.ObjectPath
	for _, l := range f.links(p, flt.AssocClass, flt.Role) {
		op, role := l[1].(cim.ObjectPath), l[2].(string)
		if (flt.ResultRole == "" || strings.EqualFold(flt.ResultRole, role)) && (flt.ResultClass == "" || strings.EqualFold(flt.ResultClass, op.ClassName)) {
			out = append(out, op)
		}
	}
	return out, nil
}

func (f *fake) References(_ context.Context, p cim.ObjectPath, resultClass, role string) ([]client.Object, error) {
	var out []client.Object
	for _, l := range f.links(p, resultClass, role) {
		out = append(out, l[0].(client.Object))
	}
	return out, nil
}

func (f *fake) ReferenceNames(ctx context.Context, p cim.ObjectPath, resultClass, role string) ([]cim.ObjectPath, error) {
	objs, err := f.References(ctx, p, resultClass, role)
	return pathsOf(objs), err
}

func (f *fake) InvokeMethod(ctx context.Context, p cim.ObjectPath, method string, in cim.Params) (cim.Value, cim.Params, error) {
	if rv, out, err, ok := f.invoke(ctx, p, method, in); ok {
		return rv, out, err
	}
	switch {
	case method == "GetCentralInstances" && !f.noGCI:
		paths, _ := f.AssociatorNames(ctx, p, client.AssocFilter{AssocClass: "CIM_ElementConformsToProfile"})
		return cim.Uint32(0), cim.Params{{Name: "CentralInstances", Value: cim.RefArray(paths...)}}, nil
	case method == "RequestStateChange" && f.rscReply != nil:
		v, _ := in.Get("RequestedState")
		n, _ := uintValue(v)
		return cim.Uint32(uint32(f.rscReply(n))), nil, nil
	}
	return cim.Value{}, nil, &client.Error{Status: cim.ErrMethodNotFound}
}

func (f *fake) CreateInstance(context.Context, string, *cim.Instance) (cim.ObjectPath, error) {
	return cim.ObjectPath{}, &client.Error{Status: cim.ErrNotSupported}
}

func (f *fake) DeleteInstance(context.Context, cim.ObjectPath) error {
	return &client.Error{Status: cim.ErrNotSupported}
}

// find returns the first object of class.
func (f *fake) find(class string) *client.Object {
	for i := range f.objs {
		if strings.EqualFold(f.objs[i].Path.ClassName, class) {
			return &f.objs[i]
		}
	}
	return nil
}

// drop removes the objects for which match is true.
func (f *fake) drop(match func(o client.Object) bool) {
	var keep []client.Object
	for _, o := range f.objs {
		if !match(o) {
			keep = append(keep, o)
		}
	}
	f.objs = keep
}
