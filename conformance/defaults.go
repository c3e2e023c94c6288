package conformance

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/conformance/client"
)

// A capability setting's role (DSP1043 §7.3: CIM_SettingsDefineCapabilities
// ValueRole/ValueRange: Default 0/0, Minimum 3/1, Maximum 3/2, Increment 3/3).
type capRole struct{ valueRole, valueRange uint64 }

var (
	roleDefault   = capRole{0, 0}
	roleMaximum   = capRole{3, 2}
	roleIncrement = capRole{3, 3}
)

// hostPool returns the primordial pool of one of types on host (DSP1041
// §7.1, CIM_HostedResourcePool), if there is one.
func hostPool(ctx context.Context, c client.Client, host cim.ObjectPath, types ...uint64) (client.Object, bool) {
	pools, err := c.Associators(ctx, host, assocTo("CIM_HostedResourcePool", "CIM_ResourcePool"))
	if err != nil {
		return client.Object{}, false
	}
	for _, p := range pools {
		n, _ := uintProp(p.Instance, "ResourceType")
		if b, _ := boolProp(p.Instance, "Primordial"); b && containsAny([]uint64{n}, types...) {
			return p, true
		}
	}
	return client.Object{}, false
}

// capSetting returns the RASD that a pool's CIM_AllocationCapabilities
// defines with role (DSP1043 §7.1–7.3: pool → CIM_ElementCapabilities →
// capabilities → CIM_SettingsDefineCapabilities → RASD).
func capSetting(ctx context.Context, c client.Client, pool cim.ObjectPath, role capRole) (*cim.Instance, error) {
	caps, err := c.AssociatorNames(ctx, pool, assocTo("CIM_ElementCapabilities", "CIM_AllocationCapabilities"))
	if err != nil || len(caps) == 0 {
		return nil, fmt.Errorf("pool %s has no CIM_AllocationCapabilities (%v)", pool, err)
	}
	for _, capPath := range caps {
		sdcs, err := c.References(ctx, capPath, "CIM_SettingsDefineCapabilities", "")
		if err != nil {
			return nil, fmt.Errorf("References %s CIM_SettingsDefineCapabilities: %w", capPath, err)
		}
		for _, sdc := range sdcs {
			vr, _ := uintProp(sdc.Instance, "ValueRole")
			vg, _ := uintProp(sdc.Instance, "ValueRange")
			if _, ok := sdc.Instance.Get("ValueRole"); !ok {
				vr = 3 // the MOF's default: Supported
			}
			parts := refsOf(mustGet(sdc.Instance, "PartComponent"))
			if vr != role.valueRole || vg != role.valueRange || len(parts) != 1 {
				continue
			}
			return c.GetInstance(ctx, parts[0])
		}
	}
	return nil, fmt.Errorf("pool %s: no setting with ValueRole %d, ValueRange %d via CIM_SettingsDefineCapabilities", pool, role.valueRole, role.valueRange)
}

// defaultRASD returns a request built from the default setting of the
// host's pool of types: the server's own RASD, without its InstanceID
// (a new resource has none yet).
func defaultRASD(ctx context.Context, c client.Client, host cim.ObjectPath, types ...uint64) (*cim.Instance, error) {
	pool, ok := hostPool(ctx, c, host, types...)
	if !ok {
		return nil, fmt.Errorf("host %s has no primordial pool of ResourceType %v", host, types)
	}
	def, err := capSetting(ctx, c, pool.Path, roleDefault)
	if err != nil {
		return nil, err
	}
	return request(def, "InstanceID"), nil
}

// request copies in without its null properties and those named: what a
// client sends back as an embedded instance.
func request(in *cim.Instance, except ...string) *cim.Instance {
	out := cim.NewInstance(in.ClassName)
	for _, p := range in.Properties {
		if !p.Value.IsNull() && !slices.ContainsFunc(except, func(e string) bool { return strings.EqualFold(e, p.Name) }) {
			out.Set(p.Name, p.Value)
		}
	}
	return out
}

// nicDefault returns a NIC request from the default setting of one of
// host's Ethernet pools (DSP1050 §7.2): the first default that names a
// network in Connection, a concrete pool's when the primordial pool's
// names none, else the primordial pool's.
func nicDefault(ctx context.Context, c client.Client, host cim.ObjectPath) (*cim.Instance, error) {
	prim, err := defaultRASD(ctx, c, host, 10)
	if err != nil || len(stringsProp(prim, "Connection")) > 0 {
		return prim, err
	}
	pools, err := c.Associators(ctx, host, assocTo("CIM_HostedResourcePool", "CIM_ResourcePool"))
	if err != nil {
		return prim, nil
	}
	for _, p := range pools {
		if n, _ := uintProp(p.Instance, "ResourceType"); n != 10 {
			continue
		}
		if def, err := capSetting(ctx, c, p.Path, roleDefault); err == nil && len(stringsProp(def, "Connection")) > 0 {
			return request(def, "InstanceID"), nil
		}
	}
	return prim, nil
}
