package sim

import (
	"fmt"
	"math"
	"time"

	"github.com/ferrum-virt/ferrum/backends"
)

// Pre-copy model constants, after QEMU's migration defaults.
const (
	// DefaultMaxRounds is how many pre-copy rounds run before a migration
	// that is not converging gives up.
	DefaultMaxRounds = 30
	// switchoverTime is the fixed part of the final pause: device state and
	// resuming the guest on the destination.
	switchoverTime = 10 * time.Millisecond
	// Auto-converge throttles vCPUs when the guest dirtied more than half of
	// what a round sent, twice; first by 20 %, then 10 % more a step, to 99 %.
	throttleTrigger   = 0.5
	throttleInitial   = 20
	throttleIncrement = 10
	throttleMax       = 99
)

// PreCopy describes a live migration to the pre-copy model.
type PreCopy struct {
	Memory       uint64  // guest memory, bytes
	DirtyRate    float64 // bytes per second the guest writes
	WorkingSet   uint64  // bytes those writes fall in
	Bandwidth    uint64  // bytes per second on the wire
	MaxDowntime  time.Duration
	AutoConverge bool
	MaxRounds    int
}

// Round is one pre-copy pass.
type Round struct {
	N           int
	Sent        uint64        // bytes sent in this round
	Duration    time.Duration // how long it took
	Remaining   uint64        // memory dirtied meanwhile, still to send
	DirtyRate   float64       // effective bytes per second dirtied
	ThrottlePct int
}

// Outcome is a finished model run.
type Outcome struct {
	Rounds      int
	BytesSent   uint64
	TotalTime   time.Duration // pre-copy rounds plus the final pause
	Downtime    time.Duration
	ThrottlePct int
}

// Run plays the migration round by round. Round 1 sends all memory; each
// later round sends what the guest dirtied during the previous one, where a
// guest writing at rate D over a working set W dirties W·(1−e^(−D·t/W)) bytes
// in t seconds. Once the remainder can be sent within MaxDowntime the guest
// pauses for the final copy. yield sees each round before the next starts
// and stops the run by returning false (Run then returns ok false). Without
// convergence by MaxRounds, Run fails with ErrNotConverged.
func (p PreCopy) Run(yield func(Round) bool) (out Outcome, ok bool, err error) {
	if p.Bandwidth == 0 || p.Memory == 0 {
		return out, false, fmt.Errorf("pre-copy of %d bytes at %d B/s: %w", p.Memory, p.Bandwidth, backends.ErrInvalidArgument)
	}
	maxRounds := p.MaxRounds
	if maxRounds <= 0 {
		maxRounds = DefaultMaxRounds
	}
	var elapsed time.Duration
	var high int
	send := p.Memory
	for n := 1; ; n++ {
		rate := p.DirtyRate * float64(100-out.ThrottlePct) / 100
		d := p.transfer(send)
		r := Round{N: n, Sent: send, Duration: d, Remaining: p.dirtied(rate, d), DirtyRate: rate, ThrottlePct: out.ThrottlePct}
		elapsed += d
		out.Rounds, out.BytesSent = n, out.BytesSent+send
		if !yield(r) {
			return out, false, nil
		}
		if down := p.transfer(r.Remaining) + switchoverTime; down <= p.maxDowntime() {
			out.Downtime, out.TotalTime, out.BytesSent = down, elapsed+down, out.BytesSent+r.Remaining
			return out, true, nil
		}
		if n >= maxRounds {
			out.TotalTime = elapsed
			return out, false, fmt.Errorf("%d rounds, %d bytes still dirty at %.0f B/s: %w",
				n, r.Remaining, rate, backends.ErrNotConverged)
		}
		if p.AutoConverge && float64(r.Remaining) > throttleTrigger*float64(send) {
			if high++; high >= 2 {
				out.ThrottlePct, high = nextThrottle(out.ThrottlePct), 0
			}
		}
		send = r.Remaining
	}
}

func nextThrottle(pct int) int {
	if pct == 0 {
		return throttleInitial
	}
	return min(pct+throttleIncrement, throttleMax)
}

func (p PreCopy) maxDowntime() time.Duration {
	if p.MaxDowntime <= 0 {
		return backends.DefaultMaxDowntime
	}
	return p.MaxDowntime
}

func (p PreCopy) transfer(bytes uint64) time.Duration {
	return time.Duration(float64(bytes) / float64(p.Bandwidth) * float64(time.Second))
}

// dirtied is the distinct memory a guest writing rate bytes per second over
// the working set touches in d.
func (p PreCopy) dirtied(rate float64, d time.Duration) uint64 {
	w := float64(min(p.WorkingSet, p.Memory))
	if w == 0 || rate <= 0 {
		return 0
	}
	return uint64(w * -math.Expm1(-rate*d.Seconds()/w))
}
