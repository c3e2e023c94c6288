package poolconfig

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// validName matches the pool and volume names Ferrum accepts: they become
// part of InstanceIDs and DeviceIDs ("<pool>/<volume>"), so no "/" or "#".
var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$`)

// checkName checks a pool or volume name.
func checkName(what, name string) error {
	if name == "" {
		return invalid("the %s needs a name", what)
	}
	if !validName.MatchString(name) {
		return invalid("%s name %q: use up to 128 letters, digits, '.', '_', '+' and '-', starting with a letter or digit", what, name)
	}
	return nil
}

// uintProp reads an unsigned property, also from the text CIM-XML clients
// send for embedded instances.
func uintProp(in *cim.Instance, name string) (uint64, bool, error) {
	v, ok := in.Get(name)
	if !ok || v.IsNull() {
		return 0, false, nil
	}
	if n, ok := v.AsUint64(); ok {
		return n, true, nil
	}
	n, err := strconv.ParseUint(strings.TrimSpace(v.Str()), 10, 64)
	if err != nil {
		return 0, false, invalid("%s %q is not an unsigned integer", name, v.Str())
	}
	return n, true, nil
}

// firstString returns the first non-empty string of the named properties,
// taking element 0 of arrays.
func firstString(in *cim.Instance, names ...string) string {
	for _, n := range names {
		v, ok := in.Get(n)
		if !ok || v.IsNull() {
			continue
		}
		if v.IsArray() {
			if v.Len() > 0 && v.Index(0).Str() != "" {
				return v.Index(0).Str()
			}
			continue
		}
		if s := strings.TrimSpace(v.Str()); s != "" {
			return s
		}
	}
	return ""
}

// quantityBytes reads VirtualQuantity in bytes: blocks of
// VirtualResourceBlockSize for "count" units, bytes of the given unit
// (VirtualQuantityUnits, else AllocationUnits; bytes by default)
// otherwise. given is false when VirtualQuantity is absent.
func quantityBytes(in *cim.Instance) (n uint64, ok bool, err error) {
	q, ok, err := uintProp(in, "VirtualQuantity")
	if err != nil || !ok {
		return 0, false, err
	}
	units := firstString(in, "VirtualQuantityUnits", "AllocationUnits")
	if strings.HasPrefix(strings.ToLower(units), "count") {
		bs, has, err := uintProp(in, "VirtualResourceBlockSize")
		if err != nil {
			return 0, false, err
		}
		if !has || bs == 0 {
			bs = 1
		}
		if bs != 0 && q > ^uint64(0)/bs {
			return 0, false, invalid("VirtualQuantity %d blocks of %d bytes overflows", q, bs)
		}
		return q * bs, true, nil
	}
	b, ok := model.ToBytes(q, units)
	if !ok {
		return 0, false, invalid("units %q are not units of bytes", units)
	}
	return b, true, nil
}
