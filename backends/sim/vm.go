package sim

import (
	"time"

	"github.com/ferrum-virt/ferrum/backends"
)

// vm is a simulated virtual server. It holds no goroutine and no timer
// unless a graceful shutdown is pending; its counters are computed lazily.
type vm struct {
	spec   backends.VMSpec // normalized; Graphics.Port is live while running
	state  backends.State
	reason backends.Reason
	since  time.Time
	load   *Workload // nil means the data center's default
	busy   string    // operation holding the VM ("migrate"), "" when idle
	auto   bool      // Graphics.Port is chosen at start
	off    *Timer    // pending guest power-off after a shutdown request
	meter  meter
	wvol   *volume     // volume the guest's writes grow, while it runs
	wrate  float64     // bytes per second it adds to wvol
	snaps  []*snapshot // in creation order
	cur    string      // name of the current snapshot, "" for none
	snapN  int         // snapshots named by the simulator so far
}

func (v *vm) workload(dc *DataCenter) *Workload {
	if v.load != nil {
		return v.load
	}
	return &dc.workload
}

// runsGuest reports whether the guest executes and so consumes CPU.
func runsGuest(s backends.State) bool {
	return s == backends.StateRunning || s == backends.StateShuttingDown
}

func (v *vm) view(hostID string) backends.VM {
	return backends.VM{VMSpec: cloneSpec(v.spec), Host: hostID, State: v.state, Reason: v.reason, Since: v.since}
}

// cloneSpec deep-copies a spec so callers cannot alias simulator state.
func cloneSpec(s backends.VMSpec) backends.VMSpec {
	s.Disks = append([]backends.DiskSpec(nil), s.Disks...)
	for i, d := range s.Disks {
		if d.Volume != nil {
			ref := *d.Volume
			s.Disks[i].Volume = &ref
		}
	}
	s.NICs = append([]backends.NICSpec(nil), s.NICs...)
	s.BootOrder = append([]backends.BootDevice(nil), s.BootOrder...)
	if s.Graphics != nil {
		g := *s.Graphics
		s.Graphics = &g
	}
	return s
}

// meter holds a VM's cumulative counters as of a checkpoint, plus the rates
// in force since; reading it extrapolates.
type meter struct {
	at                   int64 // checkpoint, virtual Unix ns
	cpuNs                uint64
	rd, wr, rdOps, wrOps uint64
	rx, tx, rxPk, txPk   uint64
	cpuRate              float64 // CPU ns per ns granted by the scheduler
	act                  float64 // granted/wanted CPU; I/O runs at this share
}

// advanced returns the meter moved to now under workload w.
func (m meter) advanced(now int64, w *Workload) meter {
	dt := float64(now - m.at)
	if dt <= 0 {
		return m
	}
	m.at = now
	if m.cpuRate == 0 && m.act == 0 {
		return m
	}
	m.cpuNs += uint64(m.cpuRate * dt)
	sec := dt / float64(time.Second) * m.act
	add := func(bytes, ops *uint64, rate, unit uint64) {
		b := uint64(float64(rate) * sec)
		*bytes += b
		*ops += b / unit
	}
	add(&m.rd, &m.rdOps, w.DiskReadBps, w.IOSize)
	add(&m.wr, &m.wrOps, w.DiskWriteBps, w.IOSize)
	add(&m.rx, &m.rxPk, w.NetRxBps, w.PacketSize)
	add(&m.tx, &m.txPk, w.NetTxBps, w.PacketSize)
	return m
}

func (v *vm) stats(now time.Time, w *Workload) backends.VMStats {
	m := v.meter.advanced(now.UnixNano(), w)
	st := backends.VMStats{
		Time: now, CPUTimeNs: m.cpuNs, VCPUs: v.spec.VCPUs, MemoryMiB: v.spec.MemoryMiB,
		Block: backends.IOStats{ReadBytes: m.rd, WriteBytes: m.wr, ReadOps: m.rdOps, WriteOps: m.wrOps},
		Net:   backends.NetStats{RxBytes: m.rx, TxBytes: m.tx, RxPackets: m.rxPk, TxPackets: m.txPk},
	}
	if v.state.Active() {
		st.MemoryUsedMiB = uint64(float64(v.spec.MemoryMiB) * w.MemoryUtil)
	}
	return st
}
