package conformance

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/conformance/client"
)

// InteropNamespaces are the names probed for the Interop namespace, in
// pywbem's order.
var InteropNamespaces = []string{"interop", "root/interop", "root/PG_InterOp"}

// profileNames maps a DSP number to the RegisteredName values that stand for
// it (the first is the official name).
var profileNames = map[string][]string{
	"DSP1033":  {"Profile Registration"},
	"DSP1042":  {"System Virtualization"},
	"DSP1057":  {"Virtual System", "Virtual System Profile"},
	"DSP1041":  {"Resource Allocation"},
	"DSP1043":  {"Allocation Capabilities"},
	"DSP1059":  {"Generic Device Resource Virtualization"},
	"DSP1044":  {"Processor Resource Virtualization"},
	"DSP1045":  {"Memory Resource Virtualization"},
	"DSP1047":  {"Storage Resource Virtualization"},
	"DSP1050":  {"Ethernet Port Resource Virtualization"},
	"DSP1097":  {"Virtual Ethernet Switch"},
	"DSP1081":  {"Virtual System Migration"},
	"DSP1054":  {"Indications"},
	"DSP1103":  {"Job Control"},
	"Snapshot": {"Virtual System Snapshot", "Snapshot"},
}

// centralClass is the central class of each profile, for the scoping-class
// methodology.
var centralClass = map[string]string{
	"DSP1042": "CIM_ComputerSystem",
	"DSP1057": "CIM_ComputerSystem",
	"DSP1041": "CIM_ResourcePool",
	"DSP1043": "CIM_AllocationCapabilities",
	"DSP1044": "CIM_ResourcePool",
	"DSP1045": "CIM_ResourcePool",
	"DSP1047": "CIM_ResourcePool",
	"DSP1050": "CIM_ResourcePool",
	"DSP1059": "CIM_ResourcePool",
	"DSP1081": "CIM_VirtualSystemMigrationService",
	"DSP1054": "CIM_IndicationService",
}

// A Profile is a registered profile and its central instances.
type Profile struct {
	DSP      string // the DSP number it was recognised as, "" if unknown
	Path     cim.ObjectPath
	Instance *cim.Instance
	Central  []cim.ObjectPath
	Method   string // how the central instances were found
}

// Name returns the profile's RegisteredName.
func (p *Profile) Name() string { return p.Instance.Str("RegisteredName") }

// Discovery is what the DMTF discovery found on one server over one protocol.
type Discovery struct {
	Interop  string // the Interop namespace; "" if none answered
	Profiles []*Profile
	Err      error // why discovery failed, if it did
}

// Profile returns the first registered profile recognised as dsp.
func (d *Discovery) Profile(dsp string) *Profile {
	for _, p := range d.Profiles {
		if p.DSP == dsp {
			return p
		}
	}
	return nil
}

// InteropOrNone names the Interop namespace for messages.
func (d *Discovery) InteropOrNone() string {
	if d.Interop == "" {
		return "any Interop namespace"
	}
	return d.Interop
}

func dspOf(inst *cim.Instance) string {
	org, _ := uintProp(inst, "RegisteredOrganization")
	if org != 2 {
		return ""
	}
	name := inst.Str("RegisteredName")
	for dsp, names := range profileNames {
		for _, n := range names {
			if strings.EqualFold(n, name) {
				return dsp
			}
		}
	}
	return ""
}

// Discover finds the Interop namespace, the registered profiles and their
// central instances.
func Discover(ctx context.Context, c client.Client) *Discovery {
	d := &Discovery{}
	var firstErr error
	for _, ns := range InteropNamespaces {
		objs, err := c.EnumerateInstances(ctx, ns, "CIM_RegisteredProfile")
		if err != nil {
			firstErr = errors.Join(firstErr, err)
			continue
		}
		d.Interop = ns
		for _, o := range objs {
			d.Profiles = append(d.Profiles, &Profile{DSP: dspOf(o.Instance), Path: o.Path, Instance: o.Instance})
		}
		if len(objs) > 0 {
			break
		}
	}
	if d.Interop == "" {
		d.Err = firstErr
		return d
	}
	for _, p := range d.Profiles {
		p.Central, p.Method = centralInstances(ctx, c, p)
	}
	for _, p := range d.Profiles {
		if len(p.Central) == 0 {
			p.Central, p.Method = scopedInstances(ctx, c, d, p)
		}
		slog.Debug("discovered profile", "protocol", c.Protocol(), "profile", p.Name(), "dsp", p.DSP, "central", len(p.Central), "method", p.Method)
	}
	return d
}

// centralInstances tries GetCentralInstances (DSP1033 1.1), then the
// central-class methodology (CIM_ElementConformsToProfile).
func centralInstances(ctx context.Context, c client.Client, p *Profile) ([]cim.ObjectPath, string) {
	if rv, out, err := c.InvokeMethod(ctx, p.Path, "GetCentralInstances", nil); err == nil {
		if n, ok := uintValue(rv); ok && n == 0 {
			if v, ok := out.Get("CentralInstances"); ok {
				if refs := refsOf(v); len(refs) > 0 {
					return refs, "GetCentralInstances"
				}
			}
		}
	}
	paths, err := c.AssociatorNames(ctx, p.Path, client.AssocFilter{AssocClass: "CIM_ElementConformsToProfile", ResultRole: "ManagedElement"})
	if err == nil && len(paths) > 0 {
		return paths, "central class"
	}
	return nil, ""
}

// scopedInstances applies the scoping-class methodology: follow
// CIM_ReferencedProfile to the referencing (autonomous) profile, take its
// central instances as scoping instances, and find the component profile's
// central class from them.
func scopedInstances(ctx context.Context, c client.Client, d *Discovery, p *Profile) ([]cim.ObjectPath, string) {
	class := centralClass[p.DSP]
	if class == "" {
		return nil, ""
	}
	scoping, err := c.AssociatorNames(ctx, p.Path, client.AssocFilter{AssocClass: "CIM_ReferencedProfile", Role: "Antecedent", ResultRole: "Dependent"})
	if err != nil {
		return nil, ""
	}
	var out []cim.ObjectPath
	for _, sp := range scoping {
		for _, q := range d.Profiles {
			if !samePath(q.Path, sp) {
				continue
			}
			for _, si := range q.Central {
				found, err := c.AssociatorNames(ctx, si, client.AssocFilter{ResultClass: class})
				if err == nil {
					out = append(out, found...)
				}
			}
		}
	}
	if len(out) == 0 {
		return nil, ""
	}
	return out, "scoping class"
}
