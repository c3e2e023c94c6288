package jobs

import (
	"context"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// assocProvider serves Ferrum_OwningJobElement (owning) or
// Ferrum_AffectedJobElement.
type assocProvider struct {
	m      *Manager
	owning bool
}

// links returns the association instances of j.
func (p assocProvider) links(j Job) []*cim.Instance {
	jp := p.m.Path(j.ID)
	if p.owning {
		if j.OwningElement.ClassName == "" {
			return nil
		}
		return []*cim.Instance{cim.NewInstance(OwningClass).
			Set("OwningElement", cim.Ref(j.OwningElement)).
			Set("OwnedElement", cim.Ref(jp))}
	}
	out := make([]*cim.Instance, 0, len(j.Affected))
	for _, a := range j.Affected {
		out = append(out, cim.NewInstance(AffectedClass).
			Set("AffectedElement", cim.Ref(a.Path)).
			Set("AffectingElement", cim.Ref(jp)).
			Set("ElementEffects", cim.Uint16Array(a.Effects...)))
	}
	return out
}

func (p assocProvider) EnumerateInstances(ctx context.Context, _ string, _ *cim.Class, yield func(*cim.Instance) bool) error {
	for _, j := range p.m.visibleJobs(ctx) {
		for _, in := range p.links(j) {
			if !yield(in) {
				return nil
			}
		}
	}
	return nil
}

func (p assocProvider) GetInstance(ctx context.Context, ns string, path cim.ObjectPath, class *cim.Class) (*cim.Instance, error) {
	jobRole := "AffectingElement"
	if p.owning {
		jobRole = "OwnedElement"
	}
	v, _ := path.Key(jobRole)
	jp, ok := v.AsRef()
	if !ok {
		return nil, cim.Errorf(cim.ErrNotFound, "no instance %s", path)
	}
	j, err := p.m.lookup(ctx, jp)
	if err != nil {
		return nil, cim.Errorf(cim.ErrNotFound, "no instance %s", path)
	}
	for _, in := range p.links(j) {
		if ip, err := in.Path(ns, class); err == nil && ip.Equal(path) {
			return in, nil
		}
	}
	return nil, cim.Errorf(cim.ErrNotFound, "no instance %s", path)
}

// References finds the links of one job when target is a job, and scans
// the visible jobs for target otherwise.
func (p assocProvider) References(ctx context.Context, ns string, _ *cim.Class, target cim.ObjectPath, _ string, yield func(*cim.Instance) bool) error {
	var candidates []Job
	if strings.EqualFold(target.ClassName, p.m.cfg.Class) {
		if j, err := p.m.lookup(ctx, target); err == nil {
			candidates = []Job{j}
		}
	} else {
		candidates = p.m.visibleJobs(ctx)
	}
	want := sameNS(target, ns)
	for _, j := range candidates {
		for _, in := range p.links(j) {
			if !refersTo(in, want, ns) {
				continue
			}
			if !yield(in) {
				return nil
			}
		}
	}
	return nil
}

func sameNS(p cim.ObjectPath, ns string) cim.ObjectPath {
	p = p.Local()
	if p.Namespace == "" {
		p.Namespace = ns
	}
	return p
}

// refersTo reports whether any reference of in names target.
func refersTo(in *cim.Instance, target cim.ObjectPath, ns string) bool {
	for _, pv := range in.Properties {
		if r, ok := pv.Value.AsRef(); ok && sameNS(r, ns).Equal(target) {
			return true
		}
	}
	return false
}
