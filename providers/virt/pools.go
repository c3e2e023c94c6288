package virt

import (
	"context"
	"fmt"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// poolView is one resource pool of a host, primordial (Name "") or
// concrete.
type poolView struct {
	Host     string
	Kind     model.Kind
	Name     string
	SubType  string
	Capacity *uint64 // nil when the kind has no measurable capacity
	Reserved uint64
	Consumed uint64
	// Switch is the backing switch of a network pool.
	Switch *backends.Switch
}

// ID returns the pool's InstanceID (and PoolID).
func (v poolView) ID() string { return model.PoolID(v.Host, v.Kind, v.Name) }

// Primordial reports whether v is the host's primordial pool of its kind.
func (v poolView) Primordial() bool { return v.Name == "" }

func u64(n uint64) *uint64 { return &n }

// pools returns hr's pools of kind k: the primordial pool first, then the
// concrete ones (one "default" pool for processors, memory, graphics and
// input; one per storage pool; one per virtual switch).
func (p *Provider) pools(ctx context.Context, hr hostRef, k model.Kind) ([]poolView, error) {
	switch k {
	case model.KindProcessor:
		return p.processorPools(ctx, hr)
	case model.KindMemory:
		return p.memoryPools(ctx, hr)
	case model.KindDisk:
		return p.diskPools(ctx, hr)
	case model.KindNetwork:
		return p.networkPools(ctx, hr)
	}
	prim := poolView{Host: hr.ID, Kind: k}
	conc := prim
	conc.Name = defaultPool
	return []poolView{prim, conc}, nil
}

func (p *Provider) processorPools(ctx context.Context, hr hostRef) ([]poolView, error) {
	info, err := hr.H.Info(ctx)
	if err != nil {
		return nil, err
	}
	vms, err := hr.H.VMs().List(ctx)
	if err != nil {
		return nil, err
	}
	var used uint64
	for _, vm := range vms {
		if vm.State.Active() {
			used += uint64(vm.VCPUs)
		}
	}
	v := poolView{Host: hr.ID, Kind: model.KindProcessor, Capacity: u64(uint64(info.CPU.Threads())), Consumed: used}
	c := v
	c.Name = defaultPool
	return []poolView{v, c}, nil
}

func (p *Provider) memoryPools(ctx context.Context, hr hostRef) ([]poolView, error) {
	info, err := hr.H.Info(ctx)
	if err != nil {
		return nil, err
	}
	st, err := hr.H.Stats(ctx)
	if err != nil {
		return nil, err
	}
	v := poolView{Host: hr.ID, Kind: model.KindMemory, Capacity: u64(info.MemoryMiB),
		Reserved: info.MemoryMiB - info.FreeMiB, Consumed: st.MemoryUsedMiB}
	c := v
	c.Name = defaultPool
	return []poolView{v, c}, nil
}

func (p *Provider) diskPools(ctx context.Context, hr hostRef) ([]poolView, error) {
	sps, err := hr.H.Storage().ListPools(ctx)
	if err != nil {
		return nil, err
	}
	prim := poolView{Host: hr.ID, Kind: model.KindDisk, Capacity: u64(0)}
	out := []poolView{prim}
	for _, sp := range sps {
		capacity := sp.Allocation + sp.Available
		*prim.Capacity += capacity
		prim.Reserved += sp.Allocation
		out = append(out, poolView{Host: hr.ID, Kind: model.KindDisk, Name: sp.Name, SubType: sp.Type,
			Capacity: u64(capacity), Reserved: sp.Allocation, Consumed: sp.Allocation})
	}
	prim.Consumed = prim.Reserved
	out[0] = prim
	return out, nil
}

func (p *Provider) networkPools(ctx context.Context, hr hostRef) ([]poolView, error) {
	sws, err := hr.H.Switches().ListSwitches(ctx)
	if err != nil {
		return nil, err
	}
	prim := poolView{Host: hr.ID, Kind: model.KindNetwork}
	out := []poolView{prim}
	for i := range sws {
		out = append(out, poolView{Host: hr.ID, Kind: model.KindNetwork, Name: sws[i].Name,
			SubType: string(sws[i].Kind), Consumed: uint64(sws[i].Ports), Switch: &sws[i]})
		out[0].Consumed += uint64(sws[i].Ports)
	}
	return out, nil
}

// pool returns the pool poolID names.
func (p *Provider) pool(ctx context.Context, poolID string) (hostRef, poolView, error) {
	host, k, name, ok := model.ParsePoolID(poolID)
	if !ok {
		return hostRef{}, poolView{}, cim.Errorf(cim.ErrNotFound, "no pool %s", poolID)
	}
	hr, err := p.host(ctx, host)
	if err != nil {
		return hostRef{}, poolView{}, err
	}
	views, err := p.pools(ctx, hr, k)
	if err != nil {
		return hostRef{}, poolView{}, model.CIMError(err, "pools of host %s", host)
	}
	for _, v := range views {
		if v.Name == name {
			return hr, v, nil
		}
	}
	return hostRef{}, poolView{}, cim.Errorf(cim.ErrNotFound, "no pool %s", poolID)
}

// poolInstance builds a Ferrum_*Pool.
func poolInstance(v poolView) *cim.Instance {
	name := v.Kind.String() + " pool"
	if v.Primordial() {
		name = "Primordial " + name
	} else if v.Name != defaultPool {
		name += " " + v.Name
	}
	in := cim.NewInstance(v.Kind.PoolClass()).
		Set("InstanceID", cim.String(v.ID())).
		Set("PoolID", cim.String(v.ID())).
		Set("ElementName", cim.String(name)).
		Set("Caption", cim.String(name)).
		Set("Primordial", cim.Bool(v.Primordial())).
		Set("ResourceType", cim.Uint16(v.Kind.ResourceType())).
		Set("AllocationUnits", cim.String(v.Kind.AllocationUnits())).
		Set("ConsumedResourceUnits", cim.String(v.Kind.AllocationUnits())).
		Set("CurrentlyConsumedResource", cim.Uint64(v.Consumed)).
		Set("Reserved", cim.Uint64(v.Reserved)).
		Set("HealthState", cim.Uint16(model.HealthOK)).
		Set("OperationalStatus", cim.Uint16Array(model.OpStatusOK))
	if v.SubType != "" {
		in.Set("ResourceSubType", cim.String(v.SubType))
	}
	if v.Capacity != nil {
		in.Set("Capacity", cim.Uint64(*v.Capacity)).Set("MaxConsumableResource", cim.Uint64(*v.Capacity))
	}
	return in
}

// hostPools returns every pool of hr, kind by kind.
func (p *Provider) hostPools(ctx context.Context, hr hostRef) ([]poolView, error) {
	var out []poolView
	for _, k := range model.Kinds() {
		vs, err := p.pools(ctx, hr, k)
		if err != nil {
			return nil, fmt.Errorf("%s pools of host %s: %w", k, hr.ID, err)
		}
		out = append(out, vs...)
	}
	return out, nil
}

// poolNames returns the names of hr's pools of kind k ("" for the
// primordial one) without computing their usage: what central-instance
// lists and identity checks need.
func (p *Provider) poolNames(ctx context.Context, hr hostRef, k model.Kind) ([]string, error) {
	switch k {
	case model.KindDisk:
		sps, err := hr.H.Storage().ListPools(ctx)
		if err != nil {
			return nil, err
		}
		out := []string{""}
		for _, sp := range sps {
			out = append(out, sp.Name)
		}
		return out, nil
	case model.KindNetwork:
		sws, err := hr.H.Switches().ListSwitches(ctx)
		if err != nil {
			return nil, err
		}
		out := []string{""}
		for _, sw := range sws {
			out = append(out, sw.Name)
		}
		return out, nil
	}
	return []string{"", defaultPool}, nil
}
