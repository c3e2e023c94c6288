package indication

import (
	"context"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// A Publisher accepts indications; *Service is one. Providers (providers/virt
// and others) publish their lifecycle and alert indications through it.
type Publisher interface {
	Publish(ctx context.Context, ns string, ind *cim.Instance) int
}

// ObserveStore returns an InstanceStore that behaves as inner and, after
// each successful change, publishes the lifecycle indication DSP1054
// describes: CIM_InstCreation on CreateInstance, CIM_InstModification on
// ReplaceInstance (with the previous instance) and CIM_InstDeletion on
// DeleteInstance (with the instance as it was). Installed as the
// dispatcher's Store, it makes every store-backed class raise lifecycle
// indications without a change to the dispatcher. skip, when not nil,
// exempts classes (the subscription classes themselves, say).
func ObserveStore(inner cimom.InstanceStore, pub Publisher, skip func(ns, class string) bool) cimom.InstanceStore {
	return &observedStore{InstanceStore: inner, pub: pub, skip: skip}
}

type observedStore struct {
	cimom.InstanceStore
	pub  Publisher
	skip func(ns, class string) bool
}

func (s *observedStore) quiet(ns, class string) bool {
	return s.skip != nil && s.skip(ns, class)
}

// CreateInstance implements cimom.InstanceStore.
func (s *observedStore) CreateInstance(ctx context.Context, ns string, path cim.ObjectPath, inst *cim.Instance) error {
	if err := s.InstanceStore.CreateInstance(ctx, ns, path, inst); err != nil {
		return err
	}
	if !s.quiet(ns, path.ClassName) {
		s.pub.Publish(ctx, ns, InstCreation(ns, inst, path))
	}
	return nil
}

// ReplaceInstance implements cimom.InstanceStore.
func (s *observedStore) ReplaceInstance(ctx context.Context, ns string, path cim.ObjectPath, inst *cim.Instance) error {
	if s.quiet(ns, path.ClassName) {
		return s.InstanceStore.ReplaceInstance(ctx, ns, path, inst)
	}
	prev, err := s.InstanceStore.GetInstance(ctx, ns, path)
	if err != nil {
		return err
	}
	if err := s.InstanceStore.ReplaceInstance(ctx, ns, path, inst); err != nil {
		return err
	}
	if len(ChangedProperties(prev, inst)) > 0 {
		s.pub.Publish(ctx, ns, InstModification(ns, prev, inst, path))
	}
	return nil
}

// DeleteInstance implements cimom.InstanceStore.
func (s *observedStore) DeleteInstance(ctx context.Context, ns string, path cim.ObjectPath) error {
	if s.quiet(ns, path.ClassName) {
		return s.InstanceStore.DeleteInstance(ctx, ns, path)
	}
	prev, err := s.InstanceStore.GetInstance(ctx, ns, path)
	if err != nil {
		return err
	}
	if err := s.InstanceStore.DeleteInstance(ctx, ns, path); err != nil {
		return err
	}
	s.pub.Publish(ctx, ns, InstDeletion(ns, prev, path))
	return nil
}

// SkipInterop is a skip function for ObserveStore that exempts every class
// of the Interop namespace, where the subscription classes live.
func SkipInterop(ns, _ string) bool {
	return strings.EqualFold(strings.Trim(ns, "/"), strings.Trim(cimom.InteropNamespace, "/"))
}
