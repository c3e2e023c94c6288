package virt

import (
	"context"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// VMView builds the instances this package serves for the VMs of one
// host as they were listed, without asking the backend again: what a
// subscriber to lifecycle indications needs as its baseline. A view
// reads the host's volumes once, so a host's VMs cost one backend call
// per pool; make one per listing.
type VMView struct {
	s  *scope
	hr hostRef
}

// View returns a view of host h, whose ID is hostID, with the host's
// volumes read in one listing per pool.
func (p *Provider) View(ctx context.Context, hostID string, h backends.Host) VMView {
	v := VMView{s: p.scope(ctx), hr: hostRef{ID: hostID, H: h}}
	v.s.prefetchVolumes(v.hr)
	return v
}

// prefetchVolumes fills the scope's volume cache with every volume of
// hr's pools; a volume a VM names that is not listed is asked for alone.
func (s *scope) prefetchVolumes(hr hostRef) {
	pools, err := hr.H.Storage().ListPools(s.ctx)
	if err != nil {
		return
	}
	for _, pool := range pools {
		vols, err := hr.H.Storage().ListVolumes(s.ctx, pool.Name)
		if err != nil {
			continue
		}
		for i := range vols {
			s.vols[hr.ID+"|"+vols[i].Ref.String()] = &vols[i]
		}
	}
}

// Instances returns vm's Ferrum_ComputerSystem, its
// Ferrum_VirtualSystemSettingData and its RASDs, as GetInstance and the
// VSSD's Ferrum_VirtualSystemSettingDataComponent would.
func (v VMView) Instances(vm backends.VM) (cs, vssd *cim.Instance, rasds []*cim.Instance) {
	p := v.s.p
	return p.vmInstance(vm), p.vssdInstance(vm), v.s.rasdInstances(v.hr, vm, 0)
}
