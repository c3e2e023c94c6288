package conformance

import (
	"context"
	"fmt"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/conformance/client"
)

// valueText renders v protocol-neutrally: booleans in lower case, arrays as
// their elements joined by commas, references by pathKey.
func valueText(v cim.Value) string {
	if v.IsNull() {
		return ""
	}
	if v.IsArray() {
		var parts []string
		for _, e := range v.Elems() {
			parts = append(parts, valueText(e))
		}
		return strings.Join(parts, ",")
	}
	if r, ok := v.AsRef(); ok {
		return pathKey(r)
	}
	if inst := v.AsInstance(); inst != nil {
		return "instance of " + strings.ToLower(inst.ClassName)
	}
	return strings.ToLower(strings.TrimSpace(v.Text()))
}

// sameInstances reads every profile's central instances over both protocols
// and compares the properties both report as non-null.
func sameInstances(ctx context.Context, clients []client.Client, discs map[string]*Discovery) Result {
	res := Result{Profile: "DSP0227", Requirement: "DSP0227/DSP0230: an instance has the same property values over WS-Man as over CIM-XML",
		Check: "the same property values over both protocols", Protocol: "both", Status: Pass}
	a := clients[0]
	var diffs []string
	var paths []cim.ObjectPath
	for _, p := range discs[a.Protocol()].Profiles {
		paths = append(paths, p.Path)
		paths = append(paths, p.Central...)
	}
	if len(paths) == 0 {
		res.Status, res.Reason = Skip, "no registered profiles to compare"
		return res
	}
	for _, p := range paths {
		var insts []*cim.Instance
		for _, c := range clients {
			inst, err := c.GetInstance(ctx, p)
			if err != nil {
				diffs = append(diffs, fmt.Sprintf("%s GetInstance %s: %v", c.Protocol(), p, err))
				break
			}
			insts = append(insts, inst)
		}
		if len(insts) != len(clients) {
			continue
		}
		for _, prop := range insts[0].Properties {
			vb, ok := insts[1].Get(prop.Name)
			if !ok || vb.IsNull() || prop.Value.IsNull() {
				continue
			}
			if ta, tb := valueText(prop.Value), valueText(vb); ta != tb {
				diffs = append(diffs, fmt.Sprintf("%s.%s: %s %q, %s %q", p.ClassName, prop.Name, a.Protocol(), ta, clients[1].Protocol(), tb))
			}
		}
	}
	if len(diffs) > 0 {
		res.Status, res.Reason = Fail, strings.Join(diffs, "; ")
	}
	return res
}
