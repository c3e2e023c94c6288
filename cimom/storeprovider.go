package cimom

import (
	"context"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// storeProvider serves classes without a provider from the InstanceStore.
type storeProvider struct{ s InstanceStore }

func (p storeProvider) EnumerateInstances(ctx context.Context, ns string, class *cim.Class, yield func(*cim.Instance) bool) error {
	if class.IsAbstract() || class.IsAssociation() && len(class.Keys()) == 0 {
		return nil
	}
	return p.s.EnumerateInstances(ctx, ns, class.Name, func(_ cim.ObjectPath, inst *cim.Instance) bool {
		return yield(inst)
	})
}

func (p storeProvider) GetInstance(ctx context.Context, ns string, path cim.ObjectPath, _ *cim.Class) (*cim.Instance, error) {
	return p.s.GetInstance(ctx, ns, path)
}

func (p storeProvider) CreateInstance(ctx context.Context, ns string, class *cim.Class, inst *cim.Instance) (cim.ObjectPath, error) {
	path, err := inst.Path(ns, class)
	if err != nil {
		return cim.ObjectPath{}, cim.Errorf(cim.ErrInvalidParameter, "%v", err)
	}
	return path, p.s.CreateInstance(ctx, ns, path, inst)
}

func (p storeProvider) ModifyInstance(ctx context.Context, ns string, _ *cim.Class, path cim.ObjectPath, changes *cim.Instance) error {
	cur, err := p.s.GetInstance(ctx, ns, path)
	if err != nil {
		return err
	}
	next := cur.Clone()
	for _, pv := range changes.Properties {
		next.Set(pv.Name, pv.Value)
	}
	return p.s.ReplaceInstance(ctx, ns, path, next)
}

func (p storeProvider) DeleteInstance(ctx context.Context, ns string, _ *cim.Class, path cim.ObjectPath) error {
	return p.s.DeleteInstance(ctx, ns, path)
}
