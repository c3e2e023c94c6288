package conformance

import (
	"context"
	"fmt"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/conformance/client"
)

// mustGet returns the property name of inst, or a null value.
func mustGet(inst *cim.Instance, name string) cim.Value {
	v, _ := inst.Get(name)
	return v
}

// operationChecks verify protocol-level behaviour every profile relies on:
// keys consistent between paths and instances, and the documented errors.
func operationChecks() []Check {
	return []Check{
		{Profile: "DSP0200", Name: "keys consistent between paths and instances",
			Requirement: "DSP0004 §7.7 / DSP0200 §5.3.2: the key bindings of an instance path equal the instance's key properties, and GetInstance of an enumerated path returns that instance",
			Run:         checkKeysConsistent},
		{Profile: "DSP0200", Name: "GetInstance with a missing key → CIM_ERR_INVALID_PARAMETER or NOT_FOUND",
			Requirement: "DSP0200 §5.3.2.2 (DSP0227 §7.3: wsman:InvalidSelectors): an instance name without its keys is rejected",
			Run: func(ctx context.Context, t *T) {
				p := t.Profile("DSP1033").Path
				p.Keys = nil
				_, err := t.C.GetInstance(ctx, p)
				st := client.StatusOf(err)
				if st != cim.ErrInvalidParameter && st != cim.ErrNotFound {
					t.Errorf("GetInstance %s without keys: got %v, want CIM_ERR_INVALID_PARAMETER or CIM_ERR_NOT_FOUND", p, err)
				}
				if e, ok := err.(*client.Error); ok && t.C.Protocol() == "wsman" && e.Fault != "" && e.Fault != "wsman:InvalidSelectors" {
					t.Errorf("WS-Man fault %s, want wsman:InvalidSelectors", e.Fault)
				}
			}},
		{Profile: "DSP0200", Name: "GetInstance of an absent instance → CIM_ERR_NOT_FOUND",
			Requirement: "DSP0200 §5.3.2.2 (DSP0227: wsa:DestinationUnreachable): a well-formed name of no instance is NOT_FOUND",
			Run: func(ctx context.Context, t *T) {
				p := t.Profile("DSP1033").Path
				keys := make([]cim.KeyBinding, len(p.Keys))
				for i, k := range p.Keys {
					keys[i] = cim.KeyBinding{Name: k.Name, Value: cim.String("conformance-no-such-instance")}
				}
				p.Keys = keys
				_, err := t.C.GetInstance(ctx, p)
				if st := client.StatusOf(err); st != cim.ErrNotFound {
					t.Errorf("GetInstance %s: got %v, want CIM_ERR_NOT_FOUND", p, err)
				}
			}},
		{Profile: "DSP0200", Name: "EnumerateInstances of an unknown class → CIM_ERR_INVALID_CLASS",
			Requirement: "DSP0200 §5.3.2.11: an unknown ClassName is CIM_ERR_INVALID_CLASS (WS-Man: wsa:DestinationUnreachable)",
			Run: func(ctx context.Context, t *T) {
				if t.D.Interop == "" {
					t.Skipf("no Interop namespace")
				}
				_, err := t.C.EnumerateInstances(ctx, t.D.Interop, "CIM_ConformanceNoSuchClass")
				st := client.StatusOf(err)
				want := cim.ErrInvalidClass
				if t.C.Protocol() == "wsman" && st == cim.ErrNotFound {
					st = want // DSP0227 maps both to wsa:DestinationUnreachable
				}
				if st != want {
					t.Errorf("got %v, want %s", err, want)
				}
			}},
	}
}

func checkKeysConsistent(ctx context.Context, t *T) {
	t.Profile("DSP1033")
	objs, err := t.C.EnumerateInstances(ctx, t.D.Interop, "CIM_RegisteredProfile")
	if err != nil {
		t.Fatalf("EnumerateInstances: %v", err)
	}
	names, err := t.C.EnumerateInstanceNames(ctx, t.D.Interop, "CIM_RegisteredProfile")
	if err != nil {
		t.Fatalf("EnumerateInstanceNames: %v", err)
	}
	if len(names) != len(objs) {
		t.Errorf("EnumerateInstanceNames returned %d paths, EnumerateInstances %d instances", len(names), len(objs))
	}
	for _, o := range objs {
		if !containsPath(names, o.Path) {
			t.Errorf("%s is not among EnumerateInstanceNames' paths", o.Path)
		}
		if err := keysMatch(o.Path, o.Instance); err != nil {
			t.Errorf("%v", err)
		}
		got, err := t.C.GetInstance(ctx, o.Path)
		if err != nil {
			t.Errorf("GetInstance %s: %v", o.Path, err)
			continue
		}
		if err := keysMatch(o.Path, got); err != nil {
			t.Errorf("GetInstance: %v", err)
		}
	}
}

// keysMatch reports whether every key binding of p equals inst's property.
func keysMatch(p cim.ObjectPath, inst *cim.Instance) error {
	if len(p.Keys) == 0 {
		return fmt.Errorf("%s has no key bindings", p)
	}
	for _, k := range p.Keys {
		v, ok := inst.Get(k.Name)
		if !ok {
			return fmt.Errorf("%s: key %s is not a property of the instance", p, k.Name)
		}
		if valueText(v) != valueText(k.Value) {
			return fmt.Errorf("%s: key %s is %q in the path but %q in the instance", p, k.Name, valueText(k.Value), valueText(v))
		}
	}
	return nil
}
