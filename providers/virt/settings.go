package virt

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// ownedSettings are the VSSD properties Ferrum keeps itself, because no
// backend does.
var ownedSettings = []string{
	"AutomaticStartupAction", "AutomaticStartupActionDelay", "AutomaticStartupActionSequenceNumber",
	"AutomaticShutdownAction", "AutomaticRecoveryAction", "Notes",
}

func isOwnedSetting(name string) bool {
	for _, s := range ownedSettings {
		if strings.EqualFold(s, name) {
			return true
		}
	}
	return false
}

// AutomaticStartupAction values.
const (
	startupNone   uint16 = 2
	startupAlways uint16 = 4
)

// vmSettings caches the owned settings of every VM in memory and writes
// them through to the store, as instances of the VSSD class at the VSSD's
// path.
type vmSettings struct {
	store Store
	mu    sync.RWMutex
	byVM  map[string]*cim.Instance
}

// loadSettings reads every VM's owned settings from store (a memory store
// when nil).
func loadSettings(ctx context.Context, store Store) (*vmSettings, error) {
	if store == nil {
		store = cimom.NewMemoryStore()
	}
	s := &vmSettings{store: store, byVM: map[string]*cim.Instance{}}
	err := store.EnumerateInstances(ctx, model.Namespace, model.ClassVSSD, func(_ cim.ObjectPath, in *cim.Instance) bool {
		if vm, ok := model.ParseVSSDInstanceID(in.Str("InstanceID")); ok {
			s.byVM[vm] = in
		}
		return true
	})
	if err != nil {
		return nil, fmt.Errorf("load vm settings: %w", err)
	}
	return s, nil
}

// get returns the owned settings of vm (nil when none were set).
func (s *vmSettings) get(vm string) *cim.Instance {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.byVM[vm]
}

// set records the owned properties of from (others are ignored) for vm,
// merged over what was there; it returns the previous settings.
func (s *vmSettings) set(ctx context.Context, vm string, from *cim.Instance) (*cim.Instance, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.byVM[vm]
	next := cim.NewInstance(model.ClassVSSD).Set("InstanceID", cim.String(model.VSSDInstanceID(vm)))
	if old != nil {
		next = old.Clone()
	}
	for _, pv := range from.Properties {
		if isOwnedSetting(pv.Name) {
			next.Set(pv.Name, pv.Value)
		}
	}
	if err := s.write(ctx, vm, old != nil, next); err != nil {
		return nil, err
	}
	s.byVM[vm] = next
	return old, nil
}

// restore puts back settings set returned (nil deletes them).
func (s *vmSettings) restore(ctx context.Context, vm string, old *cim.Instance) error {
	if old == nil {
		return s.delete(ctx, vm)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, exists := s.byVM[vm]
	if err := s.write(ctx, vm, exists, old); err != nil {
		return err
	}
	s.byVM[vm] = old
	return nil
}

func (s *vmSettings) write(ctx context.Context, vm string, exists bool, in *cim.Instance) error {
	path := model.VSSDPath(vm)
	var err error
	if exists {
		err = s.store.ReplaceInstance(ctx, model.Namespace, path, in)
	} else {
		err = s.store.CreateInstance(ctx, model.Namespace, path, in)
	}
	if err != nil {
		return fmt.Errorf("save settings of vm %s: %w", vm, err)
	}
	return nil
}

// delete forgets vm's settings.
func (s *vmSettings) delete(ctx context.Context, vm string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.byVM[vm]; !ok {
		return nil
	}
	err := s.store.DeleteInstance(ctx, model.Namespace, model.VSSDPath(vm))
	if err != nil && cim.StatusOf(err) != cim.ErrNotFound {
		return fmt.Errorf("delete settings of vm %s: %w", vm, err)
	}
	delete(s.byVM, vm)
	return nil
}

// startupAction returns vm's AutomaticStartupAction (2 None by default).
func (s *vmSettings) startupAction(vm string) uint16 {
	if in := s.get(vm); in != nil {
		v, _ := in.Get("AutomaticStartupAction")
		if n, ok := v.AsUint64(); ok {
			return uint16(n)
		}
	}
	return startupNone
}

// ownedFrom reads the settings Ferrum keeps from an embedded VSSD, checking
// and converting each to its declared type; properties absent or null are
// left out.
func ownedFrom(in *cim.Instance) (*cim.Instance, error) {
	out := cim.NewInstance(model.ClassVSSD)
	for _, name := range []string{"AutomaticStartupAction", "AutomaticShutdownAction", "AutomaticRecoveryAction"} {
		if !has(in, name) {
			continue
		}
		n, ok := uintProp(in, name)
		if !ok || n < 2 || n > 4 {
			v, _ := in.Get(name)
			return nil, invalid("%s %v: want 2, 3 or 4", name, v)
		}
		out.Set(name, cim.Uint16(uint16(n)))
	}
	if has(in, "AutomaticStartupActionSequenceNumber") {
		n, ok := uintProp(in, "AutomaticStartupActionSequenceNumber")
		if !ok || n > 0xFFFF {
			return nil, invalid("AutomaticStartupActionSequenceNumber must be a uint16")
		}
		out.Set("AutomaticStartupActionSequenceNumber", cim.Uint16(uint16(n)))
	}
	if has(in, "AutomaticStartupActionDelay") {
		v, _ := in.Get("AutomaticStartupActionDelay")
		d, ok := v.AsDatetime()
		if !ok {
			pd, err := cim.ParseDatetime(v.Str())
			if err != nil {
				return nil, invalid("AutomaticStartupActionDelay: %v", err)
			}
			d = pd
		}
		if !d.IsInterval() {
			return nil, invalid("AutomaticStartupActionDelay must be an interval")
		}
		out.Set("AutomaticStartupActionDelay", cim.DateTimeValue(d))
	}
	if has(in, "Notes") {
		v, _ := in.Get("Notes")
		notes := make([]string, 0, v.Len())
		for _, e := range v.Elems() {
			notes = append(notes, e.Str())
		}
		if !v.IsArray() {
			notes = []string{v.Str()}
		}
		out.Set("Notes", cim.StringArray(notes...))
	}
	return out, nil
}
