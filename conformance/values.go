package conformance

import (
	"slices"
	"strconv"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// Values read over WS-Man are untyped strings; these helpers read numbers,
// booleans and references from either protocol's values.

func uintValue(v cim.Value) (uint64, bool) {
	if v.IsNull() || v.IsArray() {
		return 0, false
	}
	if n, ok := v.AsUint64(); ok && v.Type().IsInteger() {
		return n, true
	}
	n, err := strconv.ParseUint(strings.TrimSpace(v.Text()), 10, 64)
	return n, err == nil
}

func uintProp(inst *cim.Instance, name string) (uint64, bool) {
	v, ok := inst.Get(name)
	if !ok {
		return 0, false
	}
	return uintValue(v)
}

// uintsProp returns an integer array property; a scalar counts as a
// one-element array (WS-Man cannot tell them apart).
func uintsProp(inst *cim.Instance, name string) ([]uint64, bool) {
	v, ok := inst.Get(name)
	if !ok || v.IsNull() {
		return nil, false
	}
	elems := []cim.Value{v}
	if v.IsArray() {
		elems = v.Elems()
	}
	out := make([]uint64, 0, len(elems))
	for _, e := range elems {
		n, ok := uintValue(e)
		if !ok {
			return nil, false
		}
		out = append(out, n)
	}
	return out, true
}

func stringsProp(inst *cim.Instance, name string) []string {
	v, ok := inst.Get(name)
	if !ok || v.IsNull() {
		return nil
	}
	if !v.IsArray() {
		return []string{v.Text()}
	}
	var out []string
	for _, e := range v.Elems() {
		out = append(out, e.Text())
	}
	return out
}

func boolProp(inst *cim.Instance, name string) (bool, bool) {
	v, ok := inst.Get(name)
	if !ok || v.IsNull() {
		return false, false
	}
	switch strings.ToLower(strings.TrimSpace(v.Text())) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

func refsOf(v cim.Value) []cim.ObjectPath {
	if v.IsNull() {
		return nil
	}
	elems := []cim.Value{v}
	if v.IsArray() {
		elems = v.Elems()
	}
	var out []cim.ObjectPath
	for _, e := range elems {
		if p, ok := e.AsRef(); ok {
			out = append(out, p)
		} else if p, err := cim.ParseObjectPath(e.Text()); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// pathKey is a protocol-neutral form of a path for comparison: namespace
// and class case-folded, host dropped, keys sorted with their values as text
// (references recursively).
func pathKey(p cim.ObjectPath) string {
	var keys []string
	for _, k := range p.Keys {
		val := k.Value.Text()
		if r, ok := k.Value.AsRef(); ok {
			val = "{" + pathKey(r) + "}"
		} else if k.Value.Type() == cim.TypeString && strings.HasPrefix(val, "/") {
			if r, err := cim.ParseObjectPath(val); err == nil && r.ClassName != "" {
				val = "{" + pathKey(r) + "}"
			}
		}
		keys = append(keys, strings.ToLower(k.Name)+"="+strings.ToLower(val))
	}
	slices.Sort(keys)
	return strings.ToLower(strings.Trim(p.Namespace, "/")) + ":" + strings.ToLower(p.ClassName) + "." + strings.Join(keys, ",")
}

func samePath(a, b cim.ObjectPath) bool { return pathKey(a) == pathKey(b) }

func containsPath(ps []cim.ObjectPath, p cim.ObjectPath) bool {
	for _, q := range ps {
		if samePath(q, p) {
			return true
		}
	}
	return false
}

// propText is the protocol-neutral text of a property (valueText): unlike
// Instance.Str, it also renders the integers CIM-XML reads typed.
func propText(inst *cim.Instance, name string) string {
	if inst == nil {
		return ""
	}
	return valueText(mustGet(inst, name))
}
