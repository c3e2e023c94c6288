package conformance

import (
	"context"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/conformance/client"
)

// bothWays follows assoc from `from` to instances of resultClass, fails the
// check if fewer than min are found, and verifies that each one leads back
// to `from` through the same association (DSP0004: associations are
// traversable from either end).
func bothWays(ctx context.Context, t *T, from cim.ObjectPath, assoc, resultClass string, min int) []client.Object {
	objs, err := t.C.Associators(ctx, from, client.AssocFilter{AssocClass: assoc, ResultClass: resultClass})
	if err != nil {
		t.Errorf("Associators %s via %s: %v", from, assoc, err)
		return nil
	}
	if len(objs) < min {
		t.Errorf("%s: %d %s via %s, want at least %d", from, len(objs), resultClass, assoc, min)
	}
	for _, o := range objs {
		back, err := t.C.AssociatorNames(ctx, o.Path, client.AssocFilter{AssocClass: assoc})
		if err != nil {
			t.Errorf("AssociatorNames %s via %s: %v", o.Path, assoc, err)
			continue
		}
		if !containsPath(back, from) {
			t.Errorf("%s via %s does not lead back to %s", o.Path, assoc, from)
		}
	}
	return objs
}

// central returns up to max central instances of dsp's profile, skipping
// the check if the profile is absent or has none.
func central(t *T, dsp string, max int) []cim.ObjectPath {
	p := t.Profile(dsp)
	if len(p.Central) == 0 {
		t.Fatalf("%s has no central instances", p.Name())
	}
	if len(p.Central) > max {
		return p.Central[:max]
	}
	return p.Central
}

// hostPools returns the resource pools of the DSP1042 hosts.
func hostPools(ctx context.Context, t *T) []client.Object {
	t.Profile("DSP1041")
	if t.D.Profile("DSP1042") == nil {
		t.Skipf("pools are found from DSP1042 hosts, and DSP1042 is not advertised")
	}
	var out []client.Object
	for _, h := range central(t, "DSP1042", 4) {
		out = append(out, bothWays(ctx, t, h, "CIM_HostedResourcePool", "CIM_ResourcePool", 1)...)
	}
	return out
}

func requireProps(t *T, o client.Object, names ...string) {
	for _, n := range names {
		v, ok := o.Instance.Get(n)
		if !ok || v.IsNull() || valueText(v) == "" {
			t.Errorf("%s: required property %s is missing or null", o.Path, n)
		}
	}
}

func inValueMap(n uint64, ranges ...[2]uint64) bool {
	for _, r := range ranges {
		if n >= r[0] && n <= r[1] {
			return true
		}
	}
	return false
}
