package sim_test

import (
	"testing"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/backends/backendtest"
	"github.com/ferrum-virt/ferrum/backends/sim"
)

func newDC(t testing.TB, cfg sim.Config) *sim.DataCenter {
	t.Helper()
	dc, err := sim.NewDataCenter(cfg)
	if err != nil {
		t.Fatalf("NewDataCenter: %v", err)
	}
	return dc
}

// compatiblePair returns two hosts of dc with the same CPU vendor.
func compatiblePair(t testing.TB, dc *sim.DataCenter) (*sim.Host, *sim.Host) {
	t.Helper()
	seen := map[string]*sim.Host{}
	for _, h := range dc.Hosts() {
		info, err := h.Info(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if o, ok := seen[info.CPU.Vendor]; ok {
			return o, h
		}
		seen[info.CPU.Vendor] = h
	}
	t.Fatal("no two hosts share a CPU vendor")
	return nil, nil
}

func TestConformance(t *testing.T) {
	var seed int64
	backendtest.Run(t,
		func(t *testing.T) backends.Host {
			seed++
			return newDC(t, sim.Config{Hosts: 1, Seed: seed}).Host(0)
		},
		backendtest.WithPair(func(t *testing.T) (backends.Host, backends.Host) {
			seed++
			return compatiblePair(t, newDC(t, sim.Config{Hosts: 6, Seed: seed}))
		}))
}
