package lifecycle

import (
	"context"
	"slices"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/indication"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// settings are a VM's Ferrum_VirtualSystemSettingData and RASDs as last
// published.
type settings struct {
	vssd  *cim.Instance
	rasds map[string]setting // by canonical path
}

type setting struct {
	path cim.ObjectPath
	in   *cim.Instance
}

// readSettings reads VM vm's VSSD and the RASDs its
// Ferrum_VirtualSystemSettingDataComponent links; what cannot be read is
// left out (and logged).
func (s *Service) readSettings(ctx context.Context, vm string) settings {
	d := s.cfg.Dispatcher
	st := settings{rasds: map[string]setting{}}
	vssd, err := d.GetInstance(ctx, ns, model.VSSDPath(vm), cimom.InstanceOptions{})
	if err != nil {
		if cim.StatusOf(err) != cim.ErrNotFound {
			s.cfg.Log.WarnContext(ctx, "read virtual system settings", "op", "lifecycle", "vm", vm, "err", err)
		}
		return st
	}
	st.vssd = vssd
	err = d.Associators(ctx, ns, model.VSSDPath(vm), cimom.AssocFilter{AssocClass: model.AssocVSSDComponent},
		cimom.InstanceOptions{}, func(p cim.ObjectPath, in *cim.Instance) bool {
			st.rasds[p.Canonical()] = setting{path: p, in: in}
			return true
		})
	if err != nil && cim.StatusOf(err) != cim.ErrNotFound {
		s.cfg.Log.WarnContext(ctx, "read resource allocation settings", "op", "lifecycle", "vm", vm, "err", err)
	}
	return st
}

// sortedKeys returns the keys of st.rasds in order, for a stable
// indication order.
func (st settings) sortedKeys() []string {
	keys := make([]string, 0, len(st.rasds))
	for k := range st.rasds {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// announce publishes the creation of the VSSD and of every RASD.
func (st settings) announce(ctx context.Context, s *Service) {
	if st.vssd == nil {
		return
	}
	s.publish(ctx, ns, indication.InstCreation(ns, st.vssd, vssdPath(st.vssd)))
	for _, k := range st.sortedKeys() {
		r := st.rasds[k]
		s.publish(ctx, ns, indication.InstCreation(ns, r.in, r.path))
	}
}

// retract publishes the deletion of every RASD, then of the VSSD.
func (st settings) retract(ctx context.Context, s *Service) {
	if st.vssd == nil {
		return
	}
	for _, k := range st.sortedKeys() {
		r := st.rasds[k]
		s.publish(ctx, ns, indication.InstDeletion(ns, r.in, r.path))
	}
	s.publish(ctx, ns, indication.InstDeletion(ns, st.vssd, vssdPath(st.vssd)))
}

// diff publishes how cur differs from st: the VSSD's modification, the
// RASDs created, modified and deleted.
func (st settings) diff(ctx context.Context, s *Service, cur settings) {
	switch {
	case st.vssd == nil:
		cur.announce(ctx, s)
		return
	case cur.vssd == nil:
		st.retract(ctx, s)
		return
	case len(indication.ChangedProperties(st.vssd, cur.vssd)) > 0:
		s.publish(ctx, ns, indication.InstModification(ns, st.vssd, cur.vssd, vssdPath(cur.vssd)))
	}
	st.diffSet(ctx, s, cur)
}

// diffSet publishes how cur's RASDs differ from st's.
func (st settings) diffSet(ctx context.Context, s *Service, cur settings) {
	for _, k := range st.sortedKeys() {
		if _, ok := cur.rasds[k]; !ok {
			r := st.rasds[k]
			s.publish(ctx, ns, indication.InstDeletion(ns, r.in, r.path))
		}
	}
	for _, k := range cur.sortedKeys() {
		r := cur.rasds[k]
		old, ok := st.rasds[k]
		switch {
		case !ok:
			s.publish(ctx, ns, indication.InstCreation(ns, r.in, r.path))
		case len(indication.ChangedProperties(old.in, r.in)) > 0:
			s.publish(ctx, ns, indication.InstModification(ns, old.in, r.in, r.path))
		}
	}
}

func vssdPath(in *cim.Instance) cim.ObjectPath {
	return cim.NewInstancePath(ns, model.ClassVSSD, cim.KeyBinding{Name: "InstanceID", Value: cim.String(in.Str("InstanceID"))})
}
