package indication

import (
	"context"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/provkit"
)

// ClassElementCapabilities links the indication service to its
// capabilities in root/interop (DSP1054 §7.1).
const ClassElementCapabilities = "Ferrum_ElementCapabilities"

// capabilitiesPath is the path of the one Ferrum_IndicationServiceCapabilities.
func (p *Provider) capabilitiesPath() cim.ObjectPath {
	return cim.NewInstancePath(p.ns, ClassCapabilities, provkit.Keys(
		"InstanceID", cim.String("Ferrum:IndicationServiceCapabilities"))...)
}

// elementCapabilities returns the Ferrum_ElementCapabilities from the
// service to its capabilities.
func (p *Provider) elementCapabilities(context.Context, string) ([]*cim.Instance, error) {
	inst := cim.NewInstance(ClassElementCapabilities)
	inst.Set("ManagedElement", cim.Ref(p.servicePath()))
	inst.Set("Capabilities", cim.Ref(p.capabilitiesPath()))
	return []*cim.Instance{inst}, nil
}
