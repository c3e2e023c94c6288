package cimom

import (
	"context"
	"strings"
	"sync"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// MemoryStore is an InstanceStore in memory, for tests and tools. It keeps
// creation order per class.
type MemoryStore struct {
	mu      sync.RWMutex
	byPath  map[string]*memEntry
	byClass map[string][]*memEntry
}

type memEntry struct {
	path cim.ObjectPath
	inst *cim.Instance
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{byPath: map[string]*memEntry{}, byClass: map[string][]*memEntry{}}
}

func memKey(ns string, p cim.ObjectPath) string {
	return strings.ToLower(strings.Trim(ns, "/")) + "|" + p.Canonical()
}

func classKey(ns, class string) string { return strings.ToLower(strings.Trim(ns, "/") + "|" + class) }

// CreateInstance implements InstanceStore.
func (m *MemoryStore) CreateInstance(_ context.Context, ns string, path cim.ObjectPath, inst *cim.Instance) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := memKey(ns, path)
	if _, ok := m.byPath[k]; ok {
		return cim.Errorf(cim.ErrAlreadyExists, "instance %s exists", path)
	}
	e := &memEntry{path: path, inst: inst.Clone()}
	m.byPath[k] = e
	ck := classKey(ns, path.ClassName)
	m.byClass[ck] = append(m.byClass[ck], e)
	return nil
}

// GetInstance implements InstanceStore.
func (m *MemoryStore) GetInstance(_ context.Context, ns string, path cim.ObjectPath) (*cim.Instance, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	e, ok := m.byPath[memKey(ns, path)]
	if !ok {
		return nil, cim.Errorf(cim.ErrNotFound, "no instance %s", path)
	}
	return e.inst.Clone(), nil
}

// ReplaceInstance implements InstanceStore.
func (m *MemoryStore) ReplaceInstance(_ context.Context, ns string, path cim.ObjectPath, inst *cim.Instance) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.byPath[memKey(ns, path)]
	if !ok {
		return cim.Errorf(cim.ErrNotFound, "no instance %s", path)
	}
	e.inst = inst.Clone()
	return nil
}

// DeleteInstance implements InstanceStore.
func (m *MemoryStore) DeleteInstance(_ context.Context, ns string, path cim.ObjectPath) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := memKey(ns, path)
	e, ok := m.byPath[k]
	if !ok {
		return cim.Errorf(cim.ErrNotFound, "no instance %s", path)
	}
	delete(m.byPath, k)
	ck := classKey(ns, path.ClassName)
	list := m.byClass[ck]
	for i, x := range list {
		if x == e {
			m.byClass[ck] = append(list[:i:i], list[i+1:]...)
			break
		}
	}
	return nil
}

// EnumerateInstances implements InstanceStore.
func (m *MemoryStore) EnumerateInstances(_ context.Context, ns, class string, yield func(cim.ObjectPath, *cim.Instance) bool) error {
	m.mu.RLock()
	list := make([]memEntry, len(m.byClass[classKey(ns, class)]))
	for i, e := range m.byClass[classKey(ns, class)] {
		list[i] = *e
	}
	m.mu.RUnlock()
	for _, e := range list {
		if !yield(e.path, e.inst) {
			return nil
		}
	}
	return nil
}

// CountInstances implements InstanceStore.
func (m *MemoryStore) CountInstances(_ context.Context, ns, class string) (int, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.byClass[classKey(ns, class)]), nil
}
