package libvirt

import (
	"context"
	"strconv"
	"time"

	golibvirt "github.com/digitalocean/go-libvirt"

	"github.com/ferrum-virt/ferrum/backends"
)

// vmStatTypes are the statistics groups Stats asks virConnectGetAllDomainStats for.
const vmStatTypes = golibvirt.DomainStatsState | golibvirt.DomainStatsCPUTotal | golibvirt.DomainStatsBalloon |
	golibvirt.DomainStatsVCPU | golibvirt.DomainStatsInterface | golibvirt.DomainStatsBlock

// statParams indexes a domain statistics record by field name.
type statParams map[string]uint64

func newStatParams(params []golibvirt.TypedParam) statParams {
	m := make(statParams, len(params))
	for _, p := range params {
		switch v := p.Value.I.(type) {
		case int32:
			m[p.Field] = uint64(max(v, 0))
		case uint32:
			m[p.Field] = uint64(v)
		case int64:
			m[p.Field] = uint64(max(v, 0))
		case uint64:
			m[p.Field] = v
		case float64:
			m[p.Field] = uint64(max(v, 0))
		}
	}
	return m
}

// sum adds field of every numbered device in group ("block", "net").
func (m statParams) sum(group, field string) uint64 {
	var total uint64
	for i := uint64(0); i < m[group+".count"]; i++ {
		total += m[group+"."+strconv.FormatUint(i, 10)+"."+field]
	}
	return total
}

// Stats reports a VM's counters from virConnectGetAllDomainStats. Drivers
// that report only states there (the test driver) fall back to
// virDomainGetInfo for processor time, vCPUs and memory.
func (a *vmAPI) Stats(ctx context.Context, id string) (backends.VMStats, error) {
	h := a.host()
	if err := h.alive(ctx); err != nil {
		return backends.VMStats{}, err
	}
	d, err := h.lookup(id)
	if err != nil {
		return backends.VMStats{}, err
	}
	recs, err := h.l.ConnectGetAllDomainStats([]golibvirt.Domain{d}, uint32(vmStatTypes), 0)
	if err != nil {
		return backends.VMStats{}, wrap(err, "stats of vm %s on %s", id, h)
	}
	var m statParams
	if len(recs) > 0 {
		m = newStatParams(recs[0].Params)
	}
	st := backends.VMStats{
		Time:      time.Now(),
		CPUTimeNs: m["cpu.time"],
		VCPUs:     int(m["vcpu.current"]),
		MemoryMiB: m["balloon.current"] >> 10,
		Block: backends.IOStats{ReadBytes: m.sum("block", "rd.bytes"), WriteBytes: m.sum("block", "wr.bytes"),
			ReadOps: m.sum("block", "rd.reqs"), WriteOps: m.sum("block", "wr.reqs")},
		Net: backends.NetStats{RxBytes: m.sum("net", "rx.bytes"), TxBytes: m.sum("net", "tx.bytes"),
			RxPackets: m.sum("net", "rx.pkts"), TxPackets: m.sum("net", "tx.pkts")},
	}
	if _, ok := m["cpu.time"]; !ok || st.VCPUs == 0 || st.MemoryMiB == 0 {
		_, _, memKiB, vcpus, cpuNs, err := h.l.DomainGetInfo(d)
		if err != nil {
			return backends.VMStats{}, wrap(err, "info of vm %s on %s", id, h)
		}
		st.CPUTimeNs, st.VCPUs, st.MemoryMiB = max(st.CPUTimeNs, cpuNs), int(vcpus), memKiB>>10
	}
	st.MemoryUsedMiB = usedMiB(m, st.MemoryMiB)
	return st, nil
}

// usedMiB is the memory the guest uses: from the balloon driver's report
// when the guest sends one, else the emulator's resident set, never more
// than the VM's memory.
func usedMiB(m statParams, current uint64) uint64 {
	avail, okA := m["balloon.available"]
	unused, okU := m["balloon.unused"]
	if okA && okU && avail >= unused {
		return min((avail-unused)>>10, current)
	}
	return min(m["balloon.rss"]>>10, current)
}

// Stats reports the host's busy processor time (virNodeGetCPUStats), its
// memory dedicated to VMs and its VM counts.
func (h *Host) Stats(ctx context.Context) (backends.HostStats, error) {
	if err := h.alive(ctx); err != nil {
		return backends.HostStats{}, err
	}
	st := backends.HostStats{Time: time.Now(), Threads: h.static.CPU.Threads(), MemoryMiB: h.static.MemoryMiB}
	if _, n, err := h.l.NodeGetCPUStats(-1, 0, 0); err == nil && n > 0 {
		params, _, err := h.l.NodeGetCPUStats(-1, n, 0)
		if err != nil {
			return st, wrap(err, "cpu stats of %s", h)
		}
		for _, p := range params {
			if p.Field == "kernel" || p.Field == "user" {
				st.CPUTimeNs += p.Value
			}
		}
	}
	used, err := h.activeMemoryMiB()
	if err != nil {
		return st, err
	}
	st.MemoryUsedMiB = min(used+h.opts.ReservedMiB, st.MemoryMiB)
	_, all, err := h.l.ConnectListAllDomains(0, 0)
	if err != nil {
		return st, wrap(err, "count domains on %s", h)
	}
	_, running, err := h.l.ConnectListAllDomains(0, golibvirt.ConnectListDomainsActive)
	if err != nil {
		return st, wrap(err, "count domains on %s", h)
	}
	st.DefinedVMs, st.RunningVMs = int(all), int(running)
	return st, nil
}
