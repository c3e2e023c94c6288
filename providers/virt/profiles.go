package virt

import (
	"context"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/interop"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// Profile IDs this package registers (the InstanceID suffix of their
// RegisteredProfile).
const (
	ProfileSystemVirtualization = "DSP1042"
	ProfileVirtualSystem        = "DSP1057"
	ProfileResourceAllocation   = "DSP1041"
	ProfileAllocationCaps       = "DSP1043"
	ProfileGenericDevice        = "DSP1059"
	ProfileProcessor            = "DSP1044"
	ProfileMemory               = "DSP1045"
	ProfileStorage              = "DSP1047"
	ProfileEthernetPort         = "DSP1050"
	ProfileJobControl           = "DSP1103"
)

const dmtf = 2

// registerProfiles registers the profiles implemented, with their central
// instances, and DSP1042's references to its component profiles.
func (p *Provider) registerProfiles(ip *interop.Provider) {
	components := []string{ProfileVirtualSystem, ProfileResourceAllocation, ProfileAllocationCaps,
		ProfileGenericDevice, ProfileProcessor, ProfileMemory, ProfileStorage, ProfileEthernetPort}
	if p.jobs != nil {
		components = append(components, ProfileJobControl)
		ip.AddProfile(interop.Profile{ID: ProfileJobControl, Organization: dmtf, Name: "Job Control", Version: "1.0.0",
			Central: p.centralJobs, CentralClasses: []string{"CIM_ConcreteJob"}})
	}
	ip.AddProfile(interop.Profile{ID: ProfileSystemVirtualization, Organization: dmtf, Name: "System Virtualization",
		Version: "1.0.0", References: components, Central: p.centralHosts, CentralClasses: []string{model.ClassHost}})
	ip.AddProfile(interop.Profile{ID: ProfileVirtualSystem, Organization: dmtf, Name: "Virtual System",
		Version: "1.0.0", References: []string{ProfileResourceAllocation, ProfileAllocationCaps}, Central: p.centralVMs, CentralClasses: []string{model.ClassVM}})
	ip.AddProfile(interop.Profile{ID: ProfileResourceAllocation, Organization: dmtf, Name: "Resource Allocation",
		Version: "1.1.0", Central: p.centralPools(), CentralClasses: []string{"CIM_ResourcePool"}})
	ip.AddProfile(interop.Profile{ID: ProfileAllocationCaps, Organization: dmtf, Name: "Allocation Capabilities",
		Version: "1.0.0", Central: p.centralAllocCaps, CentralClasses: []string{"CIM_AllocationCapabilities"}})
	ip.AddProfile(interop.Profile{ID: ProfileGenericDevice, Organization: dmtf, Name: "Generic Device Resource Virtualization",
		Version: "1.0.0", Central: p.centralPools(model.KindGraphics, model.KindInput), CentralClasses: []string{"CIM_ResourcePool"}})
	for _, rp := range []struct {
		id, name string
		kind     model.Kind
	}{
		{ProfileProcessor, "Processor Resource Virtualization", model.KindProcessor},
		{ProfileMemory, "Memory Resource Virtualization", model.KindMemory},
		{ProfileStorage, "Storage Resource Virtualization", model.KindDisk},
		{ProfileEthernetPort, "Ethernet Port Resource Virtualization", model.KindNetwork},
	} {
		ip.AddProfile(interop.Profile{ID: rp.id, Organization: dmtf, Name: rp.name, Version: "1.0.0",
			Central: p.centralPools(rp.kind), CentralClasses: []string{"CIM_ResourcePool"}})
	}
}

func (p *Provider) centralHosts(ctx context.Context) ([]cim.ObjectPath, error) {
	var out []cim.ObjectPath
	for _, hr := range p.hosts(ctx) {
		out = append(out, model.HostPath(hr.ID))
	}
	return out, nil
}

func (p *Provider) centralVMs(ctx context.Context) ([]cim.ObjectPath, error) {
	var out []cim.ObjectPath
	err := p.eachVM(ctx, func(_ hostRef, vm backends.VM) bool {
		out = append(out, model.VMPath(vm.UUID))
		return true
	})
	return out, err
}

// centralPools returns the central instances of a resource profile: the
// pools of the given kinds (all kinds when none is given).
func (p *Provider) centralPools(kinds ...model.Kind) func(context.Context) ([]cim.ObjectPath, error) {
	return func(ctx context.Context) ([]cim.ObjectPath, error) {
		return p.poolPaths(ctx, kinds, func(k model.Kind, id string) cim.ObjectPath { return model.PoolPath(k, id) }), nil
	}
}

func (p *Provider) centralAllocCaps(ctx context.Context) ([]cim.ObjectPath, error) {
	return p.poolPaths(ctx, nil, func(_ model.Kind, id string) cim.ObjectPath { return model.AllocCapsPath(id) }), nil
}

// poolPaths names, with path, every pool of the given kinds (all when
// none) of every host that answers.
func (p *Provider) poolPaths(ctx context.Context, kinds []model.Kind, path func(model.Kind, string) cim.ObjectPath) []cim.ObjectPath {
	if len(kinds) == 0 {
		kinds = model.Kinds()
	}
	var out []cim.ObjectPath
	for _, hr := range p.hosts(ctx) {
		for _, k := range kinds {
			names, err := p.poolNames(ctx, hr, k)
			if err != nil {
				continue
			}
			for _, n := range names {
				out = append(out, path(k, model.PoolID(hr.ID, k, n)))
			}
		}
	}
	return out
}

func (p *Provider) centralJobs(ctx context.Context) ([]cim.ObjectPath, error) {
	var out []cim.ObjectPath
	for _, j := range p.jobs.List() {
		out = append(out, p.jobs.Path(j.ID))
	}
	return out, nil
}
