package sim_test

import (
	"context"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/backends/sim"
)

func TestClockFiresTimersInDeadlineOrder(t *testing.T) {
	clk := sim.NewClock(sim.Epoch)
	var fired []string
	var at []time.Duration
	add := func(name string, d time.Duration) *sim.Timer {
		return clk.AfterFunc(d, func() { fired = append(fired, name); at = append(at, clk.Now().Sub(sim.Epoch)) })
	}
	add("c", 3*time.Second)
	add("a", time.Second)
	add("b", 2*time.Second)
	add("b2", 2*time.Second) // same deadline: creation order
	stopped := add("never", 2500*time.Millisecond)
	if !stopped.Stop() || stopped.Stop() {
		t.Fatal("Stop must report true once, then false")
	}
	clk.Advance(2 * time.Second)
	clk.Advance(10 * time.Second)
	want := []string{"a", "b", "b2", "c"}
	if len(fired) != 4 || fired[0] != "a" || fired[1] != "b" || fired[2] != "b2" || fired[3] != "c" {
		t.Fatalf("fired %v, want %v", fired, want)
	}
	if at[0] != time.Second || at[3] != 3*time.Second || clk.Now().Sub(sim.Epoch) != 12*time.Second {
		t.Fatalf("timers saw %v, clock ended at %v", at, clk.Now().Sub(sim.Epoch))
	}
}

func TestManualSleepWaitsForAdvance(t *testing.T) {
	clk := sim.NewClock(sim.Epoch)
	clk.SetAutoAdvance(false)
	done := make(chan error, 1)
	go func() { done <- clk.Sleep(context.Background(), time.Minute) }()
	for {
		select {
		case err := <-done:
			if err != nil || clk.Now().Sub(sim.Epoch) < time.Minute {
				t.Fatalf("Sleep returned %v at +%v", err, clk.Now().Sub(sim.Epoch))
			}
			return
		default:
			clk.Advance(10 * time.Second)
			time.Sleep(time.Millisecond)
		}
	}
}

func TestAutoSleepJumpsTheClock(t *testing.T) {
	clk := sim.NewClock(sim.Epoch)
	start := time.Now()
	if err := clk.Sleep(context.Background(), 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	if got := clk.Now().Sub(sim.Epoch); got != 24*time.Hour {
		t.Fatalf("clock at +%v after a day's sleep", got)
	}
	if time.Since(start) > 10*time.Second {
		t.Fatal("auto-advance slept in real time")
	}
}

func TestRealTimeModeMovesTheClock(t *testing.T) {
	clk := sim.NewClock(sim.Epoch)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { clk.RunRealTime(ctx, time.Millisecond, 1000); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for clk.Now().Sub(sim.Epoch) < time.Second && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	if clk.Now().Sub(sim.Epoch) < time.Second {
		t.Fatal("a real-time clock at 1000× did not reach one virtual second")
	}
}
